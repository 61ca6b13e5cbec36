# Output shapes and parameter counts of each layer, computed from its config
# without Keras (python/twinnet/shapes.py).
#
# A shape here is a double vector without the batch axis; NA is a length that
# varies (Python's None). A shape that collapses (a kernel larger than its
# input) is a spec error found before Keras runs.

conv_len <- function(n, k, s, d, padding) {
  if (is.na(n)) return(NA_real_)
  if (padding %in% c("same", "causal")) return(ceiling(n / s))
  span <- d * (k - 1) + 1
  if (n >= span) (n - span) %/% s + 1 else 0
}

# "(None, 28, 28, 6)": a shape with the batch axis in front.
fmt_shape <- function(shape) {
  parts <- vapply(c(NA, shape), function(v) if (is.na(v)) "None" else format_int(v), "")
  paste0("(", paste(parts, collapse = ", "), ")")
}

format_int <- function(v) formatC(v, format = "f", digits = 0)

# "[2, 3, -1]": Python's repr of a list of ints.
fmt_list <- function(values) paste0("[", paste(vapply(values, format_int, ""), collapse = ", "), "]")

collapse_error <- function(layer, shape, out) {
  what <- if (startsWith(layer$type, "Cropping")) {
    "it crops more than its input has"
  } else {
    "its window is larger than its input"
  }
  spec_error(layer$source, sprintf(
    "layer '%s' (%s) maps input shape %s to %s: %s",
    layer$name, layer$type, fmt_shape(shape), fmt_shape(out), what
  ), "shape_collapse")
}

rank_error <- function(layer, shape, want) {
  spec_error(layer$source, sprintf(
    "layer '%s' (%s) needs an input of rank %d (batch included), found %s",
    layer$name, layer$type, want + 1L, fmt_shape(shape)
  ), "shape_mismatch")
}

# c(trainable, non-trainable) for a layer with `count` weights, `frozen` always untrainable.
split_weights <- function(layer, count, frozen = 0) {
  if (!isTRUE(layer$config$trainable)) return(c(0, count))
  c(count - frozen, frozen)
}

ints <- function(x) as.numeric(unlist(x))

