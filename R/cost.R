# What each layer costs: multiply-accumulates, connections, activations,
# parameter bytes; and memory (python/twinnet/cost.py).
#
# Counted per sample from the expanded graph (output shapes and configs),
# without Keras. Each layer type of the registry names its cost rule and the
# rule's data ("cost": {"rule": "recurrent", "gates": 4} in
# shared_specs/layers.json; README.md's "Cost"). A rule is a function of the
# layer, the shapes of its inputs and its output shape (without the batch
# axis, NA for a length that varies) and that data as named arguments, found
# by name in cost_rules (cost.py's RULES). It gives the layer's MACs and
# connections per time step and the steps: 1 for a layer that is not
# recurrent, NA for a recurrent layer over a sequence whose length varies
# (counted as one step, as the limits count a length that varies as 1).
#
# Counts are doubles, exact below 2^53: a model whose counts reach 2^53 is
# refused in both languages (cost_too_large).

cost_max_exact <- 2^53

# The values of a shape without the batch axis; a length that varies counts 1.
shape_values <- function(shape) prod(ifelse(is.na(shape), 1, shape))

cost_bias <- function(layer) if (isTRUE(layer$config$use_bias)) 1 else 0

cost_counts <- function(macs, connections, steps = 1) list(macs = macs, connections = connections, steps = steps)

cost_none <- function(layer, shapes, out) cost_counts(0, 0)

cost_conv <- function(layer, shapes, out) {
  x <- shapes[[1L]]
  fan_in <- prod(ints(layer$config$kernel_size)) * (x[[length(x)]] %/% layer$config$groups)
  units <- shape_values(out)
  cost_counts(units * fan_in, units * (fan_in + cost_bias(layer)))
}

cost_dense <- function(layer, shapes, out) {
  x <- shapes[[1L]]
  fan_in <- x[[length(x)]]
  units <- shape_values(out)
  cost_counts(units * fan_in, units * (fan_in + cost_bias(layer)))
}

cost_window <- function(layer, shapes, out) cost_counts(0, shape_values(out) * prod(ints(layer$config$pool_size)))

cost_global_window <- function(layer, shapes, out) {
  x <- shapes[[1L]]
  cost_counts(0, shape_values(out) * shape_values(x[-length(x)]))
}

cost_merge <- function(layer, shapes, out) cost_counts(0, shape_values(out) * length(shapes))

cost_recurrent <- function(layer, shapes, out, gates, double_bias_if = NULL) {
  cfg <- layer$config
  x <- shapes[[1L]]
  units <- gates * cfg$units # one unit per gate and state value
  biases <- 0
  if (isTRUE(cfg$use_bias)) { # GRU's reset_after: an input and a recurrent bias
    biases <- if (!is.null(double_bias_if) && isTRUE(cfg[[double_bias_if]])) 2 else 1
  }
  fan_in <- x[[2L]] + cfg$units # this step's features and the last step's state
  cost_counts(units * fan_in, units * (fan_in + biases), x[[1L]])
}

# Each input value is multiplied by the kernel into every filter; each output value adds its bias.
cost_conv_transpose <- function(layer, shapes, out) {
  cfg <- layer$config
  macs <- shape_values(shapes[[1L]]) * prod(ints(cfg$kernel_size)) * cfg$filters
  cost_counts(macs, macs + shape_values(out) * cost_bias(layer))
}

# Each output value sees one input channel's window.
cost_depthwise <- function(layer, shapes, out) {
  k <- prod(ints(layer$config$kernel_size))
  cost_counts(shape_values(out) * k, shape_values(out) * (k + cost_bias(layer)))
}

# A depthwise convolution (per input channel and multiplier) then a pointwise
# one (1 x 1, to the filters); connections count both steps and the bias.
cost_separable <- function(layer, shapes, out) {
  cfg <- layer$config
  x <- shapes[[1L]]
  positions <- shape_values(out[-length(out)])
  depth <- x[[length(x)]] * cfg$depth_multiplier
  macs <- positions * depth * prod(ints(cfg$kernel_size)) + positions * depth * cfg$filters
  cost_counts(macs, macs + shape_values(out) * cost_bias(layer))
}

# The wrapped layer's counts on the shapes it sees (layers.json gives the rule of its type).
cost_wrapped <- function(layer, shapes, out) {
  inner <- layer$config$layer
  data <- layer_types()[[inner$type]]$cost
  inner_layer <- utils::modifyList(layer, list(type = inner$type, config = inner$config))
  do.call(cost_rules[[data$rule]], c(list(inner_layer, shapes, out), data[names(data) != "rule"]))
}

