# Code generation: a spec written out as the Keras code a student would write
# (python/twinnet/codegen.py; both give the same text, byte for byte).
#
# The spec is data, never code: every string of it reaches the program through
# code_quote() (a string literal) or code_comment() (comment lines), every name
# of it that becomes an identifier through identifier() (renamed away from
# reserved words and clashes), every number through number_text(), and only
# values that the expansion has checked against the JSON Schema are written (a
# block parameter that stands for no layer argument is left out).

#' Write a spec out as Keras code
#'
#' Gives the program a student would write to build the spec's model: Python
#' Keras (`keras.Sequential` for a chain, the functional API for a graph), R
#' in keras3 style (`keras_model_sequential() |> layer_conv_2d(...)`, or
#' `keras_input()` and `keras_model()` for a graph), or R on plain reticulate
#' (`keras$layers$Conv2D(...)`), which runs where keras3 is not installed.
#' Blocks become functions, called once per use and repetition. The code keeps
#' what the author wrote and leaves out what the expansion generated: a layer
#' gets a `name` when the spec names it (inside a block: the block use's name,
#' "_" and the layer's; a block function takes the use's name only when some
#' layer in it is named), and every argument the spec writes is written, even
#' one equal to Keras's default (as are those Keras requires). Names the spec
#' leaves out are Keras's own to choose; the wrapped layer of a
#' `Bidirectional` or `TimeDistributed` gets none, and an unnamed layer with
#' fixed weights is held in a variable (`dense_1_layer`) whose weights the
#' code sets. The code builds the model of [build_model()], up to the names
#' the spec does not give. Python's `twinnet.to_code()` gives the same text.
#'
#' The spec's text never becomes code: titles and descriptions become comment
#' lines, names become string literals, and a name that would clash with a
#' reserved word of Python or R, or with a name the code itself uses, is given
#' a trailing `_` as its variable or function name (`model` -> `model_`).
#'
#' @param spec Anything [load_spec()] accepts.
#' @param language `"python"`, `"r"` (keras3 style) or `"r-reticulate"`.
#' @param x A `twinnet_code` from `to_code()`.
#' @param ... Unused.
#' @return The program, one string ending in a newline, of class
#'   `twinnet_code` (a character string underneath: `cat()`, `writeLines()`,
#'   `parse(text = )` and string functions take it as it is); it assigns the
#'   model to `model`. `print()` shows the program as code and returns it
#'   invisibly; `format()` gives the plain string.
#' @seealso [keras3_functions()], the keras3 names that the `"r"` code uses.
#' @examples
#' to_code("lenet5", "r")
#' cat(to_code("mini_resnet", "python"))
#' @export
to_code <- function(spec, language = c("python", "r", "r-reticulate")) {
  language <- match.arg(language)
  spec <- load_spec(spec)
  graph <- expand(spec)
  structure(program(new_generator(spec$data, graph, language)), class = "twinnet_code")
}

#' @rdname to_code
#' @export
format.twinnet_code <- function(x, ...) as.character(unclass(x))

