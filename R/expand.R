# Expansion: a spec's blocks and repeats unrolled into the canonical flat
# graph (python/twinnet/expand.py).
#
# Every layer gets a deterministic name, its inputs written out, every
# argument with Keras's default where the spec left it out, its output shape
# and its parameter count. Python's expand() gives the same JSON value.

# The parameter a "$name" value refers to (the whole string: "$filters\n" is no
# parameter; spec_format.json's "parameter"), or NULL for any other value.
param_name <- function(value) {
  if (!json_is_string(value) || !startsWith(value, "$") || !grepl(spec_pattern("parameter"), value, perl = TRUE)) {
    return(NULL)
  }
  substring(value, 2L)
}

# The layer arguments each parameter of block `name` stands for: a named list,
# parameter -> list of c(layer type, argument). A parameter stands for the
# arguments of the block's layers written "$parameter" and, where the block
# passes it on to a block it uses ("args": {"k": "$parameter"}), for what that
# block's parameter stands for; one that stands for nothing has no effect on
# the model. Missing, recursive and too deeply nested blocks count as standing
# for nothing here: the expansion reports them. `memo` is an environment.
param_uses <- function(blocks, name, memo = new.env(parent = emptyenv()), stack = character()) {
  if (exists(name, envir = memo, inherits = FALSE)) return(get(name, envir = memo, inherits = FALSE))
  block <- blocks[[name]]
  keys <- names(field(block, "params", empty_object())) %||% character()
  uses <- structure(rep(list(list()), length(keys)), names = keys)
  add <- function(key, found) {
    if (is.null(key) || !key %in% keys) return(invisible())
    have <- uses[[key]]
    for (use in found) {
      if (!any(vapply(have, identical, logical(1), use))) have[[length(have) + 1L]] <- use
    }
    uses[key] <<- list(have)
  }
  for (entry in block[["layers"]]) {
    if (has_field(entry, "block")) {
      inner <- entry[["block"]]
      if (!inner %in% names(blocks) || inner == name || inner %in% stack ||
          length(stack) >= fixed_limit("max_block_depth")) {
        next
      }
      inner_uses <- param_uses(blocks, inner, memo, c(stack, name))
      args <- field(entry, "args", empty_object())
      for (key in names(args)) add(param_name(args[[key]]), inner_uses[[key]])
    } else {
      for (use in layer_arguments(entry)) add(param_name(use$value), list(c(use$type, use$arg)))
    }
  }
  assign(name, uses, envir = memo)
  uses
}

# list(type, arg, value) of each argument a layer entry writes, a wrapped
# layer's included (expand.py's layer_arguments()).
layer_arguments <- function(entry) {
  found <- list()
  args <- layer_types()[[entry[["type"]]]]$args
  for (arg in names(args)) {
    if (!has_field(entry, arg)) next
    if (identical(args[[arg]]$kind, "layer")) {
      found <- c(found, layer_arguments(entry[[arg]]))
    } else {
      found[[length(found) + 1L]] <- list(type = entry[["type"]], arg = arg, value = entry[[arg]])
    }
  }
  found
}

# The error of a value that the argument's schema refuses.
invalid_value_error <- function(layer_type, arg, value, path) {
  found <- if (json_is_string(value)) sprintf("\"%s\"", value) else py_repr(value)
  spec_error_at(path, "expected", expected = arg_schema(layer_type, arg)$description, found = found)
}

# A block parameter's default or argument, checked as each layer argument it stands for.
check_param_value <- function(value, uses, path) {
  for (use in uses) {
    if (!arg_validator(use[[1L]], use[[2L]])(value)) stop(invalid_value_error(use[[1L]], use[[2L]], value, path))
  }
  invisible(NULL)
}

#' The canonical flat graph of a spec
#'
#' Unrolls blocks and repeats, names every layer, writes every argument out
#' (Keras's default where the spec left it out) and computes each layer's
#' output shape and parameter counts. Python's `twinnet.expand()` gives the
#' same JSON value for the same spec.
#'
#' @param spec Anything [load_spec()] accepts: a catalog name, a file path,
#'   JSON text, an R list or a `twinnet_spec`.
#' @return A JSON-ready list (objects are named lists, arrays unnamed lists,
#'   `null` is `NULL`): `format_version`, `name`, `inputs`, `outputs`,
#'   `layers` and `params` (`total`, `trainable`, `non_trainable`). Each layer
#'   has `name`, `type`, `inputs`, `config` (every argument, integers as R
#'   integers), `source` (a JSON Pointer into the spec), `weights` when the
#'   spec fixes them, `output_shape` (`NULL` for the batch axis), `params`
#'   and `trainable_params`. Where the spec has them, `compile` and `fit`
#'   with every optimizer, schedule and callback argument written out.
#'   `jsonlite::toJSON(x, auto_unbox = TRUE, null = "null", digits = NA)`
#'   writes it as JSON.
#' @seealso [load_spec()], [build_model()]
#' @examples
#' g <- expand("mini_resnet")
#' vapply(g$layers, function(l) l$name, "")
#' g$params
#' jsonlite::toJSON(g$layers[[2]], auto_unbox = TRUE, null = "null", pretty = TRUE)
#' @export
expand <- function(spec) {
  if (!inherits(spec, "twinnet_spec")) spec <- load_spec(spec)
  spec_graph(spec)
}

