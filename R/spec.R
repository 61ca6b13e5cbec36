# Loading a spec: from a catalog name, a file, JSON text or an R list, to a
# validated document (python/twinnet/spec.py).

#' Load and validate a spec
#'
#' Reads a spec and checks it: first its top level and `format_version`, then
#' the JSON Schema in `shared_specs/` (checked in R, with the same first error
#' as Python's twinnet reports), then the semantic checks of [expand()] (names,
#' graph, shapes, `expect`). No Python is needed.
#'
#' @param source One of
#'   * a catalog name such as `"lenet5"` (see [catalog()]);
#'   * the path of a `.json` file;
#'   * JSON text (a string whose first non-blank character opens an object
#'     or an array);
#'   * an R list in the shape of the JSON document, e.g.
#'     `list(format_version = "1.0", name = "tiny", layers = list(...))`
#'     (vectors of length > 1 become JSON arrays, `NA` becomes `null`; wrap a
#'     length-1 array in `list()` or `I()`);
#'   * a `twinnet_spec`, returned as is.
#' @return An object of class `twinnet_spec`: a list with `data` (the document
#'   as written, as parsed by `jsonlite::parse_json(simplifyVector = FALSE)`),
#'   `origin` (where it came from), and `graph`, the expansion made while
#'   checking it (what [expand()] returns while the limits stay as they were,
#'   kept in `graph_limits`). It prints in one line; [summary()] gives its
#'   layer table.
#' @seealso [expand()], [build_model()], [twinnet_spec_error]
#' @examples
#' spec <- load_spec("lenet5")
#' spec
#' summary(spec)
#' load_spec('{"format_version": "1.0", "name": "tiny",
#'             "layers": [{"type": "Input", "shape": [4]},
#'                        {"type": "Dense", "units": 2}]}')
#' # errors say where the problem is
#' tryCatch(load_spec("lenet"), twinnet_spec_error = function(e) conditionMessage(e))
#' @export
load_spec <- function(source) {
  if (inherits(source, "twinnet_spec")) return(source)
  src <- read_source(source)
  validate_document(src$doc)
  limits <- current_limits()
  new_twinnet_spec(src$doc, src$origin, expand_document(src$doc), limits) # the semantic checks
}

new_twinnet_spec <- function(doc, origin, graph = NULL, graph_limits = NULL) {
  structure(list(data = doc, origin = origin, graph = graph, graph_limits = graph_limits), class = "twinnet_spec")
}

spec_name <- function(spec) py_str(spec$data[["name"]])

spec_title <- function(spec) py_str(field(spec$data, "title", spec$data[["name"]]))

# The names of the built-in specs, sorted.
catalog_names <- function() {
  files <- list.files(specs_path("models"), pattern = "\\.json$")
  sort_code_points(sub("\\.json$", "", files))
}

catalog_path <- function(name) file.path(specs_path("models"), paste0(name, ".json"))

# Whether path is a file; FALSE (quietly) for a name the system cannot look up, such as a very long one.
is_file <- function(path) isTRUE(suppressWarnings(utils::file_test("-f", path)))

# list(doc, origin, text): the document, where it came from and its JSON text.
read_source <- function(source) {
  if (is.list(source)) {
    if (value_depth(source) > fixed_limit("max_json_depth")) stop(too_deep_error())
    where <- non_json_path(source)
    if (!is.null(where)) {
      stop_spec(where$path, sprintf(paste0(
        "expected a JSON value (a list, a vector, a string, a number, TRUE, FALSE, NA or NULL), found %s"
      ), where$found), "wrong_type")
    }
    where <- non_finite_path(source)
    if (!is.null(where)) {
      stop_spec(where, "expected a finite number, found NaN or an infinity (JSON has neither)", "invalid_value")
    }
    text <- to_json(source)
    return(list(doc = parse_json(text), origin = "<list>", text = text))
  }
  if (json_is_string(source)) {
    text <- py_strip(source)
    bare <- sub("^\ufeff+", "", text) # JSON text (parse_json() refuses a byte order mark)
    if (startsWith(bare, "{") || startsWith(bare, "[")) {
      return(list(doc = parse_json(source), origin = "<json>", text = source))
    }
    is_name <- grepl(spec_pattern("name"), text, perl = TRUE)
    if (is_name && is_file(catalog_path(text))) return(read_file(catalog_path(text)))
    if (is_file(source)) return(read_file(source))
    hint <- if (is_name) suggest(text, catalog_names()) else NULL
    stop_spec("", sprintf("'%s' is not a catalog name (see catalog()), a file or JSON text", cut_text(source, 60L)),
              "not_found", hint)
  }
  stop_spec("", sprintf(
    "expected a catalog name, a file path, JSON text or a list, found %s",
    r_type_name(source)
  ), "wrong_type")
}

