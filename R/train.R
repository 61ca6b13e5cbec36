# Training from R without the keras3 package (Python's twinnet.fit_model(), python/twinnet/train.py,
# takes the same arguments). The verbs are named *_model so that they never mask keras3's fit(),
# evaluate() and predict().

#' Train a model
#'
#' Calls the Keras model's `fit()` with the spec's `fit` settings and
#' callbacks, and returns its history as a data frame. With a `seed`,
#' `keras.utils.set_random_seed(seed)` runs first, so that the shuffling and
#' dropout are those of Python's `twinnet.fit_model()` after the same call:
#' the same data, seed and settings give the same trained weights.
#'
#' The settings are those of `spec` when it is given, else those
#' [build_model()] attached to the model (a spec's `fit` section: epochs,
#' batch size, validation split, shuffling, and callbacks such as
#' `EarlyStopping` and `ReduceLROnPlateau`), else Keras's defaults. An
#' argument given here wins over the spec's setting.
#'
#' On several replicas (a model built with `distribution`), the replicas must
#' be able to share every batch evenly, or a condition of class
#' `twinnet_distribute_error` says what to change; across processes the
#' arrays go to Keras as `tf.data` datasets (see [distribute]).
#'
#' @param model A compiled Keras model, e.g. from [build_model()].
#' @param x,y Training inputs and targets: R arrays and vectors (or anything
#'   reticulate converts to NumPy).
#' @param epochs,batch_size As in Keras; `NULL`: the spec's setting, else 1
#'   and 32.
#' @param validation_data `NULL`, or `list(x_val, y_val)`.
#' @param validation_split Fraction of the training data held out, as in
#'   Keras; `NULL`: the spec's setting, else 0.
#' @param shuffle Shuffle the training data before each epoch; `NULL`: the
#'   spec's setting, else `TRUE`.
#' @param seed `NULL` or an integer, see above.
#' @param verbose `NULL` (the option `twinnet.verbose`, by default Keras's
#'   `"auto"`: a progress bar), or Keras's 0, 1, 2 or "auto".
#' @param callbacks `NULL`, or a list of more Keras callbacks, run after those
#'   the spec declares.
#' @param spec `NULL`, or the spec whose `fit` settings apply (anything
#'   [load_spec()] accepts); by default those [build_model()] attached to the
#'   model.
#' @return The training history, invisibly: a data frame of class
#'   `twinnet_history` with columns `epoch`, `metric`, `value` and `data`
#'   ("training" or "validation"), with a [plot()][plot.twinnet_history] method.
#'   With an `EarlyStopping` callback, its last epoch is the last that ran.
#'   The model is trained in place.
#' @seealso [evaluate_model()], [predict_model()]
#' @examples
#' \dontrun{
#' d <- mnist_split()
#' model <- build_model("lenet5", seed = 1)
#' history <- fit_model(model, pad_digits(d$x_train), d$y_train, epochs = 2, seed = 1)
#' plot(history)
#' }
#' @export
fit_model <- function(model, x, y, epochs = NULL, batch_size = NULL, validation_data = NULL,
                      validation_split = NULL, shuffle = NULL, seed = NULL, verbose = NULL, callbacks = NULL,
                      spec = NULL) {
  keras <- keras_module()
  settings <- fit_settings(model, spec)
  epochs <- epochs %||% settings$epochs
  batch_size <- batch_size %||% settings$batch_size
  validation_split <- validation_split %||% settings$validation_split
  shuffle <- shuffle %||% settings$shuffle
  if (!is.null(seed)) keras$utils$set_random_seed(as.integer(seed))
  made <- lapply(settings$callbacks, function(c) make_callback(keras, c))
  if (!is.null(validation_data)) validation_data <- reticulate::tuple(lapply(validation_data, as_input))
  data <- prepare_fit(model, list( # on several replicas: batches they share evenly (R/distribute.R)
    x = as_input(x), y = as_input(y), batch_size = as.integer(batch_size), validation_data = validation_data,
    validation_split = as.numeric(validation_split), shuffle = isTRUE(as.logical(shuffle))
  ), seed)
  fitted <- do.call(model$fit, c(data, list(epochs = as.integer(epochs), callbacks = c(made, callbacks),
                                            verbose = keras_verbose(verbose))))
  invisible(history_frame(fitted$history))
}

# The expanded `fit` settings that apply to `model` (train.py's fit_settings()):
# those of `spec` when one is given (a spec without `fit` gives Keras's
# defaults), else those build_model() attached to the model, else Keras's
# defaults (1 epoch, batches of 32, no validation split, shuffled, no callbacks).
fit_settings <- function(model, spec = NULL) {
  if (!is.null(spec)) return(expand_fit(field(expand(spec), "fit", empty_object())))
  text <- NULL
  if (reticulate::py_has_attr(model, FIT_ATTRIBUTE)) {
    text <- reticulate::py_get_attr(model, FIT_ATTRIBUTE)
    if (inherits(text, "python.builtin.object")) text <- reticulate::py_to_r(text)
  }
  expand_fit(if (json_is_string(text)) jsonlite::parse_json(text, simplifyVector = FALSE) else empty_object())
}