#' @rdname to_code
#' @export
print.twinnet_code <- function(x, ...) {
  cat(format(x))
  invisible(x)
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

# The keras3 function of a Keras optimizer, schedule, regularizer or callback class (keras3.json's class_functions).
r_class_function <- function(cls) {
  fn <- keras3_table()$class_functions[[cls]]
  if (!json_is_string(fn) || !fn %in% names(keras3_table()$functions)) {
    stop(sprintf("%s has no function in the keras3 table", cls), call. = FALSE)
  }
  fn
}

# shared_specs/codegen.json: reserved words, the optimizer classes, the
# arguments Keras requires, how numbers and comments are written.
codegen_table <- function() cached("codegen", function() read_json_file(specs_path("codegen.json")))

# Names no identifier of the generated code may take, in any of the three languages.
reserved_names <- function() {
  cached("codegen_reserved", function() {
    t <- codegen_table()
    k <- keras3_table()
    unique(as.character(unlist(c(t$python_keywords, t$python_builtins, t$r_reserved, t$r_functions,
                                 t$generated_names, names(k$functions), k$layer_functions))))
  })
}

# Arguments Keras requires although the registry gives them a default, by
# layer type: always written (read from codegen.json when first used).
delayedAssign("KERAS_REQUIRED", lapply(codegen_table()$keras_required, function(args) as.character(unlist(args))))

keras_required <- function(type) as.character(KERAS_REQUIRED[[type]])

optimizer_class <- function(opt) {
  cls <- codegen_table()$optimizer_classes[[opt]]
  if (!json_is_string(cls)) stop(sprintf("'%s' is not an optimizer of the table", opt), call. = FALSE)
  cls
}

# What the first comment calls each language (codegen.json's language_words).
language_words <- function() cached("language_words", function() unlist(codegen_table()$language_words))

R_INTEGER_MAX <- 2147483647 # R's integers are 32-bit, and -2^31 is NA_integer_

# -- the one way each kind of spec value reaches the code ------------------------

# A string literal that Python and R both read as `text`: backslash, double
# quote, newline, carriage return and tab escaped as \\, \", \n, \r, \t; any
# other character outside printable ASCII as \uXXXX (\UXXXXXXXX above U+FFFF).
code_quote <- function(text) {
  points <- utf8ToInt(enc2utf8(text))
  if (anyNA(points)) stop("code_quote(): the text is not valid UTF-8", call. = FALSE)
  out <- character(length(points))
  plain <- points >= 0x20L & points < 0x7FL & points != 0x22L & points != 0x5CL
  out[plain] <- vapply(points[plain], intToUtf8, "")
  simple <- c(`92` = "\\\\", `34` = "\\\"", `10` = "\\n", `13` = "\\r", `9` = "\\t")
  is_simple <- as.character(points) %in% names(simple)
  out[is_simple] <- simple[as.character(points[is_simple])]
  rest <- !plain & !is_simple
  out[rest] <- ifelse(points[rest] <= 0xFFFFL, sprintf("\\u%04x", points[rest]), sprintf("\\U%08x", points[rest]))
  paste0("\"", paste(out, collapse = ""), "\"")
}

# Comment lines that show `text`: one per line of it (lines break at CR LF, CR
# and LF), each starting with "#"; within a line, the code points of
# comment_escapes (control characters, line and paragraph separators,
# invisible formatting characters) are shown as \uXXXX.
code_comment <- function(text) {
  lines <- regmatches(text, gregexpr("\r\n|\r|\n", text, perl = TRUE), invert = TRUE)[[1L]]
  ranges <- codegen_table()$comment_escapes
  vapply(lines, function(line) {
    points <- utf8ToInt(enc2utf8(line))
    if (length(points) == 0L) return("#")
    escaped <- Reduce(`|`, lapply(ranges, function(r) points >= r[[1L]] & points <= r[[2L]]), FALSE)
    shown <- character(length(points))
    shown[escaped] <- sprintf("\\u%04x", points[escaped])
    shown[!escaped] <- vapply(points[!escaped], intToUtf8, "")
    paste0("# ", paste(shown, collapse = ""))
  }, "", USE.NAMES = FALSE)
}

# Numbers as code, the same text as Python's number_text() (codegen.json,
# "numbers"): kind "integer" (an integer, in full), "float" (Python's
# repr(float)) or "number" (an integer when the JSON has one of magnitude up to
# 2^31 - 1, which R reads as an integer; else repr(float)). Vectorised over a
# list or vector of numbers.
number_text <- function(values, kind = "number") {
  values <- as.list(values)
  out <- character(length(values))
  integral <- vapply(values, is_integer_text, logical(1), kind = kind)
  out[integral] <- vapply(values[integral], integer_text, "")
  out[!integral] <- float_repr(as.numeric(unlist(values[!integral])))
  out
}

# Whether number_text() writes a value as an integer.
is_integer_text <- function(value, kind) {
  if (!is.numeric(value) || length(value) != 1L || is.na(value)) return(FALSE)
  kind == "integer" || (kind == "number" && is.integer(value))
}

# An integer in full (a double's exact value: glibc prints every digit).
integer_text <- function(value) {
  if (is.integer(value)) return(as.character(value))
  if (value != floor(value)) stop(sprintf("%s is not an integer", float_repr(value)), call. = FALSE)
  if (value == 0) "0" else sprintf("%.0f", value)
}

# Python's repr() of doubles: the shortest digits that read back as the same
# double (the closest such when several do), in plain notation when the
# decimal point falls from 4 places left of the first digit to 16 right of
# it, else as d.ddde+XX. Read back with jsonlite (the C library's strtod,
# correctly rounded; R's own as.numeric() is not, for some 17-digit texts).
float_repr <- function(x) {
  out <- character(length(x))
  zero <- x == 0
  out[zero] <- ifelse(1 / x[zero] < 0, "-0.0", "0.0")
  idx <- which(!zero)
  # The fewest digits d (1 to 17) that read back: a d-digit decimal that reads
  # back is one of d + 1 digits too, so each value's d is searched for, trying
  # 1, 2, 4, 8, 16 and 17 digits until one reads back, then halving the range
  # below it (at most 8 tries where trying each d in turn took up to 17).
  lo <- rep(1L, length(idx)) # the fewest digits not known to fail
  hi <- rep(NA_integer_, length(idx)) # the fewest digits known to read back
  found <- character(length(idx)) # the text of hi digits
  repeat {
    k <- which(is.na(hi) | lo < hi)
    if (length(k) == 0L) break
    d <- ifelse(is.na(hi[k]), pmin(17L, pmax(1L, 2L * (lo[k] - 1L))), (lo[k] + hi[k]) %/% 2L)
    text <- decimal_reading_back(x[idx[k]], d)
    ok <- !is.na(text)
    hi[k[ok]] <- d[ok]
    found[k[ok]] <- text[ok]
    lo[k[!ok]] <- d[!ok] + 1L
  }
  out[idx] <- repr_from_scientific(found)
  out
}

# For each x, its decimal of d significant digits (C's %.{d-1}e) that reads
# back as x: the nearest, or at a power of two, where the doubles below lie
# twice as close as those above, the next one away from zero; NA where neither
# does.
decimal_reading_back <- function(x, d) {
  text <- sprintf("%.*e", d - 1L, x)
  ok <- reads_back(text, x)
  again <- which(!ok & is_power_of_two(abs(x)))
  if (length(again) > 0L) {
    up <- next_decimal(text[again])
    good <- reads_back(up, x[again])
    text[again][good] <- up[good]
    ok[again][good] <- TRUE
  }
  text[!ok] <- NA_character_
  text
}

reads_back <- function(text, x) {
  if (length(text) == 0L) return(logical())
  back <- unlist(jsonlite::parse_json(paste0("[", paste(text, collapse = ","), "]")))
  back == x
}

# Whether each x is a power of two (2^k for k from -1074 to 1023 is exact).
is_power_of_two <- function(x) is.finite(x) & x > 0 & x == 2^round(log2(x))

# The next decimal of the same length away from zero: "-1.99e+05" -> "-2.00e+05".
next_decimal <- function(text) {
  vapply(text, function(t) {
    parts <- regmatches(t, regexec("^(-?)([0-9])\\.?([0-9]*)e([-+][0-9]+)$", t))[[1L]]
    digits <- as.integer(strsplit(paste0(parts[[3L]], parts[[4L]]), "")[[1L]])
    exponent <- as.integer(parts[[5L]])
    i <- length(digits)
    while (i >= 1L && digits[[i]] == 9L) {
      digits[[i]] <- 0L
      i <- i - 1L
    }
    if (i == 0L) {
      digits <- c(1L, digits[-length(digits)])
      exponent <- exponent + 1L
    } else {
      digits[[i]] <- digits[[i]] + 1L
    }
    rest <- if (length(digits) > 1L) paste0(".", paste(digits[-1L], collapse = "")) else ""
    sprintf("%s%d%se%+03d", parts[[2L]], digits[[1L]], rest, exponent)
  }, "", USE.NAMES = FALSE)
}

# "-1.2500e+03" (C's %e) -> "-1250.0" (Python's repr), vectorised.
repr_from_scientific <- function(text) {
  sign <- ifelse(startsWith(text, "-"), "-", "")
  body <- sub("^-", "", text)
  at <- regexpr("e", body, fixed = TRUE)
  digits <- sub("0+$", "", gsub(".", "", substr(body, 1L, at - 1L), fixed = TRUE))
  digits[!nzchar(digits)] <- "0"
  n <- nchar(digits)
  decpt <- as.integer(substr(body, at + 1L, nchar(body))) + 1L
  out <- character(length(text))
  small <- decpt > -4L & decpt <= 0L # 0.000ddd
  out[small] <- paste0("0.", strrep("0", -decpt[small]), digits[small])
  whole <- decpt >= n & decpt <= 16L # ddd00.0
  out[whole] <- paste0(digits[whole], strrep("0", decpt[whole] - n[whole]), ".0")
  mid <- decpt > 0L & decpt < n & decpt <= 16L # dd.ddd
  out[mid] <- paste0(substr(digits[mid], 1L, decpt[mid]), ".", substr(digits[mid], decpt[mid] + 1L, n[mid]))
  sci <- !(small | whole | mid) # d.ddde+XX
  mantissa <- ifelse(n[sci] == 1L, digits[sci], paste0(substr(digits[sci], 1L, 1L), ".", substring(digits[sci], 2L)))
  out[sci] <- sprintf("%se%s%02d", mantissa, ifelse(decpt[sci] < 1L, "-", "+"), abs(decpt[sci] - 1L))
  paste0(sign, out)
}

# The identifiers of one scope of the generated code, one per name of the spec.
# A name keeps its spelling when it is a plain identifier (ASCII letters,
# digits and "_", starting with a letter), reserved in none of the three
# languages and not taken in the scope; otherwise other characters become "_"
# and "_" is appended until it is free. Names get identifiers in the order
# they are first asked for, as in Python.
new_identifiers <- function(taken = character()) {
  ids <- new.env(parent = emptyenv())
  ids$taken <- taken
  ids$of <- list()
  ids
}

identifier <- function(ids, name) {
  known <- ids$of[[name]]
  if (!is.null(known)) return(known)
  ident <- if (grepl(spec_pattern("name"), name, perl = TRUE)) {
    name
  } else {
    gsub("[^A-Za-z0-9_]", "_", enc2utf8(name), perl = TRUE)
  }
  if (!grepl("^[A-Za-z]", ident, perl = TRUE)) ident <- paste0("v", ident)
  while (ident %in% reserved_names() || ident %in% ids$taken) ident <- paste0(ident, "_")
  ids$taken <- c(ids$taken, ident)
  ids$of[[name]] <- ident
  ident
}

# How to write the numbers of a value that stands for arguments of these kinds.
number_kind <- function(kinds) {
  if (any(kinds %in% unlist(codegen_table()$integer_kinds))) "integer" else "number"
}

# How to write an initializer setting: a seed (integer_settings) is an integer when it is integral.
setting_kind <- function(key, value) {
  integral <- is.numeric(value) && length(value) == 1L && value == floor(value)
  if (key %in% unlist(codegen_table()$integer_settings) && integral) "integer" else "number"
}

arg_number_kind <- function(type, arg) number_kind(layer_types()[[type]]$args[[arg]]$kind)

# GlorotUniform -> glorot_uniform.
snake_case <- function(class_name) tolower(gsub("(?<!^)(?=[A-Z])", "_", class_name, perl = TRUE))

# -- the generator ------------------------------------------------------------

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
  gen$uses <- new.env(parent = emptyenv())
  gen$named <- new.env(parent = emptyenv()) # takes_name() of each block
  # identifiers: block functions first, then each block's parameters (those
  # that stand for a layer argument), in the order the blocks are written
  gen$block_ids <- new_identifiers()
  blocks <- used_blocks(gen)
  for (block in blocks) identifier(gen$block_ids, block)
  gen$param_ids <- list()
  gen$param_kinds <- list()
  for (block in blocks) {
    ids <- new_identifiers(gen$block_ids$taken)
    uses <- param_uses(gen$blocks, block, gen$uses)
    keys <- names(field(gen$blocks[[block]], "params", empty_object())) %||% character()
    keys <- keys[vapply(keys, function(k) length(uses[[k]]) > 0L, logical(1))]
    gen$param_ids[[block]] <- vapply(keys, function(k) identifier(ids, k), "")
    gen$param_kinds[[block]] <- vapply(keys, function(k) {
      number_kind(vapply(uses[[k]], function(use) layer_types()[[use[[1L]]]]$args[[use[[2L]]]]$kind, ""))
    }, "")
  }
  gen
}