# The wrapped layer once per time step (the input's first axis), as a recurrent layer counts.
cost_time_distributed <- function(layer, shapes, out) {
  x <- shapes[[1L]]
  res <- cost_wrapped(layer, list(x[-1L]), out[-1L])
  cost_counts(res$macs, res$connections, x[[1L]])
}

# Two recurrent layers, forwards and backwards, per time step; merging them is not counted.
cost_bidirectional <- function(layer, shapes, out) {
  if (identical(layer$config$merge_mode, "concat")) out[[length(out)]] <- out[[length(out)]] %/% 2
  res <- cost_wrapped(layer, shapes, out)
  cost_counts(2 * res$macs, 2 * res$connections, res$steps)
}

# The cost rules by name; a rule's named arguments are the data its registry entries give.
cost_rules <- sapply(c("none", "conv", "dense", "window", "global_window", "merge", "recurrent", "conv_transpose",
                       "depthwise", "separable", "time_distributed", "bidirectional"),
                     function(rule) get(paste0("cost_", rule)), simplify = FALSE)

# A shape of the expansion (a list, NULL for a length that varies) as a double vector, NA for NULL.
shape_numbers <- function(shape) vapply(shape, function(v) if (is.null(v)) NA_real_ else as.numeric(v), numeric(1))

# A spec error where the running total of the model's `what` reaches 2^53 (cost.py's _check_exact()).
check_exact <- function(layer, what, total) {
  if (total >= cost_max_exact) {
    stop_spec_at(layer$source, "cost_too_large", name = layer$name, type = layer$type, what = what,
                 count = format_count(total))
  }
}

# One row per layer of an expanded graph ([expand()]), its type's cost rule,
# as a list of rows (cost.py's layer_costs()).
layer_costs <- function(graph) {
  types <- layer_types()
  value_bytes <- cost_value_bytes(registry()$cost$dtype)
  shapes <- hash_table() # layer name -> output shape (hash.R: there may be 10,000 layers)
  rows <- vector("list", length(graph$layers))
  macs_total <- 0
  connections_total <- 0
  for (i in seq_along(graph$layers)) {
    layer <- graph$layers[[i]]
    out <- shape_numbers(layer$output_shape)[-1L]
    data <- types[[layer$type]]$cost
    rule <- data$rule
    inputs <- lapply(as.character(unlist(layer$inputs)), hash_get, h = shapes)
    counts <- do.call(cost_rules[[rule]], c(list(layer, inputs, out), data[names(data) != "rule"]))
    hash_set(shapes, layer$name, out)
    times <- if (is.na(counts$steps)) 1 else counts$steps
    row <- list(name = layer$name, type = layer$type, rule = rule, output_shape = shape_numbers(layer$output_shape),
                steps = as.numeric(counts$steps), macs_per_step = counts$macs, macs = counts$macs * times,
                connections_per_step = counts$connections, connections = counts$connections * times,
                activations = shape_values(out), params = as.numeric(layer$params),
                trainable_params = as.numeric(layer$trainable_params),
                param_bytes = as.numeric(layer$params) * value_bytes)
    macs_total <- macs_total + row$macs
    connections_total <- connections_total + row$connections
    check_exact(layer, "multiply-accumulates", macs_total)
    check_exact(layer, "connections", connections_total)
    rows[[i]] <- row
  }
  rows
}

cost_value_bytes <- function(dtype) as.numeric(registry()$cost$bytes[[dtype]])

# Each layer's output bytes per sample: floatx, an Input in its own dtype.
output_bytes <- function(graph, rows) {
  floatx <- cost_value_bytes(registry()$cost$dtype)
  vapply(seq_along(rows), function(i) {
    layer <- graph$layers[[i]]
    rows[[i]]$activations * (if (layer$type == "Input") cost_value_bytes(layer$config$dtype) else floatx)
  }, numeric(1))
}

# The most bytes of layer outputs alive at once when the layers run in order:
# an output lives from its layer until the last layer that takes it, a model
# output to the end (cost.py's _peak_alive()).
peak_alive <- function(graph, sizes) {
  layers <- graph$layers
  names <- vapply(layers, function(l) l$name, "")
  inputs <- lapply(input_positions(layers, names), unique) # (by position: see input_positions())
  last_use <- rep(0L, length(layers))
  for (i in seq_along(layers)) last_use[inputs[[i]]] <- i
  is_output <- names %in% unlist(graph$outputs)
  alive <- 0
  peak <- 0
  for (i in seq_along(layers)) {
    alive <- alive + sizes[[i]]
    peak <- max(peak, alive)
    for (j in inputs[[i]]) {
      if (last_use[[j]] == i && !is_output[[j]]) alive <- alive - sizes[[j]]
    }
  }
  peak
}

