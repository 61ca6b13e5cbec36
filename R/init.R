# Portable initial weights: the same bits on every Keras backend and in both
# languages (python/twinnet/init.py). Every weight is drawn with NumPy through
# reticulate, with the same calls in the same order as Python's twinnet makes,
# by the rules of shared_specs/initializers.json.

# The values of build_model()'s `init`: Keras's own initializers, or NumPy's portable draws.
init_modes <- function() c("keras", "portable")

initializer_table <- function() shared_table("initializers.json")

#' Portable initial weights, the same on every Keras backend and in R and Python
#'
#' Keras draws initial weights with its backend's own random numbers, so one
#' seed gives different weights on TensorFlow, JAX and PyTorch.
#' `set_portable_weights()` draws every weight of a model with NumPy instead:
#' one `numpy.random.Generator(PCG64(seed))` for the whole model, layer by
#' layer in the model's order and each layer's weights in their order, each
#' from the initializer that the layer's Keras config names (Glorot, He, LeCun,
#' orthogonal, truncated normal, zeros, ...), as `shared_specs/initializers.json`
#' describes. R makes the same NumPy calls in the same order as Python's
#' `twinnet.set_portable_weights()`, so the weights are bit-identical in both
#' languages and on every backend, for one NumPy on one machine (NumPy does not
#' promise the same random stream across its versions, and its QR
#' decomposition, which the orthogonal initializer uses, may round differently
#' on another processor). `build_model(spec, seed, init = "portable")` calls it.
#'
#' An initializer's own `seed` argument is not used: `seed` draws everything.
#'
#' @param model A Keras model, e.g. from [build_model()].
#' @param seed `NULL` (fresh entropy: not reproducible) or a whole number.
#' @return `portable_weights()`: for each layer with weights, in the model's
#'   order, a list of its weights as R arrays (as `layer$get_weights()` lists
#'   them), named by layer. `set_portable_weights()`: the model, invisibly,
#'   with those weights set.
#' @seealso [build_model()]
#' @examples
#' \dontrun{
#' model <- build_model("lenet5", seed = 1, init = "portable")
#' w <- portable_weights(model, seed = 1)
#' identical(w$c1[[1]], model$get_layer("c1")$get_weights()[[1]])
#' }
#' @export
portable_weights <- function(model, seed = NULL) {
  out <- list()
  layer_draws(model, seed, function(layer, name, arrays) {
    out[[name]] <<- lapply(arrays, reticulate::py_to_r)
  })
  out
}

#' @rdname portable_weights
#' @export
set_portable_weights <- function(model, seed = NULL) {
  layer_draws(model, seed, function(layer, name, arrays) {
    reticulate::py_call(reticulate::py_get_attr(layer, "set_weights"), arrays)
  })
  invisible(model)
}

# Each layer with weights, in the model's order, handed to `each` (the layer, its
# name, its weights drawn in their order as NumPy arrays): one layer at a time,
# since the largest networks' weights are a gigabyte. The model may be a
# reticulate object that converts or one that does not.
layer_draws <- function(model, seed, each) {
  check_seed(seed)
  np <- python_module("numpy", "to draw portable initial weights")
  rng <- np$random$Generator(np$random$PCG64(if (is.null(seed)) NULL else as.integer(seed)))
  builtins <- reticulate::import_builtins(convert = FALSE)
  attr_of <- function(x, name) reticulate::py_to_r(reticulate::py_get_attr(x, name))
  for (layer in attr_of(model, "layers")) {
    if (length(attr_of(layer, "weights")) == 0L) next
    arrays <- list()
    for (owner in weight_owners(layer)) {
      config <- reticulate::py_to_r(reticulate::py_call(reticulate::py_get_attr(owner, "get_config")))
      type <- python_type(owner)
      arrays <- c(arrays, lapply(attr_of(owner, "weights"), function(w) {
        shape <- as.integer(unlist(reticulate::py_to_r(builtins$tuple(reticulate::py_get_attr(w, "shape")))))
        draw_weight(np, rng, type, config, attr_of(w, "name"), shape)
      }))
    }
    each(layer, attr_of(layer, "name"), arrays)
  }
  invisible(NULL)
}

