# Output shapes and parameter counts of each layer, computed from its config
# without Keras (python/twinnet/shapes.py).
#
# A shape here is a double vector without the batch axis; NA is a length that
# varies (Python's None). A shape that collapses (a kernel larger than its
# input) is a spec error found before Keras runs.
#
# Each layer type of the registry names its shape rule and the rule's data
# ("shape": {"rule": "conv", "rank": 2} in shared_specs/layers.json; README.md's
# "Shape rules"). A rule is a function of the layer, the shapes of its inputs and
# that data as named arguments, found by name in shape_rules (shapes.py's RULES).

conv_len <- function(n, k, s, d, padding) {
  if (is.na(n)) return(NA_real_)
  if (padding %in% c("same", "causal")) return(ceiling(n / s))
  span <- d * (k - 1) + 1
  if (n >= span) (n - span) %/% s + 1 else 0
}

# "(None, 28, 28, 6)": a shape with the batch axis in front (shapes.py's _shape_text()).
shape_text <- function(shape) format_shape(c(NA, shape))

# A shape_rank error unless the input has `rank` axes besides the batch (shapes.py's _need_rank()).
need_rank <- function(layer, shape, rank) {
  if (length(shape) != rank) stop(rank_error(layer, shape, rank))
}

rank_error <- function(layer, shape, rank) {
  spec_error_at(layer$source, "shape_rank", name = layer$name, type = layer$type, rank = int_text(rank + 1),
                shape = shape_text(shape))
}

collapse_error <- function(layer, shape, out, error = "shape_collapse") {
  spec_error_at(layer$source, error, name = layer$name, type = layer$type, shape = shape_text(shape),
                output = shape_text(out))
}

# c(trainable, non-trainable) for a layer with `count` weights, `frozen` always untrainable.
split_weights <- function(layer, count, frozen = 0) {
  if (!isTRUE(layer$config$trainable)) return(c(0, count))
  c(count - frozen, frozen)
}

# A Keras axis (negative from the end, the batch axis 0) as a position in `shape` counted from 1.
axis_position <- function(axis, shape) if (axis >= 0) axis else length(shape) + 1 + axis

ints <- function(x) as.numeric(unlist(x))

# What a rule returns: the output shape and the trainable and frozen parameter counts.
shape_result <- function(shape, counts = c(0, 0)) {
  list(shape = as.numeric(shape), trainable = counts[[1L]], frozen = counts[[2L]])
}

rule_input <- function(layer, shapes) {
  shape_result(vapply(layer$config$shape, function(v) if (is.null(v)) NA_real_ else as.numeric(v), numeric(1)))
}

rule_conv <- function(layer, shapes, rank) {
  cfg <- layer$config
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  ch <- x[[length(x)]]
  if (is.na(ch)) stop_spec_at(layer$source, "shape_channels", name = layer$name)
  g <- cfg$groups
  if (ch %% g != 0 || cfg$filters %% g != 0) {
    stop_spec_at(paste0(layer$source, "/groups"), "shape_groups", groups = int_text(g), channels = int_text(ch),
                 filters = int_text(cfg$filters))
  }
  kernel <- ints(cfg$kernel_size)
  strides <- ints(cfg$strides)
  dilation <- ints(cfg$dilation_rate)
  if (any(strides > 1L) && any(dilation > 1L)) {
    stop_spec_at(paste0(layer$source, "/dilation_rate"), "shape_strides_dilation")
  }
  out <- c(vapply(seq_len(rank), function(i) conv_len(x[[i]], kernel[[i]], strides[[i]], dilation[[i]], cfg$padding),
                  numeric(1)), cfg$filters)
  if (any(out == 0, na.rm = TRUE)) stop(collapse_error(layer, x, out))
  n <- prod(kernel) * (ch %/% g) * cfg$filters + (if (isTRUE(cfg$use_bias)) cfg$filters else 0)
  shape_result(out, split_weights(layer, n))
}

