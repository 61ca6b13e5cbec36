# Code generation: a spec written out as the Keras code a student would write
# (python/twinnet/codegen.py; both give the same text, byte for byte).

#' Write a spec out as Keras code
#'
#' Gives the program a student would write to build the spec's model: Python
#' Keras (`keras.Sequential` for a chain, the functional API for a graph), R
#' in keras3 style (`keras_model_sequential() |> layer_conv_2d(...)`, or
#' `keras_input()` and `keras_model()` for a graph), or R on plain reticulate
#' (`keras$layers$Conv2D(...)`), which runs where keras3 is not installed.
#' Blocks become functions, called once per use and repetition; every layer is
#' named as [expand()] names it, so the code builds a model equal to
#' [build_model()]. Only arguments that differ from Keras's defaults are
#' written. Python's `twinnet.to_code()` gives the same text.
#'
#' @param spec Anything [load_spec()] accepts.
#' @param language `"python"`, `"r"` (keras3 style) or `"r-reticulate"`.
#' @return The program, one string ending in a newline; it assigns the model
#'   to `model`. Print it with `cat()`.
#' @seealso [keras3_functions()], the keras3 names that the `"r"` code uses.
#' @examples
#' cat(to_code("lenet5", "r"))
#' cat(to_code("mini_resnet", "python"))
#' @export
to_code <- function(spec, language = c("python", "r", "r-reticulate")) {
  language <- match.arg(language)
  spec <- load_spec(spec)
  graph <- expand(spec)
  program(new_generator(spec$data, graph, language))
}

#' The keras3 functions that generated R code calls
#'
#' The table [to_code()] is checked against: each keras3 function that the
#' `"r"` code may call, with the argument names it may pass (from the keras3
#' reference; the table is `keras3.json` among the package's specs). Every
#' layer function also takes `name` and `trainable` through `...`.
#'
#' @return A named list: function name -> character vector of argument names.
#' @examples
#' keras3_functions()[["layer_conv_2d"]]
#' @export
keras3_functions <- function() {
  lapply(keras3_table()$functions, function(args) as.character(unlist(args)))
}

# shared_specs/keras3.json, the one table both packages use.
keras3_table <- function() cached("keras3", function() read_json_file(specs_path("keras3.json")))

r_layer_function <- function(type) keras3_table()$layer_functions[[type]]

OPTIMIZER_CLASSES <- c(
  sgd = "SGD", adam = "Adam", adamw = "AdamW", rmsprop = "RMSprop", adagrad = "Adagrad",
  adadelta = "Adadelta", adamax = "Adamax", nadam = "Nadam", ftrl = "Ftrl", lion = "Lion"
)

# Arguments Keras requires although the registry gives them a default: always written.
KERAS_REQUIRED <- list(AveragePooling1D = "pool_size", AveragePooling2D = "pool_size")

# Names a variable may not take, in either language (they get a trailing "_").
RESERVED_NAMES <- c(
  "x", "inputs", "name", "model", "keras", "layers", "np",
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
  "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
  "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
  "FALSE", "TRUE", "NULL", "NA", "NaN", "Inf", "function", "repeat", "next"
)

LANGUAGE_WORDS <- c(python = "Python Keras code", r = "R code (keras3)", `r-reticulate` = "R code (reticulate)")

PARAM_PATTERN <- "^\\$[A-Za-z][A-Za-z0-9_]*$"

is_param_ref <- function(v) json_is_string(v) && grepl(PARAM_PATTERN, v)

# GlorotUniform -> glorot_uniform.
snake_case <- function(class_name) tolower(gsub("(?<!^)(?=[A-Z])", "_", class_name, perl = TRUE))

variable_name <- function(name) if (name %in% RESERVED_NAMES) paste0(name, "_") else name

new_generator <- function(doc, graph, language) {
  gen <- new.env(parent = emptyenv())
  gen$doc <- doc
  gen$graph <- graph
  gen$lang <- language
  gen$py <- language == "python"
  gen$k3 <- language == "r"
  gen$indent <- if (gen$py) "    " else "  "
  gen$assign <- if (gen$py) " = " else " <- "
  gen$blocks <- field(doc, "blocks", list())
  gen$sequential <- is_chain(graph)
  gen$lines <- character()
  gen
}