python_type <- function(x) reticulate::py_to_r(reticulate::py_get_attr(reticulate::py_get_attr(x, "__class__"), "__name__"))

# The layers whose weights `layer` has, in their order: itself, or a wrapper's
# layers (init.py's _weight_owners()).
weight_owners <- function(layer) {
  attributes <- initializer_table()$wrappers[[python_type(layer)]]
  if (is.null(attributes)) return(list(layer))
  do.call(c, lapply(attributes, function(name) weight_owners(reticulate::py_get_attr(layer, name))))
}

check_seed <- function(seed) {
  if (!is.null(seed) && !(is.numeric(seed) && length(seed) == 1L && is.finite(seed) && seed == round(seed))) {
    stop("`seed` must be NULL or one whole number", call. = FALSE)
  }
}

# The config key of the initializer of a weight called `weight` of a layer of type `type`.
initializer_key <- function(type, weight) {
  key <- initializer_table()$layer_weight_initializers[[type]][[weight]] %||%
    initializer_table()$weight_initializers[[weight]]
  if (is.null(key)) paste0(weight, "_initializer") else key
}

draw_weight <- function(np, rng, type, config, weight, shape) {
  split <- initializer_table()$split_weights[[type]]
  if (!is.null(split) && identical(split$weight, weight) && isTRUE(config[[split$when]])) {
    unit <- as.integer(config[[split$unit]])
    parts <- lapply(split$parts, function(p) {
      initializer <- if (is.null(p$initializer)) p else config[[p$initializer]]
      draw_initializer(np, rng, initializer, as.integer(p$units) * unit)
    })
    return(np$reshape(np$concatenate(parts), shape_tuple(shape)))
  }
  key <- initializer_key(type, weight)
  if (!is.list(config[[key]])) {
    stop(sprintf("portable initial weights: the %s layer '%s' has a weight '%s' without an initializer (%s) in its config",
                 type, config$name, weight, key), call. = FALSE)
  }
  draw_initializer(np, rng, config[[key]], shape)
}

shape_tuple <- function(shape) reticulate::tuple(as.list(as.integer(shape)))

# (fan_in, fan_out) of a weight's shape, as Keras's compute_fans (init.py: compute_fans()).
# Axes are Python's: 0-based, negative from the end.
compute_fans <- function(shape, input_axes = NULL, output_axes = NULL) {
  n <- length(shape)
  if (!is.null(input_axes) && !is.null(output_axes)) {
    at <- function(axes) prod(as.numeric(shape[as.integer(unlist(axes)) %% n + 1L]))
    return(c(at(input_axes), at(output_axes)))
  }
  shape <- as.numeric(shape)
  if (n < 1L) return(c(1, 1))
  if (n == 1L) return(c(shape[[1L]], shape[[1L]]))
  if (n == 2L) return(shape)
  receptive <- prod(shape[seq_len(n - 2L)])
  c(shape[[n - 1L]] * receptive, shape[[n]] * receptive)
}

# A standard normal redrawn, in index order, where its absolute value is not below the bound; scaled.
truncated_normal <- function(np, rng, shape, mean, stddev) {
  bound <- as.numeric(initializer_table()$truncated_normal$bound)
  z <- rng$standard_normal(as.integer(prod(shape)))
  bad <- np$flatnonzero(np$greater_equal(np$abs(z), bound))
  while (reticulate::py_len(bad) > 0L) {
    reticulate::py_set_item(z, bad, rng$standard_normal(reticulate::py_len(bad)))
    bad <- reticulate::py_get_item(bad, np$greater_equal(np$abs(reticulate::py_get_item(z, bad)), bound))
  }
  np$reshape(np$add(np$multiply(z, stddev), mean), shape_tuple(shape))
}

