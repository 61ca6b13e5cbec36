# Hash tables of strings, for the lookups by name that a spec of up to
# max_layers layers makes for each layer (a lookup in a named vector or list
# reads every name, so that n lookups would take n^2 steps).
#
# A table is an environment of its strings. A string that cannot name a
# variable ("", or more than 10,000 bytes: a spec may hold such a layer name)
# is kept in a list of its own, looked up by match(); such strings are rare.

hash_table <- function() {
  long <- new.env(parent = emptyenv())
  long$keys <- character()
  long$values <- list()
  list(short = new.env(parent = emptyenv()), long = long)
}

# A hash table of the names of `values`, a list or vector (the first of a repeated name).
hash_table_of <- function(values) {
  h <- hash_table()
  keys <- names(values)
  for (i in rev(seq_along(values))) hash_set(h, keys[[i]], values[[i]])
  h
}

is_short_key <- function(key) nzchar(key) && nchar(key, type = "bytes") < 10000L

hash_has <- function(h, key) {
  if (is_short_key(key)) exists(key, envir = h$short, inherits = FALSE) else key %in% h$long$keys
}

# The value of `key`, or NULL where it has none.
hash_get <- function(h, key) {
  if (is_short_key(key)) return(get0(key, envir = h$short, inherits = FALSE))
  at <- match(key, h$long$keys)
  if (is.na(at)) NULL else h$long$values[[at]]
}

hash_set <- function(h, key, value) {
  if (is_short_key(key)) {
    assign(key, value, envir = h$short)
  } else {
    at <- match(key, h$long$keys)
    if (is.na(at)) {
      at <- length(h$long$keys) + 1L
      h$long$keys[[at]] <- key
    }
    h$long$values[at] <- list(value)
  }
  invisible(NULL)
}

# Append `value` to the list or vector e[[name]] of an environment `e`. The
# binding is cleared first, so that the list has no other reference and grows in
# place: `e$x[[length(e$x) + 1L]] <- value` in a function copies it each time.
env_append <- function(e, name, value) {
  x <- e[[name]]
  e[[name]] <- NULL
  x[[length(x) + 1L]] <- value
  e[[name]] <- x
}