emit <- function(gen, ...) gen$lines <- c(gen$lines, ...)

# -- values -------------------------------------------------------------------

code_number <- function(gen, v, kind) {
  text <- number_text(v, kind)
  if (gen$lang == "r-reticulate" && is_integer_text(v, kind) && abs(v) <= R_INTEGER_MAX) paste0(text, "L") else text
}

# A checked JSON value as a literal of the language; with params (a block's
# parameter identifiers), "$name" is that parameter's identifier.
code_value <- function(gen, v, kind = "number", params = NULL) {
  if (!is.null(params)) {
    key <- param_name(v)
    if (!is.null(key)) return(params[[key]])
  }
  if (is.null(v)) return(if (gen$py) "None" else "NULL")
  if (is.logical(v) && !is.list(v)) {
    return(if (gen$py) (if (v) "True" else "False") else (if (v) "TRUE" else "FALSE"))
  }
  if (is.numeric(v)) return(code_number(gen, v, kind))
  if (is.character(v)) return(code_quote(v))
  if (json_is_object(v)) return(if (has_field(v, "class_name")) code_initializer(gen, v) else code_regularizer(gen, v))
  items <- vapply(v, code_value, "", gen = gen, kind = kind, params = params)
  if (gen$py) {
    return(if (length(items) == 1L) sprintf("(%s,)", items) else paste0("(", paste(items, collapse = ", "), ")"))
  }
  scalars <- all(!vapply(v, is.list, logical(1)))
  if (gen$k3 && scalars) {
    items[vapply(v, is.null, logical(1))] <- "NA"
    return(paste0("c(", paste(items, collapse = ", "), ")"))
  }
  if (!gen$k3 && scalars && length(v) > 1L && all(vapply(v, is_integer_text, logical(1), kind = kind))) {
    return(paste0("c(", paste(items, collapse = ", "), ")"))
  }
  paste0("list(", paste(items, collapse = ", "), ")")
}