emit <- function(gen, ...) gen$lines <- c(gen$lines, ...)

# -- values -------------------------------------------------------------------

# A JSON value (or a "$param" reference, when params) as a literal of the language.
code_value <- function(gen, v, params = FALSE) {
  if (params && is_param_ref(v)) return(variable_name(substring(v, 2L)))
  if (is.null(v)) return(if (gen$py) "None" else "NULL")
  if (is.logical(v) && !is.list(v)) {
    return(if (gen$py) (if (v) "True" else "False") else (if (v) "TRUE" else "FALSE"))
  }
  if (is.integer(v)) return(if (gen$lang == "r-reticulate") paste0(v, "L") else as.character(v))
  if (is.numeric(v)) return(py_number(v))
  if (is.character(v)) return(ascii_json(v))
  if (json_is_object(v)) return(code_initializer(gen, v, params))
  items <- vapply(v, code_value, "", gen = gen, params = params)
  if (gen$py) {
    return(if (length(items) == 1L) sprintf("(%s,)", items) else paste0("(", paste(items, collapse = ", "), ")"))
  }
  scalars <- all(!vapply(v, is.list, logical(1)))
  if (gen$k3 && scalars) {
    parts <- vapply(v, function(e) if (is.null(e)) "NA" else code_value(gen, e, params), "")
    return(paste0("c(", paste(parts, collapse = ", "), ")"))
  }
  if (!gen$k3 && scalars && length(v) > 1L && all(vapply(v, is.integer, logical(1)))) {
    return(paste0("c(", paste(items, collapse = ", "), ")"))
  }
  paste0("list(", paste(items, collapse = ", "), ")")
}

code_initializer <- function(gen, v, params) {
  config <- field(v, "config", list())
  args <- vapply(names(config), function(k) code_kwarg(gen, k, code_value(gen, config[[k]], params)), "",
                 USE.NAMES = FALSE)
  cls <- v$class_name
  fn <- if (gen$py) paste0("keras.initializers.", cls) else if (gen$k3) paste0("initializer_", snake_case(cls))
        else paste0("keras$initializers$", cls)
  sprintf("%s(%s)", fn, paste(args, collapse = ", "))
}

code_kwarg <- function(gen, key, text) if (gen$py) paste0(key, "=", text) else paste0(key, " = ", text)

code_name <- function(gen, local, in_block) {
  if (!in_block) return(ascii_json(local))
  if (gen$py) sprintf("f\"{name}_%s\"", local) else sprintf("paste0(name, \"_%s\")", local)
}

# A list of expressions: [a, b] in Python, list(a, b) in R.
code_vector <- function(gen, items) {
  if (gen$py) paste0("[", paste(items, collapse = ", "), "]") else paste0("list(", paste(items, collapse = ", "), ")")
}

join_args <- function(args) paste(args, collapse = ", ")

# -- layers -------------------------------------------------------------------

layer_args <- function(gen, entry, in_block, local) {
  info <- layer_types()[[entry$type]]
  keras_required <- KERAS_REQUIRED[[entry$type]]
  out <- character()
  for (arg in names(info$args)) {
    spec <- info$args[[arg]]
    required <- arg %in% keras_required
    if (!has_field(entry, arg)) {
      if (required) out <- c(out, code_kwarg(gen, arg, code_value(gen, spec$default)))
      next
    }
    v <- entry[[arg]]
    if (!required && !is_param_ref(v) && is_default_arg(entry, arg, spec, v)) next
    out <- c(out, code_kwarg(gen, arg, code_value(gen, v, params = in_block)))
  }
  c(out, code_kwarg(gen, "name", code_name(gen, local, in_block)))
}

