# JSON values in R.
#
# A JSON value is what jsonlite::parse_json(simplifyVector = FALSE) returns:
# an object is a named list (an empty one has names character(0)), an array
# an unnamed list, a scalar a length-1 vector, null is NULL.  These helpers
# test, compare and write such values as Python's json module would; how
# messages print them is formatting.R's.

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

# A count as an R integer when it fits, else a double.
as_count <- function(n) {
  if (abs(n) <= .Machine$integer.max) as.integer(n) else n
}