# The first width - 3 characters and "...", for a long text in a message (spec.py's _cut()).
cut_text <- function(text, width) {
  if (nchar(text) <= width) text else paste0(substr(text, 1L, width - 3L), "...")
}

# Python's str.strip(): the characters Python counts as whitespace, from both ends.
py_strip <- function(text) {
  points <- utf8ToInt(enc2utf8(text))
  if (anyNA(points)) return(trimws(text))
  space <- points %in% c(9:13, 28:32, 0x85, 0xA0, 0x1680, 0x2000:0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
  keep <- which(!space)
  if (length(keep) == 0L) return("")
  intToUtf8(points[min(keep):max(keep)])
}

r_type_name <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.atomic(x) && length(x) != 1L) return(sprintf("a %s vector of length %d", typeof(x), length(x)))
  class(x)[[1L]]
}

read_file <- function(path) {
  if (file.size(path) > fixed_limit("max_spec_bytes")) {
    stop_spec("", sprintf("the file is larger than %s bytes", format_count(fixed_limit("max_spec_bytes"))), "too_large")
  }
  text <- read_text(path)
  if (!validUTF8(text)) {
    stop_spec("", sprintf("invalid JSON: the file is not UTF-8 text (byte %d is not)",
                          utf8_error_byte(charToRaw(text))), "invalid_json")
  }
  list(doc = parse_json(text), origin = path, text = text)
}

# The 1-based position of the first byte that does not belong to valid UTF-8
# (where Python's decode() stops).
utf8_error_byte <- function(bytes) {
  b <- as.integer(bytes)
  i <- 1L
  n <- length(b)
  while (i <= n) {
    lead <- b[[i]]
    extra <- if (lead < 0x80L) 0L else if (lead >= 0xC2L && lead <= 0xDFL) 1L else
      if (lead >= 0xE0L && lead <= 0xEFL) 2L else if (lead >= 0xF0L && lead <= 0xF4L) 3L else return(i)
    lo <- if (lead == 0xE0L) 0xA0L else if (lead == 0xF0L) 0x90L else 0x80L
    hi <- if (lead == 0xEDL) 0x9FL else if (lead == 0xF4L) 0x8FL else 0xBFL
    for (k in seq_len(extra)) {
      if (i + k > n) return(i)
      c <- b[[i + k]]
      if (c < (if (k == 1L) lo else 0x80L) || c > (if (k == 1L) hi else 0xBFL)) return(i)
    }
    i <- i + extra + 1L
  }
  NA_integer_
}

# Whether a parsed JSON value holds a number that is not finite (a number too
# large for a double, such as 1e400, which jsonlite reads as Inf). NA is null.
has_non_finite <- function(x) {
  bad <- function(v) any(is.nan(v) | is.infinite(v))
  if (!is.list(x)) return(is.numeric(x) && bad(x))
  any(unlist(rapply(x, bad, classes = "numeric", how = "unlist"), use.names = FALSE))
}

# The JSON Pointer of the first number that is NaN or infinite, in document
# order, or NULL (recursion is safe: value_depth() was checked first).
non_finite_path <- function(x, tokens = character()) {
  if (!has_non_finite(x)) return(NULL)
  if (is.list(x) || length(x) > 1L) { # an R vector of length > 1 is a JSON array
    keys <- if (is.null(names(x))) as.character(seq_along(x) - 1L) else names(x)
    for (i in seq_along(x)) {
      found <- non_finite_path(x[[i]], c(tokens, keys[[i]]))
      if (!is.null(found)) return(found)
    }
    return(NULL)
  }
  json_pointer(tokens)
}

