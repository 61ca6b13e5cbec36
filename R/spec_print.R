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

#' Draw a spec's network in the plots pane
#'
#' Draws [diagram()]'s picture of the network (each layer with its output
#' shape, parameters and MACs) on the current graphics device: Graphviz
#' renders it as a PNG file in a temporary directory, and the `png` package
#' reads it back for [grid::grid.raster()], which keeps its proportions.
#' Without Graphviz or the `png` package (Debian: `graphviz`, `r-cran-png`),
#' or for a network larger than Graphviz is given (see [twinnet_limits]), it
#' draws nothing and says why in a message.
#'
#' @param x A `twinnet_spec` from [load_spec()].
#' @param ... Unused.
#' @return `x`, invisibly.
#' @seealso [diagram()] to write the picture to a file (SVG, PNG or DOT).
#' @examples
#' \dontrun{
#' plot(load_spec("lenet5"))
#' }
#' @export
plot.twinnet_spec <- function(x, ...) {
  if (!requireNamespace("png", quietly = TRUE)) {
    message("plot() of a spec reads Graphviz's picture with the png package, which is not installed: ",
            "install.packages(\"png\") (Debian: apt-get install r-cran-png); ",
            "or write the picture to a file with diagram(spec, \"net.svg\")")
    return(invisible(x))
  }
  file <- tempfile("twinnet-", fileext = ".png")
  on.exit(unlink(file), add = TRUE)
  drawn <- tryCatch(diagram(x, file), twinnet_graphviz_error = function(e) {
    message("no diagram: ", conditionMessage(e))
    NULL
  })
  if (is.null(drawn)) return(invisible(x))
  grid::grid.newpage()
  grid::grid.raster(png::readPNG(file), interpolate = TRUE)
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

# The R class of build_model()'s result: reticulate's classes of the Python
# object with "twinnet_model" inserted just before "python.builtin.object".
# keras3's methods are defined on Keras's classes, which come first, so with
# keras3 attached they win (summary(), print(), plot(), ...: nothing of
# keras3's is masked); without keras3, summary() finds twinnet's method
# before reticulate's (which only str()s the object). A model that goes
# through Python and back (a list element of a Python object, a .keras file)
# comes back without the class: then model$summary() prints the same.
as_twinnet_model <- function(model) {
  cls <- class(model)
  if (!"twinnet_model" %in% cls) {
    at <- match("python.builtin.object", cls, nomatch = length(cls) + 1L)
    class(model) <- append(cls, "twinnet_model", after = at - 1L)
  }
  model
}

#' The layer table of a model
#'
#' `summary()` of a model from [build_model()] prints Keras's own summary of
#' it (`model$summary()`): each layer with its output shape and parameters,
#' and the totals. With keras3 attached, keras3's `summary()` method (which
#' prints the same table) is the one that runs: twinnet defines no method on
#' Keras's classes, only on the class `twinnet_model` that [build_model()]
#' adds after them.
#'
#' @param object A model from [build_model()].
#' @param ... Passed to Keras's `summary()` (e.g. `expand_nested = TRUE`).
#' @return The summary's lines (a character vector), invisibly.
#' @seealso [summary.twinnet_spec()], the spec's table (with each layer's cost).
#' @examples
#' \dontrun{
#' summary(build_model("lenet5"))
#' }
#' @export
summary.twinnet_model <- function(object, ...) {
  text <- reticulate::py_capture_output(object$summary(...))
  lines <- strsplit(text, "\n", fixed = TRUE)[[1L]]
  cat(lines, sep = "\n")
  invisible(lines)
}