# The expansion a spec carries (made by load_spec()), or a new one where the
# limits have changed since it was made (expand.py's spec_graph()).
spec_graph <- function(spec) {
  if (!is.null(spec$graph) && identical(spec$graph_limits, current_limits())) return(spec$graph)
  expand_document(spec$data)
}

# Expand a document that has passed the schema (the semantic checks happen here).
expand_document <- function(doc) expand_fresh(doc, current_limits())

current_limits <- function() {
  lapply(c(max_params = "max_params", max_activation = "max_activation", max_layers = "max_layers"), get_limit)
}

expand_fresh <- function(doc, limits) {
  ex <- new_expander(doc, limits)
  top <- new_scope()
  last <- expand_list(ex, doc[["layers"]], top, "/layers", character())
  outputs <- if (has_field(doc, "outputs")) {
    refs <- doc[["outputs"]]
    vapply(seq_along(refs), function(j) resolve(ex, refs[[j]], top, sprintf("/outputs/%d", j - 1L)), "")
  } else {
    last
  }
  layers <- ex$layers
  check_connected(layers, outputs)
  types <- vapply(layers, function(l) l$type, "")
  trainable <- sum(vapply(layers, function(l) as.numeric(l$trainable_params), numeric(1)))
  total <- sum(vapply(layers, function(l) as.numeric(l$params), numeric(1)))
  graph <- list(
    format_version = spec_format_version(),
    name = doc[["name"]],
    inputs = as.list(vapply(layers[types == "Input"], function(l) l$name, "")),
    outputs = as.list(outputs),
    layers = layers,
    params = list(total = as_count(total), trainable = as_count(trainable),
                  non_trainable = as_count(total - trainable))
  )
  check_expect(doc, graph)
  if (has_field(doc, "compile")) graph$compile <- expand_compile(doc[["compile"]])
  if (has_field(doc, "fit")) {
    graph$fit <- expand_fit(doc[["fit"]])
    check_plateau(doc)
  }
  graph
}

# Every layer must lead to an output (Keras would silently drop one that does not).
check_connected <- function(layers, outputs) {
  names <- vapply(layers, function(l) l$name, "")
  needed <- names %in% outputs
  input_at <- input_positions(layers, names)
  for (i in rev(seq_along(layers))) {
    if (needed[[i]]) needed[input_at[[i]]] <- TRUE
  }
  for (i in seq_along(layers)) {
    layer <- layers[[i]]
    if (!needed[[i]]) {
      stop_spec_at(layer$source, "disconnected", name = layer$name)
    }
  }
}

# The positions of each layer's inputs among `names` (the layers' names, which
# are unique), found in one match(): a match() or %in% per layer would read all
# the names for each layer.
input_positions <- function(layers, names) {
  inputs <- lapply(layers, function(l) as.character(unlist(l$inputs)))
  split(match(unlist(inputs), names, nomatch = 0L), factor(rep(seq_along(layers), lengths(inputs)), seq_along(layers)))
}

# Compare the spec's `expect` block with what the expansion computed.
check_expect <- function(doc, graph) {
  expect <- field(doc, "expect", empty_object())
  wanted <- field(expect, "params", empty_object())
  for (key in names(graph$params)) {
    want <- field(wanted, key)
    have <- graph$params[[key]]
    if (!is.null(want) && !json_equal(want, have, python = TRUE)) {
      stop_spec_at(paste0("/expect/params/", key), "expect_params", want = format_count(want),
                   which = gsub("_", "-", key, fixed = TRUE), have = format_count(have))
    }
  }
  if (has_field(expect, "output_shape")) {
    names <- vapply(graph$layers, function(l) l$name, "")
    shapes <- lapply(graph$outputs, function(o) graph$layers[[match(o, names)]]$output_shape)
    have <- if (length(shapes) == 1L) shapes[[1L]] else shapes
    want <- expect[["output_shape"]]
    if (!json_equal(want, have, python = TRUE)) {
      stop_spec_at("/expect/output_shape", "expect_output_shape", want = py_repr(want), have = py_repr(have))
    }
  }
  if (has_field(expect, "macs") || has_field(expect, "connections")) check_expect_cost(expect, graph)
}

