# Which Python, Keras and TensorFlow twinnet reaches through reticulate.

#' Report which Python, Keras and TensorFlow twinnet uses
#'
#' Starts Python (through reticulate) if it is not running yet and reports the
#' interpreter R uses: its executable, version and prefixes, the `libpython`
#' loaded into this R process, and the versions of Keras (and its backend),
#' TensorFlow, NumPy and jsonschema. It also checks that R really runs the
#' interpreter that reticulate was configured with: one executable, at most
#' one `libpython` in the process, and the same Python version in the process
#' as the executable reports when run on its own. (On a machine with two
#' builds of one Python version, reticulate can load one's `libpython` under
#' the other's executable.) `python -m twinnet doctor` shows the same report
#' next to Python's.
#'
#' @return Invisibly, a list of class `twinnet_sitrep` with the fields
#'   `twinnet`, `r_version`, `reticulate`, `python`, `python_version`,
#'   `executable_version`, `prefix`, `base_prefix`, `libpython`, `keras`,
#'   `backend`, `tensorflow`, `numpy`, `jsonschema`, `configured_python`,
#'   `same_interpreter` and `verdict` (`NA` where unknown).
#' @examples
#' \dontrun{
#' sitrep()
#' }
#' @export
sitrep <- function() {
  info <- structure(sitrep_info(), class = "twinnet_sitrep")
  print(info)
  invisible(info)
}

#' @export
print.twinnet_sitrep <- function(x, ...) {
  show <- function(v) if (is.null(v) || is.na(v)) "(unknown)" else as.character(v)
  cat(sprintf("twinnet %s on R %s (reticulate %s)\n", x$twinnet, x$r_version, x$reticulate))
  rows <- c(
    "Python" = show(x$python),
    "  version" = show(x$python_version),
    "  executable says" = show(x$executable_version),
    "  prefix" = show(x$prefix),
    "  base prefix" = show(x$base_prefix),
    "  libpython" = show(x$libpython),
    "  configured" = show(x$configured_python),
    "Keras" = sprintf("%s (backend %s)", show(x$keras), show(x$backend)),
    "TensorFlow" = show(x$tensorflow),
    "NumPy" = show(x$numpy),
    "jsonschema" = show(x$jsonschema)
  )
  cat(sprintf("%-18s %s\n", paste0(names(rows), ":"), rows), sep = "")
  cat(x$verdict, "\n", sep = "")
  invisible(x)
}

# The facts of sitrep() as a plain named list of scalars (JSON-ready; NA where unknown).
# `python -m twinnet doctor` reads it with
#   Rscript -e 'cat(jsonlite::toJSON(twinnet:::sitrep_info(), auto_unbox = TRUE, null = "null"))'
# so it must print nothing.
sitrep_info <- function() {
  info <- list(
    twinnet = as.character(utils::packageVersion("twinnet")),
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    reticulate = as.character(utils::packageVersion("reticulate")),
    python = NA_character_, python_version = NA_character_, executable_version = NA_character_,
    prefix = NA_character_, base_prefix = NA_character_, libpython = NA_character_,
    keras = NA_character_, backend = NA_character_, tensorflow = NA_character_,
    numpy = NA_character_, jsonschema = NA_character_,
    configured_python = NA_character_, same_interpreter = NA, verdict = NA_character_
  )
  config <- tryCatch(reticulate::py_config(), error = function(e) e)
  if (inherits(config, "error")) {
    info$same_interpreter <- FALSE
    info$verdict <- sprintf("NO PYTHON: reticulate cannot start Python (%s)", first_line(conditionMessage(config)))
    return(info)
  }
  sys <- reticulate::import("sys")
  libs <- mapped_libpython()
  info$python <- sys$executable
  info$python_version <- first_line(sys$version)
  info$executable_version <- executable_version(info$python)
  info$prefix <- sys$prefix
  info$base_prefix <- sys$base_prefix
  info$libpython <- if (length(libs) == 0L) NA_character_ else paste(libs, collapse = "; ")
  info$configured_python <- config$python
  info[c("keras", "backend", "tensorflow", "numpy", "jsonschema")] <- python_versions()
  problems <- interpreter_problems(info, libs)
  info$same_interpreter <- length(problems) == 0L
  info$verdict <- if (info$same_interpreter) {
    sprintf("OK: R and Python use one interpreter, %s (Python %s)%s", info$python,
            version_number(info$python_version),
            if (is.na(info$keras)) "; but Keras cannot be imported" else "")
  } else {
    paste0("MISMATCH: ", paste(problems, collapse = "; "))
  }
  from_r <- version_number(config$version_string %||% NA_character_)
  if (!is.na(from_r) && !identical(from_r, version_number(info$python_version))) {
    info$verdict <- sprintf(paste0(
      "%s (note: a python started by R itself reports %s: R's LD_LIBRARY_PATH puts another ",
      "libpython first; this R session is not affected)"
    ), info$verdict, from_r)
  }
  info
}

