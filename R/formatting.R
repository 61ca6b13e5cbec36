# Values as messages write them, the same text in Python
# (python/twinnet/formatting.py).
#
# Counts with thousands separators, shapes as Python prints a tuple, JSON
# values as Python's repr()/str() or as JSON cut to a width. A JSON integer
# beyond R's integers is a double here, and Python writes it as the float R
# reads it as, so that both languages write the same text.

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

# A value for a message: JSON, cut to 40 characters (formatting.py's describe()).
describe <- function(x) cut_text(py_json(x, limit = 41), 40L)

# The text, or its first width - 3 characters and "..." when it is longer than
# width (formatting.py's cut_text()).
cut_text <- function(text, width = 20L) {
  if (nchar(text) <= width) text else paste0(substr(text, 1L, width - 3L), "...")
}

# The first line of a text that is not blank, trimmed; "" if there is none.
first_line <- function(text) {
  lines <- strsplit(text, "\n", fixed = TRUE)[[1L]]
  lines <- trimws(lines[nzchar(trimws(lines))])
  if (length(lines) == 0L) "" else lines[[1L]]
}

# 61706 -> "61,706" (Python's f"{n:,}"; a whole double is written as an integer).
format_count <- function(n) {
  if (!is.numeric(n) || length(n) != 1L || is.na(n)) return(py_str(n))
  if (n != floor(n)) return(format(n, big.mark = ","))
  formatC(n, format = "f", digits = 0, big.mark = ",")
}

# A size in bytes with a binary unit and one decimal: 512 -> "512 B", 1536 ->
# "1.5 KiB" (formatting.py's format_bytes()).
format_bytes <- function(n) {
  units <- c("KiB", "MiB", "GiB", "TiB", "PiB")
  if (n < 1024) return(paste(int_text(n), "B"))
  value <- n / 1024
  unit <- units[[1L]]
  for (next_unit in units[-1L]) {
    if (value < 1024) break
    value <- value / 1024
    unit <- next_unit
  }
  sprintf("%.1f %s", value, unit)
}

# A number with `digits` significant digits, never in scientific notation:
# 3.857973248 -> "3.86", 0.00041652 -> "0.000417", 15.47 -> "15.5", 0 -> "0"
# (formatting.py's format_significant(); both round as printf does, correctly).
format_significant <- function(x, digits = 3L) {
  if (x == 0) return("0")
  exponent <- as.integer(strsplit(sprintf("%.*e", digits - 1L, x), "e", fixed = TRUE)[[1L]][[2L]])
  sprintf("%.*f", max(0L, digits - 1L - exponent), x)
}

# A count in three significant digits and a unit of thousands: 850 -> "850",
# 117600 -> "118K", 1234567 -> "1.23M", 3857973248 -> "3.86G"
# (formatting.py's format_compact()). The value in the unit is the correctly
# rounded n / 1000^k and printf's %.3g of it, as in Python; a value that rounds
# up to 1000 moves on to the next unit (999,999 -> "1M").
format_compact <- function(n) {
  if (n < 1000) return(int_text(n))
  units <- c("K", "M", "G", "T", "P")
  for (power in seq_along(units)) {
    value <- sprintf("%.3g", n / 1000^power)
    if (as.numeric(value) < 1000) break
  }
  paste0(value, units[[power]])
}

# A whole number as Python's str() writes an int: never in scientific notation.
int_text <- function(n) formatC(as.numeric(n), format = "f", digits = 0)

# "[2, 3, -1]": Python's str() of a list of ints.
int_list_text <- function(values) paste0("[", paste(int_text(values), collapse = ", "), "]")

# Names joined for a sentence: "A", "A or B", "A, B or C" (formatting.py's or_list()).
or_list <- function(names) {
  names <- as.character(unlist(names))
  n <- length(names)
  if (n == 1L) names else paste0(paste(names[-n], collapse = ", "), " or ", names[[n]])
}

# An output shape as Python prints a tuple: list(NULL, 28L, 28L, 6L) -> "(None, 28, 28, 6)".
format_shape <- function(shape) {
  parts <- vapply(shape, function(v) if (is.null(v) || is.na(v)) "None" else int_text(v), "")
  paste0("(", paste(parts, collapse = ", "), ")")
}

# "[(5, 5, 1, 6), (6,)]": shapes (integer vectors) as Python prints a list of tuples.
format_tuples <- function(shapes) {
  one <- function(s) {
    if (length(s) == 1L) sprintf("(%s,)", int_text(s)) else sprintf("(%s)", paste(int_text(s), collapse = ", "))
  }
  paste0("[", paste(vapply(shapes, one, ""), collapse = ", "), "]")
}

# What an R value is, for a message: "NULL", "a double vector of length 3", or its class.
r_type_name <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.atomic(x) && length(x) != 1L) return(sprintf("a %s vector of length %d", typeof(x), length(x)))
  class(x)[[1L]]
}
