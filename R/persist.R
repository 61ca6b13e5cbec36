# Writing and reading models as .keras files, with Keras's safe mode always on,
# after checking what loading a file costs (python/twinnet/persist.py; both
# refuse the same files with the same reasons).

# What twinnet knows of a .keras file (persist.py: the same table,
# shared_specs/model_files.json): its members, the classes of a whole model,
# the input shapes a layer's config may carry, the tables that estimate a
# layer's weights, where Keras keeps the scope that forces safe mode
# (overriding enable_unsafe_deserialization()), and what Keras says when safe
# mode refuses a file or it runs out of memory.
model_files_table <- function() {
  cached("model_files", function() {
    t <- read_json_file(specs_path("model_files.json"))
    strings <- function(x) as.character(unlist(x))
    t$members$weights <- strings(t$members$weights)
    t$weights$no_weights <- strings(t$weights$no_weights)
    for (k in c("conv_rank", "separable_rank", "depthwise_rank", "rnn_gates")) {
      t$weights[[k]] <- vapply(t$weights[[k]], as.numeric, 0)
    }
    for (k in c("model_classes", "shape_keys", "unsafe_error_classes", "out_of_memory_error_classes")) {
      t[[k]] <- strings(t[[k]])
    }
    t
  })
}

config_member <- function() model_files_table()$members$config

# The template `error` of messages.json's "model_file_errors", its placeholders
# filled with text the caller formatted (persist.py's model_file_text()).
model_file_text <- function(error, ...) fill_template(model_file_entry(error)$message, list(...))

# The twinnet_model_file_error of the file `label` whose reason is the entry
# `error` of messages.json's "model_file_errors", of the entry's kind, its
# placeholders filled (persist.py's model_file_refusal()).
model_file_refusal <- function(label, error, ..., detail = NULL) {
  entry <- model_file_entry(error)
  model_file_error(label, fill_template(entry$message, list(...)), entry$kind, detail)
}

model_file_entry <- function(error) {
  entry <- shared_table("messages.json")$model_file_errors[[error]]
  if (is.null(entry)) stop(sprintf("internal error: no entry '%s' in messages.json's model_file_errors", error))
  entry
}

#' Write and read models as .keras files
#'
#' `write_model()` writes a Keras model (architecture, weights, compile
#' settings) to a `.keras` file; `read_model()` reads one back, always in
#' Keras's safe mode. Files cross languages: Python's `twinnet.read_model()`
#' reads what `write_model()` writes, and the reverse. (The names differ from
#' keras3's `save_model()` and `load_model()`, which twinnet never masks.)
#'
#' A `.keras` file may name Python code: a lambda (a `Lambda` layer made with
#' `lambda x: ...`) or a function or class from some module. Keras's safe mode
#' refuses to run it, and `read_model()` keeps safe mode on even after
#' `keras.config.enable_unsafe_deserialization()`. The refusal is a condition
#' of class `twinnet_unsafe_model_error` (Python: `twinnet.UnsafeModelError`)
#' with the fields `path` and `reason` (what Keras said); nothing of the file
#' has run. A Keras without the scope that keeps safe mode on gets no file
#' loaded at all.
#'
#' A file is data from anywhere, so before Keras reads it `read_model()`
#' checks, from the archive's directory alone, that its members are not too
#' large (`config.json` and `metadata.json` at most 10,000,000 bytes, all of
#' them together at most `getOption("twinnet.max_model_bytes")`); then it reads
#' and parses `config.json` itself, with the bounds of a spec, checks that it
#' describes a Keras object, and estimates the weights of the model it
#' describes against the limits `twinnet.max_params` and `twinnet.max_layers`
#' (see [twinnet_limits]). Whatever fails, there or in Keras, is a condition
#' of class `twinnet_model_file_error` (see [twinnet_model_file_error]).
#'
#' @param model A Keras model, e.g. from [build_model()].
#' @param path The file: its name ends in `.keras`. `write_model()` replaces
#'   an existing file; `read_model()` reads only a file on this machine (not a
#'   URL, not a legacy `.h5` file).
#' @return `write_model()` returns `path`, invisibly; `read_model()` returns
#'   the Keras model (a reticulate Python object).
#' @seealso [build_model()], [serialize_model()]
#' @examples
#' \dontrun{
#' model <- build_model("mnist_mlp", seed = 1)
#' path <- write_model(model, tempfile(fileext = ".keras"))
#' same <- read_model(path)
#' tryCatch(read_model("untrusted.keras"),
#'          twinnet_unsafe_model_error = function(e) conditionMessage(e),
#'          twinnet_model_file_error = function(e) e$reason)
#' }
#' @export
write_model <- function(model, path) {
  check_keras_path(path)
  model$save(path.expand(path))
  invisible(path)
}