# The checks of a convolution's input and of its strides with dilation;
# returns the input channels (shapes.py's _window_checks()).
window_checks <- function(layer, x, rank) {
  need_rank(layer, x, rank + 1L)
  ch <- x[[length(x)]]
  if (is.na(ch)) stop_spec_at(layer$source, "shape_channels", name = layer$name)
  if (any(ints(layer$config$strides) > 1L) && any(ints(layer$config$dilation_rate) > 1L)) {
    stop_spec_at(paste0(layer$source, "/dilation_rate"), "shape_strides_dilation")
  }
  ch
}

# Keras's length after a transposed convolution
# (keras/src/backend/common/backend_utils.py; shapes.py's _transpose_len()).
transpose_len <- function(n, k, s, d, padding) {
  if (is.na(n)) return(NA_real_)
  if (padding == "same") return(n * s)
  (n - 1) * s + max(d * (k - 1) + 1, s)
}

rule_conv_transpose <- function(layer, shapes, rank) {
  cfg <- layer$config
  x <- shapes[[1L]]
  ch <- window_checks(layer, x, rank)
  kernel <- ints(cfg$kernel_size)
  strides <- ints(cfg$strides)
  dilation <- ints(cfg$dilation_rate)
  out <- c(vapply(seq_len(rank), function(i) {
    transpose_len(x[[i]], kernel[[i]], strides[[i]], dilation[[i]], cfg$padding)
  }, numeric(1)), cfg$filters)
  n <- prod(kernel) * ch * cfg$filters + (if (isTRUE(cfg$use_bias)) cfg$filters else 0)
  shape_result(out, split_weights(layer, n))
}

depthwise_out <- function(layer, x, rank, channels) {
  cfg <- layer$config
  kernel <- ints(cfg$kernel_size)
  strides <- ints(cfg$strides)
  dilation <- ints(cfg$dilation_rate)
  out <- c(vapply(seq_len(rank), function(i) conv_len(x[[i]], kernel[[i]], strides[[i]], dilation[[i]], cfg$padding),
                  numeric(1)), channels)
  if (any(out == 0, na.rm = TRUE)) stop(collapse_error(layer, x, out))
  out
}

rule_depthwise <- function(layer, shapes, rank) {
  cfg <- layer$config
  x <- shapes[[1L]]
  depth <- window_checks(layer, x, rank) * cfg$depth_multiplier
  n <- prod(ints(cfg$kernel_size)) * depth + (if (isTRUE(cfg$use_bias)) depth else 0)
  shape_result(depthwise_out(layer, x, rank, depth), split_weights(layer, n))
}

rule_separable <- function(layer, shapes, rank) {
  cfg <- layer$config
  x <- shapes[[1L]]
  depth <- window_checks(layer, x, rank) * cfg$depth_multiplier
  n <- prod(ints(cfg$kernel_size)) * depth + depth * cfg$filters + (if (isTRUE(cfg$use_bias)) cfg$filters else 0)
  shape_result(depthwise_out(layer, x, rank, cfg$filters), split_weights(layer, n))
}

rule_upsample <- function(layer, shapes, rank) {
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  shape_result(c(x[seq_len(rank)] * ints(layer$config$size), x[[rank + 1L]]))
}

# RandomCrop: the first two axes become height and width (an input smaller
# than that is resized).
rule_crop_to <- function(layer, shapes, rank) {
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  shape_result(c(layer$config$height, layer$config$width, x[[rank + 1L]]))
}

# The layer a wrapper holds, as infer() takes a layer (its path the wrapper's "layer").
wrapped_layer <- function(layer) {
  inner <- layer$config$layer
  list(name = layer$name, type = inner$type, config = inner$config, source = paste0(layer$source, "/layer"))
}

rule_time_distributed <- function(layer, shapes) {
  x <- shapes[[1L]]
  if (length(x) < 2L) stop(rank_error(layer, x, 2L))
  res <- infer(wrapped_layer(layer), list(x[-1L]))
  shape_result(c(x[[1L]], res$shape), split_weights(layer, res$trainable + res$frozen, res$frozen))
}