# The values `optimizer` keeps per trainable parameter with a compile's
# `settings` (layers.json's compile.optimizer_slots): its slots, and one more
# for each of its extra_slot_if arguments that is true or above 0 (cost.py's
# optimizer_slots()).
optimizer_slots <- function(optimizer, settings) {
  entry <- registry()$compile$optimizer_slots[[optimizer]]
  on <- function(value) isTRUE(value) || (is.numeric(value) && length(value) == 1L && !is.na(value) && value > 0)
  extra <- vapply(unlist(entry$extra_slot_if), function(name) on(settings[[name]]), logical(1))
  as.numeric(entry$slots) + sum(extra)
}

memory_estimate <- function(parameters, gradients, optimizer_slots, activations) {
  c(parameters = parameters, gradients = gradients, optimizer_slots = optimizer_slots, activations = activations,
    total = parameters + gradients + optimizer_slots + activations)
}

#' What a model costs: multiply-accumulates, connections, activations, memory
#'
#' Counts, per layer and in total, the multiply-accumulates with weights per
#' sample (MACs), the connections in LeCun's sense (for each output value, the
#' inputs it is wired to plus its bias), the output values (activations) and
#' the parameter bytes; recurrent layers per time step and over the sequence.
#' Then estimates the memory for inference and for training at a batch size
#' with the spec's optimizer: parameters, gradients, optimizer slots and the
#' activations kept for the backward pass (what the estimate leaves out is
#' printed with it). Each layer type's counting rule is in
#' `shared_specs/layers.json` and its README's "Cost". Computed from the
#' spec, without Python; Python's `twinnet.cost()` and the command
#' `twinnet cost SPEC --batch N` give the same table.
#'
#' @param spec Anything [load_spec()] accepts.
#' @param batch_size The batch of the memory estimate, a whole number >= 1
#'   (Keras's `fit()` default, 32).
#' @return A data frame of class `twinnet_cost`, one row per layer: `name`,
#'   `type`, `rule` (the cost rule), `output_shape` (a list column, `NA` for
#'   the batch and for a length that varies), `steps` (the time steps of a
#'   recurrent layer, `NA` where the length varies, 1 for other layers),
#'   `macs_per_step`, `macs`, `connections_per_step`, `connections`,
#'   `activations`, `params`, `trainable_params` and `param_bytes` (doubles,
#'   exact). Its attributes: `spec`, `batch_size`, `optimizer`,
#'   `optimizer_from_spec`, `optimizer_slots`, `dtype`, `value_bytes`, and
#'   `inference` and `training`, the memory estimates in bytes (`parameters`,
#'   `gradients`, `optimizer_slots`, `activations`, `total`). It prints as a
#'   table.
#' @seealso [expand()], [summary.twinnet_spec()]
#' @examples
#' cost("lenet5")
#' x <- cost("lenet5_c3", batch_size = 128)
#' sum(x$connections[grepl("^map[0-9]+_conv$", x$name)]) # C3: 151,600 connections
#' attr(x, "training")
#' @export
cost <- function(spec, batch_size = NULL) {
  settings <- registry()$cost
  if (is.null(batch_size)) batch_size <- settings$batch_size
  if (!is.numeric(batch_size) || length(batch_size) != 1L || is.na(batch_size) || batch_size != round(batch_size) ||
      batch_size < 1) {
    stop(sprintf("batch_size must be a whole number >= 1, found %s", paste(format(batch_size), collapse = ", ")),
         call. = FALSE)
  }
  batch_size <- as.numeric(batch_size)
  spec <- load_spec(spec)
  graph <- spec_graph(spec)
  rows <- layer_costs(graph)
  settings_compile <- field(graph, "compile", field(spec$data, "compile")) # the optimizer's arguments written out
  optimizer <- if (is.null(settings_compile)) settings$optimizer else settings_compile$optimizer
  slots <- optimizer_slots(optimizer, settings_compile)
  value_bytes <- cost_value_bytes(settings$dtype)
  col <- function(name) vapply(rows, function(r) r[[name]], numeric(1))
  params <- sum(col("params")) * value_bytes
  trainable <- sum(col("trainable_params")) * value_bytes
  sizes <- output_bytes(graph, rows)
  inference <- memory_estimate(params, 0, 0, batch_size * peak_alive(graph, sizes))
  training <- memory_estimate(params, trainable, slots * trainable, batch_size * sum(sizes))
  if (training[["total"]] >= cost_max_exact) {
    stop(sprintf(paste("the memory at batch size %s (%s bytes) is beyond what both languages count exactly (2^53):",
                       "choose a smaller batch size"), int_text(batch_size), format_count(training[["total"]])),
         call. = FALSE)
  }
  frame <- data.frame(name = vapply(rows, function(r) r$name, ""), type = vapply(rows, function(r) r$type, ""),
                      rule = vapply(rows, function(r) r$rule, ""), stringsAsFactors = FALSE)
  frame$output_shape <- lapply(rows, function(r) r$output_shape)
  for (name in c("steps", "macs_per_step", "macs", "connections_per_step", "connections", "activations", "params",
                 "trainable_params", "param_bytes")) {
    frame[[name]] <- col(name)
  }
  structure(frame, class = c("twinnet_cost", "data.frame"), spec = py_str(graph$name), batch_size = batch_size,
            optimizer = optimizer, optimizer_from_spec = !is.null(settings_compile), optimizer_slots = slots,
            dtype = settings$dtype, value_bytes = value_bytes, inference = inference, training = training)
}