#' @rdname write_model
#' @export
read_model <- function(path) {
  if (!json_is_string(path)) {
    stop(model_file_refusal(py_repr(path), "name_not_keras"))
  }
  load_checked(path, path)
}

#' A model file that twinnet does not load
#'
#' [read_model()] and [unserialize_model()] signal a condition of class
#' `twinnet_model_file_error` (Python: `twinnet.ModelFileError`, a
#' `ValueError`) for a file they do not load, and one of class
#' `twinnet_unsafe_model_error` for a file that carries code. The same file
#' gives the same class and `reason` in both languages.
#'
#' The condition has the fields
#' * `path`: the file (`"<bytes>"` for [unserialize_model()]);
#' * `reason`: what is wrong, such as `"config.json is not valid JSON"` or
#'   `"layer 'dense' (Dense) brings the model it describes to about
#'   1,000,001,000,000 parameters, above the limit of 500,000,000"`;
#' * `kind`: `"not_found"`, `"not_a_keras_file"`, `"malformed"`,
#'   `"too_large"` or `"no_safe_mode"`;
#' * `detail`: more, in R's words (how to raise a limit, where the JSON parser
#'   stopped), or `NULL`.
#'
#' @examples
#' if (reticulate::py_module_available("zipfile")) {
#'   file <- tempfile(fileext = ".keras")
#'   writeLines("not a zip archive", file)
#'   err <- tryCatch(read_model(file), twinnet_model_file_error = function(e) e)
#'   print(err$kind)
#'   print(err$reason)
#' }
#' @name twinnet_model_file_error
NULL

model_file_error <- function(path, reason, kind = "malformed", detail = NULL) {
  message <- if (is.null(detail)) {
    model_file_text("refused", path = path, reason = reason)
  } else {
    model_file_text("refused_detail", path = path, reason = reason, detail = detail)
  }
  structure(
    class = c("twinnet_model_file_error", "error", "condition"),
    list(message = message, call = NULL, path = path, reason = reason, kind = kind, detail = detail)
  )
}

unsafe_model_error <- function(path, reason) {
  message <- model_file_text("unsafe", path = path, reason = reason)
  structure(
    class = c("twinnet_unsafe_model_error", "error", "condition"),
    list(message = message, call = NULL, path = path, reason = reason)
  )
}

check_keras_path <- function(path) {
  if (!json_is_string(path) || !grepl("\\.keras$", path)) {
    stop(model_file_text("not_keras_name", found = py_repr(path)), call. = FALSE)
  }
}

# Check the file `path` (named `label` in conditions), then load it in Keras's safe mode.
load_checked <- function(path, label) {
  if (!grepl("\\.keras$", path)) {
    stop(model_file_refusal(label, "name_not_keras"))
  }
  if (!is_file(path)) stop(model_file_refusal(label, "no_such_file"))
  if (!identical(unname(file.access(path, 4L)), 0L)) {
    stop(model_file_refusal(label, "no_permission"))
  }
  file <- path.expand(path)
  py <- persist_python()
  if (!isTRUE(py$is_zip(file))) {
    stop(model_file_refusal(label, "not_zip"))
  }
  text <- read_config(file, label)
  config <- check_config(label, text)
  check_cost(label, config, text)
  keras_module()
  module <- safe_mode_module(label)
  # a compiled model gets the jit_compile of Keras's "auto" on this backend, not the file's
  # (persist.py's use_auto_jit_compile() says why)
  compiled <- field(config, "compile_config")
  loaded <- py$load_safely(file, module, json_is_object(compiled) && length(compiled) > 0L)
  if (!is.null(loaded[[2L]])) stop(keras_failure(label, loaded[[2L]], loaded[[3L]]))
  loaded[[1L]]
}

# The twinnet condition for an exception of class `kind` that Keras raised while loading.
keras_failure <- function(label, kind, message) {
  reason <- refusal_reason(message)
  t <- model_files_table()
  if (kind %in% t$unsafe_error_classes && grepl(ecma_pattern(t$unsafe_pattern), reason, perl = TRUE)) {
    return(unsafe_model_error(label, reason))
  }
  pattern <- field(t$out_of_memory_messages, kind)
  if (kind %in% t$out_of_memory_error_classes ||
      (!is.null(pattern) && grepl(ecma_pattern(pattern), reason, perl = TRUE))) {
    return(model_file_refusal(label, "keras_out_of_memory", exception = kind, cause = reason))
  }
  model_file_refusal(label, "keras_cannot_load", exception = kind, cause = reason)
}