# An initializer object: a class of the registry and its settings (numbers or null).
code_initializer <- function(gen, v) {
  classes <- registry()$initializer_classes
  cls <- v[["class_name"]]
  if (!json_is_string(cls) || !cls %in% names(classes)) {
    stop(sprintf("to_code writes only initializers the schema allows, not %s", py_repr(cls)), call. = FALSE)
  }
  config <- field(v, "config", empty_object())
  if (!is.list(config) || !all(names(config) %in% unlist(classes[[cls]]$args))) {
    stop(sprintf("to_code writes only the settings of %s that the schema allows", cls), call. = FALSE)
  }
  args <- vapply(names(config), function(k) {
    code_kwarg(gen, k, code_value(gen, config[[k]], setting_kind(k, config[[k]])))
  }, "", USE.NAMES = FALSE)
  fn <- if (gen$py) {
    paste0("keras.initializers.", cls)
  } else if (gen$k3) {
    f <- paste0("initializer_", snake_case(cls))
    if (!f %in% names(keras3_table()$functions)) stop(sprintf("%s is not in the keras3 table", f), call. = FALSE)
    f
  } else {
    paste0("keras$initializers$", cls)
  }
  sprintf("%s(%s)", fn, paste(args, collapse = ", "))
}

# A regularizer: list(l1 = a) is Keras's L1, list(l2 = b) L2, both L1L2; the factors written as floats.
code_regularizer <- function(gen, v) {
  if (length(v) == 0L || !all(names(v) %in% c("l1", "l2"))) {
    stop("to_code writes only the regularizers the schema allows", call. = FALSE)
  }
  keys <- intersect(c("l1", "l2"), names(v))
  cls <- if (length(keys) == 2L) "L1L2" else if (keys == "l1") "L1" else "L2"
  code_keras_call(gen, "regularizers", cls, vapply(keys, function(k) {
    code_kwarg(gen, k, code_value(gen, v[[k]], "float"))
  }, "", USE.NAMES = FALSE))
}

# A call of Keras's class `cls` of `module` ("optimizers", "callbacks", ...); keras3's function in "r".
code_keras_call <- function(gen, module, cls, args) {
  fn <- if (gen$py) {
    sprintf("keras.%s.%s", module, cls)
  } else if (gen$k3) {
    r_class_function(cls)
  } else {
    sprintf("keras$%s$%s", gsub(".", "$", module, fixed = TRUE), cls)
  }
  sprintf("%s(%s)", fn, join_args(args))
}

# A compile or fit setting of the registry's kind arg$kind: lists as lists, numbers by their kind.
code_setting <- function(gen, arg, v) {
  kind <- arg[["kind"]]
  if (kind %in% c("steps", "rates")) {
    number <- if (kind == "steps") "integer" else "float"
    return(code_vector(gen, vapply(v, function(e) code_value(gen, e, number), "")))
  }
  code_value(gen, v, if (kind == "int") "integer" else "float")
}

