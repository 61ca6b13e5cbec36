# Spec warnings: a spec that is valid but probably wrong (python/twinnet/advice.py).
#
# A warning is computed from the expansion (shapes inferred, the compile block's
# loss), worded by messages.json's "spec_warnings" and told about layer types and
# losses by advice.json, so that both languages warn of the same spec with the
# same words.

#' Warnings of a spec that is valid but probably wrong
#'
#' [load_spec()] (and so [expand()], [build_model()] and every function that
#' loads a spec) signals a warning of class `twinnet_spec_warning` for each
#' thing a valid spec probably gets wrong: a `Dense` layer on a feature map, a
#' pooling or stride that leaves input values unread, two activations in a row,
#' softmax on a hidden layer, dropout after the output, an output whose
#' activation or length does not fit the `compile` loss. Python's twinnet
#' warns of the same spec with the same words (`twinnet.SpecWarning`).
#' `spec_warnings()` gives them as data, without signalling them.
#'
#' Each warning has the fields `path` (a JSON Pointer to the layer, as
#' [twinnet_spec_error]'s), `kind`, `message` and `hint` (or `NULL`);
#' `conditionMessage()` joins them as for errors:
#' `"at /layers/2: ...; <hint>"`. A layer that means it lists the kind in
#' its `allow` field, `"allow": ["dense_on_feature_map"]`, and is not warned
#' about; `suppressWarnings(..., classes = "twinnet_spec_warning")` silences
#' them all.
#'
#' @param spec Anything [load_spec()] accepts.
#' @param c A `twinnet_spec_warning` condition.
#' @return `spec_warnings()`: a list of `twinnet_spec_warning` conditions, in
#'   the order of the layers (empty when nothing looks wrong).
#'   `conditionMessage()`: the message as one string.
#' @examples
#' w <- spec_warnings('{"format_version": "1.0", "name": "tiny",
#'   "layers": [{"type": "Input", "shape": [4]},
#'              {"type": "Dense", "units": 3, "activation": "softmax"},
#'              {"type": "Dropout", "rate": 0.5}]}')
#' w[[1]]$kind
#' conditionMessage(w[[1]])
#' @export
spec_warnings <- function(spec) {
  if (!inherits(spec, "twinnet_spec")) {
    spec <- withCallingHandlers(load_spec(spec),
                                twinnet_spec_warning = function(w) invokeRestart("muffleWarning"))
  }
  graph_warnings(spec$data, spec_graph(spec))
}

#' @rdname spec_warnings
#' @export
conditionMessage.twinnet_spec_warning <- function(c) {
  where <- if (nzchar(c$path)) c$path else "(the whole spec)"
  text <- sprintf("at %s: %s", where, c$message)
  if (is.null(c$hint)) text else sprintf("%s; %s", text, c$hint)
}

# A twinnet_spec_warning condition (SpecWarning in Python).
spec_warning <- function(path, message, kind, hint = NULL) {
  structure(
    class = c("twinnet_spec_warning", "warning", "condition"),
    list(message = message, call = NULL, path = path, kind = kind, hint = hint)
  )
}

# The twinnet_spec_warning `warning` of messages.json's "spec_warnings" at `path`,
# its placeholders filled with text the caller formatted (fill_entry(); advice.py's spec_warning_at()).
spec_warning_at <- function(path, warning, ...) {
  filled <- fill_entry("spec_warnings", warning, list(...))
  spec_warning(path, filled$message, filled$kind, filled$hint)
}

# What the warnings know of layer types and losses (shared_specs/advice.json).
advice_table <- function() shared_table("advice.json")

quoted <- function(name) sprintf("\"%s\"", name)

# The activation a layer applies to what it outputs, or NULL where it applies no
# activation it names (advice.py's activation_of()).
activation_of <- function(layer) {
  table <- advice_table()
  t <- layer$type
  if (t %in% names(table$activation_layers) && !is.null(table$activation_layers[[t]])) {
    return(table$activation_layers[[t]])
  }
  if (t %in% unlist(table$gated)) return(NULL)
  wrapped <- layer$config[["layer"]]
  if (is.list(wrapped) && !is.null(wrapped$type)) return(activation_of(wrapped)) # a wrapper outputs what it wraps
  value <- layer$config$activation
  if (is.character(value) && length(value) == 1L) value else NULL
}

nonlinear <- function(activation) !is.null(activation) && activation != "linear"

passes_values <- function(layer) layer$type %in% unlist(advice_table()$passes_values)
is_activation_layer <- function(layer) layer$type %in% names(advice_table()$activation_layers)