# Whether a literal argument equals Keras's default (for strides: the pool size).
is_default_arg <- function(entry, arg, spec, value) {
  type <- entry$type
  default <- spec$default
  if (!is.null(spec$null_means)) {
    if (is.null(value)) return(TRUE)
    other <- if (has_field(entry, spec$null_means)) entry[[spec$null_means]]
             else layer_types()[[type]]$args[[spec$null_means]]$default
    if (is.character(other)) return(FALSE)
    default <- other
  }
  if (isTRUE(spec$required)) return(FALSE)
  tryCatch(
    json_equal(canonical(type, arg, spec, value, ""), canonical(type, arg, spec, default, ""), python = TRUE),
    twinnet_spec_error = function(e) FALSE
  )
}

layer_call <- function(gen, entry, args) {
  type <- entry$type
  if (gen$py) return(sprintf("layers.%s(%s)", type, join_args(args)))
  if (gen$k3) return(sprintf("%s(%s)", r_layer_function(type), join_args(args)))
  sprintf("keras$layers$%s(%s)", type, join_args(args))
}

input_call <- function(gen, entry, local, in_block) {
  args <- code_kwarg(gen, "shape", code_value(gen, entry$shape))
  dtype <- field(entry, "dtype", "float32")
  if (dtype != "float32") args <- c(args, code_kwarg(gen, "dtype", code_value(gen, dtype)))
  args <- c(args, code_kwarg(gen, "name", code_name(gen, local, in_block)))
  fn <- if (gen$py) "keras.Input" else if (gen$k3) "keras_input" else "keras$Input"
  sprintf("%s(%s)", fn, join_args(args))
}

# A layer applied to its input variables (the functional API).
apply_layer <- function(gen, entry, args, inputs) {
  arg <- if (length(inputs) == 1L) inputs else code_vector(gen, inputs)
  if (gen$k3) {
    if (length(inputs) == 1L) return(sprintf("%s |> %s", arg, layer_call(gen, entry, args)))
    return(sprintf("%s(%s)", r_layer_function(entry$type), join_args(c(arg, args))))
  }
  sprintf("%s(%s)", layer_call(gen, entry, args), arg)
}

# -- blocks -------------------------------------------------------------------

used_blocks <- function(gen) {
  seen <- character()
  visit <- function(entries) {
    for (e in entries) {
      if (has_field(e, "block") && !(e$block %in% seen)) {
        seen <<- c(seen, e$block)
        visit(gen$blocks[[e$block]]$layers)
      }
    }
  }
  visit(gen$doc$layers)
  names(gen$blocks)[names(gen$blocks) %in% seen]
}

block_signature <- function(gen, block) {
  params <- field(gen$blocks[[block]], "params", list())
  keys <- names(params)
  required <- keys[vapply(keys, function(k) is.null(params[[k]]), logical(1))]
  optional <- setdiff(keys, required)
  c(vapply(required, variable_name, "", USE.NAMES = FALSE),
    vapply(optional, function(k) code_kwarg(gen, variable_name(k), code_value(gen, params[[k]])), "",
           USE.NAMES = FALSE))
}

block_call_args <- function(gen, entry, name, in_block) {
  order <- names(field(gen$blocks[[entry$block]], "params", list()))
  args <- field(entry, "args", list())
  keys <- order[order %in% names(args)]
  c(name, vapply(keys, function(k) code_kwarg(gen, variable_name(k), code_value(gen, args[[k]], params = in_block)),
                 "", USE.NAMES = FALSE))
}

# The local names of each repetition of a block use.
use_names <- function(entry, local) {
  repeat_n <- as.integer(field(entry, "repeat", 1L))
  if (repeat_n == 1L) local else paste0(local, "_", seq_len(repeat_n))
}

write_block <- function(gen, block) {
  info <- gen$blocks[[block]]
  ind <- gen$indent
  if (has_field(info, "description")) emit(gen, paste0("# ", info$description))
  sig <- block_signature(gen, block)
  if (gen$sequential) {
    write_sequential_block(gen, block, sig)
  } else {
    refs <- explicit_refs(info$layers)
    first <- if ("@input" %in% refs) "inputs" else "x"
    head <- join_args(c(first, "name", sig))
    emit(gen, if (gen$py) sprintf("def %s(%s):", block, head) else sprintf("%s <- function(%s) {", block, head))
    body <- functional_body(gen, info$layers, first, refs, in_block = TRUE)
    emit(gen, paste0(ind, body$lines))
    emit(gen, if (gen$py) paste0(ind, "return ", body$last) else paste0(ind, body$last))
    if (!gen$py) emit(gen, "}")
  }
  emit(gen, "")
}

