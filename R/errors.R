# The one error a bad spec signals (python/twinnet/errors.py).

#' Errors signalled by a bad spec
#'
#' Every function of twinnet signals a condition of class
#' `twinnet_spec_error` (a subclass of `error`) when a spec cannot be loaded,
#' expanded or built. Python's twinnet raises `twinnet.SpecError` for the
#' same spec, with the same `path` and `kind`.
#'
#' The condition has the fields
#' * `path`: a JSON Pointer (RFC 6901) to the offending value, such as
#'   `"/layers/3/filters"`; `""` for the whole document;
#' * `kind`: a short machine-readable category (`"missing"`,
#'   `"unknown_argument"`, `"shape_collapse"`, ...), the same in R and Python;
#' * `message`: what was expected and what was found;
#' * `hint`: a suggestion such as `"did you mean 'kernel_size'?"`, or `NULL`.
#'
#' `conditionMessage()` joins them as Python's `str()` does:
#' `"at /layers/1/kernal_size: 'kernal_size' is not an argument of Conv2D; did you mean 'kernel_size'?"`.
#'
#' @param c A `twinnet_spec_error` condition.
#' @return `conditionMessage()` returns the message as one string.
#' @examples
#' err <- tryCatch(load_spec("lenet"), twinnet_spec_error = function(e) e)
#' err$kind
#' err$hint
#' conditionMessage(err)
#' @name twinnet_spec_error
NULL

#' @rdname twinnet_spec_error
#' @export
conditionMessage.twinnet_spec_error <- function(c) {
  where <- if (nzchar(c$path)) c$path else "(the whole spec)"
  text <- sprintf("at %s: %s", where, c$message)
  if (is.null(c$hint)) text else sprintf("%s; %s", text, c$hint)
}

# A twinnet_spec_error condition (SpecError in Python).
spec_error <- function(path, message, kind = "invalid_value", hint = NULL) {
  structure(
    class = c("twinnet_spec_error", "error", "condition"),
    list(message = message, call = NULL, path = path, kind = kind, hint = hint)
  )
}

# Signal a twinnet_spec_error.
stop_spec <- function(path, message, kind = "invalid_value", hint = NULL) {
  stop(spec_error(path, message, kind, hint))
}

# `template` with each `{field}` replaced by its text (a named list or character
# vector); every placeholder is given and every field used (errors.py's fill_template()).
fill_template <- function(template, fields) {
  wanted <- template_fields(template)
  if (!setequal(wanted, names(fields)) || length(wanted) != length(fields)) {
    stop(sprintf("internal error: the template '%s' takes %s, given %s", template,
                 paste(sort(wanted), collapse = ", "), paste(sort(names(fields)), collapse = ", ")))
  }
  # one pass, as Python's re.sub: a field's text is never read for placeholders
  at <- gregexpr("\\{[a-z_]+\\}", template)
  found <- regmatches(template, at)[[1L]]
  regmatches(template, at) <- list(vapply(substr(found, 2L, nchar(found) - 1L),
                                          function(name) fields[[name]], "", USE.NAMES = FALSE))
  template
}

template_fields <- function(template) {
  found <- regmatches(template, gregexpr("\\{[a-z_]+\\}", template))[[1L]]
  unique(substr(found, 2L, nchar(found) - 1L))
}

# The entry `name` of messages.json's `table` ("spec_errors", "spec_warnings") as list(message,
# kind, hint), its placeholders filled with `fields`: text the caller formatted (errors.py's
# fill_entry()). `hint` replaces the table's hint (a "did you mean" found at run time); the
# table's hint takes the fields its placeholders name.
fill_entry <- function(table, name, fields, hint = NULL) {
  entry <- shared_table("messages.json")[[table]][[name]]
  if (is.null(entry)) stop(sprintf("internal error: no entry '%s' in messages.json's %s", name, table))
  for (value in fields) {
    if (!is.character(value) || length(value) != 1L || is.na(value)) {
      stop(sprintf("internal error: the fields of '%s' are text, found %s", name, deparse(value)))
    }
  }
  in_message <- template_fields(entry$message)
  message <- fill_template(entry$message, fields[intersect(names(fields), in_message)])
  used <- in_message
  if (is.null(hint) && !is.null(entry$hint)) {
    in_hint <- template_fields(entry$hint)
    hint <- fill_template(entry$hint, fields[intersect(names(fields), in_hint)])
    used <- c(used, in_hint)
  }
  unused <- setdiff(names(fields), used)
  if (length(unused)) {
    stop(sprintf("internal error: '%s' has no placeholder for %s", name, paste(unused, collapse = ", ")))
  }
  list(message = message, kind = entry$kind, hint = hint)
}