# The JSON Pointer and a description of the first part of an R value that JSON cannot
# hold (an environment, a function, a complex number, a list that names only some of its
# elements), in document order, or NULL. Recursion is safe: value_depth() was checked first.
non_json_path <- function(x, tokens = character()) {
  if (is.null(x)) return(NULL)
  if (!typeof(x) %in% c("logical", "integer", "double", "character", "list") || is.object(x) && !is.list(x) &&
      !inherits(x, c("AsIs", "factor"))) {
    return(list(path = json_pointer(tokens), found = sprintf("a value of type %s", class(x)[[1L]])))
  }
  if (!is.list(x)) return(NULL)
  keys <- names(x)
  if (!is.null(keys) && length(x) > 0L && (anyNA(keys) || any(!nzchar(keys)))) {
    return(list(path = json_pointer(tokens), found = "a list that names some of its elements and not others"))
  }
  if (is.null(keys)) keys <- as.character(seq_along(x) - 1L)
  for (i in seq_along(x)) {
    found <- non_json_path(x[[i]], c(tokens, keys[[i]]))
    if (!is.null(found)) return(found)
  }
  NULL
}

too_deep_error <- function() {
  spec_error("", sprintf("the JSON nests arrays and objects more than %d levels deep", fixed_limit("max_json_depth")),
             "too_deep")
}

# How deeply lists nest in an R value, level by level (no recursion: the value
# may be very deep; no walk element by element: it may be long).
value_depth <- function(x) {
  depth <- 0L
  level <- list(x)
  while (depth <= fixed_limit("max_json_depth")) {
    level <- level[vapply(level, is.list, logical(1))]
    if (length(level) == 0L) break
    depth <- depth + 1L
    level <- unlist(level, recursive = FALSE, use.names = FALSE)
  }
  depth
}

# Parse JSON text; errors give line and column, and repeated keys are refused.
# Checked in this order, as Python does: the size, a byte order mark, the
# nesting depth, the syntax, repeated keys.
parse_json <- function(text) {
  if (nchar(text, type = "bytes") > fixed_limit("max_spec_bytes")) {
    stop_spec("", sprintf("the spec is larger than %s bytes", format_count(fixed_limit("max_spec_bytes"))), "too_large")
  }
  if (startsWith(text, "\ufeff")) {
    stop_spec("", "invalid JSON at line 1, column 1: Unexpected UTF-8 BOM", "invalid_json")
  }
  bare <- as.integer(outside_strings(text))
  if (json_depth(bare) > fixed_limit("max_json_depth")) stop(too_deep_error())
  value <- tryCatch(
    jsonlite::parse_json(text, simplifyVector = FALSE),
    error = function(e) stop_spec("", json_error_message(text, conditionMessage(e)), "invalid_json")
  )
  # the parser (yajl) also reads comments, the whitespace \v and \f, and numbers too
  # large for a double; JSON and Python do not
  if (any(bare == 0x2FL | bare == 0x0BL | bare == 0x0CL) || json_has_extreme_number(value)) {
    why <- json_error_message(text)
    if (!is.null(why)) stop_spec("", why, "invalid_json")
  }
  check_escapes(text)
  find_dup(value, character())
  value
}

# The bytes of JSON text with its string literals blanked out; a string left
# open runs to the end of the text (spec.py's STRING_RE).
outside_strings <- function(text) {
  bytes <- charToRaw(text)
  found <- gregexpr('(?s)"[^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+"?', text, perl = TRUE, useBytes = TRUE)[[1L]]
  if (found[[1L]] > 0L) {
    bytes[sequence(attr(found, "match.length"), from = as.integer(found))] <- as.raw(0x20)
  }
  bytes
}