variance_scaling <- function(np, rng, shape, args) {
  fans <- compute_fans(shape, args$input_axes, args$output_axes)
  scale <- as.numeric(args$scale)
  scale <- switch(args$mode,
    fan_in = scale / max(1, fans[[1L]]),
    fan_out = scale / max(1, fans[[2L]]),
    fan_avg = scale / max(1, (fans[[1L]] + fans[[2L]]) / 2),
    stop(sprintf("VarianceScaling's mode is fan_in, fan_out or fan_avg, not '%s'", args$mode), call. = FALSE)
  )
  distribution <- tolower(args$distribution)
  alias <- initializer_table()$distribution_aliases[[distribution]]
  if (!is.null(alias)) distribution <- alias
  switch(distribution,
    uniform = {
      limit <- sqrt(3 * scale)
      rng$uniform(-limit, limit, shape_tuple(shape))
    },
    untruncated_normal = rng$normal(0, sqrt(scale), shape_tuple(shape)),
    truncated_normal = truncated_normal(np, rng, shape, 0,
                                        sqrt(scale) / initializer_table()$truncated_normal$stddev_correction),
    stop(sprintf(paste0("VarianceScaling's distribution is uniform, truncated_normal or untruncated_normal, ",
                        "not '%s'"), args$distribution), call. = FALSE)
  )
}

orthogonal <- function(np, rng, shape, gain) {
  n <- length(shape)
  if (n < 2L) {
    stop(sprintf("the orthogonal initializer needs a weight of two axes or more, not the shape %s",
                 format_tuples(list(shape))), call. = FALSE)
  }
  rows <- prod(as.numeric(shape[-n]))
  cols <- as.numeric(shape[[n]])
  a <- rng$standard_normal(shape_tuple(c(max(rows, cols), min(rows, cols))))
  qr <- np$linalg$qr(a)
  r <- reticulate::py_get_item(qr, 1L)
  q <- np$multiply(reticulate::py_get_item(qr, 0L), np$sign(np$diag(r)))
  if (rows < cols) q <- np$transpose(q)
  np$multiply(gain, np$reshape(q, shape_tuple(shape)))
}

# A float32 NumPy array of `shape` drawn from `rng` for an initializer as Keras
# serializes it (a list with class_name and config), by initializers.json's rule
# (init.py: draw_initializer()).
draw_initializer <- function(np, rng, initializer, shape) {
  table <- initializer_table()
  cls <- initializer$class_name
  entry <- if (is.character(cls) && length(cls) == 1L) table$classes[[cls]]
  if (is.null(entry)) {
    stop(sprintf("portable initial weights know no initializer '%s'; known: %s", format(cls),
                 paste(names(table$classes), collapse = ", ")), call. = FALSE)
  }
  args <- entry$args
  for (key in names(initializer$config)) {
    if (identical(key, "seed")) next # one seed, build_model()'s, draws every weight
    if (!key %in% names(args)) {
      stop(sprintf("portable initial weights do not know the argument '%s' of %s", key, cls), call. = FALSE)
    }
    args[key] <- list(initializer$config[[key]])
  }
  out <- switch(entry$draw,
    constant = np$full(shape_tuple(shape), as.numeric(args$value), dtype = "float64"),
    uniform = rng$uniform(args$minval, args$maxval, shape_tuple(shape)),
    normal = rng$normal(args$mean, args$stddev, shape_tuple(shape)),
    truncated_normal = truncated_normal(np, rng, shape, args$mean, args$stddev),
    variance_scaling = variance_scaling(np, rng, shape, args),
    orthogonal = orthogonal(np, rng, shape, args$gain),
    identity = {
      if (length(shape) != 2L) {
        stop(sprintf("the identity initializer needs a matrix, not the shape %s", format_tuples(list(shape))),
             call. = FALSE)
      }
      np$multiply(args$gain, np$eye(shape[[1L]], shape[[2L]]))
    },
    stop(sprintf("initializers.json names an unknown draw '%s' for %s", entry$draw, cls), call. = FALSE)
  )
  np$asarray(out)$astype(table$dtype)
}