# Compare published figures (expect$macs, expect$connections) with the model's cost (cost.R).
check_expect_cost <- function(expect, graph) {
  rows <- layer_costs(graph)
  names(rows) <- vapply(rows, function(r) r$name, "")
  entries <- field(field(expect, "connections", empty_object()), "layers", list())
  for (i in seq_along(entries)) {
    entry <- entries[[i]]
    layers <- unlist(entry[["layers"]])
    for (j in seq_along(layers)) {
      if (!layers[[j]] %in% names(rows)) {
        stop_spec_at(sprintf("/expect/connections/layers/%d/layers/%d", i - 1L, j - 1L), "expect_unknown_layer",
                     name = layers[[j]], hint = suggest(layers[[j]], names(rows)))
      }
    }
    have <- sum(vapply(rows[layers], function(r) r$connections, numeric(1)))
    if (have != entry[["value"]]) {
      what <- sprintf("%s (%s)", entry[["name"]], paste0("'", layers, "'", collapse = ", "))
      stop_spec_at(sprintf("/expect/connections/layers/%d/value", i - 1L), "expect_connections",
                   want = format_count(entry[["value"]]), what = what, source = expect[["connections"]][["source"]],
                   have = format_count(have))
    }
  }
  if (has_field(expect, "macs")) {
    want <- expect[["macs"]]
    have <- sum(vapply(rows, function(r) r$macs, numeric(1)))
    if (abs(have - want[["value"]]) > want[["tolerance"]]) {
      stop_spec_at("/expect/macs/value", "expect_macs", want = format_count(want[["value"]]),
                   tolerance = format_count(want[["tolerance"]]), source = want[["source"]], have = format_count(have))
    }
  }
}

# -- the state of one expansion ------------------------------------------------

new_expander <- function(doc, limits) {
  ex <- new.env(parent = emptyenv())
  ex$blocks <- field(doc, "blocks", empty_object())
  ex$layers <- list()
  ex$shapes <- new.env(parent = emptyenv()) # full name -> shape
  ex$full_names <- hash_table() # the full names claimed so far (hash.R)
  ex$total_params <- 0
  ex$sizes <- list() # block name -> layers one use of it unrolls to
  ex$uses <- new.env(parent = emptyenv()) # see param_uses()
  ex$checked_defaults <- character() # blocks whose parameter defaults passed check_param_value()
  ex$limits <- limits
  ex$doc <- doc # read where a reference is unknown (unknown_reference())
  ex$types <- layer_types()
  ex
}

# -- resource limits --------------------------------------------------------------

# The spec error `error` of a limit crossed, its hint how to raise the limit.
too_large_error <- function(ex, path, error, limit_name, ...) {
  spec_error_at(path, error, limit = format_count(floor(ex$limits[[limit_name]])), ...,
                hint = how_to_raise(limit_name))
}

# One more layer: the layer count, its output size per sample and the running parameter count.
check_layer <- function(ex, layer, shape, path) {
  count <- length(ex$layers) + 1
  if (count > ex$limits$max_layers) {
    stop(too_large_error(ex, path, "layer_count_limit", "max_layers", name = layer$name, type = layer$type,
                         number = format_count(count)))
  }
  values <- prod(shape[!is.na(shape)])
  if (values > ex$limits$max_activation) {
    stop(too_large_error(ex, path, "activation_limit", "max_activation", name = layer$name, type = layer$type,
                         values = format_count(values)))
  }
  ex$total_params <- ex$total_params + as.numeric(layer$params)
  if (ex$total_params > ex$limits$max_params) {
    stop(too_large_error(ex, path, "params_limit", "max_params", name = layer$name, type = layer$type,
                         params = format_count(ex$total_params)))
  }
}

# How many layers one use of block `name` unrolls to, counted before unrolling
# it. A repeat that alone unrolls to more than max_layers is refused where it
# is written. Blocks that are missing or use themselves count 0 here: the
# expansion reports them.
block_size <- function(ex, name, stack) {
  if (!is.null(ex$sizes[[name]])) return(ex$sizes[[name]])
  if (!name %in% names(ex$blocks) || name %in% stack || length(stack) > fixed_limit("max_block_depth")) return(0)
  size <- 0
  entries <- ex$blocks[[name]][["layers"]]
  for (i in seq_along(entries)) {
    entry <- entries[[i]]
    if (!has_field(entry, "block")) {
      size <- size + 1
      next
    }
    inner <- block_size(ex, entry[["block"]], c(stack, name))
    repeats <- as.numeric(field(entry, "repeat", 1))
    if (has_field(entry, "repeat") && repeats * inner > ex$limits$max_layers) {
      stop(too_large_error(ex, sprintf("/blocks/%s/layers/%d/repeat", name, i - 1L), "repeat_limit", "max_layers",
                           block = entry[["block"]], times = format_count(repeats),
                           layers = format_count(repeats * inner)))
    }
    size <- size + repeats * inner
  }
  ex$sizes[[name]] <- size
  size
}

