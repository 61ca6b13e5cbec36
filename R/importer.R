# Import: a Keras model made of allowlisted layers, written back as a spec
# document (python/twinnet/importer.py; both give the same JSON value).

#' Write a Keras model as a spec
#'
#' Reads a Keras model's configuration (each layer's class name and
#' `get_config()`, and how the layers are wired), maps every layer to its
#' registry type, keeps the arguments the registry knows and writes only those
#' that differ from Keras's defaults. `inputs` is written where a layer does
#' not take the previous layer's output, `outputs` where the model's outputs
#' are not just the last layer. Python's `twinnet.from_keras()` gives the same
#' JSON value for the same model.
#'
#' Anything a spec cannot express (a layer type outside the allowlist, such as
#' `Lambda`; a regularizer other than Keras's L1, L2 and L1L2, or a constraint;
#' `data_format = "channels_first"`; a dtype policy other than float32; an
#' activation or initializer outside the allowlist; `return_state`; a shared
#' layer) is refused with a [twinnet_spec_error] of kind `"unsupported_layer"`
#' whose message names the layer. A compiled model's optimizer (with its
#' arguments and learning-rate schedule), loss and metrics become the spec's
#' `compile`, where a spec can say them; else the error is of kind
#' `"unsupported_setting"`.
#'
#' @param model A functional or Sequential Keras model (a reticulate Python
#'   object, e.g. from [build_model()] or `keras3::keras_model()`).
#' @param name The spec's name; by default the model's name, made a valid
#'   spec name (other characters become `_`, and it starts with a letter).
#' @param compile If `TRUE`, a compiled model's compile settings are written as
#'   the spec's `compile`; `FALSE` leaves them out.
#' @return The spec document as an R list, in the JSON representation that
#'   [load_spec()] reads (`jsonlite::parse_json(simplifyVector = FALSE)`); it
#'   has passed [load_spec()] and builds a model equal to `model`: the same
#'   layers, names, configs and parameter counts.
#' @seealso [build_model()], [to_code()].
#' @examples
#' \dontrun{
#' model <- build_model("lenet5")
#' spec <- from_keras(model, name = "lenet5_again")
#' cat(jsonlite::toJSON(spec, auto_unbox = TRUE, pretty = TRUE))
#' load_spec(spec)
#' }
#' @export
from_keras <- function(model, name = NULL, compile = TRUE) {
  py <- importer_python()
  text <- tryCatch(py$config_json(model), error = function(e) {
    stop_spec_at("", "import_no_config", reason = python_error_text(e))
  })
  config <- jsonlite::parse_json(text, simplifyVector = FALSE)
  if (!json_is_object(config) || !has_field(config, "layers")) {
    stop_spec_at("", "import_not_functional")
  }
  counters <- list()
  layers <- list()
  previous <- NULL
  for (entry in config$layers) {
    cls <- py_str(field(entry, "class_name", ""))
    lname <- py_str(field(field(entry, "config", list()), "name", field(entry, "name", "")))
    type <- if (cls == "InputLayer") "Input" else cls
    if (!identical(field(entry, "module"), "keras.layers") || !type %in% names(layer_types()) || cls == "Input") {
      stop_spec_at("", "import_not_allowed", name = lname, keras_class = cls)
    }
    if (!grepl(spec_pattern("name"), lname, perl = TRUE)) {
      stop(unsupported_layer(lname, cls, "import_name"))
    }
    args <- import_non_default(type, import_args(lname, cls, type, field(entry, "config", empty_object())))
    out <- list(type = type)
    base <- layer_types()[[type]]$auto_name
    count <- field(counters, base, 0L)
    if (identical(lname, sprintf("%s_%d", base, count + 1L))) { # the name the expansion gives it
      counters[[base]] <- count + 1L
    } else {
      out$name <- lname
    }
    inputs <- import_inputs(entry, lname, cls)
    if (is.null(inputs) && type == "Input" && length(layers) > 0L) {
      stop(unsupported_layer(lname, cls, "import_input_after"))
    }
    if (length(inputs) > 0L && !identical(inputs, list(previous))) out$inputs <- inputs
    layers[[length(layers) + 1L]] <- c(out, args)
    previous <- lname
  }
  outputs <- if (has_field(config, "output_layers")) import_refs(config$output_layers) else list(previous)
  doc <- list(format_version = spec_format_version(),
              name = if (is.null(name)) import_spec_name(py_str(config$name)) else name, layers = layers)
  if (!identical(outputs, list(previous))) doc$outputs <- outputs
  if (isTRUE(compile)) doc$compile <- import_compile(model)
  load_spec(doc)
  doc
}