rule_bidirectional <- function(layer, shapes) {
  res <- infer(wrapped_layer(layer), shapes)
  out <- res$shape
  if (identical(layer$config$merge_mode, "concat")) out[[length(out)]] <- 2 * out[[length(out)]]
  shape_result(out, split_weights(layer, 2 * (res$trainable + res$frozen), 2 * res$frozen))
}

rule_pool <- function(layer, shapes, rank) {
  cfg <- layer$config
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  pool <- ints(cfg$pool_size)
  strides <- ints(cfg$strides)
  out <- c(vapply(seq_len(rank), function(i) conv_len(x[[i]], pool[[i]], strides[[i]], 1, cfg$padding), numeric(1)),
           x[[rank + 1L]])
  if (any(out == 0, na.rm = TRUE)) stop(collapse_error(layer, x, out))
  shape_result(out)
}

rule_global_pool <- function(layer, shapes, rank) {
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  last <- x[[rank + 1L]]
  shape_result(if (isTRUE(layer$config$keepdims)) c(rep(1, rank), last) else last)
}

# [before, after] per axis: one axis is written as Keras writes it, a flat
# [before, after] (shapes.py's _pairs()).
axis_pairs <- function(value, rank) if (rank == 1L) list(value) else value

rule_pad <- function(layer, shapes, rank) {
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  grow <- vapply(axis_pairs(layer$config$padding, rank), function(pair) sum(ints(pair)), numeric(1))
  shape_result(c(x[seq_len(rank)] + grow, x[[rank + 1L]]))
}

rule_crop <- function(layer, shapes, rank) {
  x <- shapes[[1L]]
  need_rank(layer, x, rank + 1L)
  shrink <- vapply(axis_pairs(layer$config$cropping, rank), function(pair) sum(ints(pair)), numeric(1))
  out <- c(x[seq_len(rank)] - shrink, x[[rank + 1L]])
  if (any(out[seq_len(rank)] < 1, na.rm = TRUE)) stop(collapse_error(layer, x, out, "shape_cropped_away"))
  shape_result(out)
}

rule_flatten <- function(layer, shapes) {
  x <- shapes[[1L]]
  shape_result(if (anyNA(x)) NA_real_ else prod(x))
}

rule_dense <- function(layer, shapes) {
  cfg <- layer$config
  x <- shapes[[1L]]
  last <- x[[length(x)]]
  if (is.na(last)) stop_spec_at(layer$source, "shape_last_axis", name = layer$name)
  n <- last * cfg$units + (if (isTRUE(cfg$use_bias)) cfg$units else 0)
  shape_result(c(x[-length(x)], cfg$units), split_weights(layer, n))
}

rule_same <- function(layer, shapes) shape_result(shapes[[1L]])

rule_same_axis <- function(layer, shapes) {
  axis <- layer$config$axis
  x <- shapes[[1L]]
  # an axis Keras would refuse only when the model predicts
  if (!(axis >= -(length(x) + 1) && axis <= length(x))) {
    stop_spec_at(paste0(layer$source, "/axis"), "shape_axis", axis = int_text(axis), shape = shape_text(x))
  }
  shape_result(x)
}

rule_normalization <- function(layer, shapes, moving_stats) {
  cfg <- layer$config
  x <- shapes[[1L]]
  axis <- axis_position(cfg$axis, x)
  if (!(axis >= 1 && axis <= length(x)) || is.na(x[[axis]])) {
    stop_spec_at(paste0(layer$source, "/axis"), "shape_known_axis", axis = int_text(cfg$axis), shape = shape_text(x))
  }
  ch <- x[[axis]]
  learned <- ch * (isTRUE(cfg$center) + isTRUE(cfg$scale))
  moving <- if (isTRUE(moving_stats)) 2 * ch else 0 # the moving mean and variance, never trained
  shape_result(x, split_weights(layer, learned + moving, moving))
}

rule_elementwise <- function(layer, shapes) {
  x <- shapes[[1L]]
  if (!all(vapply(shapes, identical, logical(1), x))) {
    stop_spec_at(paste0(layer$source, "/inputs"), "shape_elementwise", name = layer$name, type = layer$type,
                 shapes = paste(vapply(shapes, shape_text, ""), collapse = ", "))
  }
  shape_result(x)
}