# Names visible to one layer list: the top level or one repetition of a block.
new_scope <- function(prefix = "", params = list(), input_ref = NULL) {
  scope <- new.env(parent = emptyenv())
  scope$prefix <- prefix
  scope$params <- params # name -> list(value, path): the value and where it was written
  scope$input_ref <- input_ref
  scope$names <- hash_table() # local name -> full name (hash.R)
  scope$order <- character() # the local names, in the order they were first given
  scope$counters <- integer()
  scope
}

set_local_name <- function(scope, local, full) {
  if (!hash_has(scope$names, local)) env_append(scope, "order", local)
  hash_set(scope$names, local, full)
}

auto_name <- function(scope, base) {
  count <- if (base %in% names(scope$counters)) scope$counters[[base]] + 1L else 1L
  scope$counters[[base]] <- count
  sprintf("%s_%d", base, count)
}

# -- references -----------------------------------------------------------------

resolve <- function(ex, ref, scope, path) {
  if (identical(ref, "@input")) {
    if (is.null(scope$input_ref)) {
      stop_spec_at(path, "input_outside_block")
    }
    return(scope$input_ref)
  }
  if (hash_has(scope$names, ref)) return(hash_get(scope$names, ref))
  stop(unknown_reference(ex, ref, scope, path))
}

# Why `ref` names no earlier layer of the scope: it is the layer itself, a later
# layer, a layer on the other side of a block's edge, or no layer at all
# (expand.py's unknown_reference()).
unknown_reference <- function(ex, ref, scope, path) {
  tokens <- strsplit(path, "/", fixed = TRUE)[[1L]] # "", "layers", "3", "inputs", "0" (or "blocks", "b", ...)
  n <- length(tokens)
  if (tokens[[n - 1L]] == "inputs") {
    entries <- if (tokens[[2L]] == "layers") ex$doc[["layers"]] else ex$blocks[[tokens[[3L]]]][["layers"]]
    at <- as.integer(tokens[[n - 2L]]) + 1L
    base <- function(entry) { # what an unnamed entry's name counts
      if (has_field(entry, "block")) entry[["block"]] else ex$types[[entry[["type"]]]]$auto_name
    }
    this <- entries[[at]]
    own <- if (has_field(this, "name")) this[["name"]] else sprintf("%s_%d", base(this), scope$counters[[base(this)]])
    if (identical(ref, own)) return(spec_error_at(path, "reference_self", name = ref))
    counters <- scope$counters # the later entries' names, as the expansion will count them
    for (entry in entries[-seq_len(at)]) {
      if (has_field(entry, "name")) {
        name <- entry[["name"]]
      } else {
        key <- base(entry)
        counters[[key]] <- if (key %in% names(counters)) counters[[key]] + 1L else 1L
        name <- sprintf("%s_%d", key, counters[[key]])
      }
      rest <- if (startsWith(ref, paste0(name, "_"))) substring(ref, nchar(name) + 2L) else ""
      repeats <- as.numeric(field(entry, "repeat", 1))
      repetition <- repeats > 1 && grepl("^[1-9][0-9]{0,14}$", rest, perl = TRUE) && as.numeric(rest) <= repeats
      if (identical(ref, name) || repetition) return(spec_error_at(path, "reference_later", name = ref))
    }
  }
  if (hash_has(ex$full_names, paste0(scope$prefix, ref))) {
    return(spec_error_at(path, "reference_into_block", name = ref))
  }
  if (nzchar(scope$prefix) && hash_has(ex$full_names, ref)) {
    return(spec_error_at(path, "reference_out_of_block", name = ref))
  }
  spec_error_at(path, "unknown_reference", name = ref, hint = suggest(ref, scope$order))
}

# Substitute a "$name" block parameter; list(value, path of where it was written).
param <- function(value, scope, path) {
  name <- param_name(value)
  if (is.null(name)) return(list(value = value, path = path))
  if (!name %in% names(scope$params)) {
    stop_spec_at(path, if (nzchar(scope$prefix)) "unknown_parameter" else "parameter_outside_block", value = value,
                 hint = suggest(name, names(scope$params)))
  }
  scope$params[[name]]
}

claim <- function(ex, local, scope, path) {
  full <- paste0(scope$prefix, local)
  if (hash_has(scope$names, local) || hash_has(ex$full_names, full)) {
    stop_spec_at(path, "duplicate_name", name = full)
  }
  hash_set(ex$full_names, full, TRUE)
  full
}

# -- entries --------------------------------------------------------------------

expand_list <- function(ex, entries, scope, list_path, stack) {
  previous <- scope$input_ref
  for (i in seq_along(entries)) {
    entry <- entries[[i]]
    path <- sprintf("%s/%d", list_path, i - 1L)
    previous <- if (has_field(entry, "block")) {
      expand_block(ex, entry, scope, path, previous, stack)
    } else {
      expand_layer(ex, entry, scope, path, previous)
    }
  }
  stopifnot(!is.null(previous))
  previous
}

