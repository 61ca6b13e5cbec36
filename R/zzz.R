# Loading the package, and reaching Python.

.onLoad <- function(libname, pkgname) {
  declare_python_requirements()
  choose_python()
}

# The Python packages twinnet needs for `backend` on this operating system
# (shared_specs/python.json): Keras, NumPy and the backend's packages.
python_requirements <- function(backend = keras_backend_name(), os = Sys.info()[["sysname"]]) {
  reqs <- shared_table("python.json")
  per_os <- reqs$backends[[backend]]
  if (is.null(per_os)) per_os <- list(other = list()) # an unknown backend: Keras will say so
  backend_packages <- if (has_field(per_os, os)) per_os[[os]] else per_os[["other"]]
  as.character(unlist(c(reqs$packages, backend_packages)))
}

# The backend Keras will use: KERAS_BACKEND without keras3's "-cpu"/"-gpu" suffix, or the default.
keras_backend_name <- function() {
  backend <- sub("-(cpu|gpu)$", "", Sys.getenv("KERAS_BACKEND"))
  if (nzchar(backend)) backend else shared_table("python.json")$default_backend
}

# Whether this reticulate declares Python requirements with py_require() (1.41 and later).
has_py_require <- function(version = utils::packageVersion("reticulate")) {
  since <- shared_table("python.json")$reticulate$py_require_since
  version >= since && "py_require" %in% getNamespaceExports("reticulate")
}

# Whether this reticulate reads NumPy 2 arrays (1.38 and later).
reads_numpy2 <- function(version = utils::packageVersion("reticulate")) {
  version >= shared_table("python.json")$reticulate$numpy2_since
}

# Declare twinnet's Python needs to reticulate, as keras3 does, so that a Python
# environment that reticulate manages (no RETICULATE_PYTHON, reticulate >= 1.41)
# has them. With an older reticulate this does nothing: the user chooses Python.
# Returns the declared packages (invisibly), or NULL where nothing was declared.
declare_python_requirements <- function(declare = NULL) {
  if (is.null(declare)) {
    if (!has_py_require()) return(invisible(NULL))
    declare <- getExportedValue("reticulate", "py_require")
  }
  packages <- python_requirements()
  done <- tryCatch({
    declare(packages)
    TRUE
  }, error = function(e) FALSE, warning = function(w) FALSE) # Python already running without them: sitrep() says so
  invisible(if (done) packages else NULL)
}

# Point reticulate at twinnet's Python, unless the user has chosen one or
# Python is already running (R embedded in Python, or reticulate used before).
# Python itself is not started here: that happens on first use.
choose_python <- function() {
  if (nzchar(Sys.getenv("RETICULATE_PYTHON"))) return(invisible(NULL))
  if (reticulate::py_available(initialize = FALSE)) return(invisible(NULL))
  candidates <- c(
    getOption("twinnet.python", ""),
    Sys.getenv("TWINNET_PYTHON"),
    path.expand("~/.virtualenvs/r-twinnet/bin/python")
  )
  candidates <- candidates[nzchar(candidates) & file.exists(candidates)]
  if (length(candidates) > 0L) reticulate::use_python(candidates[[1L]], required = FALSE)
  invisible(NULL)
}

# A Python module (without conversion to R), or an error that says what to do.
python_module <- function(name, purpose, convert = FALSE) {
  tryCatch(
    reticulate::import(name, convert = convert),
    error = function(e) {
      stop(errorCondition(
        sprintf(
          "twinnet needs the Python module '%s' %s, but it cannot be imported: %s\n%s",
          name, purpose, first_line(conditionMessage(e)), python_fix_advice()
        ),
        class = "twinnet_python_error", call = NULL
      ))
    }
  )
}

# What to do when Python or one of its modules is missing, for this reticulate.
python_fix_advice <- function() {
  packages <- python_requirements()
  if (!reads_numpy2()) packages <- c(packages, shared_table("python.json")$reticulate$numpy_cap)
  quoted <- paste0("\"", packages, "\"", collapse = ", ")
  advice <- sprintf(paste0(
    "Run twinnet::sitrep() to see which Python R uses. To install what is missing there: ",
    "reticulate::py_install(c(%s))"
  ), quoted)
  if (has_py_require()) {
    advice <- paste0(advice, sprintf(paste0(
      "; or, in a new R session with RETICULATE_PYTHON unset, let reticulate make an environment: ",
      "reticulate::py_require(c(%s)) before anything starts Python"
    ), quoted))
  } else {
    advice <- paste0(advice, "; or set RETICULATE_PYTHON or the option twinnet.python to a Python that has them")
  }
  paste0(advice, ".")
}

# inst/python/twinnet_bridge.py, the Python functions that R's twinnet calls
# (not converting to R): python_helpers()$build_layers(...).
python_helpers <- function() {
  cached("python_helpers", function() {
    python_module("json", "to read JSON") # says what to do when Python cannot be started
    reticulate::import_from_path("twinnet_bridge", path = system.file("python", package = "twinnet"),
                                 convert = FALSE)
  })
}