# Lines of a table: columns padded to their widest cell, numbers to the right (cost.py's _table()).
text_table <- function(cells, right) {
  widths <- apply(nchar(cells), 2L, max)
  for (j in seq_len(ncol(cells))) {
    cells[, j] <- formatC(cells[, j], width = if (right[[j]]) widths[[j]] else -widths[[j]])
  }
  unname(sub(" +$", "", apply(cells, 1L, paste, collapse = "  ")))
}

count_cells <- function(x) vapply(x, format_count, "")

#' @export
format.twinnet_cost <- function(x, ...) {
  stepped <- x$rule %in% unlist(registry()$cost$stepped_rules) # rules that count per time step
  recurrent <- any(stepped)
  head <- c("layer", "type", "output shape", if (recurrent) c("steps", "MACs a step", "connections a step"),
            "MACs", "connections", "activations", "params", "param bytes")
  shapes <- vapply(x$output_shape, format_shape, "")
  body <- cbind(x$name, x$type, shapes)
  if (recurrent) {
    is_rnn <- stepped
    steps <- ifelse(is.na(x$steps), "varies", vapply(x$steps, function(s) if (is.na(s)) "" else format_count(s), ""))
    body <- cbind(body, ifelse(is_rnn, steps, ""), ifelse(is_rnn, count_cells(x$macs_per_step), ""),
                  ifelse(is_rnn, count_cells(x$connections_per_step), ""))
  }
  body <- cbind(body, count_cells(x$macs), count_cells(x$connections), count_cells(x$activations),
                count_cells(x$params), count_cells(x$param_bytes))
  total <- c("total", "", "", if (recurrent) c("", "", ""),
             count_cells(c(sum(x$macs), sum(x$connections), sum(x$activations), sum(x$params), sum(x$param_bytes))))
  cells <- rbind(head, unname(body), total)
  right <- c(rep(FALSE, 3L), rep(TRUE, length(head) - 3L))
  settings <- registry()$cost
  out <- c(sprintf("Cost of '%s' per sample", attr(x, "spec")), text_table(cells, right), settings$legend,
           sprintf("parameters and activations in %s, %s bytes a value", attr(x, "dtype"),
                   format_count(attr(x, "value_bytes"))))
  inference <- attr(x, "inference")
  training <- attr(x, "training")
  if (is.null(inference) || is.null(training)) return(out) # a subset of the rows: no memory to show
  where <- if (isTRUE(attr(x, "optimizer_from_spec"))) "the spec's" else "Keras's default,"
  slots <- sprintf("optimizer slots (%s %s: %s a parameter)", where, attr(x, "optimizer"),
                   format_count(attr(x, "optimizer_slots")))
  keys <- c("parameters", "gradients", "optimizer_slots", "activations")
  memory <- rbind(
    c(sprintf("memory at batch size %s", format_count(attr(x, "batch_size"))), "inference", "training"),
    cbind(paste0("  ", c("parameters", "gradients", slots, "activations")),
          vapply(inference[keys], format_bytes, ""), vapply(training[keys], format_bytes, "")),
    c("  total", format_bytes(inference[["total"]]), format_bytes(training[["total"]]))
  )
  c(out, "", text_table(unname(memory), c(FALSE, TRUE, TRUE)), unlist(settings$memory_leaves_out))
}

#' @export
print.twinnet_cost <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}