# The cause in a Keras loading error: Keras wraps it in "... Exception encountered: <cause>".
refusal_reason <- function(message) {
  parts <- strsplit(message, "Exception encountered: ", fixed = TRUE)[[1L]]
  cause <- py_strip(if (length(parts) > 0L) parts[[length(parts)]] else "")
  if (nzchar(cause)) strsplit(cause, "\n", fixed = TRUE)[[1L]][[1L]] else ""
}

# The module with Keras's scope that forces safe mode; a twinnet_model_file_error
# where this Keras has none (fail closed).
safe_mode_module <- function(label, module = model_files_table()$safe_mode_module) {
  if (!isTRUE(persist_python()$has_safe_mode(module))) {
    stop(model_file_refusal(label, "no_safe_mode", module = module))
  }
  module
}

# Python helpers of inst/python/twinnet_bridge.py (converting to R): the archive's
# directory and members (through Python's zipfile, as Keras reads them), the config
# for from_keras(), and the load in safe mode. Each returns what went wrong instead of raising.
persist_python <- function() {
  cached("persist_python", function() {
    python_module("zipfile", "to read a .keras file")
    bridge_python(convert = TRUE)
  })
}

# -- the archive -------------------------------------------------------------------

count_or_inf <- function(n) if (is.finite(n)) format_count(n) else "infinitely many"

# The text of the archive's config.json, after checking the sizes of its members.
read_config <- function(file, label) {
  py <- persist_python()
  listed <- py$members(file)
  if (!is.null(listed[[2L]])) {
    stop(model_file_refusal(label, "unreadable_zip", problem = listed[[2L]]))
  }
  check_members(label, listed[[1L]])
  read <- py$read_member(file, config_member(), fixed_limit("max_spec_bytes"))
  if (!is.null(read[[2L]])) {
    stop(model_file_refusal(label, "unreadable_zip", problem = read[[2L]]))
  }
  bytes <- read[[1L]]
  probe <- bytes
  probe[probe == as.raw(0L)] <- as.raw(0x20L) # R strings hold no NUL; it changes no UTF-8 sequence
  text <- rawToChar(probe)
  Encoding(text) <- "UTF-8"
  if (!validUTF8(text)) stop(model_file_refusal(label, "not_utf8", member = config_member()))
  if (any(bytes == as.raw(0L))) {
    stop(model_file_refusal(label, "config_not_json", member = config_member(),
                            detail = "invalid JSON: a NUL character"))
  }
  text
}

# Refuse an archive by its directory: list(name, uncompressed size, compressed size) per member.
check_members <- function(label, members) {
  names <- vapply(members, function(m) m[[1L]], "")
  sizes <- vapply(members, function(m) as.numeric(m[[2L]]), 0)
  packed <- vapply(members, function(m) as.numeric(m[[3L]]), 0)
  if (!config_member() %in% names) stop(model_file_refusal(label, "no_config", member = config_member()))
  configuration <- unlist(model_files_table()$members[c("config", "metadata")])
  max_bytes <- fixed_limit("max_spec_bytes")
  for (i in seq_along(members)) {
    if (names[[i]] %in% configuration && sizes[[i]] > max_bytes) {
      stop(model_file_refusal(label, "member_too_large", member = names[[i]], size = format_count(sizes[[i]]),
                              packed = format_count(packed[[i]]), max = format_count(max_bytes)))
    }
  }
  total <- Reduce(`+`, sizes, 0)
  limit <- get_limit("max_model_bytes")
  if (total > limit) {
    stop(model_file_refusal(label, "members_too_large", size = format_count(total),
                            packed = format_count(Reduce(`+`, packed, 0)), limit = count_or_inf(floor(limit)),
                            detail = how_to_raise("max_model_bytes")))
  }
  weights <- model_files_table()$members$weights
  if (!any(weights %in% names)) {
    stop(model_file_refusal(label, "no_weights", first = weights[[1L]], second = weights[[2L]]))
  }
  invisible(NULL)
}

# What a JSON value is, for messages (errors.py's json_kind()).
json_kind <- function(x) {
  if (is.null(x)) return("null")
  if (is.logical(x)) return("true or false")
  if (is.numeric(x)) return("a number")
  if (is.character(x)) return("a string")
  if (json_is_array(x)) "an array" else "an object"
}

