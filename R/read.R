# Reading a spec: a catalog name, a file, JSON text or an R list, to a JSON
# value (python/twinnet/read.py).
#
# What is refused here, in this order: the size of the text, a byte order
# mark, the nesting depth, the JSON syntax, the escapes \u0000 and lone
# surrogates, over-long keys and repeated keys.

# What a value given in R may hold, for the "not_json_value" and "source_type"
# errors (Python names its own).
JSON_VALUES <- "a list, a vector, a string, a number, TRUE, FALSE, NA or NULL"
CONTAINER <- "a list"

# The names of the built-in specs, sorted.
catalog_names <- function() {
  files <- list.files(specs_path("models"), pattern = "\\.json$")
  sort_code_points(sub("\\.json$", "", files))
}

catalog_path <- function(name) file.path(specs_path("models"), paste0(name, ".json"))

# Whether path is a file; FALSE (quietly) for a name the system cannot look up, such as a very long one.
is_file <- function(path) isTRUE(suppressWarnings(utils::file_test("-f", path)))

# Whether a source that is no catalog name, file or JSON text was meant as a file
# (read.py's looks_like_path()).
looks_like_path <- function(text) {
  !grepl(spec_pattern("name"), text, perl = TRUE) &&
    (grepl("[/\\\\]", text) || endsWith(tolower(text), ".json"))
}

# list(doc, origin, text): the document, where it came from and its JSON text.
read_source <- function(source) {
  if (is.list(source)) {
    if (value_depth(source) > fixed_limit("max_json_depth")) stop(too_deep_error())
    where <- non_json_path(source)
    if (!is.null(where)) stop_spec_at(where$path, "not_json_value", json_values = JSON_VALUES, found = where$found)
    where <- non_finite_path(source)
    if (!is.null(where)) stop_spec_at(where, "not_finite")
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
    if (is_name && is_file(catalog_path(text))) return(read_file(catalog_path(text), paste0(text, ".json")))
    if (is_file(source)) return(read_file(source))
    if (looks_like_path(text)) stop_spec_at("", "no_spec_file", file = cut_text(text, 60L))
    hint <- if (is_name) suggest(text, catalog_names()) else NULL
    stop_spec_at("", "not_a_source", source = cut_text(source, 60L), hint = hint)
  }
  stop_spec_at("", "source_type", container = CONTAINER, found = r_type_name(source))
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

# list(doc, origin, text) of a file; its errors name it as `shown` (as the user wrote it).
read_file <- function(path, shown = path) {
  file <- file_label(shown)
  if (file.size(path) > fixed_limit("max_spec_bytes")) {
    stop_spec_at("", "file_too_large", file = file, bytes = format_count(fixed_limit("max_spec_bytes")))
  }
  text <- read_text(path)
  if (!validUTF8(text)) {
    stop_spec_at("", "not_utf8", file = file, byte = int_text(utf8_error_byte(charToRaw(text))))
  }
  list(doc = parse_json(text, file), origin = path, text = text)
}

# A file's path for a message: as written, or "..." and its last 57 characters
# when it is longer than 60 (the end names the file; read.py's file_label()).
file_label <- function(path) {
  n <- nchar(path)
  if (n <= 60L) path else paste0("...", substr(path, n - 56L, n))
}

# A position in the text of a file: "line 3, column 5 of 'lenet.json'" (read.py's _in_file()).
in_file <- function(position, file) if (is.null(file)) position else sprintf("%s of '%s'", position, file)

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

# -- JSON text -------------------------------------------------------------------

# Parse JSON text; errors give line and column, and repeated keys are refused.
# Checked in this order, as Python does: the size, a byte order mark, the
# nesting depth, the syntax, repeated keys. The errors in the text of a file
# name it (`file`, from file_label()).
parse_json <- function(text, file = NULL) {
  if (nchar(text, type = "bytes") > fixed_limit("max_spec_bytes")) {
    stop_spec_at("", "spec_too_large", bytes = format_count(fixed_limit("max_spec_bytes")))
  }
  if (startsWith(text, "\ufeff")) stop_spec_at("", "json_bom", position = in_file("line 1, column 1", file))
  bare <- as.integer(outside_strings(text))
  if (json_depth(bare) > fixed_limit("max_json_depth")) stop(too_deep_error(file))
  value <- tryCatch(
    jsonlite::parse_json(text, simplifyVector = FALSE),
    error = function(e) stop(json_error(text, conditionMessage(e), file))
  )
  # the parser (yajl) also reads comments, the whitespace \v and \f, and numbers too
  # large for a double; JSON and Python do not
  if (any(bare == 0x2FL | bare == 0x0BL | bare == 0x0CL) || json_has_extreme_number(value)) {
    why <- json_error(text, file = file)
    if (!is.null(why)) stop(why)
  }
  check_escapes(text, file)
  find_dup(value, character())
  value
}

# The bytes of JSON text with its string literals blanked out; a string left
# open runs to the end of the text (read.py's STRING_RE).
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

too_deep_error <- function(file = NULL) {
  depth <- int_text(fixed_limit("max_json_depth"))
  if (is.null(file)) return(spec_error_at("", "json_too_deep", depth = depth))
  spec_error_at("", "file_json_too_deep", file = file, depth = depth)
}

# The invalid_json error for text the parser refused, or read although JSON
# does not allow it: the first error json_syntax_error() finds, in the same
# words as Python. Failing that: for text the parser refused (not reached), the
# parser's words; for text it read, NULL (the text is JSON).
json_error <- function(text, parser_message = NULL, file = NULL) {
  text <- enc2utf8(text)
  found <- json_syntax_error(text)
  if (is.null(found)) {
    if (is.null(parser_message)) return(NULL)
    check_escapes(text, file) # \u0000 or half a surrogate pair
    return(no_position_error(sub("\\.$", "", trimws(strsplit(parser_message, "\n")[[1L]][[1L]])), file))
  }
  if (is.na(found$at)) return(no_position_error(found$message, file))
  spec_error_at("", "json_syntax_at", position = in_file(json_position(text, found$at), file), what = found$message)
}

no_position_error <- function(what, file) {
  if (is.null(file)) return(spec_error_at("", "json_syntax", what = what))
  spec_error_at("", "file_json_syntax", file = file, what = what)
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
# text (read.py's check_escapes()). Every backslash in valid JSON starts an
# escape, so the escapes are read in order.
check_escapes <- function(text, file = NULL) {
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
  at <- in_file(json_position(text, starts[[i]] - 1L), file)
  if (codes[[i]] == 0L) stop_spec_at("", "json_nul", position = at)
  stop_spec_at("", "json_surrogate", position = at, escape = escapes[[i]])
}

# -- keys -----------------------------------------------------------------------

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
      stop_spec_at(json_pointer(tokens), "key_too_long", bytes = format_count(max_bytes),
                   start = describe(substr(keys[[long[[1L]]]], 1L, 20L)))
    }
    dup <- keys[duplicated(keys)]
    if (length(dup) > 0L) stop_spec_at(json_pointer(c(tokens, dup[[1L]])), "duplicate_key", key = dup[[1L]])
  } else {
    keys <- as.character(seq_along(value) - 1L)
  }
  for (i in which(vapply(value, is.list, logical(1)))) find_dup(value[[i]], c(tokens, keys[[i]]))
  invisible(NULL)
}

# -- values given in R ------------------------------------------------------------

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
