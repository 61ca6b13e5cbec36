# Saving and loading models as .keras files, with Keras's safe mode always on
# (python/twinnet/persist.py).

# What Keras says when safe mode refuses a file: a lambda, a non-modeling API,
# code it cannot locate among Keras's own objects (persist.py's UNSAFE_PATTERN).
UNSAFE_PATTERN <- "safe_mode|disallowed|Could not locate|Could not deserialize|cannot be imported|KerasSaveable"

#' Save and load models as .keras files
#'
#' `save_model()` writes a Keras model (architecture, weights, compile
#' settings) to a `.keras` file; `load_model()` reads one back, always in
#' Keras's safe mode. Files cross languages: Python's `twinnet.load_model()`
#' reads what `save_model()` writes, and the reverse.
#'
#' A `.keras` file may name Python code: a lambda (a `Lambda` layer made with
#' `lambda x: ...`) or a function or class from some module. Keras's safe mode
#' refuses to run it, and `load_model()` keeps safe mode on even after
#' `keras.config.enable_unsafe_deserialization()`. The refusal is a condition
#' of class `twinnet_unsafe_model_error` (Python: `twinnet.UnsafeModelError`)
#' with the fields `path` and `reason` (what Keras said); nothing of the file
#' has run.
#'
#' @param model A Keras model, e.g. from [build_model()].
#' @param path The file: its name ends in `.keras`. `save_model()` replaces an
#'   existing file; `load_model()` reads only a file on this machine (not a
#'   URL, not a legacy `.h5` file).
#' @return `save_model()` returns `path`, invisibly; `load_model()` returns the
#'   Keras model (a reticulate Python object).
#' @seealso [build_model()]
#' @examples
#' \dontrun{
#' model <- build_model("mnist_mlp", seed = 1)
#' path <- save_model(model, tempfile(fileext = ".keras"))
#' same <- load_model(path)
#' tryCatch(load_model("untrusted.keras"),
#'          twinnet_unsafe_model_error = function(e) conditionMessage(e))
#' }
#' @export
save_model <- function(model, path) {
  check_keras_path(path)
  model$save(path.expand(path))
  invisible(path)
}

#' @rdname save_model
#' @export
load_model <- function(path) {
  check_keras_path(path)
  if (!is_file(path)) stop(sprintf("no model file at '%s'", path), call. = FALSE)
  zipfile <- python_module("zipfile", "to read a .keras file")
  if (!reticulate::py_to_r(zipfile$is_zipfile(path.expand(path)))) {
    stop(sprintf("'%s' is not a .keras file (a zip archive that Keras writes)", path), call. = FALSE)
  }
  keras <- keras_module()
  tryCatch(
    with_safe_mode(keras$models$load_model(path.expand(path), safe_mode = TRUE)),
    error = function(e) {
      reason <- refusal_reason(python_error_message(e))
      if (grepl(UNSAFE_PATTERN, reason, perl = TRUE)) stop(unsafe_model_error(path, reason))
      stop(e)
    }
  )
}

# Evaluate `expr` inside Keras's scope that forces safe mode (overriding
# enable_unsafe_deserialization()), where this Keras has one.
with_safe_mode <- function(expr) {
  lib <- tryCatch(reticulate::import("keras.src.saving.serialization_lib"), error = function(e) NULL)
  if (is.null(lib) || !reticulate::py_has_attr(lib, "SafeModeScope")) return(expr)
  scope <- lib$SafeModeScope(TRUE)
  scope$`__enter__`()
  on.exit(scope$`__exit__`(NULL, NULL, NULL))
  expr
}

# The full text of a Python exception raised through reticulate.
python_error_message <- function(e) {
  last <- tryCatch(reticulate::py_last_error(), error = function(err) NULL)
  if (!is.null(last) && !is.null(last$value)) last$value else conditionMessage(e)
}

# The cause in a Keras loading error: Keras wraps it in "... Exception encountered: <cause>".
refusal_reason <- function(message) {
  parts <- strsplit(message, "Exception encountered: ", fixed = TRUE)[[1L]]
  cause <- trimws(if (length(parts) > 0L) parts[[length(parts)]] else "")
  if (nzchar(cause)) strsplit(cause, "\n", fixed = TRUE)[[1L]][[1L]] else ""
}

unsafe_model_error <- function(path, reason) {
  message <- sprintf(paste0(
    "refused to load %s: the model file carries Python code (a lambda, or a function or class ",
    "from outside Keras), which twinnet never runs. Keras says: %s"
  ), path, reason)
  structure(
    class = c("twinnet_unsafe_model_error", "error", "condition"),
    list(message = message, call = NULL, path = path, reason = reason)
  )
}

check_keras_path <- function(path) {
  if (!json_is_string(path) || !grepl("\\.keras$", path)) {
    stop(sprintf("a model file's name ends in .keras, found %s", py_repr(path)), call. = FALSE)
  }
}