write_sequential_block <- function(gen, block, sig) {
  ind <- gen$indent
  items <- sequential_items(gen, gen$blocks[[block]]$layers, in_block = TRUE)
  if (gen$py) {
    emit(gen, sprintf("def %s(%s):", block, join_args(c("name", sig))), paste0(ind, "return ["),
         paste0(ind, ind, items, ","), paste0(ind, "]"))
    return(invisible())
  }
  emit(gen, sprintf("%s <- function(%s) {", block, join_args(c("model", "name", sig))))
  if (gen$k3) {
    emit(gen, paste0(ind, "model |>"), paste0(ind, ind, items, pipe_ends(length(items))))
  } else {
    emit(gen, paste0(ind, items), paste0(ind, "invisible(model)"))
  }
  emit(gen, "}")
}

# " |>" after every stage of a pipe but the last.
pipe_ends <- function(n) c(rep(" |>", max(n - 1L, 0L)), "")[seq_len(n)]

next_auto_name <- function(counters, base) {
  counters[[base]] <- (counters[[base]] %||% 0L) + 1L
  paste0(base, "_", counters[[base]])
}

# -- sequential ---------------------------------------------------------------

# One item per layer or block call: list elements (Python), pipe stages
# (keras3), model$add() (reticulate).
sequential_items <- function(gen, entries, in_block) {
  counters <- new.env(parent = emptyenv())
  items <- character()
  for (entry in entries) {
    if (has_field(entry, "block")) {
      local <- field(entry, "name") %||% next_auto_name(counters, entry$block)
      for (rep in use_names(entry, local)) {
        args <- block_call_args(gen, entry, code_name(gen, rep, in_block), in_block)
        items <- c(items, if (gen$py) sprintf("*%s(%s)", entry$block, join_args(args))
                          else if (gen$k3) sprintf("%s(%s)", entry$block, join_args(args))
                          else sprintf("%s(%s)", entry$block, join_args(c("model", args))))
      }
      next
    }
    local <- field(entry, "name") %||% next_auto_name(counters, layer_types()[[entry$type]]$auto_name)
    if (entry$type == "Input") next
    call <- layer_call(gen, entry, layer_args(gen, entry, in_block, local))
    items <- c(items, if (gen$lang == "r-reticulate") sprintf("model$add(%s)", call) else call)
  }
  items
}

write_sequential <- function(gen) {
  ind <- gen$indent
  first <- gen$doc$layers[[1L]]
  local <- field(first, "name", "input_1")
  items <- sequential_items(gen, gen$doc$layers, in_block = FALSE)
  name <- ascii_json(gen$doc$name)
  if (gen$py) {
    emit(gen, "model = keras.Sequential([", paste0(ind, input_call(gen, first, local, FALSE), ","),
         paste0(ind, items, ","), sprintf("], name=%s)", name))
  } else if (gen$k3) {
    args <- code_kwarg(gen, "input_shape", code_value(gen, first$shape))
    dtype <- field(first, "dtype", "float32")
    if (dtype != "float32") args <- c(args, code_kwarg(gen, "input_dtype", code_value(gen, dtype)))
    args <- c(args, code_kwarg(gen, "input_name", ascii_json(local)), code_kwarg(gen, "name", name))
    emit(gen, sprintf("model <- keras_model_sequential(%s) |>", join_args(args)),
         paste0(ind, items, pipe_ends(length(items))))
  } else {
    emit(gen, sprintf("model <- keras$Sequential(name = %s)", name),
         sprintf("model$add(%s)", input_call(gen, first, local, FALSE)), items)
  }
}

# -- functional ---------------------------------------------------------------