# How deeply arrays and objects nest, from the bytes (as integers) outside strings.
json_depth <- function(bare) {
  step <- (bare == 0x5BL | bare == 0x7BL) - (bare == 0x5DL | bare == 0x7DL)
  step <- step[step != 0L]
  if (length(step) == 0L) 0L else max(cumsum(step))
}

# "invalid JSON at line L, column C: what" for text the parser refused, or read
# although JSON does not allow it: the first error json_syntax_error() finds, in
# the same words as Python. Failing that: for text the parser refused (not
# reached), the parser's words; for text it read, NULL (the text is JSON).
json_error_message <- function(text, parser_message = NULL) {
  text <- enc2utf8(text)
  found <- json_syntax_error(text)
  if (is.null(found)) {
    if (is.null(parser_message)) return(NULL)
    check_escapes(text) # \u0000 or half a surrogate pair
    return(sprintf("invalid JSON: %s", sub("\\.$", "", trimws(strsplit(parser_message, "\n")[[1L]][[1L]]))))
  }
  if (is.na(found$at)) return(sprintf("invalid JSON: %s", found$message))
  sprintf("invalid JSON at %s: %s", json_position(text, found$at), found$message)
}

# "line L, column C" (1-based, columns in characters) of a 0-based byte offset.
json_position <- function(text, at) {
  before <- charToRaw(text)[seq_len(at)]
  newlines <- which(before == as.raw(10L))
  start <- if (length(newlines)) max(newlines) + 1L else 1L
  on_line <- if (at >= start) before[start:at] else raw(0)
  column <- sum(bitwAnd(as.integer(on_line), 0xC0L) != 0x80L) + 1L
  sprintf("line %d, column %d", length(newlines) + 1L, column)
}

# Refuse the escapes \u0000 (NUL, which R's strings cannot hold: the parser
# would cut the string there) and a lone UTF-16 surrogate, at the first in the
# text (spec.py's check_escapes()). Every backslash in valid JSON starts an
# escape, so the escapes are read in order.
check_escapes <- function(text) {
  if (!grepl("\\u", text, fixed = TRUE)) return(invisible(NULL))
  found <- gregexpr("\\\\(?:u[0-9a-fA-F]{4}|.)", text, perl = TRUE, useBytes = TRUE)[[1L]]
  starts <- as.integer(found)
  ends <- starts + attr(found, "match.length")
  escapes <- regmatches(text, list(found))[[1L]]
  codes <- ifelse(nchar(escapes, type = "bytes") == 6L, strtoi(substr(escapes, 3L, 6L), 16L), -1L)
  n <- length(codes)
  high <- codes >= 0xD800L & codes <= 0xDBFFL
  low <- codes >= 0xDC00L & codes <= 0xDFFFL
  paired_high <- high & c(starts[-1L] == ends[-n] & low[-1L], FALSE)
  paired_low <- low & c(FALSE, paired_high[-n])
  bad <- which(codes == 0L | (high & !paired_high) | (low & !paired_low))
  if (length(bad) == 0L) return(invisible(NULL))
  i <- bad[[1L]]
  at <- json_position(text, starts[[i]] - 1L)
  if (codes[[i]] == 0L) {
    stop_spec("", sprintf("invalid JSON at %s: a string holds \\u0000 (NUL), which twinnet does not accept", at),
              "invalid_json")
  }
  stop_spec("", sprintf("invalid JSON at %s: %s is half of a UTF-16 surrogate pair, not a character",
                        at, escapes[[i]]), "invalid_json")
}