# A callback of expanded `fit` settings as Keras's object, every argument that is not null given.
make_callback <- function(keras, settings) {
  args <- Filter(Negate(is.null), settings[names(settings) != "callback"])
  do.call(keras$callbacks[[settings[["callback"]]]], args)
}

#' Evaluate a model
#'
#' @inheritParams fit_model
#' @param x,y Test inputs and targets.
#' @param batch_size Samples per batch.
#' @return A named numeric vector: the loss and each compiled metric.
#' @export
evaluate_model <- function(model, x, y, batch_size = 32L, verbose = NULL) {
  res <- model$evaluate(x = as_input(x), y = as_input(y), batch_size = as.integer(batch_size),
                        verbose = keras_verbose(verbose), return_dict = TRUE)
  unlist(res)
}

#' Predict with a model
#'
#' @inheritParams fit_model
#' @param x Inputs: an R array (first axis: the samples).
#' @param batch_size Samples per batch.
#' @return The model's outputs as an R array (a matrix for one output vector
#'   per sample).
#' @export
predict_model <- function(model, x, batch_size = 32L, verbose = NULL) {
  model$predict(as_input(x), batch_size = as.integer(batch_size), verbose = keras_verbose(verbose))
}

# reticulate turns an R vector into a Python list, an R array into a NumPy array: Keras wants arrays.
as_array <- function(x) if (is.atomic(x) && is.null(dim(x))) array(x) else x

# Data for Keras: an R array of doubles or integers as a NumPy array in C order.
# reticulate hands an R array over as a NumPy array in R's (Fortran) order
# without a copy, float64 for doubles; Keras casts float64 to its floatx
# (float32), keeping that order, and TensorFlow then copies the data into C
# order, reading it far apart (about 90 ms for 32 ResNet-50 images). Here the
# same NumPy cast to floatx and the reordering are done once, in blocks
# (c_array() of inst/python/twinnet_bridge.py): the same values. Integers stay int32, as Keras
# leaves them. Anything else goes as before.
as_input <- function(x) {
  x <- as_array(x)
  if (is.object(x) || !(is.double(x) || is.integer(x)) || is.null(dim(x))) return(x)
  dtype <- if (is.double(x)) keras_module()$backend$floatx() else NULL
  python_helpers()$c_array(x, dtype)
}

# Keras's `verbose`: the caller's, else the option twinnet.verbose (default "auto", Keras's own).
keras_verbose <- function(verbose) {
  if (!is.null(verbose)) return(verbose)
  getOption("twinnet.verbose", "auto")
}

# Keras's History.history (a named list of per-epoch values) as a long data frame.
history_frame <- function(history) {
  rows <- lapply(names(history), function(key) {
    values <- as.numeric(unlist(history[[key]]))
    validation <- startsWith(key, "val_")
    data.frame(
      epoch = seq_along(values),
      metric = if (validation) substring(key, 5L) else key,
      value = values,
      data = if (validation) "validation" else "training",
      stringsAsFactors = FALSE
    )
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  structure(out, class = c("twinnet_history", "data.frame"))
}

#' Learning curves
#'
#' One panel per metric (loss, accuracy, ...), one line per data set
#' (training, validation). Uses ggplot2 when it is installed, base graphics
#' otherwise.
#'
#' @param x A `twinnet_history` from [fit_model()].
#' @param ... Unused.
#' @return With ggplot2, the ggplot object: shown when it is printed (at the
#'   prompt, as with any ggplot), and open to more layers
#'   (`plot(history) + ggplot2::theme_minimal()`) or [ggplot2::ggsave()].
#'   Without ggplot2, the curves are drawn with base graphics and `x` is
#'   returned invisibly.
#' @export
plot.twinnet_history <- function(x, ...) {
  df <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  if (requireNamespace("ggplot2", quietly = TRUE)) {
    p <- ggplot2::ggplot(df, ggplot2::aes(x = .data$epoch, y = .data$value, colour = .data$data)) +
      ggplot2::geom_line() + ggplot2::geom_point() +
      ggplot2::facet_wrap(~metric, scales = "free_y") +
      ggplot2::labs(x = "epoch", y = NULL, colour = NULL)
    return(p)
  }
  metrics <- unique(df$metric)
  old <- graphics::par(mfrow = c(1L, length(metrics)))
  on.exit(graphics::par(old))
  sets <- unique(df$data)
  for (m in metrics) {
    part <- df[df$metric == m, ]
    graphics::plot(range(part$epoch), range(part$value), type = "n", xlab = "epoch", ylab = "", main = m)
    for (k in seq_along(sets)) {
      s <- part[part$data == sets[[k]], ]
      graphics::lines(s$epoch, s$value, col = k, type = "b", pch = 19)
    }
    graphics::legend("topright", legend = sets, col = seq_along(sets), lty = 1, bty = "n")
  }
  invisible(x)
}

#' @export
print.twinnet_history <- function(x, ...) {
  last <- x[x$epoch == max(x$epoch), ]
  cat(sprintf("<twinnet history: %d epochs; last: %s>\n", max(x$epoch),
              paste(sprintf("%s%s %.4g", ifelse(last$data == "validation", "val_", ""), last$metric,
                            last$value), collapse = ", ")))
  invisible(x)
}