# The parsed config.json, refused unless it describes a Keras object.
check_config <- function(label, text) {
  config <- tryCatch(parse_json(text), twinnet_spec_error = function(e) e)
  if (inherits(config, "twinnet_spec_error")) {
    if (config$kind == "too_deep") {
      stop(model_file_refusal(label, "config_too_deep", member = config_member(),
                              depth = format_whole(fixed_limit("max_json_depth"))))
    }
    if (config$kind == "duplicate_key") {
      stop(model_file_refusal(label, "config_duplicate_key", member = config_member(), detail = config$message))
    }
    stop(model_file_refusal(label, "config_not_json", member = config_member(), detail = config$message))
  }
  if (!json_is_object(config)) {
    stop(model_file_refusal(label, "config_not_object", member = config_member(), found = json_kind(config)))
  }
  cls <- field(config, "class_name")
  inner <- field(config, "config")
  if (!json_is_string(cls) || !json_is_object(inner)) {
    stop(model_file_refusal(label, "config_not_keras", member = config_member()))
  }
  if (cls %in% model_files_table()$model_classes) {
    layers <- field(inner, "layers")
    if (!json_is_array(layers)) {
      stop(model_file_refusal(label, "model_without_layers", member = config_member(), cls = cls))
    }
    for (i in seq_along(layers)) {
      entry <- layers[[i]]
      if (!(json_is_object(entry) && json_is_string(field(entry, "class_name")) &&
            json_is_object(field(entry, "config")))) {
        stop(model_file_refusal(label, "layer_not_object", index = format_whole(i - 1L), member = config_member()))
      }
    }
  }
  config
}

# -- what the model costs ------------------------------------------------------------

# A size from a config: a number of at least 1, rounded down; anything else counts as 1.
config_dim <- function(v) if (json_is_number(v) && v >= 1) floor(as.numeric(v)) else 1

is_shape <- function(v) {
  json_is_array(v) && length(v) > 0L && all(vapply(v, function(x) is.null(x) || json_is_number(x), logical(1)))
}

# The first shape (an array of numbers and nulls) in a value, depth first.
first_shape <- function(v) {
  if (is_shape(v)) return(v)
  if (is.list(v)) {
    for (child in v) {
      found <- first_shape(child)
      if (!is.null(found)) return(found)
    }
  }
  NULL
}

# The shape of the first Keras tensor that a layer's inbound node records, depth first.
first_tensor_shape <- function(v) {
  if (!is.list(v)) return(NULL)
  if (json_is_object(v)) {
    c <- field(v, "config")
    if (identical(field(v, "class_name"), "__keras_tensor__") && json_is_object(c) && is_shape(field(c, "shape"))) {
      return(c$shape)
    }
  }
  for (child in v) {
    found <- first_tensor_shape(child)
    if (!is.null(found)) return(found)
  }
  NULL
}

# The input shapes an object of a config records: its build_config, its inbound nodes, its config.
input_shapes <- function(obj) {
  out <- list()
  build <- field(obj, "build_config")
  if (json_is_object(build)) {
    found <- first_shape(field(build, "input_shape"))
    if (!is.null(found)) out[[length(out) + 1L]] <- found
  }
  nodes <- field(obj, "inbound_nodes")
  if (json_is_array(nodes)) {
    for (node in nodes) {
      found <- first_tensor_shape(node)
      if (!is.null(found)) out[[length(out) + 1L]] <- found
    }
  }
  c <- obj$config
  for (key in model_files_table()$shape_keys) {
    found <- first_shape(field(c, key))
    if (!is.null(found)) out[[length(out) + 1L]] <- found
  }
  if (!identical(obj$class_name, "Embedding") && json_is_number(field(c, "input_dim"))) {
    out[[length(out) + 1L]] <- list(c$input_dim)
  }
  out
}

# The size of the axis a layer's weights grow with: the channels, the last axis unless channels_first.
feature_size <- function(shape, c) {
  if (length(shape) == 0L) return(1)
  i <- if (identical(field(c, "data_format"), "channels_first") && length(shape) >= 2L) 2L else length(shape)
  config_dim(shape[[i]])
}

kernel_size_of <- function(size, rank) {
  k <- 1
  if (json_is_number(size)) {
    for (r in seq_len(rank)) k <- k * config_dim(size)
  } else if (json_is_array(size)) {
    for (v in size) k <- k * config_dim(v)
  }
  k
}