# The expansion's layers, each layer's position by name (`index`, a hash.R
# table: finding a name in a long list would read it all), who takes each
# layer's output (by position), and the model's outputs.
advice_graph <- function(graph) {
  layers <- graph$layers
  names(layers) <- vapply(layers, function(l) l$name, "")
  index <- hash_table_of(stats::setNames(seq_along(layers), names(layers)))
  takers <- rep(list(character()), length(layers))
  for (layer in layers) {
    for (name in unlist(layer$inputs)) {
      at <- hash_get(index, name)
      takers[[at]] <- c(takers[[at]], layer$name)
    }
  }
  list(layers = layers, index = index, takers = takers, outputs = as.character(unlist(graph$outputs)),
       loss = graph$compile$loss)
}

layer_named <- function(g, name) g$layers[[hash_get(g$index, name)]]

takers_of <- function(g, name) g$takers[[hash_get(g$index, name)]]

first_input <- function(g, layer) layer_named(g, layer$inputs[[1L]])

# The first layer at or before `layer` that does not pass values on, and the
# ones passed on the way, nearest first (advice.py's _Graph.back()).
walk_back <- function(g, layer) {
  passed <- list()
  while (passes_values(layer) && length(layer$inputs) == 1L) {
    passed[[length(passed) + 1L]] <- layer
    layer <- first_input(g, layer)
  }
  list(layer = layer, passed = passed)
}

# The first layer after `layer`, looking through those that pass values on, that
# takes its values; NULL where none does (advice.py's _Graph.first_taker()).
first_taker <- function(g, layer) {
  todo <- takers_of(g, layer$name)
  while (length(todo)) {
    taker <- layer_named(g, todo[[1L]])
    todo <- todo[-1L]
    if (passes_values(taker)) todo <- c(takers_of(g, taker$name), todo) else return(taker)
  }
  NULL
}

found <- function(layer, warning, ...) list(list(layer = layer, warning = warning, fields = list(...)))

check_dense_on_feature_map <- function(g, layer) {
  if (layer$type != "Dense") return(list())
  shape <- first_input(g, layer)$output_shape
  if (length(shape) < advice_table()$feature_map_rank) return(list())
  found(layer, "dense_on_feature_map", name = layer$name, shape = format_shape(shape),
        rank = int_text(length(shape)), output = format_shape(layer$output_shape))
}

check_window_drops_input <- function(g, layer) {
  table <- advice_table()
  size_arg <- table$windows[[layer_types()[[layer$type]]$shape$rule]]
  cfg <- layer$config
  if (is.null(size_arg) || !identical(cfg$padding, "valid")) return(list())
  before <- first_input(g, layer)
  shape <- before$output_shape
  sizes <- ints(cfg[[size_arg]])
  strides <- ints(cfg$strides)
  dilations <- if (is.null(cfg$dilation_rate)) rep(1, length(sizes)) else ints(cfg$dilation_rate)
  pad_arg <- table$padding[[layer_types()[[before$type]]$shape$rule]]
  # before and after of each axis, in order (one axis may be written flat, [before, after], as Keras does)
  pads <- if (is.null(pad_arg)) numeric() else ints(before$config[[pad_arg]])
  dropped <- character()
  for (i in seq_along(sizes)) {
    n <- shape[[i + 1L]]
    if (is.null(n)) next
    span <- dilations[[i]] * (sizes[[i]] - 1) + 1
    # the values after the last window, less the zeros a padding layer just
    # before added there (advice.py's _window_drops_input())
    pad <- if (length(pads)) pads[[2L * i]] else 0
    left <- (n - span) %% strides[[i]] - pad
    if (left > max(0, strides[[i]] - span)) {
      dropped <- c(dropped, sprintf("%s of %s along axis %s", int_text(left), int_text(n), int_text(i)))
    }
  }
  if (!length(dropped)) return(list())
  # (a dilated window has strides 1, so it never leaves values out: the window is its size)
  found(layer, "window_drops_input", type = layer$type, name = layer$name, shape = format_shape(shape),
        window = sprintf("%s %s", size_arg, int_list_text(sizes)), strides = int_list_text(strides), dropped = paste(dropped, collapse = " and "))
}

