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
#' `Lambda`; a regularizer or a constraint; `data_format = "channels_first"`;
#' a dtype policy other than float32; an activation or initializer outside the
#' allowlist; `return_state`; a shared layer) is refused with a
#' [twinnet_spec_error] of kind `"unsupported_layer"` whose message names the
#' layer.
#'
#' @param model A functional or Sequential Keras model (a reticulate Python
#'   object, e.g. from [build_model()] or `keras3::keras_model()`).
#' @param name The spec's name; by default the model's name, made a valid
#'   spec name (other characters become `_`, and it starts with a letter).
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
from_keras <- function(model, name = NULL) {
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
  load_spec(doc)
  doc
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
    reticulate::import_from_path("twinnet_bridge", path = system.file("python", package = "twinnet"),
                                 convert = TRUE)
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
      if (spec$kind == "initializer") {
        value <- import_initializer(value, spec$default)
        if (is.null(value)) {
          stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(config[[key]])))
        }
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
    stop(unsupported_layer(lname, cls, "import_argument", key = key, value = import_describe(value)))
  }
  args
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
    if (!is.null(value) && !(key == "training" && identical(value, FALSE))) { # Keras records training=False
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
