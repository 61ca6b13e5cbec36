# The built-in specs (python/twinnet/catalog.py).

#' The built-in specs
#'
#' One row per spec of the catalog (`shared_specs/models/`), sorted by name,
#' with the same values as Python's `twinnet.catalog()`. The catalog specs
#' ship with the package, so this needs no Python.
#'
#' @return A data frame of class `twinnet_catalog` (printed as Python's
#'   `twinnet catalog` prints it, GMACs to three significant digits) with the columns `name` (what [load_spec()] takes),
#'   `title`, `input` and `output` (shapes without the batch axis, such as
#'   `"32x32x1"`; `?` for a length that varies, `;` between several inputs or
#'   outputs), `parameters` (the total count), `gmacs` (the model's
#'   multiply-accumulates per sample, [cost()]'s total, in billions:
#'   about 3.86 for ResNet-50) and `tags` (joined by `", "`).
#' @seealso [load_spec()], [cost()]
#' @examples
#' catalog()
#' catalog()$name
#' @export
catalog <- function() {
  rows <- lapply(catalog_names(), catalog_row)
  frame <- data.frame(
    name = vapply(rows, function(r) r$name, ""),
    title = vapply(rows, function(r) r$title, ""),
    input = vapply(rows, function(r) r$input, ""),
    output = vapply(rows, function(r) r$output, ""),
    parameters = as_counts(vapply(rows, function(r) as.numeric(r$parameters), numeric(1))),
    gmacs = vapply(rows, function(r) r$macs / 1e9, numeric(1)),
    tags = vapply(rows, function(r) r$tags, ""),
    stringsAsFactors = FALSE
  )
  class(frame) <- c("twinnet_catalog", class(frame))
  frame
}

#' @rdname catalog
#' @param x A `twinnet_catalog`, from `catalog()`.
#' @param ... Not used.
#' @return `format()` returns the lines of the table that `print()` shows
#'   (those of Python's `twinnet.format_catalog()`).
#' @export
format.twinnet_catalog <- function(x, ...) {
  head <- c("name", "title", "input", "output", "parameters", "GMACs", "tags")
  cols <- list(x$name, x$title, x$input, x$output, vapply(x$parameters, format_count, "", USE.NAMES = FALSE),
               vapply(x$gmacs, format_significant, "", USE.NAMES = FALSE), x$tags)
  right <- c(FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, FALSE)
  cols <- lapply(seq_along(cols), function(j) {
    cells <- c(head[[j]], cols[[j]])
    pad <- strrep(" ", max(nchar(cells)) - nchar(cells))
    if (right[[j]]) paste0(pad, cells) else paste0(cells, pad)
  })
  sub(" +$", "", do.call(paste, c(cols, sep = "  ")))
}

#' @rdname catalog
#' @export
print.twinnet_catalog <- function(x, ...) {
  cat(format(x), sep = "\n")
  cat("\n")
  invisible(x)
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
    macs = sum(vapply(layer_costs(g), function(r) r$macs, numeric(1))),
    tags = paste(unlist(field(doc, "tags", list())), collapse = ", ")
  )
}

# Counts as integers when they all fit, else doubles.
as_counts <- function(n) if (all(abs(n) <= .Machine$integer.max)) as.integer(n) else n