# The shortest decimal that is the same float32 as `value`: what Keras keeps as
# float32 (a learning rate, L1's factor) read back as written
# (0.0010000000474974513 -> 0.001; importer.py's float32_decimal()).
float32_decimal <- function(value) {
  np <- python_module("numpy", "to read the model", convert = FALSE)
  as.numeric(reticulate::py_str(np$float32(value)))
}

# A serialized Keras regularizer as the spec writes it (list(l2 = 0.0001)),
# wrapped in a list (list(NULL) for null); NULL where it is none of L1, L2, L1L2.
import_regularizer <- function(value) {
  if (is.null(value)) return(list(NULL))
  if (!json_is_object(value) || !identical(field(value, "module"), "keras.regularizers") ||
      !is.null(field(value, "registered_name"))) {
    return(NULL)
  }
  keys <- switch(py_str(field(value, "class_name", "")), L1 = "l1", L2 = "l2", L1L2 = c("l1", "l2"), NULL)
  config <- field(value, "config") %||% empty_object()
  if (is.null(keys) || !identical(sort(names(config)), keys) ||
      !all(vapply(config[keys], json_is_number, logical(1)))) {
    return(NULL)
  }
  if (identical(value$class_name, "L1")) return(list(list(l1 = float32_decimal(config$l1)))) # a float32 in Keras
  list(config[keys])
}

# The spec error of a compile setting a spec cannot express.
refuse_setting <- function(key, value) spec_error_at("", "compile_import", key = key, value = import_describe(value))

# Whether `value` is the neutral value `table` gives `key` (of the same JSON type).
import_neutral <- function(table, key, value) has_field(table, key) && json_equal(value, table[[key]])

# A serialized learning-rate schedule as the spec writes it: its class and the
# arguments not at their default.
import_schedule <- function(value) {
  schedules <- registry()$compile$schedules
  cls <- py_str(field(value, "class_name", ""))
  if (!identical(field(value, "module"), "keras.optimizers.schedules") || !cls %in% names(schedules) ||
      !is.null(field(value, "registered_name"))) {
    stop(refuse_setting("learning_rate", value))
  }
  args <- schedules[[cls]]
  out <- list(schedule = cls)
  config <- field(value, "config") %||% empty_object()
  for (key in names(config)) {
    setting <- config[[key]]
    if (key == "name") next
    if (!has_field(args, key)) stop(refuse_setting(paste0("learning_rate.", key), setting))
    if (isTRUE(args[[key]]$required) || !json_equal(setting, args[[key]][["default"]], python = TRUE)) {
      out[key] <- list(setting)
    }
  }
  out
}

# The model's compile configuration (Model.get_compile_config()) as JSON text, read without converting it.
compile_config_json <- function(model) {
  json <- python_module("json", "to read the model", convert = FALSE)
  builtins <- reticulate::import_builtins(convert = FALSE)
  config <- reticulate::py_call(reticulate::py_get_attr(model, "get_compile_config"))
  reticulate::py_to_r(json$dumps(config, default = builtins$repr))
}

# Whether a serialized optimizer is one of keras.optimizers: written as such
# (TensorFlow, JAX), or as the backend's own subclass that stands for it
# (PyTorch's: importer.json's backend_optimizers), under its own name
# (importer.py's _keras_optimizer()).
keras_optimizer <- function(optimizer) {
  module <- field(optimizer, "module")
  cls <- field(optimizer, "class_name")
  registered <- field(optimizer, "registered_name")
  if (identical(module, "keras.optimizers")) return(is.null(registered))
  if (!json_is_string(module) || !json_is_string(cls)) return(FALSE)
  stands_for <- field(import_table()$backend_optimizers, module)
  identical(stands_for, cls) && (is.null(registered) || identical(registered, cls))
}

