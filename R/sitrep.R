# Which Python, Keras and Keras backend twinnet reaches through reticulate (python/twinnet/doctor.py).

#' Report which Python, Keras and Keras backend twinnet uses
#'
#' Starts Python (through reticulate) if it is not running yet and reports the
#' interpreter R uses: its executable, version and prefixes, the `libpython`
#' loaded into this R process, and the versions of Keras, its backend
#' (TensorFlow, JAX or PyTorch: the package's version, and who chose it) and
#' NumPy. It also checks that R really runs the
#' interpreter that reticulate was configured with: one executable, at most
#' one `libpython` in the process, and the same Python version in the process
#' as the executable reports when run on its own. (On a machine with two
#' builds of one Python version, reticulate can load one's `libpython` under
#' the other's executable.) `python -m twinnet doctor` shows the same report
#' next to Python's.
#'
#' The verdict is `OK` only when R and Python provably use one interpreter and
#' every module that [build_model()] and the verbs after it need (Keras, NumPy
#' and Keras's backend) can be imported; otherwise it names each problem and
#' the command that fixes it. The spec verbs ([load_spec()], [summary()],
#' [to_code()], [to_dot()], [diagram()], [handout()]) need no Python at all.
#'
#' Keras's backend is chosen before Keras loads, once per session: with the
#' option `twinnet.backend` (`options(twinnet.backend = "jax")`, which wins),
#' else the environment variable `KERAS_BACKEND`
#' (`Sys.setenv(KERAS_BACKEND = "torch")`), else Keras's own choice (its
#' `keras.json`, by default TensorFlow). `backend_by` says which.
#'
#' @param quiet If `TRUE`, print nothing (the report is still returned).
#'
#' @return Invisibly, a list of class `twinnet_sitrep` with the fields
#'   `twinnet`, `r_version`, `reticulate`, `python`, `python_version`,
#'   `executable_version`, `prefix`, `base_prefix`, `libpython`, `keras`,
#'   `backend`, `backend_version` (the version of the backend's package),
#'   `backend_by` (`"option twinnet.backend"`, `"KERAS_BACKEND"` or
#'   `"default"`), `tensorflow` (`NA` unless it is the backend), `numpy`,
#'   `configured_python`, `same_interpreter`,
#'   `missing` (the Python modules that cannot be imported, comma-separated,
#'   `""` for none), `ok` and `verdict` (`NA` where unknown).
#' @examples
#' \dontrun{
#' sitrep()
#' }
#' @export
sitrep <- function(quiet = FALSE) {
  info <- structure(sitrep_info(), class = "twinnet_sitrep")
  if (!quiet) print(info)
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
    "Backend" = sprintf("%s %s (chosen by %s)", show(x$backend), show(x$backend_version), show(x$backend_by)),
    "NumPy" = show(x$numpy)
  )
  cat(sprintf("%-18s %s\n", paste0(names(rows), ":"), rows), sep = "")
  cat(x$verdict, "\n", sep = "")
  invisible(x)
}