# The twinnet_spec_error `error` of messages.json's "spec_errors" at `path`, its
# placeholders filled (fill_entry()). `hint` replaces the table's hint.
spec_error_at <- function(path, error, ..., hint = NULL) {
  filled <- fill_entry("spec_errors", error, list(...), hint)
  spec_error(path, filled$message, filled$kind, filled$hint)
}

# Signal the twinnet_spec_error `error` of messages.json (spec_error_at()).
stop_spec_at <- function(path, error, ..., hint = NULL) stop(spec_error_at(path, error, ..., hint = hint))

# Join path tokens into a JSON Pointer, escaping "~" and "/" as RFC 6901 requires.
json_pointer <- function(tokens) {
  tokens <- as.character(unlist(tokens))
  if (length(tokens) == 0L) return("")
  escaped <- gsub("/", "~1", gsub("~", "~0", tokens, fixed = TRUE), fixed = TRUE)
  paste0("/", escaped, collapse = "")
}

# The candidates worth measuring against `low` (the lower-cased word), in code
# point order: at most max_length characters long, a length within `limit` of
# the word's, and of more than max_candidates of those the ones that share the
# longest beginning with the word (errors.py's suggest_pool()). The bounds,
# suggest_limit() of limits.json, keep a hint cheap whatever the spec holds.
suggest_pool <- function(low, limit, candidates) {
  max_length <- suggest_limit("max_length")
  max_candidates <- suggest_limit("max_candidates")
  if (nchar(low) > max_length || length(candidates) == 0L) return(character())
  lengths <- nchar(tolower(candidates))
  pool <- candidates[lengths <= max_length & abs(lengths - nchar(low)) <= limit]
  if (length(pool) > max_candidates) {
    lower <- tolower(pool)
    shared <- integer(length(pool))
    alive <- rep(TRUE, length(pool))
    for (p in seq_len(nchar(low))) {
      alive <- alive & substr(lower, p, p) == substr(low, p, p)
      if (!any(alive)) break
      shared <- shared + alive
    }
    ranked <- pool[order(-shared, method = "radix")] # stable: code point order in a tie
    pool <- sort_code_points(ranked[seq_len(max_candidates)])
  }
  pool
}

# A 'did you mean' hint: the closest candidate within a third of the word's
# length (at least 2 edits); ties go to the first in code point order. A word
# that has a meaning() is matched only with candidates of the same meaning, so
# that "kernel_regularizer" never gets "kernel_initializer".
suggest <- function(word, candidates) {
  candidates <- sort_code_points(unique(as.character(unlist(candidates))))
  candidates <- candidates[!is.na(candidates)]
  low <- tolower(word)
  limit <- max(2L, nchar(low) %/% 3L) # "adma" -> "adam" is 2 edits
  pool <- suggest_pool(low, limit, candidates)
  if (length(pool) == 0L) return(NULL)
  wanted <- meaning(low)
  if (!is.na(wanted)) pool <- pool[meaning(pool) %in% wanted]
  if (length(pool) == 0L) return(NULL)
  dist <- drop(utils::adist(low, tolower(pool)))
  ok <- which(dist <= limit)
  if (length(ok) == 0L) return(NULL)
  best <- pool[[ok[[which.min(dist[ok])]]]]
  hint_text("did_you_mean", name = best)
}

# What names say they hold (errors.py's meaning()): for each word, the first of
# hints.json's meanings that its last word is, within a fifth of the meaning's
# length in edits ("kernel_regulariser": "regularizer"), or that it ends with; NA
# for none.
meaning <- function(words) {
  low <- tolower(words)
  last <- sub("^.*_", "", low)
  out <- rep(NA_character_, length(words))
  for (m in rev(hints_table()$meanings)) { # the first meaning that fits wins
    fits <- endsWith(low, m) | drop(utils::adist(last, m)) <= nchar(m) %/% 5L
    out[fits] <- m
  }
  out
}

# What a hint knows (shared_specs/hints.json; errors.py's HINTS).
hints_table <- function() shared_table("hints.json")

# The hint `hint` of hints.json's "hints", its placeholders filled with text
# the caller formatted (errors.py's hint_text()).
hint_text <- function(hint, ...) fill_template(hints_table()$hints[[hint]], list(...))

# Strings sorted as Python sorts them: by Unicode code point, whatever the locale.
sort_code_points <- function(x) {
  if (length(x) < 2L) return(x)
  sort(enc2utf8(x), method = "radix")
}
