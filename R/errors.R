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

# Join path tokens into a JSON Pointer, escaping "~" and "/" as RFC 6901 requires.
json_pointer <- function(tokens) {
  tokens <- as.character(unlist(tokens))
  if (length(tokens) == 0L) return("")
  escaped <- gsub("/", "~1", gsub("~", "~0", tokens, fixed = TRUE), fixed = TRUE)
  paste0("/", escaped, collapse = "")
}

# A 'did you mean' hint: the closest candidate within a third of the word's length.
suggest <- function(word, candidates) {
  candidates <- sort_code_points(unique(as.character(unlist(candidates))))
  if (length(candidates) == 0L) return(NULL)
  limit <- max(2L, nchar(word) %/% 3L) # "adma" -> "adam" is 2 edits
  dist <- drop(utils::adist(tolower(word), tolower(candidates)))
  best <- NULL
  best_dist <- Inf
  for (i in seq_along(candidates)) {
    if (dist[i] <= limit && dist[i] < best_dist) {
      best <- candidates[i]
      best_dist <- dist[i]
    }
  }
  if (is.null(best)) NULL else sprintf("did you mean '%s'?", best)
}

# Strings sorted as Python sorts them: by Unicode code point, whatever the locale.
sort_code_points <- function(x) {
  if (length(x) < 2L) return(x)
  sort(enc2utf8(x), method = "radix")
}
