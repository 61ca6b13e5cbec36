# A model as bytes (python/twinnet/serialize.py).

#' A model as a raw vector, for .rds files
#'
#' A Keras model lives in Python: R holds only a pointer to it, which
#' `saveRDS()` cannot keep (after `readRDS()` it points nowhere).
#' `serialize_model()` turns the model into the bytes of its `.keras` file
#' (architecture, weights, compile settings), a raw vector that `saveRDS()`
#' keeps; `unserialize_model()` turns them back into a model, checked and
#' loaded in Keras's safe mode as [read_model()] loads a file (its conditions
#' have the path `"<bytes>"`). Python's `twinnet.serialize_model()` writes
#' the same bytes.
#'
#' @param model A Keras model, e.g. from [build_model()].
#' @param raw A raw vector from `serialize_model()`.
#' @return `serialize_model()`: a raw vector. `unserialize_model()`: the Keras
#'   model.
#' @examples
#' \dontrun{
#' model <- build_model("lenet5", seed = 1)
#' file <- tempfile(fileext = ".rds")
#' saveRDS(serialize_model(model), file)
#' again <- unserialize_model(readRDS(file))
#' }
#' @export
serialize_model <- function(model) {
  file <- tempfile(fileext = ".keras")
  on.exit(unlink(file))
  write_model(model, file)
  readBin(file, "raw", n = file.size(file))
}

#' @rdname serialize_model
#' @export
unserialize_model <- function(raw) {
  if (!is.raw(raw)) stop("`raw` must be a raw vector from serialize_model()", call. = FALSE)
  file <- tempfile(fileext = ".keras")
  on.exit(unlink(file))
  writeBin(raw, file)
  load_checked(file, "<bytes>")
}
