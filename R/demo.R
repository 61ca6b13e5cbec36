# The demo's R side (python/twinnet/demo.py): `python -m twinnet demo` runs these functions with
# Rscript and compares what they print and write with what their Python twins return.

#' The demo's build: a model's layer table and outputs
#'
#' Builds `spec` with [build_model()] and prints its layer table as
#' tab-separated text: a header line, then one line per layer with the
#' layer's name, its Keras class, its output shape as Python writes it (e.g.
#' `(None, 28, 28, 6)`) and its number of parameters. With `x_file`, it also
#' predicts for the inputs in that NumPy file and saves the outputs to
#' `y_file`. Python's `twinnet.demo.demo_layers()` is the twin; `python -m
#' twinnet demo` runs this function with Rscript and compares the two.
#'
#' @param spec Anything [load_spec()] accepts: a catalog name, a file path,
#'   JSON text, an R list or a `twinnet_spec`.
#' @param seed The seed of [build_model()]: the same seed gives the same
#'   initial weights in R and in Python.
#' @param x_file `NULL`, or a NumPy `.npy` file of inputs (first axis: the
#'   samples), or an `.npz` file of one array per input, by the inputs'
#'   names, for a model with several inputs.
#' @param y_file The NumPy `.npy` file that the model's outputs for the
#'   inputs in `x_file` are saved to; needed with `x_file`.
#' @return The layer table, invisibly: a data frame with the columns `layer`,
#'   `type`, `output_shape` and `params`, one row per layer.
#' @seealso [demo_train()], [build_model()]
#' @examples
#' \dontrun{
#' # needs Python with keras and tensorflow (see sitrep())
#' layers <- demo_layers("lenet5", seed = 42)
#' sum(layers$params)
#' }
#' @export
demo_layers <- function(spec, seed = 42L, x_file = NULL, y_file = NULL) {
  if (!is.null(x_file) && is.null(y_file)) stop("`y_file` is needed with `x_file`", call. = FALSE)
  model <- build_model(spec, seed = seed)
  layers <- model$layers
  table <- data.frame(
    layer = vapply(layers, function(l) l$name, ""),
    type = vapply(layers, function(l) sub(".*[.]", "", class(l)[[1L]]), ""),
    output_shape = vapply(layers, function(l) python_tuple(l$output$shape), ""),
    params = vapply(layers, function(l) as.numeric(l$count_params()), 0),
    stringsAsFactors = FALSE
  )
  printed <- table
  printed$params <- format(table$params, scientific = FALSE, trim = TRUE)
  utils::write.table(printed, sep = "\t", quote = FALSE, row.names = FALSE)
  if (!is.null(x_file)) {
    np <- python_module("numpy", "to read and write .npy files", convert = FALSE)
    held <- np$load(x_file)
    x <- if (endsWith(x_file, ".npz")) { # several inputs: a list of R arrays by the inputs' names
      names <- as.character(reticulate::py_to_r(held$files))
      stats::setNames(lapply(names, function(n) reticulate::py_to_r(held$`__getitem__`(n))), names)
    } else {
      reticulate::py_to_r(held) # an R array, in R's memory order
    }
    y <- predict_model(model, x, verbose = 0L)
    np$save(y_file, reticulate::r_to_py(y))
  }
  invisible(table)
}