check_activation_twice <- function(g, layer) {
  if (!is_activation_layer(layer) || !nonlinear(activation_of(layer))) return(list())
  source <- walk_back(g, first_input(g, layer))$layer
  previous <- activation_of(source)
  if (!nonlinear(previous)) return(list())
  found(layer, "activation_twice", type = layer$type, name = layer$name, activation = quoted(activation_of(layer)),
        source = source$name, previous = quoted(previous))
}

check_softmax_hidden <- function(g, layer) {
  if (!identical(activation_of(layer), "softmax") || layer$name %in% g$outputs) return(list())
  taker <- first_taker(g, layer)
  if (is.null(taker) || is_activation_layer(taker)) return(list())
  found(layer, "softmax_hidden", type = layer$type, name = layer$name, `next` = taker$name)
}

check_dropout_after_output <- function(g, layer) {
  if (!layer$name %in% g$outputs) return(list())
  current <- layer
  passed <- list()
  repeat { # back through the layers that pass values on or only apply an activation
    back <- walk_back(g, current)
    current <- back$layer
    passed <- c(passed, back$passed)
    if (!is_activation_layer(current)) break
    passed[[length(passed) + 1L]] <- current
    current <- first_input(g, current)
  }
  out <- list()
  for (dropout in rev(passed)) {
    if (dropout$type == "Dropout") out <- c(out, found(dropout, "dropout_after_output", name = dropout$name,
                                                       last = current$name))
  }
  out
}

check_loss_output <- function(g, layer) {
  wants <- if (is.null(g$loss)) NULL else advice_table()$losses[[g$loss]]
  if (!layer$name %in% g$outputs || is.null(wants)) return(list())
  loss <- quoted(g$loss)
  out <- list()
  source <- walk_back(g, layer)$layer
  activation <- activation_of(source)
  expected <- unlist(wants$activations)
  if (!is.null(wants$activations) && !is.null(activation) && !activation %in% expected) {
    out <- c(out, found(source, "loss_output_activation", type = source$type, name = source$name,
                        activation = quoted(activation), loss = loss,
                        expected = paste(quoted(expected), collapse = " or ")))
  }
  units <- layer$output_shape[[length(layer$output_shape)]]
  if (!is.null(wants$min_units) && !is.null(units) && units < wants$min_units) {
    out <- c(out, found(layer, "loss_output_units", name = layer$name, shape = format_shape(layer$output_shape),
                        units = int_text(units), loss = loss, min = int_text(wants$min_units)))
  }
  out
}

# The checks, each run on every layer in the expansion's order (a layer's
# warnings in this order; advice.py's CHECKS).
advice_checks <- list(check_dense_on_feature_map, check_window_drops_input, check_activation_twice,
                      check_softmax_hidden, check_dropout_after_output, check_loss_output)

# The value at a JSON Pointer of the spec document (a layer's `source`).
entry_at <- function(doc, pointer) {
  value <- doc
  for (token in strsplit(pointer, "/", fixed = TRUE)[[1L]][-1L]) {
    token <- gsub("~0", "~", gsub("~1", "/", token, fixed = TRUE), fixed = TRUE)
    value <- if (is.null(names(value))) value[[as.integer(token) + 1L]] else value[[token]]
  }
  value
}

# The warnings of an expansion, in layer order; one per layer of the spec and
# kind, none that the layer's `allow` list names (advice.py's graph_warnings()).
graph_warnings <- function(doc, graph) {
  g <- advice_graph(graph)
  warnings <- list()
  keys <- list()
  for (layer in g$layers) {
    for (rank in seq_along(advice_checks)) {
      for (f in advice_checks[[rank]](g, layer)) {
        warnings[[length(warnings) + 1L]] <- do.call(spec_warning_at, c(list(f$layer$source, f$warning), f$fields))
        keys[[length(keys) + 1L]] <- c(hash_get(g$index, f$layer$name), rank)
      }
    }
  }
  if (!length(warnings)) return(list())
  at <- order(vapply(keys, `[[`, 0, 1L), vapply(keys, `[[`, 0, 2L), seq_along(keys))
  out <- list()
  seen <- hash_table() # there may be a warning for each layer
  for (w in warnings[at]) {
    key <- paste(w$path, w$kind)
    allowed <- unlist(entry_at(doc, w$path)$allow)
    if (hash_has(seen, key) || w$kind %in% allowed) next
    hash_set(seen, key, TRUE)
    out[[length(out) + 1L]] <- w
  }
  out
}

# Signal each warning of a spec just loaded (a twinnet_spec_warning).
warn_spec <- function(doc, graph) {
  for (w in graph_warnings(doc, graph)) warning(w)
  invisible(NULL)
}