inputs_of <- function(ex, entry, scope, path, previous) {
  if (has_field(entry, "inputs")) {
    refs <- entry[["inputs"]]
    return(vapply(seq_along(refs), function(j) resolve(ex, refs[[j]], scope, sprintf("%s/inputs/%d", path, j - 1L)), ""))
  }
  if (is.null(previous)) {
    stop_spec_at(path, "first_not_input")
  }
  previous
}

expand_layer <- function(ex, entry, scope, path, previous) {
  t <- entry[["type"]]
  info <- ex$types[[t]]
  local <- field(entry, "name")
  if (is.null(local) || !nzchar(local)) local <- auto_name(scope, info$auto_name)
  full <- claim(ex, local, scope, if (has_field(entry, "name")) paste0(path, "/name") else path)
  if (t == "Input") {
    if (has_field(entry, "inputs")) {
      stop_spec_at(paste0(path, "/inputs"), "input_with_inputs")
    }
    inputs <- character()
  } else {
    inputs <- inputs_of(ex, entry, scope, path, previous)
  }
  low <- info$arity[[1L]]
  high <- info$arity[[2L]]
  if (length(inputs) < low || (!is.null(high) && length(inputs) > high)) {
    stop_spec_at(paste0(path, "/inputs"), if (is.null(high)) "input_count_min" else "input_count", type = t,
                 want = int_text(low), found = int_text(length(inputs)))
  }
  config <- layer_arguments_config(ex, entry, scope, path, full)
  layer <- list(name = full, type = t, inputs = as.list(inputs), config = config, source = path)
  if (has_field(entry, "weights")) {
    check_weights(entry[["weights"]], paste0(path, "/weights"))
    layer["weights"] <- list(entry[["weights"]])
  }
  shape <- infer(layer, lapply(inputs, function(n) ex$shapes[[n]]))
  layer$output_shape <- shape_json(c(NA, shape$shape))
  layer$params <- as_count(shape$trainable + shape$frozen)
  layer$trainable_params <- as_count(shape$trainable)
  check_layer(ex, layer, shape$shape, path)
  assign(full, shape$shape, envir = ex$shapes)
  env_append(ex, "layers", layer)
  set_local_name(scope, local, full)
  full
}

# Every argument of a layer entry, Keras's default where it is left out, in
# canonical form. A wrapped layer becomes list(type, name, config), named after
# its wrapper ("bilstm_lstm") (expand.py's _Expander.arguments()).
layer_arguments_config <- function(ex, entry, scope, path, name) {
  t <- entry[["type"]]
  args <- ex$types[[t]]$args
  written <- names(entry)
  plan <- layer_plan(t, args)
  if (is.null(plan$template)) { # a default the registry gets wrong: each argument in turn, as written
    config <- empty_object()
    todo <- names(args)
  } else { # the defaults, canonical already; then what the entry writes and what a default derives
    config <- plan$template
    todo <- plan$args[plan$derived | plan$args %in% written]
  }
  for (arg in todo) {
    spec <- args[[arg]]
    if (identical(spec$kind, "layer")) { # required, and never a parameter (the schema says so)
      inner <- entry[[arg]]
      inner_name <- paste0(name, "_", ex$types[[inner[["type"]]]]$auto_name)
      config[[arg]] <- list(type = inner[["type"]], name = inner_name,
                            config = layer_arguments_config(ex, inner, scope, sprintf("%s/%s", path, arg), inner_name))
      next
    }
    where <- NULL # the argument's own pointer, unless a block parameter gave the value
    if (arg %in% written) {
      value <- entry[[arg]]
      if (json_is_string(value) && startsWith(value, "$")) {
        given <- param(value, scope, sprintf("%s/%s", path, arg))
        value <- given$value
        where <- given$path
      }
    } else {
      value <- spec[["default"]]
    }
    if (is.null(value) && has_field(spec, "null_means")) value <- config[[spec$null_means]]
    # (the pointer is only worked out for an error message)
    value <- canonical(t, arg, spec, value, if (is.null(where)) sprintf("%s/%s", path, arg) else where,
                       check = plan$checks[[arg]])
    if (is.null(value)) config[arg] <- list(NULL) else config[[arg]] <- value
  }
  for (arg in names(args)) {
    if (identical(args[[arg]]$kind, "layer") && identical(config$trainable, FALSE)) {
      # a frozen wrapper's layer is frozen: Keras freezes it only when trainable is set after the
      # wrapper is made (given to the wrapper's constructor, the wrapped layer would still train)
      config[[arg]]$config$trainable <- FALSE
    }
  }
  config
}