axis_size <- function(shape, axis) {
  if (length(shape) == 0L) return(1)
  axes <- if (json_is_array(axis)) axis else if (!is.null(axis)) list(axis) else list(-1)
  size <- 1
  for (a in axes) {
    if (json_is_number(a) && a == floor(a)) {
      i <- if (a >= 0) a else length(shape) + a
      if (i >= 0 && i < length(shape)) size <- size * config_dim(shape[[i + 1L]])
    }
  }
  size
}

# Whether an object of a config is a Keras layer (or may be one): its module says so, or it has none.
layer_like <- function(obj) {
  module <- field(obj, "module")
  !startsWith(obj$class_name, "__") &&
    (is.null(module) || (json_is_string(module) &&
                           (startsWith(module, "keras.layers") || startsWith(module, "keras.src.layers"))))
}

# A layer's bias: `size` values, none where its config says "use_bias": false.
bias_size <- function(c, size) if (identical(field(c, "use_bias"), FALSE)) 0 else size

# How many vectors of the normalized axis's size a normalization keeps
# (model_files.json's norm_vectors): gamma and beta unless the config says
# false, the statistics, and more for a key it sets to true.
norm_vectors <- function(c, rule) {
  kept <- vapply(rule$unless_false, function(key) !identical(field(c, key), FALSE), logical(1))
  more <- vapply(names(rule$when_true), function(key) {
    if (isTRUE(field(c, key))) as.numeric(rule$when_true[[key]]) else 0
  }, 0)
  rule$always + sum(kept) + sum(more)
}

# The weights of one object of a config whose input has `shape`: exact for
# known layer types (an upper bound for a LayerNormalization with the
# deprecated rms_scaling), else the product of the two largest sizes in its
# config and its input's last axis.
layer_weights <- function(obj, shape) {
  w <- model_files_table()$weights
  cls <- obj$class_name
  c <- obj$config
  f <- feature_size(shape, c)
  if (cls == "Dense") {
    u <- config_dim(field(c, "units"))
    return(f * u + bias_size(c, u))
  }
  if (cls %in% names(w$conv_rank)) {
    n <- config_dim(field(c, "filters"))
    groups <- config_dim(field(c, "groups"))
    per_group <- if (f %% groups == 0) f / groups else f # channels that don't split: Keras refuses the layer
    return(kernel_size_of(field(c, "kernel_size"), w$conv_rank[[cls]]) * per_group * n + bias_size(c, n))
  }
  if (cls %in% names(w$separable_rank)) {
    n <- config_dim(field(c, "filters"))
    m <- config_dim(field(c, "depth_multiplier"))
    return(kernel_size_of(field(c, "kernel_size"), w$separable_rank[[cls]]) * f * m + f * m * n + bias_size(c, n))
  }
  if (cls %in% names(w$depthwise_rank)) {
    m <- config_dim(field(c, "depth_multiplier"))
    return(kernel_size_of(field(c, "kernel_size"), w$depthwise_rank[[cls]]) * f * m + bias_size(c, f * m))
  }
  if (cls == "Embedding") return(config_dim(field(c, "input_dim")) * config_dim(field(c, "output_dim")))
  if (cls %in% names(w$rnn_gates)) {
    u <- config_dim(field(c, "units"))
    gates <- w$rnn_gates[[cls]]
    second <- w$rnn_second_bias[[cls]]
    biases <- if (!is.null(second) && !identical(field(c, second), FALSE)) 2 else 1
    return(gates * (f * u + u * u) + bias_size(c, biases * gates * u))
  }
  if (cls %in% names(w$norm_vectors)) {
    return(norm_vectors(c, w$norm_vectors[[cls]]) * axis_size(shape, field(c, "axis", -1)))
  }
  if (cls %in% w$no_weights || !layer_like(obj)) return(0)
  sizes <- f
  keys <- names(c)
  for (i in seq_along(c)) {
    if (grepl("seed", tolower(keys[[i]]), fixed = TRUE)) next
    v <- c[[i]]
    if (json_is_number(v)) {
      sizes <- c(sizes, config_dim(v))
    } else if (is_shape(v)) {
      sizes <- c(sizes, vapply(v, config_dim, 0))
    }
  }
  sizes <- sort(sizes, decreasing = TRUE)
  sizes[[1L]] * (if (length(sizes) > 1L) sizes[[2L]] else 1)
}

layer_name_of <- function(obj) {
  name <- field(obj$config, "name")
  if (json_is_string(name)) name else "?"
}