# The facts of sitrep() as a plain named list of scalars (JSON-ready; NA where unknown).
# `python -m twinnet doctor` reads them with
#   Rscript -e 'cat(jsonlite::toJSON(unclass(twinnet::sitrep(quiet = TRUE)), auto_unbox = TRUE, null = "null"))'
# so it must print nothing.
sitrep_info <- function() {
  info <- list(
    twinnet = as.character(utils::packageVersion("twinnet")),
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    reticulate = as.character(utils::packageVersion("reticulate")),
    python = NA_character_, python_version = NA_character_, executable_version = NA_character_,
    prefix = NA_character_, base_prefix = NA_character_, libpython = NA_character_,
    keras = NA_character_, backend = NA_character_, backend_version = NA_character_,
    backend_by = backend_chosen_by(), tensorflow = NA_character_,
    numpy = NA_character_, configured_python = NA_character_, same_interpreter = NA,
    missing = NA_character_, ok = FALSE, verdict = NA_character_
  )
  config <- tryCatch(reticulate::py_config(), error = function(e) e)
  if (inherits(config, "error")) {
    info$same_interpreter <- FALSE
    info$verdict <- sprintf(paste0(
      "NO PYTHON: reticulate cannot start Python (%s). The spec verbs work without it; ",
      "build_model() and the verbs after it need it. %s"
    ), first_line(conditionMessage(config)), python_fix_advice())
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
  info[c("keras", "backend", "backend_version", "tensorflow", "numpy")] <- python_versions()
  problems <- interpreter_problems(info, libs)
  info$same_interpreter <- length(problems) == 0L
  missing <- missing_modules(info)
  info$missing <- paste(missing, collapse = ", ")
  info$ok <- info$same_interpreter && length(missing) == 0L
  info$verdict <- if (!info$same_interpreter) {
    paste0("MISMATCH: ", paste(problems, collapse = "; "))
  } else if (length(missing) > 0L) {
    sprintf(paste0(
      "MISSING: R and Python use one interpreter, %s (Python %s), but it cannot import %s, ",
      "which build_model() needs. Install it there: %s"
    ), info$python, version_number(info$python_version), info$missing, install_command(info$python, missing))
  } else {
    sprintf("OK: R and Python use one interpreter, %s (Python %s), with Keras %s (backend %s %s) and NumPy %s",
            info$python, version_number(info$python_version), info$keras, info$backend, info$backend_version,
            info$numpy)
  }
  asked <- keras_backend_name()
  if (!is.na(info$backend) && info$backend_by != "default" && !identical(asked, info$backend)) {
    info$verdict <- sprintf(paste0(
      "%s (note: the %s asks for the backend '%s', but Keras was loaded with '%s' before: ",
      "restart R and choose the backend before anything uses Keras)"
    ), info$verdict, info$backend_by, asked, info$backend)
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

# The modules that build_model() needs and that cannot be imported: keras, numpy, the backend's.
missing_modules <- function(info) {
  wanted <- c(keras = info$keras, numpy = info$numpy)
  backend <- if (is.na(info$backend)) keras_backend_name() else info$backend
  module <- backend_module(backend)
  if (!is.na(module)) {
    version <- if (is.null(info$backend_version)) info[[module]] else info$backend_version
    wanted[[module]] <- if (is.null(version)) NA_character_ else version
  }
  names(wanted)[is.na(wanted)]
}

# The Python module of a Keras backend (shared_specs/python.json), NA for a backend without one.
backend_module <- function(backend) {
  module <- shared_table("python.json")$backend_modules[[backend]]
  if (is.null(module)) NA_character_ else module
}

# Who chose the backend, for sitrep(): the option, the environment variable or Keras's default.
backend_chosen_by <- function() {
  by <- tryCatch(backend_choice()$by, error = function(e) "option twinnet.backend (not a backend's name)")
  if (nzchar(by)) by else "default"
}

# The shell command that installs the packages of `modules` into `python`.
install_command <- function(python, modules) {
  packages <- python_requirements()
  keep <- vapply(packages, function(p) {
    module <- sub("^tensorflow-cpu$", "tensorflow", sub("[<>=!\\[].*$", "", p))
    module %in% modules
  }, logical(1))
  if (!reads_numpy2() && "numpy" %in% modules) packages[packages == "numpy"] <- "numpy<2"
  sprintf("%s -m pip install %s", shQuote(python), paste(shQuote(packages[keep]), collapse = " "))
}

# Versions of keras, its backend (name and package version), tensorflow and numpy (NA if not importable).
python_versions <- function() {
  attempt <- function(expr) tryCatch(as.character(expr), error = function(e) NA_character_)
  tryCatch(choose_backend(), error = function(e) NULL) # a refused choice: the verdict's note says so
  quiet_tensorflow()
  keras <- attempt_import("keras")
  backend <- if (is.null(keras)) NA_character_ else attempt(keras$backend$backend())
  expected <- if (is.na(backend)) keras_backend_name() else backend
  module <- backend_module(expected)
  backend_package <- if (is.na(module)) NULL else attempt_import(module)
  numpy <- attempt_import("numpy")
  version_of <- function(m) if (is.null(m)) NA_character_ else attempt(m$`__version__`)
  list(
    keras = version_of(keras),
    backend = backend,
    backend_version = version_of(backend_package),
    tensorflow = if (identical(expected, "tensorflow")) version_of(backend_package) else NA_character_,
    numpy = if (is.null(numpy)) NA_character_ else attempt(numpy$`__version__`)
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