# A shape as a JSON array: NA becomes null, lengths become integers.
shape_json <- function(shape) {
  out <- vector("list", length(shape))
  for (i in which(!is.na(shape))) out[[i]] <- as_count(shape[[i]])
  out
}

expand_block <- function(ex, entry, scope, path, previous, stack) {
  name <- entry[["block"]]
  if (!name %in% names(ex$blocks)) {
    stop_spec_at(paste0(path, "/block"), "unknown_block", name = name, hint = suggest(name, names(ex$blocks)))
  }
  if (name %in% stack) {
    stop_spec_at(paste0(path, "/block"), "recursive_block", name = name, chain = paste(stack, collapse = " -> "))
  }
  depth <- fixed_limit("max_block_depth")
  if (length(stack) >= depth) {
    stop_spec_at(paste0(path, "/block"), "blocks_too_deep", depth = int_text(depth))
  }
  block <- ex$blocks[[name]]
  defaults <- field(block, "params", empty_object())
  args <- field(entry, "args", empty_object())
  # every argument and default is checked as the layer arguments it stands for, whether or not it
  # is substituted (a default that every use overrides is checked too)
  uses <- param_uses(ex$blocks, name, ex$uses)
  params <- list()
  for (key in names(args)) {
    if (!key %in% names(defaults)) {
      stop_spec_at(sprintf("%s/args/%s", path, key), "unknown_block_argument", name = key, block = name,
                   hint = suggest(key, names(defaults)))
    }
    params[[key]] <- param(args[[key]], scope, sprintf("%s/args/%s", path, key))
    if (is.null(param_name(args[[key]]))) { # a "$name" passed on was checked where its value is written
      check_param_value(args[[key]], uses[[key]], sprintf("%s/args/%s", path, key))
    }
  }
  for (key in names(defaults)) {
    value <- defaults[[key]]
    if (!key %in% names(params)) {
      if (is.null(value)) {
        stop_spec_at(sprintf("%s/args/%s", path, key), "missing_block_argument", block = name, name = key)
      }
      params[[key]] <- list(value = value, path = sprintf("/blocks/%s/params/%s", name, key))
    }
    if (!is.null(value) && !name %in% ex$checked_defaults) {
      check_param_value(value, uses[[key]], sprintf("/blocks/%s/params/%s", name, key))
    }
  }
  ex$checked_defaults <- union(ex$checked_defaults, name)
  local <- field(entry, "name")
  if (is.null(local) || !nzchar(local)) local <- auto_name(scope, name)
  if (has_field(entry, "inputs")) {
    if (length(entry[["inputs"]]) != 1L) {
      stop_spec_at(paste0(path, "/inputs"), "block_inputs")
    }
    current <- resolve(ex, entry[["inputs"]][[1L]], scope, paste0(path, "/inputs/0"))
  } else if (is.null(previous)) {
    stop_spec_at(path, "first_not_input")
  } else {
    current <- previous
  }
  repeats <- as.numeric(field(entry, "repeat", 1))
  where <- if (has_field(entry, "name")) paste0(path, "/name") else path
  if (hash_has(scope$names, local)) {
    stop_spec_at(where, "duplicate_name", name = paste0(scope$prefix, local))
  }
  size <- block_size(ex, name, stack)
  total <- length(ex$layers) + repeats * size
  if (total > ex$limits$max_layers) {
    if (has_field(entry, "repeat")) {
      stop(too_large_error(ex, paste0(path, "/repeat"), "block_repeat_limit", "max_layers", block = name,
                           times = format_count(repeats), layers = format_count(total)))
    }
    stop(too_large_error(ex, path, "block_limit", "max_layers", block = name, layers = format_count(total)))
  }
  # at most max_layers now, unless the limit is off or the block unrolls to nothing (an error, found below)
  repeats <- as.integer(min(repeats, .Machine$integer.max))
  for (r in seq_len(repeats)) {
    rep_name <- if (repeats == 1L) local else sprintf("%s_%d", local, r)
    child <- new_scope(prefix = sprintf("%s%s_", scope$prefix, rep_name), params = params, input_ref = current)
    current <- expand_list(ex, block[["layers"]], child, sprintf("/blocks/%s/layers", name), c(stack, name))
    if (repeats > 1L) set_local_name(scope, rep_name, current)
  }
  set_local_name(scope, local, current)
  current
}

# Fixed weights are arrays of numbers, nested lists in C order (shapes are
# checked when built). Recursion is safe: a spec nests at most 64 levels.
check_weights <- function(weights, path) {
  if (json_is_array(weights)) {
    if (all(vapply(weights, json_is_number, logical(1)))) { # a row of numbers
      big <- which(abs(as.numeric(unlist(weights))) > FLOAT32_MAX)
      if (length(big) > 0L) check_weights(weights[[big[[1L]]]], sprintf("%s/%d", path, big[[1L]] - 1L))
      return(invisible(NULL))
    }
    for (i in seq_along(weights)) check_weights(weights[[i]], sprintf("%s/%d", path, i - 1L))
  } else if (!json_is_number(weights)) {
    stop_spec_at(path, "weight_not_number", found = describe(weights))
  } else if (abs(weights) > FLOAT32_MAX) {
    stop_spec_at(path, "weight_too_large", max = py_repr(FLOAT32_MAX), found = describe(weights))
  }
  invisible(NULL)
}