# The statements of a layer list, the variable holding its last output, and
# the variable of each name.
functional_body <- function(gen, entries, first, refs, in_block) {
  counters <- new.env(parent = emptyenv())
  var_of <- list()
  if (!is.null(first)) var_of[["@input"]] <- first
  prev <- first
  lines <- character()
  inputs_of <- function(entry) {
    if (has_field(entry, "inputs")) vapply(entry$inputs, function(r) var_of[[r]], "") else prev
  }
  for (entry in entries) {
    if (has_field(entry, "block")) {
      local <- field(entry, "name") %||% next_auto_name(counters, entry$block)
      src <- inputs_of(entry)[[1L]]
      reps <- use_names(entry, local)
      for (i in seq_along(reps)) {
        rep <- reps[[i]]
        out <- if (rep %in% refs) variable_name(rep)
               else if (i == length(reps) && local %in% refs) variable_name(local) else "x"
        args <- c(src, block_call_args(gen, entry, code_name(gen, rep, in_block), in_block))
        lines <- c(lines, sprintf("%s%s%s(%s)", out, gen$assign, entry$block, join_args(args)))
        var_of[[rep]] <- out
        src <- out
      }
      var_of[[local]] <- src
      prev <- src
      next
    }
    local <- field(entry, "name") %||% next_auto_name(counters, layer_types()[[entry$type]]$auto_name)
    if (entry$type == "Input") {
      out <- variable_name(local)
      lines <- c(lines, paste0(out, gen$assign, input_call(gen, entry, local, in_block)))
    } else {
      out <- if (local %in% refs) variable_name(local) else "x"
      call <- apply_layer(gen, entry, layer_args(gen, entry, in_block, local), inputs_of(entry))
      lines <- c(lines, paste0(out, gen$assign, call))
    }
    var_of[[local]] <- out
    prev <- out
  }
  list(lines = lines, last = prev, var_of = var_of)
}

write_functional <- function(gen) {
  doc <- gen$doc
  refs <- c(explicit_refs(doc$layers), as.character(unlist(doc$outputs)))
  body <- functional_body(gen, doc$layers, NULL, refs, in_block = FALSE)
  emit(gen, body$lines)
  ins <- vapply(as.character(unlist(gen$graph$inputs)), function(n) body$var_of[[n]], "", USE.NAMES = FALSE)
  outs <- if (has_field(doc, "outputs")) {
    vapply(as.character(unlist(doc$outputs)), function(n) body$var_of[[n]], "", USE.NAMES = FALSE)
  } else {
    body$last
  }
  args <- c(
    code_kwarg(gen, "inputs", if (length(ins) == 1L) ins else code_vector(gen, ins)),
    code_kwarg(gen, "outputs", if (length(outs) == 1L) outs else code_vector(gen, outs)),
    code_kwarg(gen, "name", ascii_json(doc$name))
  )
  fn <- if (gen$py) "keras.Model" else if (gen$k3) "keras_model" else "keras$Model"
  emit(gen, sprintf("model%s%s(%s)", gen$assign, fn, join_args(args)))
  for (layer in gen$graph$layers) {
    if (!is.null(layer$weights)) emit(gen, weights_line(gen, layer$name, layer$weights))
  }
}

weights_line <- function(gen, name, weights) {
  arrays <- vapply(weights, function(arr) {
    shape <- nested_shape(arr)
    values <- paste(vapply(flat_values(arr), py_number, ""), collapse = ", ")
    if (gen$py) {
      text <- sprintf("np.array([%s], dtype=\"float32\")", values)
      if (length(shape) == 1L) text else sprintf("%s.reshape(%s)", text, paste(shape, collapse = ", "))
    } else if (length(shape) == 1L) {
      sprintf("array(c(%s))", values)
    } else {
      fn <- if (gen$k3) "array_reshape" else "reticulate::array_reshape"
      sprintf("%s(c(%s), c(%s))", fn, values, paste(shape, collapse = ", "))
    }
  }, "")
  target <- ascii_json(name)
  if (gen$py) return(sprintf("model.get_layer(%s).set_weights(%s)", target, code_vector(gen, arrays)))
  if (gen$k3) return(sprintf("set_weights(get_layer(model, %s), %s)", target, code_vector(gen, arrays)))
  sprintf("model$get_layer(%s)$set_weights(%s)", target, code_vector(gen, arrays))
}

