# How a spec prints: its one-line description, and its layer table with what
# each layer costs, from cost()'s rows (python/twinnet/spec_print.py).

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
#'   `output_shape` as Keras prints it, e.g. `"(None, 28, 28, 6)"`, `params`,
#'   and [cost()]'s `macs` and `connections` per sample) and the attributes
#'   `spec` (the name), `title`, `params` (`total`, `trainable`,
#'   `non_trainable`) and `cost` (the totals `macs` and `connections`). Its
#'   print method shows the table and the totals, like Keras's `summary()`;
#'   Python's `twinnet summary` prints the same columns.
#' @seealso [cost()] for activations, parameter bytes and memory.
#' @examples
#' summary(load_spec("lenet5"))
#' @export
summary.twinnet_spec <- function(object, ...) {
  g <- expand(object)
  layers <- g$layers
  costs <- layer_costs(g)
  macs <- vapply(costs, function(r) r$macs, numeric(1))
  connections <- vapply(costs, function(r) r$connections, numeric(1))
  table <- data.frame(
    name = vapply(layers, function(l) l$name, ""),
    type = vapply(layers, type_text, ""),
    output_shape = vapply(layers, function(l) format_shape(l$output_shape), ""),
    params = as_counts(vapply(layers, function(l) as.numeric(l$params), numeric(1))),
    macs = as_counts(macs),
    connections = as_counts(connections),
    stringsAsFactors = FALSE
  )
  structure(table, class = c("summary.twinnet_spec", "data.frame"),
            spec = spec_name(object), title = spec_title(object), params = g$params,
            cost = list(macs = sum(macs), connections = sum(connections)))
}

#' @rdname summary.twinnet_spec
#' @export
print.summary.twinnet_spec <- function(x, ...) {
  params <- attr(x, "params")
  totals <- attr(x, "cost")
  spec <- attr(x, "spec")
  title <- attr(x, "title")
  cat(sprintf("twinnet spec '%s'%s\n", spec, if (identical(title, spec)) "" else sprintf(" (%s)", title)))
  columns <- list(
    c("Layer", x[["name"]]),
    c("Type", x[["type"]]),
    c("Output shape", x[["output_shape"]]),
    c("Params", vapply(x[["params"]], format_count, "")),
    c("MACs", vapply(x[["macs"]], format_count, "")),
    c("Connections", vapply(x[["connections"]], format_count, ""))
  )
  widths <- vapply(columns, function(col) max(nchar(col)), integer(1))
  cells <- Map(function(col, width, right) formatC(col, width = width, flag = if (right) " " else "-"),
               columns, widths, c(FALSE, FALSE, FALSE, TRUE, TRUE, TRUE))
  cat(paste0(" ", do.call(paste, c(cells, sep = "  "))), sep = "\n")
  cat(sprintf("Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n",
              format_count(params$total), format_count(params$trainable),
              format_count(params$non_trainable)))
  cat(sprintf("MACs per sample: %s\nConnections per sample: %s\n", format_count(totals$macs),
              format_count(totals$connections)))
  invisible(x)
}