rule_concatenate <- function(layer, shapes) {
  cfg <- layer$config
  x <- shapes[[1L]]
  axis <- axis_position(cfg$axis, x)
  ok <- axis >= 1 && axis <= length(x) && all(lengths(shapes) == length(x))
  if (ok) {
    rest <- lapply(shapes, function(s) s[-axis])
    ok <- all(vapply(rest, identical, logical(1), rest[[1L]]))
  }
  if (!ok) {
    stop_spec_at(paste0(layer$source, "/inputs"), "shape_concatenate", name = layer$name, type = layer$type,
                 shapes = paste(vapply(shapes, shape_text, ""), collapse = ", "), axis = int_text(cfg$axis))
  }
  sizes <- vapply(shapes, function(s) s[[axis]], numeric(1))
  out <- x
  out[[axis]] <- if (anyNA(sizes)) NA_real_ else sum(sizes)
  shape_result(out)
}

rule_reshape <- function(layer, shapes) {
  x <- shapes[[1L]]
  path <- paste0(layer$source, "/target_shape")
  target <- ints(layer$config$target_shape)
  size <- if (anyNA(x)) NA_real_ else prod(x)
  known <- prod(target[target != -1])
  if (sum(target == -1) > 1L) stop_spec_at(path, "shape_reshape_unknowns")
  if (is.na(size)) { # a length that varies: Keras leaves the -1 unknown
    target[target == -1] <- NA
    return(shape_result(target))
  }
  if (any(target == -1)) {
    if (size %% known != 0) {
      stop_spec_at(path, "shape_reshape_divide", shape = shape_text(x), target = int_list_text(target))
    }
    target[target == -1] <- size %/% known
  } else if (known != size) {
    stop_spec_at(path, "shape_reshape_size", shape = shape_text(x), size = int_text(size),
                 target = int_list_text(target), count = int_text(known))
  }
  shape_result(target)
}

rule_embedding <- function(layer, shapes) {
  cfg <- layer$config
  shape_result(c(shapes[[1L]], cfg$output_dim), split_weights(layer, cfg$input_dim * cfg$output_dim))
}

rule_recurrent <- function(layer, shapes, gates, double_bias_if = NULL) {
  cfg <- layer$config
  x <- shapes[[1L]]
  if (length(x) != 2L || is.na(x[[2L]])) stop(rank_error(layer, x, 2L))
  u <- cfg$units
  f <- x[[2L]]
  bias <- 0
  if (isTRUE(cfg$use_bias)) { # GRU's reset_after: an input and a recurrent bias
    bias <- gates * u * (if (!is.null(double_bias_if) && isTRUE(cfg[[double_bias_if]])) 2 else 1)
  }
  n <- gates * u * (f + u) + bias
  out <- if (isTRUE(cfg$return_sequences)) c(x[[1L]], u) else u
  shape_result(out, split_weights(layer, n))
}

# The shape rules by name; a rule's named arguments are the data its registry entries give.
shape_rules <- list(
  input = rule_input,
  conv = rule_conv,
  pool = rule_pool,
  global_pool = rule_global_pool,
  pad = rule_pad,
  crop = rule_crop,
  flatten = rule_flatten,
  dense = rule_dense,
  same = rule_same,
  same_axis = rule_same_axis,
  normalization = rule_normalization,
  elementwise = rule_elementwise,
  concatenate = rule_concatenate,
  reshape = rule_reshape,
  embedding = rule_embedding,
  recurrent = rule_recurrent,
  conv_transpose = rule_conv_transpose,
  depthwise = rule_depthwise,
  separable = rule_separable,
  upsample = rule_upsample,
  crop_to = rule_crop_to,
  time_distributed = rule_time_distributed,
  bidirectional = rule_bidirectional
)

# list(shape, trainable, frozen) of one expanded layer, from the shapes of its
# inputs: its type's rule (shapes.py's infer()).
infer <- function(layer, shapes) {
  data <- layer_types()[[layer$type]]$shape
  do.call(shape_rules[[data$rule]], c(list(layer, shapes), data[names(data) != "rule"]))
}