# The version `python` reports when run on its own, outside R's library path
# (R's LD_LIBRARY_PATH can make a child python load another build's libpython).
executable_version <- function(python) {
  if (!is_file(python)) return(NA_character_)
  out <- tryCatch(
    suppressWarnings(system2(python, c("-c", shQuote("import sys; print(sys.version)")),
                             stdout = TRUE, stderr = FALSE, env = "LD_LIBRARY_PATH=")),
    error = function(e) character()
  )
  if (length(out) == 0L) NA_character_ else first_line(paste(out, collapse = "\n"))
}

# The libpython shared libraries mapped into this process (none for a static interpreter).
mapped_libpython <- function() {
  maps <- tryCatch(readLines("/proc/self/maps", warn = FALSE), error = function(e) character())
  paths <- sub("^[^/]*", "", grep("/libpython[0-9.]*[a-z]*\\.so", maps, value = TRUE))
  unique(paths[nzchar(paths)])
}

# Versions of keras, its backend, tensorflow, numpy and jsonschema (NA if not importable).
python_versions <- function() {
  attempt <- function(expr) tryCatch(as.character(expr), error = function(e) NA_character_)
  metadata <- attempt_import("importlib.metadata")
  keras <- attempt_import("keras")
  backend <- if (is.null(keras)) NA_character_ else attempt(keras$backend$backend())
  tensorflow <- if (identical(backend, "tensorflow")) attempt_import("tensorflow") else NULL
  numpy <- attempt_import("numpy")
  list(
    keras = if (is.null(keras)) NA_character_ else attempt(keras$`__version__`),
    backend = backend,
    tensorflow = if (is.null(tensorflow)) NA_character_ else attempt(tensorflow$`__version__`),
    numpy = if (is.null(numpy)) NA_character_ else attempt(numpy$`__version__`),
    jsonschema = if (is.null(metadata)) NA_character_ else attempt(metadata$version("jsonschema"))
  )
}

attempt_import <- function(name) tryCatch(reticulate::import(name), error = function(e) NULL)

# Why R's Python is not (provably) the configured interpreter; none if it is.
interpreter_problems <- function(info, libs) {
  problems <- character()
  same_path <- function(a, b) identical(normalizePath(a, mustWork = FALSE), normalizePath(b, mustWork = FALSE))
  if (!same_path(info$configured_python, info$python)) {
    problems <- c(problems, sprintf("reticulate was configured with %s but runs %s",
                                    info$configured_python, info$python))
  }
  if (length(libs) > 1L) {
    problems <- c(problems, sprintf("%d libpython libraries are loaded (%s)", length(libs),
                                    paste(libs, collapse = ", ")))
  }
  inside <- version_number(info$python_version)
  outside <- version_number(info$executable_version)
  if (!is.na(outside) && !identical(inside, outside)) {
    problems <- c(problems, sprintf(
      "R runs Python %s (libpython %s) but %s runs Python %s: two builds of Python are mixed",
      inside, if (length(libs)) libs[[1L]] else "static", info$python, outside
    ))
  }
  problems
}

version_number <- function(text) {
  if (is.null(text) || is.na(text)) return(NA_character_)
  sub("^([0-9]+\\.[0-9]+\\.[0-9]+[a-z0-9]*).*$", "\\1", text)
}