# A learning-rate schedule: its class with the arguments the spec gives (in Keras's order).
code_schedule <- function(gen, v) {
  args <- registry()$compile$schedules[[v[["schedule"]]]]
  keys <- Filter(function(k) !is.null(v[[k]]), names(args))
  code_keras_call(gen, "optimizers.schedules", v[["schedule"]], vapply(keys, function(k) {
    code_kwarg(gen, k, code_setting(gen, args[[k]], v[[k]]))
  }, "", USE.NAMES = FALSE))
}

# A callback: its class with the arguments the spec gives (in Keras's order).
# keras3's callback_early_stopping() makes min_delta an integer, so a min_delta
# that is not a whole number is written in "r" as Keras's class
# (keras$callbacks$EarlyStopping(), as on reticulate).
code_callback <- function(gen, v) {
  args <- registry()$fit$callbacks[[v[["callback"]]]]
  delta <- v[["min_delta"]]
  if (gen$k3 && identical(v[["callback"]], "EarlyStopping") && is.numeric(delta) && delta != floor(delta)) {
    gen <- list2env(list(py = FALSE, k3 = FALSE, lang = "r-reticulate"))
  }
  keys <- Filter(function(k) !is.null(v[[k]]), names(args))
  code_keras_call(gen, "callbacks", v[["callback"]], vapply(keys, function(k) {
    code_kwarg(gen, k, code_setting(gen, args[[k]], v[[k]]))
  }, "", USE.NAMES = FALSE))
}

code_kwarg <- function(gen, key, text) {
  if (!grepl(spec_pattern("name"), key, perl = TRUE)) {
    stop(sprintf("'%s' is not an argument name", key), call. = FALSE)
  }
  if (gen$py) paste0(key, "=", text) else paste0(key, " = ", text)
}

# A layer's name: the string, or inside a block the block use's name and "_" and the string.
code_name <- function(gen, local, in_block) {
  if (!in_block) return(code_quote(local))
  suffix <- code_quote(paste0("_", local))
  if (gen$py) paste0("name + ", suffix) else sprintf("paste0(name, %s)", suffix)
}

# A list of expressions: [a, b] in Python, list(a, b) in R.
code_vector <- function(gen, items) {
  if (gen$py) paste0("[", paste(items, collapse = ", "), "]") else paste0("list(", paste(items, collapse = ", "), ")")
}

join_args <- function(args) paste(args, collapse = ", ")

# -- layers -------------------------------------------------------------------

# The keyword arguments of a layer: those the spec writes (and those Keras
# requires), then its name when the spec gives one (written_name()); params:
# the block's parameter identifiers, NULL outside blocks. A wrapped layer
# (wrapped = TRUE) gets no name: the expansion derives it from the wrapper's.
layer_args <- function(gen, entry, local, params, wrapped = FALSE) {
  type <- entry$type
  info <- layer_types()[[type]]
  required_args <- keras_required(type)
  out <- character()
  for (arg in names(info$args)) {
    spec <- info$args[[arg]]
    if (identical(spec$kind, "layer")) { # the wrapped layer
      inner <- entry[[arg]]
      if (identical(entry$trainable, FALSE)) inner$trainable <- FALSE # a frozen wrapper's layer is frozen
      out <- c(out, code_kwarg(gen, arg, layer_call(gen, inner, layer_args(gen, inner, local, params, TRUE))))
      next
    }
    kind <- arg_number_kind(type, arg)
    required <- arg %in% required_args
    if (!has_field(entry, arg)) {
      if (required) out <- c(out, code_kwarg(gen, arg, code_value(gen, spec$default, kind)))
      next
    }
    v <- entry[[arg]]
    if (is.null(param_name(v))) v <- code_literal(gen, spec$kind, v)
    if (identical(spec$kind, "factor") && gen$py && is.list(v)) { # a list, as build_model() passes it
      out <- c(out, code_kwarg(gen, arg, sprintf("[%s]", paste(vapply(v, code_value, "", gen = gen, kind = kind),
                                                             collapse = ", "))))
      next
    }
    out <- c(out, code_kwarg(gen, arg, code_value(gen, v, kind, params)))
  }
  if (!wrapped && written_name(entry)) out <- c(out, code_kwarg(gen, "name", code_name(gen, local, !is.null(params))))
  out
}

# Whether the code names a layer entry: when the spec names it. Other names
# are the expansion's, left to Keras (a layer with fixed weights and no name is
# held in a variable, whose set_weights() the code calls; codegen.py's
# written_name()).
written_name <- function(entry) has_field(entry, "name")

# An argument as the code passes it: a factor f as its range [-f, f] (the form
# Keras keeps for some layers and the expansion for all); in keras3's code an
# axis >= 0 counted from 1, as keras3 takes it (codegen.py's _Writer.literal()).
code_literal <- function(gen, kind, v) {
  if (identical(kind, "factor") && is.numeric(v) && length(v) == 1L && !is.list(v)) {
    return(list(0 - as.numeric(v), as.numeric(v)))
  }
  if (identical(kind, "axis") && gen$k3 && is.numeric(v) && length(v) == 1L && v >= 0) return(v + 1L)
  v
}

# Whether a literal argument equals Keras's default (for strides: the pool size;
# from_keras() leaves such arguments out).
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
  if (!type %in% names(layer_types())) {
    stop(sprintf("'%s' is not a layer type of the registry", type), call. = FALSE)
  }
  if (gen$py) return(sprintf("layers.%s(%s)", type, join_args(args)))
  if (gen$k3) return(sprintf("%s(%s)", r_layer_function(type), join_args(args)))
  sprintf("keras$layers$%s(%s)", type, join_args(args))
}