# A compiled model's compile configuration as a spec's compile (NULL for a
# model not compiled; importer.py's _import_compile()).
import_compile <- function(model) {
  config <- jsonlite::parse_json(compile_config_json(model), simplifyVector = FALSE)
  if (length(config) == 0L) return(NULL)
  table <- registry()$compile
  optimizer <- field(config, "optimizer")
  classes <- unlist(codegen_table()$optimizer_classes)
  if (!json_is_object(optimizer) || !keras_optimizer(optimizer) ||
      !py_str(field(optimizer, "class_name", "")) %in% classes) {
    stop(refuse_setting("optimizer", optimizer))
  }
  opt <- names(classes)[match(optimizer$class_name, classes)]
  defaults <- table$optimizer_defaults[[opt]]
  out <- list(optimizer = opt)
  loss <- field(config, "loss")
  if (!json_is_string(loss) || !loss %in% unlist(table$losses)) stop(refuse_setting("loss", loss))
  out$loss <- loss
  metrics <- field(config, "metrics")
  if (!is.null(metrics)) {
    if (!json_is_array(metrics) ||
        !all(vapply(metrics, function(m) json_is_string(m) && m %in% unlist(table$metrics), logical(1)))) {
      stop(refuse_setting("metrics", metrics))
    }
    if (length(metrics) > 0L) out$metrics <- metrics
  }
  settings <- field(optimizer, "config") %||% empty_object()
  for (key in names(settings)) {
    value <- settings[[key]]
    if (key == "name" || import_neutral(table$import_optimizer_neutral, key, value)) next
    if (!has_field(defaults, key)) stop(refuse_setting(key, value))
    if (key == "learning_rate") value <- if (json_is_object(value)) import_schedule(value) else float32_decimal(value)
    if (!json_equal(value, defaults[[key]], python = TRUE)) out[key] <- list(value)
  }
  for (key in names(config)) {
    if (key %in% c("optimizer", "loss", "metrics", unlist(table$import_compile_ignored))) next
    if (!import_neutral(table$import_compile_neutral, key, config[[key]])) stop(refuse_setting(key, config[[key]]))
  }
  out
}

# What a spec may leave out (importer.py: the same table, shared_specs/importer.json):
# configuration entries outside the registry that hold Keras's default
# ("neutral"; any other value, and any entry not listed, is refused),
# initializers outside the registry (BatchNormalization's) that are the
# registry initializer "neutral_initializers" names, and entries that
# "not_needed_when_null" matches when they are null.
import_table <- function() shared_table("importer.json")

# inst/python/twinnet_bridge.py, converting to R: the model's configuration and Keras's
# initializers as JSON text.
importer_python <- function() {
  cached("importer_python", function() {
    python_module("keras", "to read the model")
    bridge_python(convert = TRUE)
  })
}

# The spec error `error`: what layer `layer` of Keras class `cls` does that a spec cannot express.
unsupported_layer <- function(layer, cls, error, ...) spec_error_at("", error, name = layer, keras_class = cls, ...)

import_describe <- function(value) {
  if (json_is_object(value) && has_field(value, "class_name")) return(py_str(value$class_name))
  to_json(value)
}

# A Keras model name made a valid spec name: other characters become "_", a letter first.
import_spec_name <- function(name) {
  text <- gsub("[^A-Za-z0-9_]", "_", name)
  if (grepl(spec_pattern("name"), text, perl = TRUE)) text else paste0("model_", text)
}

# (registry name, Keras class, Keras config) of each initializer name Keras knows.
initializer_names <- function() {
  cached("initializer_names", function() {
    py <- importer_python()
    out <- list()
    for (name in unlist(registry()$initializers)) {
      text <- py$initializer_json(name)
      if (is.null(text)) next # Keras 3 cannot make "constant" without a value
      ser <- jsonlite::parse_json(text, simplifyVector = FALSE)
      out[[length(out) + 1L]] <- list(name = name, class_name = ser$class_name,
                                       config = field(ser, "config", empty_object()))
    }
    out
  })
}

