# Loading the package, and reaching Python.

.onLoad <- function(libname, pkgname) {
  tryCatch(choose_backend(), error = function(e) NULL) # a bad choice is reported where Keras is needed
  declare_python_requirements()
  choose_python()
  if (reticulate::py_available(initialize = FALSE)) {
    bind_backend_libraries()
  } else {
    setHook("reticulate.onPyInit", bind_backend_libraries)
  }
}

# On PyTorch, load its library before anything imports torch so that its matrix products use its
# own BLAS, not the system's BLAS that R links (inst/python/twinnet_bridge.py's bind_torch_blas()):
# R then trains the same bits as Python. Runs when Python starts (or at once, where it runs).
bind_backend_libraries <- function() {
  if (!identical(keras_backend_name(), "torch")) return(invisible(FALSE))
  invisible(tryCatch(reticulate::py_to_r(bridge_python(convert = FALSE)$bind_torch_blas()),
                     error = function(e) FALSE))
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

# The backend Keras will use: the option twinnet.backend, else KERAS_BACKEND, without keras3's
# "-cpu"/"-gpu" suffix, else the default.
keras_backend_name <- function() {
  chosen <- tryCatch(backend_choice()$backend, error = function(e) Sys.getenv("KERAS_BACKEND"))
  backend <- sub("-(cpu|gpu)$", "", chosen)
  if (nzchar(backend)) backend else shared_table("python.json")$default_backend
}

# Who chose the backend: the option twinnet.backend (it wins), the environment variable
# KERAS_BACKEND, or nobody (""): list(backend, by).
backend_choice <- function() {
  option <- getOption("twinnet.backend")
  if (!is.null(option)) {
    if (!(is.character(option) && length(option) == 1L && !is.na(option) && nzchar(option))) {
      stop("the option twinnet.backend names one Keras backend: \"tensorflow\", \"jax\" or \"torch\"",
           call. = FALSE)
    }
    return(list(backend = option, by = "option twinnet.backend"))
  }
  env <- Sys.getenv("KERAS_BACKEND")
  list(backend = env, by = if (nzchar(env)) "KERAS_BACKEND" else "")
}

# Choose Keras's backend before Keras loads: Keras reads KERAS_BACKEND once, when it is first
# imported. The option twinnet.backend becomes KERAS_BACKEND here; where Python already runs (R
# embedded in Python, or Python started by other code), the choice is also written into
# Python's os.environ, which Python copied from the process when it started. Once Keras is
# loaded its backend is fixed: an option that asks for another is an error that says so.
choose_backend <- function() {
  choice <- backend_choice()
  if (!nzchar(choice$backend)) return(invisible(NULL))
  if (identical(choice$by, "option twinnet.backend")) Sys.setenv(KERAS_BACKEND = choice$backend)
  if (!reticulate::py_available(initialize = FALSE)) return(invisible(choice$backend))
  loaded <- loaded_keras_backend()
  if (is.na(loaded)) {
    os <- reticulate::import("os", convert = FALSE)
    os$environ$update(reticulate::dict(KERAS_BACKEND = choice$backend))
  } else if (identical(choice$by, "option twinnet.backend") &&
             !identical(loaded, sub("-(cpu|gpu)$", "", choice$backend))) {
    stop(errorCondition(sprintf(paste0(
      "the option twinnet.backend asks for the Keras backend '%s', but Keras is already loaded in this ",
      "session with the backend '%s', which cannot change: restart R and set the option before anything ",
      "uses Keras (or remove the option)"), choice$backend, loaded),
      class = "twinnet_python_error", call = NULL))
  }
  invisible(choice$backend)
}

# The backend of the Keras that Python has loaded, or NA where Python has not loaded Keras.
loaded_keras_backend <- function() {
  if (!reticulate::py_available(initialize = FALSE)) return(NA_character_)
  sys <- reticulate::import("sys", convert = FALSE)
  if (!reticulate::py_to_r(sys$modules$`__contains__`("keras"))) return(NA_character_)
  tryCatch(as.character(reticulate::py_to_r(sys$modules$get("keras")$backend$backend())),
           error = function(e) NA_character_)
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

# Python code that imports TensorFlow with its start-up noise dropped (python/twinnet/quiet.py):
# stderr (file descriptor 2) is caught while TensorFlow loads, and every line that no pattern
# matches is written back. TF_CPP_MIN_LOG_LEVEL does not stop these lines (they come before
# absl's logging starts).
quiet_import_code <- "
def twinnet_quiet_import(patterns):
    import os, re, sys, tempfile
    if 'tensorflow' in sys.modules:
        return False
    patterns = [re.compile(p) for p in patterns]
    try:
        sys.stderr.flush()
    except Exception:
        pass
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            try:
                import tensorflow
                done = True
            except Exception:
                done = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        text = caught.read().decode('utf-8', 'replace')
    kept = [line for line in text.splitlines() if not any(p.fullmatch(line) for p in patterns)]
    if kept:
        sys.stderr.write('\\n'.join(kept) + '\\n')
    return done
"

# Load TensorFlow, where it is Keras's backend and not yet loaded, without the lines it writes
# to stderr from C++ as it starts ("oneDNN custom operations are on", absl's "All log messages
# before absl::InitializeLog()"; shared_specs/startup_noise.json). TRUE when this call loaded it;
# any failure is left for the import of Keras to report.
quiet_tensorflow <- function() {
  if (!identical(keras_backend_name(), "tensorflow")) return(invisible(FALSE))
  done <- tryCatch({
    sys <- reticulate::import("sys", convert = FALSE)
    if (reticulate::py_to_r(sys$modules$`__contains__`("tensorflow"))) return(invisible(FALSE))
    helpers <- reticulate::py_run_string(quiet_import_code, local = TRUE, convert = FALSE)
    patterns <- as.list(as.character(unlist(shared_table("startup_noise.json")$patterns)))
    reticulate::py_to_r(helpers$twinnet_quiet_import(patterns))
  }, error = function(e) FALSE)
  invisible(isTRUE(done))
}

# A Python module (without conversion to R), or an error that says what to do.
python_module <- function(name, purpose, convert = FALSE) {
  if (identical(name, "keras") || startsWith(name, "keras.")) {
    choose_backend()
    bind_backend_libraries()
    quiet_tensorflow()
  }
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
    bridge_python(convert = FALSE)
  })
}

# The bridge module, its values converted to R or not (loaded once each way).
bridge_python <- function(convert) {
  cached(paste0("bridge:", convert), function() {
    reticulate::import_from_path("twinnet_bridge", path = system.file("python", package = "twinnet"),
                                 convert = convert)
  })
}
