# Checking a spec document: its top level, format version, list lengths and
# JSON Schema (python/twinnet/check.py).

# Check the top level, the format version, then the JSON Schema; signal the first error.
validate_document <- function(doc) {
  if (!json_is_object(doc)) stop_spec_at("", "not_an_object", found = describe(doc))
  if (!has_field(doc, "format_version")) stop_spec_at("/format_version", "no_format_version")
  version <- doc[["format_version"]]
  if (!json_is_string(version) || !grepl(spec_pattern("format_version"), version, perl = TRUE)) {
    stop_spec_at("/format_version", "bad_format_version", found = describe(version))
  }
  major <- as.numeric(strsplit(version, ".", fixed = TRUE)[[1L]][[1L]])
  if (major != spec_supported_major()) {
    stop_spec_at("/format_version", "unsupported_version", version = cut_text(version, 20L),
                 major = int_text(spec_supported_major()))
  }
  check_list_lengths(doc)
  failure <- schema_check()(doc)
  if (!is.null(failure)) stop(to_spec_error(failure))
  invisible(doc)
}

# Refuse a layer list longer than max_layers before the schema validator reads it.
check_list_lengths <- function(doc) {
  limit <- get_limit("max_layers")
  lists <- list(list(tokens = list("layers"), entries = field(doc, "layers")))
  blocks <- field(doc, "blocks")
  if (json_is_object(blocks)) {
    for (i in seq_along(blocks)) { # by position: a block may be named "" (the schema refuses it later)
      if (json_is_object(blocks[[i]])) {
        lists[[length(lists) + 1L]] <- list(tokens = list("blocks", names(blocks)[[i]], "layers"),
                                            entries = field(blocks[[i]], "layers"))
      }
    }
  }
  for (l in lists) {
    if (json_is_array(l$entries) && length(l$entries) > limit) {
      stop_spec_at(json_pointer(c(l$tokens, int_text(floor(limit)))), "too_many_layers",
                   count = format_count(length(l$entries)), limit = format_count(floor(limit)),
                   hint = how_to_raise("max_layers"))
    }
  }
}

# A JSON Schema type in a message ("expected an integer"): messages.json's type_words.
type_words <- function() cached("type_words", function() unlist(shared_table("messages.json")$type_words))

# The first schema failure as a twinnet_spec_error: path, kind, message and hint
# (check.py's _to_spec_error()).
to_spec_error <- function(f) {
  tokens <- f$tokens
  sch <- if (is.list(f$schema)) f$schema else list()
  found <- f$instance
  n <- length(tokens)
  if (f$keyword == "required") {
    missing <- f$key
    if (missing == "type" && n >= 2L && identical(tokens[[n - 1L]], "layers")) {
      return(spec_error_at(json_pointer(c(tokens, missing)), "missing_type"))
    }
    return(spec_error_at(json_pointer(c(tokens, missing)), "missing_field", field = missing))
  }
  if (f$keyword == "additionalProperties") {
    allowed <- names(field(sch, "properties", list()))
    extra <- f$key
    layer_type <- field(field(field(sch, "properties", list()), "type", list()), "const")
    if (!is.null(layer_type) && !identical(layer_type, "") && extra %in% c("name", "inputs", "weights", "allow")) {
      # only a wrapped layer has none of these
      return(spec_error_at(json_pointer(c(tokens, extra)), "wrapped_field", type = layer_type, name = extra))
    }
    if (!is.null(layer_type) && !identical(layer_type, "")) {
      return(unknown_argument(json_pointer(c(tokens, extra)), extra, layer_type, allowed, found))
    }
    hint <- renamed(extra, allowed)
    return(spec_error_at(json_pointer(c(tokens, extra)), "unknown_field", name = extra,
                         hint = if (is.null(hint)) suggest(extra, allowed) else hint))
  }
  if (f$keyword == "enum" && n >= 1L && identical(tokens[[n]], "type")) {
    if (n >= 2L && !grepl("^[0-9]+$", tokens[[n - 1L]]) && json_is_string(found) && found %in% names(layer_types())) {
      return(spec_error_at(json_pointer(tokens), "not_wrappable", type = found, types = or_list(sch[["enum"]])))
    }
    return(unknown_type(json_pointer(tokens), found, as.character(unlist(sch[["enum"]]))))
  }
  if (f$keyword == "propertyNames") { # a key of a block, args or params object
    return(spec_error_at(json_pointer(c(tokens, f$key)), "invalid_name", name = describe(f$key)))
  }
  desc <- field(sch, "description")
  if (json_is_string(desc) && !(n >= 1L && identical(tokens[[1L]], "blocks"))) {
    desc <- strsplit(desc, " (inside a block", fixed = TRUE)[[1L]][[1L]] # "$parameters" exist only inside blocks
  }
  if (!(json_is_string(desc) && nzchar(desc)) && f$keyword == "type") {
    desc <- paste(type_words()[as.character(unlist(sch[["type"]]))], collapse = " or ")
  }
  if (json_is_string(desc) && nzchar(desc)) {
    return(spec_error_at(json_pointer(tokens), "expected", expected = desc, found = describe(found),
                         hint = value_hint(f$keyword, sch, found)))
  }
  spec_error_at(json_pointer(tokens), "schema_keyword", found = describe(found), keyword = f$keyword)
}