FLOAT32_MAX <- 3.4028234663852886e38 # the largest float32: a larger weight would silently become infinite

# What expand_layer() needs of a layer type, worked out once per session:
# `args` (the argument names, in the registry's order), `derived` (whether an
# argument's default comes from another argument, "null_means") and `template`
# (the config of a layer that writes no argument, every default in canonical
# form, NULL where a default is derived; NULL if a default is not valid, so
# that the error is signalled at the layer, as the loop over every argument
# does, or if a default derives from an argument that comes after it).
layer_plan <- function(layer_type, args) {
  memo <- cached("layer_plans", function() new.env(parent = emptyenv()))
  plan <- memo[[layer_type]]
  if (!is.null(plan)) return(plan)
  names <- names(args) %||% character()
  derived <- vapply(args, function(spec) is.null(spec[["default"]]) && has_field(spec, "null_means"), logical(1),
                    USE.NAMES = FALSE)
  wrapped <- vapply(args, function(spec) identical(spec$kind, "layer"), logical(1), USE.NAMES = FALSE)
  target_first <- vapply(seq_along(names), function(i) {
    !derived[[i]] || isTRUE(match(args[[i]][["null_means"]], names) < i)
  }, logical(1))
  template <- if (!all(target_first)) NULL else tryCatch({
    config <- empty_object()
    for (i in seq_along(names)) {
      value <- if (derived[[i]] || wrapped[[i]]) NULL else {
        canonical(layer_type, names[[i]], args[[i]], args[[i]][["default"]], "")
      }
      config[names[[i]]] <- list(value)
    }
    config
  }, twinnet_spec_error = function(e) NULL)
  checks <- lapply(seq_along(names), function(i) if (wrapped[[i]]) NULL else arg_validator(layer_type, names[[i]]))
  names(checks) <- names
  plan <- list(args = names, derived = derived, template = template, checks = checks)
  assign(layer_type, plan, envir = memo)
  plan
}

# Check one argument against its kind and write it in canonical form: the one
# place where integers become R integers, so that Keras gets ints.
canonical <- function(layer_type, arg, spec, value, path, check = arg_validator(layer_type, arg)) {
  if (!check(value)) stop(invalid_value_error(layer_type, arg, value, path))
  switch(spec$kind,
    int = ,
    axis = as_int(value),
    ints = if (json_is_array(value)) lapply(value, as_int) else rep(list(as_int(value)), spec$n),
    float = if (is.null(value)) NULL else as.numeric(value),
    shape = lapply(value, function(v) if (is.null(v)) NULL else as_int(v)),
    target_shape = lapply(value, as_int),
    pairs = canonical_pairs(value, spec$n),
    factor = if (json_is_array(value)) { # f is the range [-f, f]
      lapply(value, as.numeric)
    } else if (is.null(value)) NULL else list(0 - as.numeric(value), as.numeric(value)),
    initializer = if (json_is_object(value)) {
      list(class_name = value[["class_name"]], config = field(value, "config", empty_object()))
    } else {
      value
    },
    regularizer = if (json_is_object(value)) { # {"l1": ..., "l2": ...}: L1, L2 or L1L2
      keys <- intersect(c("l1", "l2"), names(value))
      structure(lapply(keys, function(k) as.numeric(value[[k]])), names = keys)
    } else {
      value
    },
    value
  )
}

# Per-axis [before, after] pairs: 1 -> [[1, 1], [1, 1]]; [1, 2] -> [[1, 1], [2, 2]].
canonical_pairs <- function(value, n) {
  if (n == 1L) { # one axis: Keras's flat [before, after]
    return(if (json_is_array(value)) lapply(value, as_int) else rep(list(as_int(value)), 2L))
  }
  if (!json_is_array(value)) {
    p <- as_int(value)
    return(rep(list(list(p, p)), n))
  }
  if (json_is_array(value[[1L]])) return(lapply(value, function(pair) lapply(pair, as_int)))
  lapply(value, function(v) rep(list(as_int(v)), 2L))
}

# An integer for Keras (a double only beyond R's integer range).
as_int <- function(x) if (abs(x) <= .Machine$integer.max) as.integer(x) else round(x)

# -- compile and fit ------------------------------------------------------------