# Refuse an over-long key, then a repeated key (at the pointer of that key).
# Depth first, in document order, as Python's _find_dup(). Recursion is safe:
# the text nests at most fixed_limit("max_json_depth") levels (a stack of pending
# values in an R list would be copied at each step, quadratic in a long document).
find_dup <- function(value, tokens) {
  if (!is.list(value) || length(value) == 0L) return(invisible(NULL))
  keys <- names(value)
  if (!is.null(keys)) {
    max_bytes <- fixed_limit("max_key_bytes")
    long <- which(nchar(keys, type = "bytes") > max_bytes)
    if (length(long) > 0L) {
      stop_spec(json_pointer(tokens), sprintf("a key is longer than %s bytes (it begins %s)",
                                              format_count(max_bytes), describe(substr(keys[[long[[1L]]]], 1L, 20L))),
                "too_large")
    }
    dup <- keys[duplicated(keys)]
    if (length(dup) > 0L) {
      stop_spec(json_pointer(c(tokens, dup[[1L]])),
                sprintf("the key '%s' appears twice in one object", dup[[1L]]), "duplicate_key")
    }
  } else {
    keys <- as.character(seq_along(value) - 1L)
  }
  for (i in which(vapply(value, is.list, logical(1)))) find_dup(value[[i]], c(tokens, keys[[i]]))
  invisible(NULL)
}

# Check the top level, the format version, then the JSON Schema; signal the first error.
validate_document <- function(doc) {
  if (!json_is_object(doc)) {
    stop_spec("", sprintf("a spec is a JSON object, found %s", describe(doc)), "wrong_type")
  }
  if (!has_field(doc, "format_version")) {
    stop_spec("/format_version", "the required field 'format_version' is missing (use \"1.0\")", "missing")
  }
  version <- doc[["format_version"]]
  if (!json_is_string(version) || !grepl(spec_pattern("format_version"), version, perl = TRUE)) {
    stop_spec("/format_version",
              sprintf("expected a version string such as \"1.0\", found %s", describe(version)),
              "invalid_value")
  }
  major <- as.numeric(strsplit(version, ".", fixed = TRUE)[[1L]][[1L]])
  if (major != spec_supported_major()) {
    stop_spec("/format_version", sprintf(
      "format_version %s is not supported; this twinnet reads format %d.x", cut_text(version, 20L),
      spec_supported_major()
    ), "unsupported_version")
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
      stop_spec(json_pointer(c(l$tokens, format_int(floor(limit)))), sprintf(
        "%s layers are more than the limit of %s layers in a model",
        format_count(length(l$entries)), format_count(floor(limit))
      ), "too_large", how_to_raise("max_layers"))
    }
  }
}

# A JSON Schema type in a message ("expected an integer"): messages.json's type_words.
type_words <- function() cached("type_words", function() unlist(shared_table("messages.json")$type_words))

# The first schema failure as a twinnet_spec_error: path, kind, message and hint
# (spec.py's _to_spec_error()).
to_spec_error <- function(f) {
  tokens <- f$tokens
  sch <- if (is.list(f$schema)) f$schema else list()
  found <- f$instance
  n <- length(tokens)
  if (f$keyword == "required") {
    missing <- f$key
    message <- if (missing == "type" && n >= 2L && identical(tokens[[n - 1L]], "layers")) {
      "a layer needs a \"type\" (a Keras layer class) or a \"block\""
    } else {
      sprintf("the required field '%s' is missing", missing)
    }
    return(spec_error(json_pointer(c(tokens, missing)), message, "missing"))
  }
  if (f$keyword == "additionalProperties") {
    allowed <- names(field(sch, "properties", list()))
    extra <- f$key
    layer_type <- field(field(field(sch, "properties", list()), "type", list()), "const")
    if (!is.null(layer_type) && !identical(layer_type, "")) {
      return(spec_error(json_pointer(c(tokens, extra)),
                        sprintf("'%s' is not an argument of %s", extra, layer_type),
                        "unknown_argument", suggest(extra, allowed)))
    }
    return(spec_error(json_pointer(c(tokens, extra)), sprintf("'%s' is not a known field here", extra),
                      "unknown_field", suggest(extra, allowed)))
  }
  if (f$keyword == "enum" && n >= 1L && identical(tokens[[n]], "type")) {
    hint <- if (json_is_string(found)) suggest(found, sch[["enum"]]) else NULL
    return(spec_error(json_pointer(tokens), sprintf("'%s' is not a supported layer type", py_str(found)),
                      "unknown_type", hint))
  }
  if (f$keyword == "propertyNames") { # a key of a block, args or params object
    return(spec_error(json_pointer(c(tokens, f$key)), sprintf(
      "the name %s must be letters, digits and underscores, starting with a letter", describe(f$key)
    ), "invalid_name"))
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
    return(spec_error(json_pointer(tokens), sprintf("expected %s, found %s", desc, describe(found)),
                      "invalid_value", hint))
  }
  spec_error(json_pointer(tokens), sprintf("the value %s fails the schema's '%s'", describe(found), f$keyword),
             "invalid_value")
}