# list(shape, trainable, frozen) of one expanded layer, from the shapes of its inputs.
infer <- function(layer, shapes) {
  t <- layer$type
  cfg <- layer$config
  result <- function(shape, counts = c(0, 0)) {
    list(shape = as.numeric(shape), trainable = counts[[1L]], frozen = counts[[2L]])
  }
  if (t == "Input") {
    return(result(vapply(cfg$shape, function(v) if (is.null(v)) NA_real_ else as.numeric(v), numeric(1))))
  }
  x <- shapes[[1L]]
  last <- x[[length(x)]]
  if (t %in% c("Conv1D", "Conv2D")) {
    r <- if (t == "Conv1D") 1L else 2L
    if (length(x) != r + 1L) stop(rank_error(layer, x, r + 1L))
    ch <- last
    if (is.na(ch)) {
      stop_spec(layer$source, sprintf("layer '%s' needs a known number of channels", layer$name),
                "shape_mismatch")
    }
    g <- cfg$groups
    if (ch %% g != 0 || cfg$filters %% g != 0) {
      stop_spec(paste0(layer$source, "/groups"), sprintf(
        "groups = %s must divide both the input channels (%s) and filters (%s)",
        format_int(g), format_int(ch), format_int(cfg$filters)
      ), "invalid_value")
    }
    kernel <- ints(cfg$kernel_size)
    strides <- ints(cfg$strides)
    dilation <- ints(cfg$dilation_rate)
    if (any(strides > 1L) && any(dilation > 1L)) {
      stop_spec(paste0(layer$source, "/dilation_rate"),
                "Keras cannot combine strides > 1 with dilation_rate > 1 in one convolution", "invalid_value")
    }
    out <- c(vapply(seq_len(r), function(i) conv_len(x[[i]], kernel[[i]], strides[[i]], dilation[[i]], cfg$padding),
                    numeric(1)), cfg$filters)
    if (any(out == 0, na.rm = TRUE)) stop(collapse_error(layer, x, out))
    n <- prod(kernel) * (ch %/% g) * cfg$filters + (if (isTRUE(cfg$use_bias)) cfg$filters else 0)
    return(result(out, split_weights(layer, n)))
  }
  if (t %in% c("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D")) {
    r <- if (endsWith(t, "1D")) 1L else 2L
    if (length(x) != r + 1L) stop(rank_error(layer, x, r + 1L))
    pool <- ints(cfg$pool_size)
    strides <- ints(cfg$strides)
    out <- c(vapply(seq_len(r), function(i) conv_len(x[[i]], pool[[i]], strides[[i]], 1, cfg$padding),
                    numeric(1)), last)
    if (any(out == 0, na.rm = TRUE)) stop(collapse_error(layer, x, out))
    return(result(out))
  }
  if (startsWith(t, "Global")) {
    r <- if (endsWith(t, "1D")) 1L else 2L
    if (length(x) != r + 1L) stop(rank_error(layer, x, r + 1L))
    return(result(if (isTRUE(cfg$keepdims)) c(rep(1, r), last) else last))
  }
  if (t == "ZeroPadding2D") {
    if (length(x) != 3L) stop(rank_error(layer, x, 3L))
    grow <- vapply(cfg$padding, function(pair) sum(ints(pair)), numeric(1))
    return(result(c(x[1:2] + grow, x[[3L]])))
  }
  if (t == "Cropping3D") {
    if (length(x) != 4L) stop(rank_error(layer, x, 4L))
    shrink <- vapply(cfg$cropping, function(pair) sum(ints(pair)), numeric(1))
    out <- c(x[1:3] - shrink, x[[4L]])
    if (any(out[1:3] < 1, na.rm = TRUE)) stop(collapse_error(layer, x, out))
    return(result(out))
  }
  if (t == "Flatten") {
    return(result(if (anyNA(x)) NA_real_ else prod(x)))
  }
  if (t == "Dense") {
    if (is.na(last)) {
      stop_spec(layer$source, sprintf("layer '%s' needs a known last axis", layer$name), "shape_mismatch")
    }
    n <- last * cfg$units + (if (isTRUE(cfg$use_bias)) cfg$units else 0)
    return(result(c(x[-length(x)], cfg$units), split_weights(layer, n)))
  }
  # an axis Keras would refuse only when the model predicts
  if (t == "Softmax" && !(cfg$axis >= -(length(x) + 1) && cfg$axis <= length(x))) {
    stop_spec(paste0(layer$source, "/axis"), sprintf("axis %s is not an axis of %s", format_int(cfg$axis), fmt_shape(x)),
              "invalid_value")
  }
  if (t %in% c("Dropout", "Activation", "ReLU", "LeakyReLU", "Softmax", "Rescaling")) {
    return(result(x))
  }
  if (t == "BatchNormalization") {
    axis <- if (cfg$axis >= 0) cfg$axis else length(x) + 1 + cfg$axis
    if (!(axis >= 1 && axis <= length(x)) || is.na(x[[axis]])) {
      stop_spec(paste0(layer$source, "/axis"),
                sprintf("axis %s is not a known axis of %s", format_int(cfg$axis), fmt_shape(x)),
                "invalid_value")
    }
    ch <- x[[axis]]
    learned <- ch * (isTRUE(cfg$center) + isTRUE(cfg$scale))
    return(result(x, split_weights(layer, learned + 2 * ch, 2 * ch)))
  }
  if (t == "Add") {
    if (!all(vapply(shapes, identical, logical(1), x))) {
      stop_spec(paste0(layer$source, "/inputs"), paste0(
        sprintf("layer '%s' (Add) needs inputs of one shape, found ", layer$name),
        paste(vapply(shapes, fmt_shape, ""), collapse = ", ")
      ), "shape_mismatch")
    }
    return(result(x))
  }
  if (t == "Concatenate") {
    axis <- if (cfg$axis >= 0) cfg$axis else length(x) + 1 + cfg$axis
    ok <- axis >= 1 && axis <= length(x) && all(lengths(shapes) == length(x))
    if (ok) {
      rest <- lapply(shapes, function(s) s[-axis])
      ok <- all(vapply(rest, identical, logical(1), rest[[1L]]))
    }
    if (!ok) {
      stop_spec(paste0(layer$source, "/inputs"), sprintf(
        "layer '%s' (Concatenate) cannot join %s on axis %s",
        layer$name, paste(vapply(shapes, fmt_shape, ""), collapse = ", "), format_int(cfg$axis)
      ), "shape_mismatch")
    }
    sizes <- vapply(shapes, function(s) s[[axis]], numeric(1))
    out <- x
    out[[axis]] <- if (anyNA(sizes)) NA_real_ else sum(sizes)
    return(result(out))
  }
  if (t == "Reshape") {
    target <- ints(cfg$target_shape)
    size <- if (anyNA(x)) NA_real_ else prod(x)
    known <- prod(target[target != -1])
    if (sum(target == -1) > 1L) {
      stop_spec(paste0(layer$source, "/target_shape"), "at most one length may be -1", "invalid_value")
    }
    if (is.na(size)) { # a length that varies: Keras leaves the -1 unknown
      target[target == -1] <- NA
      return(result(target))
    }
    if (any(target == -1)) {
      if (size %% known != 0) {
        stop_spec(paste0(layer$source, "/target_shape"),
                  sprintf("cannot reshape %s to %s", fmt_shape(x), fmt_list(target)), "shape_mismatch")
      }
      target[target == -1] <- size %/% known
    } else if (known != size) {
      stop_spec(paste0(layer$source, "/target_shape"), sprintf(
        "cannot reshape %s (%s values) to %s (%s values)",
        fmt_shape(x), format_int(size), fmt_list(target), format_int(known)
      ), "shape_mismatch")
    }
    return(result(target))
  }
  if (t == "Embedding") {
    n <- cfg$input_dim * cfg$output_dim
    return(result(c(x, cfg$output_dim), split_weights(layer, n)))
  }
  if (t %in% c("SimpleRNN", "LSTM", "GRU")) {
    if (length(x) != 2L || is.na(last)) stop(rank_error(layer, x, 2L))
    u <- cfg$units
    f <- last
    gates <- c(SimpleRNN = 1, LSTM = 4, GRU = 3)[[t]]
    bias <- 0
    if (isTRUE(cfg$use_bias)) bias <- gates * u * (if (t == "GRU" && isTRUE(cfg$reset_after)) 2 else 1)
    n <- gates * u * (f + u) + bias
    out <- if (isTRUE(cfg$return_sequences)) c(x[[1L]], u) else u
    return(result(out, split_weights(layer, n)))
  }
  stop("internal error: no shape rule for ", t, call. = FALSE) # the registry and this file disagree
}