input_call <- function(gen, entry, local, in_block) {
  args <- code_kwarg(gen, "shape", code_value(gen, entry$shape, "integer"))
  dtype <- field(entry, "dtype", "float32")
  if (dtype != "float32") args <- c(args, code_kwarg(gen, "dtype", code_value(gen, dtype)))
  if (written_name(entry)) args <- c(args, code_kwarg(gen, "name", code_name(gen, local, in_block)))
  fn <- if (gen$py) "keras.Input" else if (gen$k3) "keras_input" else "keras$Input"
  sprintf("%s(%s)", fn, join_args(args))
}

# The layer held in a variable applied to its input variables.
apply_variable <- function(gen, layer, inputs) {
  arg <- if (length(inputs) == 1L) inputs else code_vector(gen, inputs)
  if (gen$k3 && length(inputs) == 1L) return(sprintf("%s |> %s()", arg, layer))
  sprintf("%s(%s)", layer, arg)
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

# The block function's parameters: the required ones, then those with a default.
block_signature <- function(gen, block) {
  params <- field(gen$blocks[[block]], "params", empty_object())
  ids <- gen$param_ids[[block]]
  kinds <- gen$param_kinds[[block]]
  keys <- names(ids)
  required <- keys[vapply(keys, function(k) is.null(params[[k]]), logical(1))]
  optional <- setdiff(keys, required)
  c(unname(ids[required]),
    vapply(optional, function(k) code_kwarg(gen, ids[[k]], code_value(gen, params[[k]], kinds[[k]])), "",
           USE.NAMES = FALSE))
}

# A call of a block's function: first (its input or model), the name, then the arguments given.
block_call <- function(gen, entry, name, params, first) {
  block <- entry$block
  ids <- gen$param_ids[[block]]
  kinds <- gen$param_kinds[[block]]
  args <- field(entry, "args", list())
  keys <- names(ids)[names(ids) %in% names(args)]
  given <- vapply(keys, function(k) code_kwarg(gen, ids[[k]], code_value(gen, args[[k]], kinds[[k]], params)), "",
                  USE.NAMES = FALSE)
  sprintf("%s(%s)", identifier(gen$block_ids, block), join_args(c(first, if (takes_name(gen, block)) name, given)))
}

# Whether a block's function takes the use's name: when a layer in it, or in a block it uses, is named.
takes_name <- function(gen, block) {
  if (is.null(gen$named[[block]])) {
    gen$named[[block]] <- any(vapply(gen$blocks[[block]]$layers, function(e) {
      if (has_field(e, "block")) takes_name(gen, e$block) else written_name(e)
    }, logical(1)))
  }
  gen$named[[block]]
}

name_param <- function(gen, block) if (takes_name(gen, block)) "name" else character()

# The local names of each repetition of a block use.
use_names <- function(entry, local) {
  repeat_n <- as.integer(field(entry, "repeat", 1L))
  if (repeat_n == 1L) local else paste0(local, "_", seq_len(repeat_n))
}

write_block <- function(gen, block) {
  info <- gen$blocks[[block]]
  ind <- gen$indent
  if (has_field(info, "description")) emit(gen, code_comment(info$description))
  sig <- block_signature(gen, block)
  fn <- identifier(gen$block_ids, block)
  params <- gen$param_ids[[block]]
  if (gen$sequential) {
    write_sequential_block(gen, block, fn, sig)
  } else {
    refs <- explicit_refs(info$layers)
    first <- if ("@input" %in% refs) "inputs" else "x"
    head <- join_args(c(first, name_param(gen, block), sig))
    emit(gen, if (gen$py) sprintf("def %s(%s):", fn, head) else sprintf("%s <- function(%s) {", fn, head))
    local_ids <- new_identifiers(c(gen$block_ids$taken, unname(params)))
    body <- functional_body(gen, info$layers, first, refs, params, local_ids)
    emit(gen, paste0(ind, body$lines))
    emit(gen, if (gen$py) paste0(ind, "return ", body$last) else paste0(ind, body$last))
    if (!gen$py) emit(gen, "}")
  }
  emit(gen, "")
}

write_sequential_block <- function(gen, block, fn, sig) {
  ind <- gen$indent
  items <- sequential_items(gen, gen$blocks[[block]]$layers, gen$param_ids[[block]])
  if (gen$py) {
    emit(gen, sprintf("def %s(%s):", fn, join_args(c(name_param(gen, block), sig))), paste0(ind, "return ["))
    if (length(items) > 0L) emit(gen, paste0(ind, ind, items, ","))
    emit(gen, paste0(ind, "]"))
    return(invisible())
  }
  emit(gen, sprintf("%s <- function(%s) {", fn, join_args(c("model", name_param(gen, block), sig))))
  if (gen$k3) {
    emit(gen, pipe_stages(c(paste0(ind, "model"), if (length(items) > 0L) paste0(ind, ind, items))))
  } else {
    if (length(items) > 0L) emit(gen, paste0(ind, items))
    emit(gen, paste0(ind, "invisible(model)"))
  }
  emit(gen, "}")
}

# keras3 pipe stages, " |>" after every one but the last.
pipe_stages <- function(stages) {
  n <- length(stages)
  paste0(stages, c(rep(" |>", max(n - 1L, 0L)), "")[seq_len(n)])
}

next_auto_name <- function(counters, base) {
  counters[[base]] <- (counters[[base]] %||% 0L) + 1L
  paste0(base, "_", counters[[base]])
}

# -- sequential ---------------------------------------------------------------

# One item per layer or block call: list elements (Python), pipe stages
# (keras3), model$add() (reticulate). params: the block's parameter
# identifiers, NULL outside blocks.
sequential_items <- function(gen, entries, params) {
  counters <- new.env(parent = emptyenv())
  items <- character()
  in_block <- !is.null(params)
  for (entry in entries) {
    if (has_field(entry, "block")) {
      local <- field(entry, "name") %||% next_auto_name(counters, entry$block)
      for (rep in use_names(entry, local)) {
        name <- code_name(gen, rep, in_block)
        items <- c(items, if (gen$py) paste0("*", block_call(gen, entry, name, params, character()))
                          else if (gen$k3) block_call(gen, entry, name, params, character())
                          else block_call(gen, entry, name, params, "model"))
      }
      next
    }
    local <- field(entry, "name") %||% next_auto_name(counters, layer_types()[[entry$type]]$auto_name)
    if (entry$type == "Input") next
    call <- layer_call(gen, entry, layer_args(gen, entry, local, params))
    items <- c(items, if (gen$lang == "r-reticulate") sprintf("model$add(%s)", call) else call)
  }
  items
}

write_sequential <- function(gen) {
  ind <- gen$indent
  first <- gen$doc$layers[[1L]]
  local <- field(first, "name", "input_1")
  items <- sequential_items(gen, gen$doc$layers, NULL)
  name <- code_quote(gen$doc$name)
  if (gen$py) {
    emit(gen, "model = keras.Sequential([", paste0(ind, input_call(gen, first, local, FALSE), ","))
    if (length(items) > 0L) emit(gen, paste0(ind, items, ","))
    emit(gen, sprintf("], name=%s)", name))
  } else if (gen$k3) {
    args <- code_kwarg(gen, "input_shape", code_value(gen, first$shape, "integer"))
    dtype <- field(first, "dtype", "float32")
    if (dtype != "float32") args <- c(args, code_kwarg(gen, "input_dtype", code_value(gen, dtype)))
    if (written_name(first)) args <- c(args, code_kwarg(gen, "input_name", code_quote(local)))
    args <- c(args, code_kwarg(gen, "name", name))
    emit(gen, pipe_stages(c(sprintf("model <- keras_model_sequential(%s)", join_args(args)),
                            if (length(items) > 0L) paste0(ind, items))))
  } else {
    emit(gen, sprintf("model <- keras$Sequential(name = %s)", name),
         sprintf("model$add(%s)", input_call(gen, first, local, FALSE)), items)
  }
}

# -- functional ---------------------------------------------------------------

# The statements of a layer list, the variable holding its last output, and
# the variable of each name. `ids` (new_identifiers()) gives the variables of
# the names that are referred to (`refs`) and of the Inputs; every other
# output goes to `x`.
functional_body <- function(gen, entries, first, refs, params, ids) {
  in_block <- !is.null(params)
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
        out <- if (rep %in% refs) identifier(ids, rep)
               else if (i == length(reps) && local %in% refs) identifier(ids, local) else "x"
        call <- block_call(gen, entry, code_name(gen, rep, in_block), params, src)
        lines <- c(lines, paste0(out, gen$assign, call))
        var_of[[rep]] <- out
        src <- out
      }
      var_of[[local]] <- src
      prev <- src
      next
    }
    local <- field(entry, "name") %||% next_auto_name(counters, layer_types()[[entry$type]]$auto_name)
    if (entry$type == "Input") {
      out <- identifier(ids, local)
      lines <- c(lines, paste0(out, gen$assign, input_call(gen, entry, local, in_block)))
    } else {
      args <- layer_args(gen, entry, local, params)
      out <- if (local %in% refs) identifier(ids, local) else "x"
      if (has_field(entry, "weights") && !written_name(entry)) { # set through a variable, as Keras names it
        layer <- identifier(ids, paste0(local, "\001layer")) # "dense_1_layer": no name of the spec has this key
        lines <- c(lines, paste0(layer, gen$assign, layer_call(gen, entry, args)),
                   paste0(out, gen$assign, apply_variable(gen, layer, inputs_of(entry))),
                   weights_line(gen, NULL, entry$weights, layer))
      } else {
        lines <- c(lines, paste0(out, gen$assign, apply_layer(gen, entry, args, inputs_of(entry))))
      }
    }
    var_of[[local]] <- out
    prev <- out
  }
  list(lines = lines, last = prev, var_of = var_of)
}