# A serialized Keras initializer as the spec writes it (a name where one says it), or NULL.
import_initializer <- function(value, default) {
  if (json_is_string(value)) return(if (value %in% unlist(registry()$initializers)) value else NULL)
  if (!json_is_object(value) || !identical(field(value, "module"), "keras.initializers") ||
      !is.null(field(value, "registered_name"))) {
    return(NULL)
  }
  cls <- field(value, "class_name", "")
  config <- field(value, "config") %||% empty_object()
  same <- Filter(function(n) identical(n$class_name, cls) && json_equal(n$config, config, python = TRUE),
                 initializer_names())
  if (length(same) > 0L) {
    names <- vapply(same, function(n) n$name, character(1))
    return(if (!is.null(default) && default %in% names) default else names[[1L]])
  }
  allowed <- registry()$initializer_classes[[cls]]
  if (is.null(allowed)) return(NULL)
  keys <- unlist(allowed$args)
  if (any(vapply(names(config), function(k) !k %in% keys && !is.null(config[[k]]), logical(1)))) return(NULL)
  kept <- config[vapply(names(config), function(k) k %in% keys && !is.null(config[[k]]), logical(1))]
  if (length(kept) == 0L) kept <- empty_object()
  list(class_name = cls, config = kept)
}

# The registry arguments of one layer, every one written out; refuses what a spec cannot say.
import_args <- function(lname, cls, type, config) {
  info <- layer_types()[[type]]
  args <- list()
  if (type == "Input") {
    shape <- field(config, "batch_shape")
    if (!json_is_array(shape) || length(shape) == 0L || !is.null(shape[[1L]])) {
      stop(unsupported_layer(lname, cls, "import_batch_shape", value = import_describe(shape)))
    }
    args$shape <- shape[-1L]
    args$dtype <- field(config, "dtype", "float32")
  }
  for (key in names(config)) {
    value <- config[[key]]
    if (key %in% c("name", "batch_shape") || has_field(args, key)) next
    if (key == "dtype") { # a layer's dtype policy: only the default float32
      policy <- if (json_is_object(value)) field(field(value, "config", list()), "name") else value
      if (!identical(policy, "float32")) {
        stop(unsupported_layer(lname, cls, "import_dtype", value = import_describe(policy)))
      }
      next
    }
    if (has_field(info$args, key)) {
      spec <- info$args[[key]]
      if (spec$kind == "layer") {
        args[key] <- list(import_wrapped(lname, cls, key, value, unlist(spec$types)))
        next
      }
      if (spec$kind == "axis" && json_is_array(value) && length(value) == 1L) { # a built LayerNormalization's [-1]
        value <- value[[1L]]
      }
      if (spec$kind == "initializer") {
        value <- import_initializer(value, spec$default)
        if (is.null(value)) {
          stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(config[[key]])))
        }
      }
      if (spec$kind == "regularizer") {
        value <- import_regularizer(value)
        if (is.null(value)) {
          stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(config[[key]])))
        }
        value <- value[[1L]]
      }
      if (!arg_validator(type, key)(value) || (spec$kind == "activation" && !json_is_string(value))) {
        stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(value)))
      }
      args[key] <- list(value)
      next
    }
    neutral <- import_table()
    if (has_field(neutral$neutral_initializers, key) &&
        identical(import_initializer(value, NULL), neutral$neutral_initializers[[key]])) {
      next
    }
    if (grepl(ecma_pattern(neutral$not_needed_when_null), key, perl = TRUE) && is.null(value)) next
    if (has_field(neutral$neutral, key) && json_equal(value, neutral$neutral[[key]])) next
    if (key %in% unlist(neutral$any_value[[type]]) || import_mirrors(type, key, value, config)) next
    stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(value)))
  }
  args
}