# -- hints (shared_specs/hints.json; check.py's hints) ----------------------------

# The hint for an old Keras name whose Keras 3 name is allowed here ("lr":
# "learning_rate"), or NULL.
renamed <- function(name, allowed) {
  for (new in hints_table()$old_arguments[[name]]) {
    if (new %in% allowed) return(hint_text("old_argument", new = new))
  }
  NULL
}

# An argument that the layer type does not take: an input shape written on the
# layer, an old Keras name, a Keras argument that twinnet does not support, or a
# misspelling.
unknown_argument <- function(path, name, layer_type, allowed, layer) {
  hints <- hints_table()
  if (name %in% hints$input_arguments) {
    value <- field(layer, name)
    shape <- if (name == "input_shape" && json_is_array(value)) describe(value) else "[...]"
    return(spec_error_at(path, "unknown_argument", name = name, type = layer_type,
                         hint = hint_text("input_argument", shape = shape)))
  }
  hint <- renamed(name, allowed)
  if (is.null(hint) && name %in% hints$keras_arguments[[layer_type]]) {
    return(spec_error_at(path, "unsupported_argument", name = name, type = layer_type))
  }
  if (is.null(hint)) hint <- suggest(name, allowed)
  spec_error_at(path, "unknown_argument", name = name, type = layer_type, hint = hint)
}

# A layer type that is not in the allowlist: Keras's other or old name of a
# supported type, a Keras layer that twinnet does not support, or a
# misspelling; else the list of supported types.
unknown_type <- function(path, found, supported) {
  hints <- hints_table()
  if (!json_is_string(found)) return(spec_error_at(path, "unknown_type", type = py_str(found))) # not a name at all
  every <- hint_text("supported_types", types = paste(names(layer_types()), collapse = ", "))
  low <- tolower(found)
  for (table in c("type_aliases", "old_types")) {
    names <- names(hints[[table]])
    new <- if (low %in% tolower(names)) hints[[table]][[match(low, tolower(names))]] else NULL
    if (!is.null(new) && new %in% supported) {
      hint <- hint_text(if (table == "type_aliases") "type_alias" else "old_type", new = new)
      return(spec_error_at(path, "unknown_type", type = found, hint = hint))
    }
  }
  if (!low %in% tolower(supported) && low %in% tolower(unlist(hints$keras_layers))) {
    return(spec_error_at(path, "unsupported_type", type = found, hint = every))
  }
  hint <- suggest(found, supported)
  spec_error_at(path, "unknown_type", type = found, hint = if (is.null(hint)) every else hint)
}

# A name close to a misspelt one ("Relu": "relu"), or how to write a list of one
# ("shape": 784).
value_hint <- function(keyword, sch, found) {
  if (json_is_string(found) && keyword %in% c("enum", "anyOf")) {
    names <- enum_names(sch)
    close <- if (length(names)) suggest(found, names) else NULL
    if (!is.null(close)) return(close)
  }
  if ((json_is_string(found) || json_is_number(found)) &&
      is.null(compile_schema(sch, schema(), schema_refs())(list(found)))) {
    return(hint_text("list_of_one", value = describe(found)))
  }
  NULL
}

# The names a schema (or the options of its anyOf, or the definition it refers to) lists in enums.
enum_names <- function(sch) {
  if (!is.null(sch[["$ref"]])) sch <- schema()[["$defs"]][[basename(sch[["$ref"]])]]
  enum <- sch[["enum"]]
  names <- as.character(unlist(enum[vapply(enum, json_is_string, logical(1))]))
  for (option in sch[["anyOf"]]) {
    if (json_is_object(option)) names <- c(names, enum_names(option))
  }
  names
}