# A compile or fit setting that the schema has checked, in canonical form (as
# canonical() writes arguments; expand.py's setting_value()).
setting_value <- function(arg, value) {
  if (is.null(value)) return(NULL)
  switch(arg[["kind"]],
    int = as_int(value),
    float = as.numeric(value),
    steps = lapply(value, as_int),
    rates = lapply(value, as.numeric),
    value
  )
}

# A schedule or callback (its class named in `key`) with every argument,
# Keras's default where not given.
typed_settings <- function(table, key, entry) {
  args <- table[[entry[[key]]]]
  out <- list()
  out[[key]] <- entry[[key]]
  for (name in names(args)) {
    value <- if (has_field(entry, name)) entry[[name]] else args[[name]][["default"]]
    out[name] <- list(setting_value(args[[name]], value))
  }
  out
}

# A spec's `compile` with every argument of its optimizer written out
# (layers.json's compile tables). Refuses an argument the optimizer does not
# take, null where the optimizer needs a number, more than one way of clipping
# gradients, and a PiecewiseConstantDecay whose boundaries and values do not fit.
expand_compile <- function(settings) {
  table <- registry()[["compile"]]
  optimizer <- settings[["optimizer"]]
  defaults <- table[["optimizer_defaults"]][[optimizer]]
  for (name in names(settings)) {
    if (!name %in% c("optimizer", "loss", "metrics", names(defaults))) {
      takers <- names(Filter(function(args) name %in% names(args), table[["optimizer_defaults"]]))
      stop_spec_at(paste0("/compile/", name), "compile_optimizer_argument", optimizer = optimizer, name = name,
                   optimizers = paste(takers, collapse = ", "))
    }
  }
  out <- list(optimizer = optimizer, loss = settings[["loss"]], metrics = as.list(field(settings, "metrics", list())))
  for (name in names(defaults)) {
    default <- defaults[[name]]
    value <- if (has_field(settings, name)) settings[[name]] else default
    if (is.null(value) && !is.null(default)) {
      stop_spec_at(paste0("/compile/", name), "compile_argument_null", optimizer = optimizer, name = name)
    }
    out[name] <- list(if (name != "learning_rate") {
      setting_value(table[["optimizer_arguments"]][[name]], value)
    } else if (json_is_object(value)) {
      expand_schedule(value)
    } else {
      as.numeric(value)
    })
  }
  clipping <- Filter(function(name) !is.null(settings[[name]]),
                     intersect(names(settings), c("clipnorm", "clipvalue", "global_clipnorm")))
  if (length(clipping) > 1L) {
    stop_spec_at(paste0("/compile/", clipping[[2L]]), "compile_clipping", name = clipping[[2L]], other = clipping[[1L]])
  }
  out
}

# A learning-rate schedule with every argument written out; a
# PiecewiseConstantDecay's lists checked.
expand_schedule <- function(schedule) {
  if (identical(schedule[["schedule"]], "PiecewiseConstantDecay")) {
    boundaries <- as.numeric(unlist(schedule[["boundaries"]]))
    values <- schedule[["values"]]
    for (i in seq_along(boundaries)[-1L]) {
      if (boundaries[[i]] <= boundaries[[i - 1L]]) {
        stop_spec_at(sprintf("/compile/learning_rate/boundaries/%d", i - 1L), "compile_schedule_boundaries",
                     value = int_text(boundaries[[i]]), previous = int_text(boundaries[[i - 1L]]))
      }
    }
    if (length(values) != length(boundaries) + 1L) {
      stop_spec_at("/compile/learning_rate/values", "compile_schedule_values",
                   boundaries = int_text(length(boundaries)), values = int_text(length(values)))
    }
  }
  typed_settings(registry()[["compile"]][["schedules"]], "schedule", schedule)
}

# A spec's `fit` with every setting and every argument of each callback written
# out (layers.json's "fit").
expand_fit <- function(settings) {
  table <- registry()[["fit"]]
  out <- list()
  for (name in names(table[["settings"]])) {
    arg <- table[["settings"]][[name]]
    out[name] <- list(setting_value(arg, if (has_field(settings, name)) settings[[name]] else arg[["default"]]))
  }
  out$callbacks <- lapply(field(settings, "callbacks", list()), function(c) {
    typed_settings(table[["callbacks"]], "callback", c)
  })
  out
}

# ReduceLROnPlateau sets the optimizer's learning rate, which Keras cannot do
# where a schedule gives it.
check_plateau <- function(doc) {
  schedule <- field(field(doc, "compile", empty_object()), "learning_rate")
  if (!json_is_object(schedule)) return(invisible(NULL))
  callbacks <- field(doc[["fit"]], "callbacks", list())
  for (i in seq_along(callbacks)) {
    if (identical(callbacks[[i]][["callback"]], "ReduceLROnPlateau")) {
      stop_spec_at(sprintf("/fit/callbacks/%d", i - 1L), "fit_plateau_schedule", schedule = schedule[["schedule"]])
    }
  }
  invisible(NULL)
}
