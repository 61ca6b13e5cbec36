# JSON values in R.
#
# A JSON value is what jsonlite::parse_json(simplifyVector = FALSE) returns:
# an object is a named list (an empty one has names character(0)), an array
# an unnamed list, a scalar a length-1 vector, null is NULL.  These helpers
# test, compare and print such values as Python's json module would.

json_is_object <- function(x) is.list(x) && !is.null(names(x))

json_is_array <- function(x) is.list(x) && is.null(names(x))

json_is_string <- function(x) is.character(x) && length(x) == 1L && !is.na(x)

json_is_bool <- function(x) is.logical(x) && length(x) == 1L && !is.na(x)

json_is_number <- function(x) is.numeric(x) && length(x) == 1L && !is.na(x)

# An integer as jsonschema sees one: 3 and 3.0, but not true.
json_is_integer <- function(x) json_is_number(x) && is.finite(x) && x == floor(x)

json_is_type <- function(type, x) {
  switch(type,
    null = is.null(x),
    boolean = json_is_bool(x),
    integer = json_is_integer(x),
    number = json_is_number(x),
    string = json_is_string(x),
    array = json_is_array(x),
    object = json_is_object(x),
    stop("internal error: unknown JSON type '", type, "'", call. = FALSE)
  )
}

# An empty JSON object.
empty_object <- function() structure(list(), names = character(0))

# x[[name]] if x has that field, else `default` (Python's dict.get; no partial matching).
field <- function(x, name, default = NULL) {
  if (name %in% names(x)) x[[name]] else default
}

has_field <- function(x, name) name %in% names(x)

# The value at a list of path tokens (strings for keys, 0-based integers for indices).
json_at <- function(x, tokens) {
  for (tok in tokens) {
    x <- if (is.numeric(tok)) x[[tok + 1L]] else x[[tok]]
  }
  x
}

# Equality of two JSON values. With `python = TRUE`, Python's `==` (true == 1);
# otherwise jsonschema's (true != 1). 1 == 1.0 in both; object keys unordered.
json_equal <- function(a, b, python = FALSE) {
  if (is.null(a) || is.null(b)) return(is.null(a) && is.null(b))
  if (is.list(a) || is.list(b)) {
    if (!is.list(a) || !is.list(b)) return(FALSE)
    if (json_is_object(a) != json_is_object(b) || length(a) != length(b)) return(FALSE)
    if (json_is_object(a)) {
      if (!setequal(names(a), names(b))) return(FALSE)
      for (k in names(a)) if (!json_equal(a[[k]], b[[k]], python)) return(FALSE)
    } else {
      for (i in seq_along(a)) if (!json_equal(a[[i]], b[[i]], python)) return(FALSE)
    }
    return(TRUE)
  }
  if (is.character(a) || is.character(b)) {
    return(is.character(a) && is.character(b) && identical(enc2utf8(a), enc2utf8(b)))
  }
  if (!python && is.logical(a) != is.logical(b)) return(FALSE)
  isTRUE(as.numeric(a) == as.numeric(b))
}

# JSON text of a value, for Python and for round trips of R lists. Numbers keep
# every digit (jsonlite alone writes 15 significant digits: 1234567890123456
# would become 1.23456789012346e+15).
to_json <- function(x) {
  as.character(jsonlite::toJSON(exact_numbers(x), auto_unbox = TRUE, null = "null", na = "null", digits = NA,
                                json_verbatim = TRUE))
}

# x with each finite double replaced by its exact JSON text (class "json", written as is).
exact_numbers <- function(x) {
  if (is.list(x)) {
    y <- lapply(x, exact_numbers)
    attributes(y) <- attributes(x)
    return(y)
  }
  if (!is.double(x) || length(x) == 0L || is.object(x) && !inherits(x, "AsIs")) return(x)
  out <- lapply(x, function(v) if (is.finite(v)) structure(json_number(v), class = "json") else v)
  if (length(x) == 1L && !inherits(x, "AsIs")) out[[1L]] else out
}

# A double as JSON text that reads back as the same double: integral values below 2^53 as
# integers, others in the fewest significant digits (15 to 17) that round-trip.
json_number <- function(v) {
  if (v == floor(v) && abs(v) < 2^53) return(sprintf("%.0f", v))
  for (digits in 15:17) {
    text <- sprintf("%.*g", digits, v)
    if (as.numeric(text) == v) break
  }
  text
}