# Whether building a layer may allocate weights that grow with its input: its
# type has such weights, or is one twinnet does not know.
needs_shape <- function(obj) {
  w <- model_files_table()$weights
  cls <- obj$class_name
  if (cls %in% c("Embedding", "InputLayer", w$no_weights)) return(FALSE)
  cls %in% c("Dense", names(w$conv_rank), names(w$separable_rank), names(w$depthwise_rank), names(w$rnn_gates),
             names(w$norm_vectors)) || layer_like(obj)
}

# Whether a layer records the input shape Keras built it for (Keras builds it so before anything else).
built_shape <- function(obj) {
  build <- field(obj, "build_config")
  json_is_object(build) && !is.null(first_shape(field(build, "input_shape")))
}

# A walk through a config, depth first in document order, adding up the
# weights of each object (persist.py's _Estimate).
new_estimate <- function(label) {
  st <- new.env(parent = emptyenv())
  st$label <- label
  st$total <- 0
  st$layers <- 0
  st$max_params <- get_limit("max_params")
  st$max_layers <- get_limit("max_layers")
  st$unshaped <- NULL
  st
}

estimate_walk <- function(st, value, context, entry = FALSE) {
  if (!is.list(value)) return(invisible(NULL))
  if (json_is_array(value)) {
    for (v in value) estimate_walk(st, v, context)
    return(invisible(NULL))
  }
  layers <- field(value, "layers")
  if (json_is_array(layers)) {
    st$layers <- st$layers + length(layers)
    if (st$layers > st$max_layers) {
      stop(model_file_refusal(st$label, "too_many_layers", member = config_member(), count = format_count(st$layers),
                              limit = count_or_inf(floor(st$max_layers)), detail = how_to_raise("max_layers")))
    }
  }
  cls <- field(value, "class_name")
  c <- field(value, "config")
  if (json_is_string(cls) && json_is_object(c)) {
    if (entry && is.null(st$unshaped) && needs_shape(value) && !built_shape(value)) st$unshaped <- value
    own <- input_shapes(value)
    if (length(own) > 0L) context <- own
    weights <- if (length(context) > 0L) {
      max(vapply(context, function(s) layer_weights(value, s), 0))
    } else {
      layer_weights(value, NULL)
    }
    estimate_add(st, value, weights)
    if (cls == "Bidirectional" && json_is_object(field(c, "layer")) && !json_is_object(field(c, "backward_layer"))) {
      estimate_walk(st, c$layer, context) # Keras makes the backward layer as a copy of the forward one
    }
  }
  keys <- names(value)
  for (i in seq_along(value)) {
    v <- value[[i]]
    if (keys[[i]] == "layers" && json_is_array(v)) {
      for (item in v) estimate_walk(st, item, context, entry = TRUE)
    } else {
      estimate_walk(st, v, context)
    }
  }
  invisible(NULL)
}

estimate_add <- function(st, obj, weights) {
  st$total <- st$total + weights
  if (st$total > st$max_params) {
    stop(model_file_refusal(st$label, "too_many_params", name = layer_name_of(obj), cls = obj$class_name,
                            count = count_or_inf(st$total), limit = count_or_inf(floor(st$max_params)),
                            detail = how_to_raise("max_params")))
  }
}

# For a model of allowlisted layers, the limits of a spec on its expansion
# (exact shapes and counts). Returns whether the model is one a spec can express.
check_imported <- function(label, config, text) {
  if (!config$class_name %in% model_files_table()$model_classes) return(FALSE)
  holder <- persist_python()$ConfigHolder(text)
  result <- tryCatch(
    {
      from_keras(holder, name = "imported", compile = FALSE)
      TRUE
    },
    twinnet_spec_error = function(e) e,
    error = function(e) FALSE # not a model a spec can express: the estimate stands
  )
  if (inherits(result, "twinnet_spec_error")) {
    if (identical(result$kind, "too_large")) {
      stop(model_file_refusal(label, "spec_too_large", message = result$message, detail = result$hint))
    }
    return(FALSE)
  }
  result
}

# Refuse a config whose model would cost more than the limits, before Keras
# allocates any of it (persist.py's check_cost()).
check_cost <- function(label, config, text) {
  st <- new_estimate(label)
  estimate_walk(st, config, list())
  imported <- check_imported(label, config, text)
  if (!is.null(st$unshaped) && !imported) {
    obj <- st$unshaped
    stop(model_file_refusal(label, "no_input_shape", name = layer_name_of(obj), cls = obj$class_name))
  }
  invisible(NULL)
}
