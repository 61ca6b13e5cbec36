# How a spec prints: its one-line description and its layer table
# (python/twinnet/spec_print.py, which has the one-line description).

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