#' A validated spec
#'
#' [load_spec()] returns an object of class `twinnet_spec`: a list with
#' `data`, the document as written (JSON objects as named lists, arrays as
#' unnamed lists), and `origin`, where it came from. It prints in one line,
#' like Python's `repr()` of a `twinnet.Spec`.
#'
#' @param x A `twinnet_spec`.
#' @param ... Unused.
#' @return `format()` returns the one-line description, e.g.
#'   `"<twinnet spec 'lenet5': 9 layers, 61,706 parameters>"`; `print()`
#'   prints it and returns `x` invisibly.
#' @seealso [summary.twinnet_spec()] for the layer table.
#' @examples
#' spec <- load_spec("lenet5")
#' print(spec)
#' spec$data$title
#' @name twinnet_spec
NULL

#' @rdname twinnet_spec
#' @export
format.twinnet_spec <- function(x, ...) {
  g <- expand(x)
  sprintf("<twinnet spec '%s': %d layers, %s parameters>",
          spec_name(x), length(g$layers), format_count(g$params$total))
}

#' @rdname twinnet_spec
#' @export
print.twinnet_spec <- function(x, ...) {
  cat(format(x), "\n", sep = "")
  invisible(x)
}

#' Summarise a spec: its layer table
#'
#' @param object A `twinnet_spec` from [load_spec()].
#' @param x A `summary.twinnet_spec`.
#' @param ... Unused.
#' @return `summary()` returns a data frame of class `summary.twinnet_spec`
#'   with one row per layer of the expanded graph (`name`, `type`,
#'   `output_shape` as Keras prints it, e.g. `"(None, 28, 28, 6)"`, and
#'   `params`) and the attributes `spec` (the name), `title` and `params`
#'   (`total`, `trainable`, `non_trainable`). Its print method shows the
#'   table and the totals, like Keras's `summary()`.
#' @examples
#' summary(load_spec("lenet5"))
#' @export
summary.twinnet_spec <- function(object, ...) {
  g <- expand(object)
  layers <- g$layers
  counts <- vapply(layers, function(l) as.numeric(l$params), numeric(1))
  table <- data.frame(
    name = vapply(layers, function(l) l$name, ""),
    type = vapply(layers, function(l) l$type, ""),
    output_shape = vapply(layers, function(l) format_shape(l$output_shape), ""),
    params = if (all(counts <= .Machine$integer.max)) as.integer(counts) else counts,
    stringsAsFactors = FALSE
  )
  structure(table, class = c("summary.twinnet_spec", "data.frame"),
            spec = spec_name(object), title = spec_title(object), params = g$params)
}

#' @rdname summary.twinnet_spec
#' @export
print.summary.twinnet_spec <- function(x, ...) {
  params <- attr(x, "params")
  spec <- attr(x, "spec")
  title <- attr(x, "title")
  cat(sprintf("twinnet spec '%s'%s\n", spec, if (identical(title, spec)) "" else sprintf(" (%s)", title)))
  columns <- list(
    c("Layer", x[["name"]]),
    c("Type", x[["type"]]),
    c("Output shape", x[["output_shape"]]),
    c("Params", vapply(x[["params"]], format_count, ""))
  )
  widths <- vapply(columns, function(col) max(nchar(col)), integer(1))
  cells <- Map(function(col, width, right) formatC(col, width = width, flag = if (right) " " else "-"),
               columns, widths, c(FALSE, FALSE, FALSE, TRUE))
  cat(paste0(" ", do.call(paste, c(cells, sep = "  "))), sep = "\n")
  cat(sprintf("Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n",
              format_count(params$total), format_count(params$trainable),
              format_count(params$non_trainable)))
  invisible(x)
}