# A wrapper's layer as the spec writes it: its type and arguments, without its
# name (importer.py's _wrapped()).
import_wrapped <- function(lname, cls, key, value, types) {
  inner <- if (json_is_object(value)) field(value, "class_name") else NULL
  if (!json_is_object(value) || !identical(field(value, "module"), "keras.layers") || !json_is_string(inner) ||
      !inner %in% types || !is.null(field(value, "registered_name"))) {
    stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(value)))
  }
  config <- field(value, "config", list())
  set <- import_table()$set_by_wrapper[[cls]]
  for (key in names(set)) {
    if (has_field(config, key) && json_equal(config[[key]], config[[set[[key]]]])) config[[key]] <- NULL
  }
  c(list(type = inner), import_non_default(inner, import_args(lname, cls, inner, config)))
}

# Whether entry `key` is the mirror that importer.json's "mirrored" allows
# (Bidirectional's backward layer; importer.py's _mirrors()).
import_mirrors <- function(type, key, value, config) {
  rule <- import_table()$mirrored[[type]]
  if (is.null(rule) || key != rule$key || !json_is_object(value) || !json_is_object(config[[rule$of]])) return(FALSE)
  other <- config[[rule$of]]
  mine <- field(value, "config", list())
  theirs <- field(other, "config", list())
  flip <- rule$flipped
  rest <- function(cfg) cfg[setdiff(names(cfg), c("name", flip))]
  flipped <- is.logical(mine[[flip]]) && length(mine[[flip]]) == 1L && is.logical(theirs[[flip]]) &&
    length(theirs[[flip]]) == 1L && mine[[flip]] != theirs[[flip]]
  isTRUE(flipped) && json_equal(rest(mine), rest(theirs)) && identical(field(value, "class_name"), field(other, "class_name"))
}

# Only the arguments that differ from Keras's defaults (and those Keras requires), in the registry's order.
import_non_default <- function(type, args) {
  entry <- c(list(type = type), args)
  info <- layer_types()[[type]]$args
  out <- list()
  for (arg in names(info)) {
    if (!has_field(args, arg)) next
    if (arg %in% KERAS_REQUIRED[[type]] || !is_default_arg(entry, arg, info[[arg]], args[[arg]])) {
      out[arg] <- list(args[[arg]])
    }
  }
  out
}

# The names of the layers whose outputs a call's arguments are, in order.
import_history <- function(value, lname, cls) {
  if (json_is_array(value)) return(do.call(c, c(list(list()), lapply(value, import_history, lname, cls))))
  if (json_is_object(value) && identical(field(value, "class_name"), "__keras_tensor__")) {
    history <- value$config$keras_history
    if (history[[2L]] != 0L || history[[3L]] != 0L) {
      stop(unsupported_layer(lname, cls, "import_shared_output"))
    }
    return(list(py_str(history[[1L]])))
  }
  stop(unsupported_layer(lname, cls, "import_call_argument", value = import_describe(value)))
}

# The inputs of one layer of a functional model (NULL for a Sequential model's layers).
import_inputs <- function(entry, lname, cls) {
  if (!has_field(entry, "inbound_nodes")) return(NULL)
  if (cls == "InputLayer") return(list())
  nodes <- entry$inbound_nodes
  if (length(nodes) != 1L) {
    stop(unsupported_layer(lname, cls, "import_shared_layer", count = int_text(length(nodes))))
  }
  node <- nodes[[1L]]
  kwargs <- field(node, "kwargs") %||% list()
  for (key in names(kwargs)) {
    value <- kwargs[[key]]
    recorded <- identical(value, FALSE) || (identical(value, TRUE) && cls %in% unlist(import_table()$records_training))
    if (!is.null(value) && !(key == "training" && recorded)) { # what Keras records itself
      stop(unsupported_layer(lname, cls, "import_call_keyword", key = key, value = import_describe(value)))
    }
  }
  import_history(field(node, "args", list()), lname, cls)
}

# Layer names of Keras's input_layers/output_layers: [name, 0, 0] or a list of them.
import_refs <- function(value) {
  if (length(value) > 0L && json_is_string(value[[1L]])) return(list(value[[1L]]))
  lapply(value, function(v) py_str(v[[1L]]))
}