# The numbers of nested lists in C order, each as written (unlist() would make ints doubles).
flat_values <- function(arr) if (is.list(arr)) do.call(c, lapply(arr, flat_values)) else list(arr)

# The shape of nested lists of numbers (C order).
nested_shape <- function(arr) {
  if (!is.list(arr)) return(integer())
  c(length(arr), if (length(arr) > 0L) nested_shape(arr[[length(arr)]]) else integer())
}

# -- the whole program ----------------------------------------------------------

compile_line <- function(gen) {
  settings <- gen$doc$compile
  if (is.null(settings)) return(NULL)
  opt <- settings$optimizer
  opt_text <- if (!is.null(settings$learning_rate)) {
    lr <- code_kwarg(gen, "learning_rate", py_number(as.numeric(settings$learning_rate)))
    if (gen$py) sprintf("keras.optimizers.%s(%s)", OPTIMIZER_CLASSES[[opt]], lr)
    else if (gen$k3) sprintf("optimizer_%s(%s)", opt, lr)
    else sprintf("keras$optimizers$%s(%s)", OPTIMIZER_CLASSES[[opt]], lr)
  } else {
    ascii_json(opt)
  }
  args <- c(code_kwarg(gen, "optimizer", opt_text), code_kwarg(gen, "loss", ascii_json(settings$loss)))
  metrics <- vapply(as.character(unlist(settings$metrics)), ascii_json, "", USE.NAMES = FALSE)
  if (length(metrics) > 0L) {
    text <- if (gen$k3) {
      if (length(metrics) == 1L) metrics else paste0("c(", paste(metrics, collapse = ", "), ")")
    } else {
      code_vector(gen, metrics)
    }
    args <- c(args, code_kwarg(gen, "metrics", text))
  }
  if (gen$py) return(sprintf("model.compile(%s)", join_args(args)))
  if (gen$k3) return(sprintf("model |> compile(%s)", join_args(args)))
  sprintf("model$compile(%s)", join_args(args))
}

program <- function(gen) {
  doc <- gen$doc
  title <- py_str(field(doc, "title", doc$name))
  emit(gen, sprintf("# %s: the twinnet spec '%s' as %s", title, doc$name, LANGUAGE_WORDS[[gen$lang]]))
  weights <- any(vapply(gen$graph$layers, function(l) !is.null(l$weights), logical(1)))
  if (gen$py) {
    emit(gen, "import keras", "from keras import layers")
    if (weights) emit(gen, "import numpy as np")
  } else if (gen$k3) {
    emit(gen, "library(keras3)")
  } else {
    emit(gen, "keras <- reticulate::import(\"keras\")")
  }
  emit(gen, "")
  for (block in used_blocks(gen)) write_block(gen, block)
  if (gen$sequential) write_sequential(gen) else write_functional(gen)
  emit(gen, compile_line(gen))
  paste0(paste(gen$lines, collapse = "\n"), "\n")
}

explicit_refs <- function(entries) {
  unique(as.character(unlist(lapply(entries, function(e) e$inputs))))
}

# One input, one output, each layer taking the one before it, and no fixed weights.
is_chain <- function(graph) {
  layers <- graph$layers
  n <- length(layers)
  if (length(graph$inputs) != 1L || length(graph$outputs) != 1L || layers[[1L]]$type != "Input") return(FALSE)
  if (!identical(as.character(unlist(graph$outputs)), layers[[n]]$name)) return(FALSE)
  if (n < 2L) return(TRUE)
  for (i in 2:n) {
    ins <- as.character(unlist(layers[[i]]$inputs))
    if (!identical(ins, layers[[i - 1L]]$name) || !is.null(layers[[i]]$weights)) return(FALSE)
  }
  TRUE
}