#' The demo's training: a model trained on the MNIST sample
#'
#' Builds `spec` with [build_model()] and trains it on the 4,000 training
#' digits of [mnist_split()], padded by [pad_digits()], for `epochs` epochs
#' with batch size 64 and the seed (see [fit_model()]); then evaluates it on
#' the 1,000 test digits. Python's `twinnet.demo.demo_train()` is the twin:
#' with the same spec, seed and epochs both train the same weights.
#'
#' Writes into the folder `out`: `history_r.csv` (the history of
#' [fit_model()]), the trained model as `<name>_trained_in_r.keras` (see
#' [write_model()]; `<name>` is the spec's name) and `learning_curves.png`,
#' the loss and the accuracy per epoch, with Python's curves beside R's where
#' `out` holds the `history_python.csv` that Python's twin writes. Prints the
#' seconds per epoch and the accuracy as tab-separated text, a header line
#' then a line of values.
#'
#' @param spec A spec for 32 x 32 x 1 digits with `compile` settings and an
#'   accuracy metric, e.g. "lenet5": anything [load_spec()] accepts.
#' @param seed The seed of [build_model()] and [fit_model()].
#' @param epochs The number of training epochs, at least 1.
#' @param out The folder that the files go to; created if needed.
#' @return A named numeric vector, invisibly: `seconds_per_epoch`, the time
#'   spent training divided by `epochs`, and `accuracy` on the test digits.
#' @seealso [demo_layers()], [fit_model()], [plot.twinnet_history()]
#' @examples
#' \dontrun{
#' # needs Python with keras and tensorflow (see sitrep()); about a minute
#' demo_train("lenet5", seed = 42, epochs = 10, out = tempdir())
#' }
#' @export
demo_train <- function(spec, seed = 42L, epochs = 10L, out = "out/demo") {
  if (!(is.numeric(epochs) && length(epochs) == 1L && is.finite(epochs) && epochs >= 1 && epochs == round(epochs))) {
    stop("`epochs` must be one whole number, at least 1", call. = FALSE)
  }
  if (!(is.character(out) && length(out) == 1L && !is.na(out) && nzchar(out))) {
    stop("`out` must be the name of a folder", call. = FALSE)
  }
  spec <- load_spec(spec)
  s <- mnist_split()
  model <- build_model(spec, seed = seed)
  started <- Sys.time()
  history <- fit_model(model, pad_digits(s$x_train), s$y_train, epochs = epochs, batch_size = 64L,
                       seed = seed, verbose = 0L)
  seconds <- as.numeric(difftime(Sys.time(), started, units = "secs"))
  accuracy <- evaluate_model(model, pad_digits(s$x_test), s$y_test, verbose = 0L)[["accuracy"]]
  dir.create(out, recursive = TRUE, showWarnings = FALSE)
  write_model(model, file.path(out, paste0(spec_name(spec), "_trained_in_r.keras")))
  utils::write.csv(history, file.path(out, "history_r.csv"), row.names = FALSE)
  from_python <- file.path(out, "history_python.csv")
  curves <- list(R = history)
  if (file.exists(from_python)) curves <- c(list(Python = utils::read.csv(from_python)), curves)
  learning_curves(curves, spec_title(spec), nrow(s$x_train), file.path(out, "learning_curves.png"))
  result <- c(seconds_per_epoch = seconds / epochs, accuracy = accuracy)
  utils::write.table(as.data.frame(as.list(result)), sep = "\t", quote = FALSE, row.names = FALSE)
  invisible(result)
}

# A shape as Python writes the tuple: (None, 28, 28, 6), (None,) or ().
python_tuple <- function(shape) {
  items <- vapply(shape, function(v) if (is.null(v)) "None" else format(v), "")
  paste0("(", paste(items, collapse = ", "), if (length(items) == 1L) "," else "", ")")
}

# The loss and the accuracy per epoch of each named history (training data) in a PNG file: the
# first history as a wide grey line, the last as red points on a line.
learning_curves <- function(histories, title, n, file) {
  grDevices::png(file, width = 900, height = 400)
  on.exit(grDevices::dev.off())
  old <- graphics::par(mfrow = c(1, 2))
  on.exit(graphics::par(old), add = TRUE, after = FALSE)
  k <- length(histories)
  colours <- c(rep("grey70", k - 1L), "firebrick")
  widths <- c(rep(6, k - 1L), 1)
  points <- c(rep(NA, k - 1L), 19)
  for (m in c("loss", "accuracy")) {
    parts <- lapply(histories, function(h) h[h$metric == m & h$data == "training", ])
    epochs <- unlist(lapply(parts, function(p) p$epoch))
    values <- unlist(lapply(parts, function(p) p$value))
    graphics::plot(range(epochs), range(values), type = "n", xlab = "epoch", ylab = m,
                   main = sprintf("%s on %s MNIST digits: %s", title, format_count(n), m))
    for (i in seq_len(k)) {
      graphics::lines(parts[[i]]$epoch, parts[[i]]$value, type = if (is.na(points[[i]])) "l" else "b",
                      lwd = widths[[i]], pch = points[[i]], col = colours[[i]])
    }
    graphics::legend(if (m == "loss") "topright" else "bottomright", names(histories), col = colours,
                     lwd = widths, pch = points, bty = "n")
  }
}
