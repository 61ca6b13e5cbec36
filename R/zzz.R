# Loading the package, and reaching Python.

.onLoad <- function(libname, pkgname) {
  choose_python()
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
          paste0(
            "twinnet needs the Python module '%s' %s, but it cannot be imported: %s\n",
            "Run twinnet::sitrep() to see which Python R uses; set RETICULATE_PYTHON or ",
            "the option twinnet.python to a Python with keras, tensorflow, numpy (< 2) and jsonschema."
          ),
          name, purpose, first_line(conditionMessage(e))
        ),
        class = "twinnet_python_error", call = NULL
      ))
    }
  )
}

first_line <- function(text) {
  lines <- strsplit(text, "\n", fixed = TRUE)[[1L]]
  lines <- trimws(lines[nzchar(trimws(lines))])
  if (length(lines) == 0L) "" else lines[[1L]]
}
