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
    if (!is.null(layer_type) && !identical(layer_type, "")) {
      return(spec_error_at(json_pointer(c(tokens, extra)), "unknown_argument", name = extra, type = layer_type,
                           hint = suggest(extra, allowed)))
    }
    return(spec_error_at(json_pointer(c(tokens, extra)), "unknown_field", name = extra,
                         hint = suggest(extra, allowed)))
  }
  if (f$keyword == "enum" && n >= 1L && identical(tokens[[n]], "type")) {
    hint <- if (json_is_string(found)) suggest(found, sch[["enum"]]) else NULL
    return(spec_error_at(json_pointer(tokens), "unknown_type", type = py_str(found), hint = hint))
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
    hint <- if (f$keyword == "enum" && json_is_string(found)) suggest(found, sch[["enum"]]) else NULL
    return(spec_error_at(json_pointer(tokens), "expected", expected = desc, found = describe(found), hint = hint))
  }
  spec_error_at(json_pointer(tokens), "schema_keyword", found = describe(found), keyword = f$keyword)
}
