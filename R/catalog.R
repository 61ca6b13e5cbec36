# The built-in specs (python/twinnet/catalog.py).

#' The built-in specs
#'
#' One row per spec of the catalog (`shared_specs/models/`), sorted by name,
#' with the same values as Python's `twinnet.catalog()`. The catalog specs
#' ship with the package, so this needs no Python.
#'
#' @return A data frame with the columns `name` (what [load_spec()] takes),
#'   `title`, `input` and `output` (shapes without the batch axis, such as
#'   `"32x32x1"`; `?` for a length that varies, `;` between several inputs or
#'   outputs), `parameters` (the total count) and `tags` (joined by `", "`).
#' @seealso [load_spec()]
#' @examples
#' catalog()
#' catalog()$name
#' @export
catalog <- function() {
  rows <- lapply(catalog_names(), catalog_row)
  data.frame(
    name = vapply(rows, function(r) r$name, ""),
    title = vapply(rows, function(r) r$title, ""),
    input = vapply(rows, function(r) r$input, ""),
    output = vapply(rows, function(r) r$output, ""),
    parameters = as_counts(vapply(rows, function(r) as.numeric(r$parameters), numeric(1))),
    tags = vapply(rows, function(r) r$tags, ""),
    stringsAsFactors = FALSE
  )
}

catalog_row <- function(name) {
  doc <- read_file(catalog_path(name))$doc
  g <- expand_document(doc)
  shapes <- lapply(g$layers, function(l) l$output_shape)
  names(shapes) <- vapply(g$layers, function(l) l$name, "")
  fmt <- function(names) {
    paste(vapply(names, function(n) {
      dims <- shapes[[n]][-1L]
      paste(vapply(dims, function(v) if (is.null(v)) "?" else py_str(v), ""), collapse = "x")
    }, ""), collapse = "; ")
  }
  list(
    name = name,
    title = py_str(field(doc, "title", name)),
    input = fmt(unlist(g$inputs)),
    output = fmt(unlist(g$outputs)),
    parameters = g$params$total,
    tags = paste(unlist(field(doc, "tags", list())), collapse = ", ")
  )
}

# Counts as integers when they all fit, else doubles.
as_counts <- function(n) if (all(abs(n) <= .Machine$integer.max)) as.integer(n) else n