# A number as Python prints it: 5 for an int, 5.0 for a float (shortest round trip).
py_number <- function(x) {
  if (is.integer(x)) return(as.character(x))
  if (!is.finite(x)) return(if (is.na(x)) "NaN" else if (x > 0) "Infinity" else "-Infinity")
  for (digits in 15:17) {
    text <- sprintf("%.*g", digits, x)
    if (as.numeric(text) == x) break
  }
  if (grepl("^-?[0-9]+$", text)) paste0(text, ".0") else text
}

# Python's json.dumps(x) (separators ", " and ": ", non-ASCII as \\uXXXX).
# Only the first `limit` characters are exact: beyond them nested values are
# left out, so that describe() copes with documents nested a thousand deep.
py_json <- function(x, limit = Inf) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    object <- json_is_object(x)
    if (limit <= 0) return(if (object) "{...}" else "[...]")
    parts <- character()
    used <- 1 # the opening bracket
    for (i in seq_along(x)) {
      key <- if (object) paste0(ascii_json(names(x)[[i]]), ": ") else ""
      part <- paste0(key, py_json(x[[i]], limit - used - nchar(key)))
      parts <- c(parts, part)
      used <- used + nchar(part) + 2
      if (used > limit) break
    }
    body <- paste(parts, collapse = ", ")
    return(if (object) paste0("{", body, "}") else paste0("[", body, "]"))
  }
  if (length(x) != 1L) return(py_json(as.list(x), limit))
  if (is.na(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.numeric(x)) return(py_number(x))
  ascii_json(as.character(x))
}

# A JSON string literal with non-ASCII characters escaped, as json.dumps writes it.
ascii_json <- function(text) {
  quoted <- to_json(text)
  points <- utf8ToInt(enc2utf8(quoted))
  if (anyNA(points) || all(points < 128L)) return(quoted)
  escape <- function(p) {
    if (p < 128L) return(intToUtf8(p))
    if (p < 0x10000L) return(sprintf("\\u%04x", p))
    p <- p - 0x10000L
    sprintf("\\u%04x\\u%04x", 0xD800L + p %/% 1024L, 0xDC00L + p %% 1024L)
  }
  paste(vapply(points, escape, ""), collapse = "")
}

# Python's repr(x) of the value JSON parsing gives (None, True, 'text', [1, 2],
# {'k': 1.0}); below `depth` levels, "[...]".
py_repr <- function(x, depth = 100L) {
  if (is.null(x)) return("None")
  if (is.list(x)) {
    if (depth <= 0L) return(if (json_is_object(x)) "{...}" else "[...]")
    parts <- vapply(x, py_repr, "", depth = depth - 1L)
    if (json_is_object(x)) {
      if (length(x) == 0L) return("{}")
      keys <- vapply(names(x), py_repr, "", USE.NAMES = FALSE)
      return(paste0("{", paste0(keys, ": ", parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(parts, collapse = ", "), "]"))
  }
  if (length(x) != 1L) return(py_repr(as.list(x), depth))
  if (is.na(x)) return("None")
  if (is.logical(x)) return(if (x) "True" else "False")
  if (is.numeric(x)) return(py_number(x))
  x <- gsub("\\", "\\\\", x, fixed = TRUE)
  paste0("'", gsub("'", "\\'", x, fixed = TRUE), "'")
}

# Python's str(x): a string as is, anything else as repr.
py_str <- function(x) if (json_is_string(x)) x else py_repr(x)

# A value for a message: JSON, cut to 40 characters (spec.py's _describe).
describe <- function(x) {
  text <- py_json(x, limit = 41)
  if (nchar(text) <= 40L) text else paste0(substr(text, 1L, 37L), "...")
}

# 61706 -> "61,706" (Python's f"{n:,}").
format_count <- function(n) {
  if (!is.numeric(n) || length(n) != 1L || is.na(n)) return(py_str(n))
  if (n != floor(n)) return(format(n, big.mark = ","))
  formatC(n, format = "f", digits = 0, big.mark = ",")
}

# A whole number as Python's str() writes an int: never in scientific notation.
int_text <- function(n) formatC(as.numeric(n), format = "f", digits = 0)

# An output shape as Python prints a tuple (diagram.py's format_shape()):
# list(NULL, 28L, 28L, 6L) -> "(None, 28, 28, 6)".
format_shape <- function(shape) {
  parts <- vapply(shape, function(v) if (is.null(v) || is.na(v)) "None" else int_text(v), "")
  paste0("(", paste(parts, collapse = ", "), ")")
}

# A count as an R integer when it fits, else a double.
as_count <- function(n) {
  if (abs(n) <= .Machine$integer.max) as.integer(n) else n
}