write_functional <- function(gen) {
  doc <- gen$doc
  refs <- c(explicit_refs(doc$layers), as.character(unlist(doc$outputs)))
  ids <- new_identifiers(gen$block_ids$taken)
  body <- functional_body(gen, doc$layers, NULL, refs, NULL, ids)
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
    code_kwarg(gen, "name", code_quote(doc$name))
  )
  fn <- if (gen$py) "keras.Model" else if (gen$k3) "keras_model" else "keras$Model"
  emit(gen, sprintf("model%s%s(%s)", gen$assign, fn, join_args(args)))
  for (layer in gen$graph$layers) { # the named ones: the others are set where they are made
    if (!is.null(layer$weights) && written_name(entry_at(doc, layer$source))) {
      emit(gen, weights_line(gen, layer$name, layer$weights))
    }
  }
}

# Fixed weights set on the model's layer of this name, or on the layer held in `variable`.
weights_line <- function(gen, name, weights, variable = NULL) {
  arrays <- vapply(weights, function(arr) {
    shape <- nested_shape(arr)
    values <- paste(number_text(flat_values(arr)), collapse = ", ")
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
  if (!is.null(variable)) {
    if (gen$py) return(sprintf("%s.set_weights(%s)", variable, code_vector(gen, arrays)))
    if (gen$k3) return(sprintf("set_weights(%s, %s)", variable, code_vector(gen, arrays)))
    return(sprintf("%s$set_weights(%s)", variable, code_vector(gen, arrays)))
  }
  target <- code_quote(name)
  if (gen$py) return(sprintf("model.get_layer(%s).set_weights(%s)", target, code_vector(gen, arrays)))
  if (gen$k3) return(sprintf("set_weights(get_layer(model, %s), %s)", target, code_vector(gen, arrays)))
  sprintf("model$get_layer(%s)$set_weights(%s)", target, code_vector(gen, arrays))
}

# The numbers of nested lists in C order, each as written (unlist() would make ints doubles).
flat_values <- function(arr) if (is.list(arr)) do.call(c, c(list(list()), lapply(arr, flat_values))) else list(arr)

# The shape of nested lists of numbers (C order).
nested_shape <- function(arr) {
  if (!is.list(arr)) return(integer())
  c(length(arr), if (length(arr) > 0L) nested_shape(arr[[length(arr)]]) else integer())
}

# -- the whole program ----------------------------------------------------------

compile_line <- function(gen) {
  settings <- gen$doc$compile
  if (is.null(settings)) return(NULL)
  opt <- settings[["optimizer"]]
  cls <- optimizer_class(opt)
  table <- registry()$compile
  opt_args <- character()
  for (key in names(table$optimizer_defaults[[opt]])) { # those the spec gives, in Keras's order
    v <- settings[[key]]
    if (is.null(v)) next
    text <- if (key != "learning_rate") {
      code_setting(gen, table$optimizer_arguments[[key]], v)
    } else if (json_is_object(v)) {
      code_schedule(gen, v)
    } else {
      code_value(gen, v, "float")
    }
    opt_args <- c(opt_args, code_kwarg(gen, key, text))
  }
  opt_text <- if (length(opt_args) > 0L) code_keras_call(gen, "optimizers", cls, opt_args) else code_quote(opt)
  args <- c(code_kwarg(gen, "optimizer", opt_text), code_kwarg(gen, "loss", code_quote(settings$loss)))
  metrics <- vapply(as.character(unlist(settings$metrics)), code_quote, "", USE.NAMES = FALSE)
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

# train_model(x, y): the spec's `fit` settings and callbacks as a function that trains the model.
fit_lines <- function(gen) {
  settings <- gen$doc$fit
  if (is.null(settings)) return(character())
  ind <- gen$indent
  table <- registry()$fit
  keys <- intersect(names(table$settings), names(settings))
  args <- c("x", "y", vapply(keys, function(k) {
    code_kwarg(gen, k, code_setting(gen, table$settings[[k]], settings[[k]]))
  }, "", USE.NAMES = FALSE))
  callbacks <- vapply(field(settings, "callbacks", list()), function(c) code_callback(gen, c), "")
  call <- paste0(ind, if (gen$py) "return model.fit" else if (gen$k3) "model |> fit" else "model$fit")
  lines <- c(if (gen$py) c("", "") else "",
             code_comment("train_model(x, y) trains the model with the spec's fit settings (x, y: arrays)"),
             if (gen$py) "def train_model(x, y):" else "train_model <- function(x, y) {")
  n <- length(callbacks)
  lines <- c(lines, if (n == 0L) {
    sprintf("%s(%s)", call, join_args(args))
  } else if (gen$py) {
    c(sprintf("%s(%s", call, join_args(c(args, "callbacks=["))), paste0(ind, ind, callbacks, ","), paste0(ind, "])"))
  } else {
    c(sprintf("%s(%s", call, join_args(c(args, "callbacks = list("))),
      paste0(ind, ind, callbacks, c(rep(",", n - 1L), "")), paste0(ind, "))"))
  })
  if (!gen$py) lines <- c(lines, "}")
  lines
}

program <- function(gen) {
  doc <- gen$doc
  title <- py_str(field(doc, "title", doc$name))
  emit(gen, code_comment(sprintf("%s: the twinnet spec '%s' as %s", title, doc$name, language_words()[[gen$lang]])))
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
  emit(gen, fit_lines(gen))
  paste0(paste(gen$lines, collapse = "\n"), "\n")
}

explicit_refs <- function(entries) {
  unique(as.character(unlist(lapply(entries, function(e) e$inputs))))
}

# An Input and at least one layer after it, each taking the one before it, one
# output, no fixed weights. (A model of an Input alone is written with the
# functional API: keras.Sequential would not build it.)
is_chain <- function(graph) {
  layers <- graph$layers
  n <- length(layers)
  if (length(graph$inputs) != 1L || length(graph$outputs) != 1L || layers[[1L]]$type != "Input" || n < 2L) {
    return(FALSE)
  }
  if (!identical(as.character(unlist(graph$outputs)), layers[[n]]$name)) return(FALSE)
  for (i in 2:n) {
    ins <- as.character(unlist(layers[[i]]$inputs))
    if (!identical(ins, layers[[i - 1L]]$name) || !is.null(layers[[i]]$weights)) return(FALSE)
  }
  TRUE
}
