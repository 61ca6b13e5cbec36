# The handout: one self-contained HTML page about a spec (python/twinnet/handout.py;
# both write the same page, byte for byte, from shared_specs/handout/template.html).

# The template's placeholders ("placeholder", group 1: the name) and the learning
# curves' style ("curves"), shared with Python: shared_specs/handout/handout.json.
handout_table <- function() shared_table("handout/handout.json")

handout_template <- function() {
  cached("handout_template", function() {
    # Python reads the template in universal-newline mode.
    gsub("\r\n?", "\n", read_text(specs_path("handout", "template.html")))
  })
}

# A training history as metric -> data set ("training", "validation") -> values per epoch, the
# metrics in the order of their first appearance (handout.py's history_series()).
history_series <- function(history) {
  if (inherits(history, "keras_training_history")) history <- history$metrics
  if (inherits(history, "python.builtin.object")) {
    if (reticulate::py_has_attr(history, "history")) history <- reticulate::py_get_attr(history, "history")
    if (inherits(history, "python.builtin.object")) history <- reticulate::py_to_r(history)
  }
  metrics <- character()
  out <- list()
  add <- function(metric, data, values) {
    i <- match(metric, metrics)
    if (is.na(i)) {
      metrics <<- c(metrics, metric)
      i <- length(metrics)
      out[[i]] <<- list()
    }
    out[[i]][[data]] <<- as.numeric(values)
  }
  if (is.data.frame(history)) {
    missing <- setdiff(c("epoch", "metric", "value", "data"), names(history))
    if (length(missing) > 0L) {
      stop("a history data frame needs the columns epoch, metric, value and data (as fit_model() returns); ",
           "missing: ", paste(missing, collapse = ", "), call. = FALSE)
    }
    if (!is.numeric(history$value)) {
      stop("the value column of a history holds numbers, not ", r_type_name(history$value), call. = FALSE)
    }
    metric <- as.character(history$metric)
    data <- as.character(history$data)
    bad <- setdiff(unique(data), c("training", "validation"))
    if (length(bad) > 0L) {
      stop("the data column of a history is \"training\" or \"validation\", not \"", bad[[1L]], "\"",
           call. = FALSE)
    }
    for (m in unique(metric)) {
      for (d in unique(data[metric == m])) {
        rows <- which(metric == m & data == d)
        rows <- rows[order(history$epoch[rows])]
        add(m, d, history$value[rows])
      }
    }
  } else if (is.list(history) && (length(history) == 0L || !is.null(names(history)))) {
    for (key in names(history)) {
      validation <- startsWith(key, "val_")
      metric <- if (validation) substring(key, 5L) else key
      add(metric, if (validation) "validation" else "training", history_values(key, history[[key]]))
    }
  } else {
    stop("history must be a twinnet_history data frame (from fit_model()), a keras History or a named ",
         "list of metric name -> values per epoch, not ", r_type_name(history), call. = FALSE)
  }
  out <- lapply(out, function(s) s[intersect(c("training", "validation"), names(s))])
  names(out) <- metrics
  out
}

# One metric's values per epoch as a double vector; an error unless they are
# numbers (a numeric vector, or a list of single numbers as JSON gives them).
history_values <- function(key, values) {
  ok <- if (is.list(values)) {
    all(vapply(values, function(v) is.numeric(v) && length(v) == 1L, logical(1)))
  } else {
    is.numeric(values) && is.null(dim(values))
  }
  if (!ok) {
    what <- if (is.list(values)) "a list whose values are not all single numbers" else r_type_name(values)
    stop(sprintf("a history holds numbers per metric, one per epoch; '%s' holds %s", key, what), call. = FALSE)
  }
  as.numeric(unlist(values))
}

fmt1 <- function(v) sprintf("%.1f", v)

# One metric's chart as inline SVG: epochs across, values up, one line per data set.
curve_svg <- function(metric, series) {
  style <- handout_table()$curves
  w <- as.numeric(style$width)
  h <- as.numeric(style$height)
  left <- as.numeric(style$margin$left)
  right <- as.numeric(style$margin$right)
  top <- as.numeric(style$margin$top)
  bottom <- as.numeric(style$margin$bottom)
  every <- unlist(series, use.names = FALSE)
  finite <- every[is.finite(every)]
  n <- if (length(series) > 0L) max(lengths(series)) else 0L
  lo <- if (length(finite) > 0L) min(finite) else 0
  hi <- if (length(finite) > 0L) max(finite) else 1
  if (hi - lo < 1e-12) {
    lo <- lo - 0.5
    hi <- hi + 0.5
  }
  pad <- (hi - lo) * 0.05
  lo <- lo - pad
  hi <- hi + pad
  x_at <- function(epoch) {
    if (n <= 1L) return(left + (w - left - right) / 2)
    left + (epoch - 1) * (w - left - right) / (n - 1)
  }
  y_at <- function(v) top + (hi - v) * (h - top - bottom) / (hi - lo)
  m <- html_escape(metric)
  parts <- c(
    paste0(sprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" ",
                   w, h, w, h),
           sprintf("role=\"img\" aria-label=\"%s per epoch\" font-family=\"DejaVu Sans, sans-serif\" ", m),
           "font-size=\"11\">"),
    sprintf("<text x=\"%s\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>", fmt1(w / 2), m),
    sprintf("<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"%s\"/>",
            fmt1(left), fmt1(top), fmt1(w - left - right), fmt1(h - top - bottom), style$frame_color)
  )
  for (v in c(hi - pad, (hi + lo) / 2, lo + pad)) {
    parts <- c(parts, sprintf("<text x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>",
                              fmt1(left - 4), fmt1(y_at(v) + 4), sprintf("%.3g", v)))
  }
  epochs <- if (n > 0L) sort(unique(c(1L, as.integer(n)))) else integer()
  for (epoch in epochs) {
    parts <- c(parts, sprintf("<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%d</text>",
                              fmt1(x_at(epoch)), fmt1(h - bottom + 14), epoch))
  }
  parts <- c(parts, sprintf("<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">epoch</text>",
                            fmt1(left + (w - left - right) / 2), fmt1(h - 6)))
  legend_x <- left + 6
  for (data in names(series)) {
    values <- series[[data]]
    keep <- which(is.finite(values))
    points <- paste(sprintf("%s,%s", fmt1(x_at(keep)), fmt1(y_at(values[keep]))), collapse = " ")
    if (length(keep) == 0L) points <- ""
    color <- style$colors[[data]]
    parts <- c(parts,
               sprintf("<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
                       data, color, points),
               sprintf("<text x=\"%s\" y=\"%s\" fill=\"%s\">%s</text>", fmt1(legend_x), fmt1(top + 12), color, data))
    legend_x <- legend_x + style$legend_step
  }
  paste(c(parts, "</svg>"), collapse = "")
}

# The learning curves of a training history, one inline SVG chart per metric.
curves_svg <- function(history) {
  series <- history_series(history)
  charts <- vapply(seq_along(series), function(i) curve_svg(names(series)[[i]], series[[i]]), "")
  paste(charts, collapse = "\n")
}

# The diagram as inline SVG, or a note (and a warning) where Graphviz is missing,
# fails, runs out of time or the network is too large to draw.
handout_diagram <- function(s, graph) {
  svg <- tryCatch(
    {
      check_drawable(graph)
      render_dot(dot_text(s, graph), "svg")
    },
    twinnet_graphviz_error = function(e) e
  )
  if (inherits(svg, "condition")) {
    msg <- conditionMessage(svg)
    warning("the handout has no diagram: ", msg, call. = FALSE)
    return(sprintf("<p class=\"missing\">No diagram: %s</p>", html_escape(msg)))
  }
  text <- rawToChar(svg)
  Encoding(text) <- "UTF-8"
  start <- regexpr("<svg", text, fixed = TRUE)
  if (start < 0L) {
    stop(graphviz_condition("twinnet_graphviz_error", "Graphviz's dot wrote no <svg> element"))
  }
  trimws(substring(text, start), whitespace = "[ \t\r\n\f\v]")
}

layer_rows <- function(graph, costs) {
  rows <- vapply(seq_along(graph$layers), function(i) {
    layer <- graph$layers[[i]]
    sprintf(paste0("<tr><td class=\"num\">%d</td><td><code>%s</code></td><td>%s</td>",
                   "<td><code>%s</code></td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>"),
            i, html_escape(layer$name), html_escape(type_text(layer)), format_shape(layer$output_shape),
            format_count(layer$params), format_count(costs[[i]]$macs))
  }, "")
  paste(rows, collapse = "\n")
}

# A string literal that R and Python both read as `text` (handout.py's _quoted()).
quoted_literal <- function(text) {
  paste0("\"", gsub("\"", "\\\"", gsub("\\", "\\\\", text, fixed = TRUE), fixed = TRUE), "\"")
}

# A path as Python's str(pathlib.Path(path)) writes it: no "." segments, no
# repeated or trailing "/".
py_path_text <- function(path) {
  absolute <- startsWith(path, "/")
  parts <- strsplit(path, "/", fixed = TRUE)[[1L]]
  parts <- parts[nzchar(parts) & parts != "."]
  text <- paste(parts, collapse = "/")
  if (absolute) paste0(if (startsWith(path, "//") && !startsWith(path, "///")) "//" else "/", text)
  else if (nzchar(text)) text else "."
}

# How a command names the spec as it was given: its catalog name, else its
# file, both quoted; NULL for a spec given as data (handout.py's spec_argument()).
spec_argument <- function(s) {
  name <- s$data[["name"]]
  origin <- s$origin
  if (json_is_string(name) && endsWith(origin, ".json")) {
    catalog <- catalog_path(name)
    if (is_file(catalog) && identical(normalizePath(origin, mustWork = FALSE), normalizePath(catalog))) {
      return(quoted_literal(name))
    }
  }
  if (startsWith(origin, "<")) return(NULL)
  quoted_literal(py_path_text(origin))
}

# The code that trains and evaluates the model, in both languages, where the
# spec has compile settings (handout.py's training_section()).
training_section <- function(s, graph) {
  if (length(graph$compile) == 0L) return("")
  table <- handout_table()$training
  train <- if (length(s$data[["fit"]]) > 0L) "train" else "fit"
  code <- vapply(c("r", "python"), function(lang) {
    paste(vapply(c("comment", train, "evaluate"), function(part) table[[part]][[lang]], ""), collapse = "\n")
  }, "")
  section <- gsub("{r}", html_escape(code[["r"]]), table$section, fixed = TRUE)
  gsub("{python}", html_escape(code[["python"]]), section, fixed = TRUE)
}

#' Write a handout: one HTML page about a spec
#'
#' Writes one self-contained HTML page for students to keep: the spec's
#' title, description and source, the R (keras3) and the Python code that
#' build the model side by side, the layer table (output shapes,
#' parameters, multiply-accumulates per sample as [cost()] counts them), the
#' Graphviz diagram and, when `history` is given, the training curves. Where
#' the spec has compile settings, the code that trains and evaluates the model
#' follows, in both languages. What the spec does not say (description,
#' source, tags) is left out; the footer gives the command that makes the
#' page again, with the spec as it was given (catalog name or file). Styles
#' and pictures are inline, so the page works offline, and it prints without
#' empty pages. Python's `twinnet.handout()` writes the same page, byte for
#' byte.
#'
#' Where Graphviz is missing, fails, runs out of time or the network has
#' more layers than it is given (see [diagram()]), the page has a note
#' instead of the diagram and `handout()` warns. A `file` that is a
#' directory, or in a directory that does not exist, is refused first.
#'
#' @inheritParams to_dot
#' @param file The path of the HTML file; by default `<spec name>.html` in
#'   the working directory.
#' @param history `NULL`, or a training history: the `twinnet_history` data
#'   frame [fit_model()] returns, or a named list of metric name -> values per
#'   epoch such as Keras's `History.history` (names starting with `val_` are
#'   the validation series). Anything else, such as values that are not
#'   numbers, is refused with an error that says what the history holds.
#' @return The path of the page, invisibly.
#' @seealso [diagram()], [to_code()].
#' @examples
#' file <- tempfile(fileext = ".html")
#' history <- list(loss = c(1.2, 0.6, 0.4), val_loss = c(0.9, 0.5, 0.45))
#' # without Graphviz the page has a note instead of the diagram
#' withCallingHandlers(
#'   handout("lenet5", file, history = history),
#'   warning = function(w) invokeRestart("muffleWarning")
#' )
#' \dontrun{
#' utils::browseURL(file)
#' }
#' @export
handout <- function(spec, file = NULL, history = NULL) {
  s <- load_spec(spec)
  graph <- expand(s)
  data <- s$data
  name <- py_str(graph$name)
  if (is.null(file)) file <- paste0(name, ".html")
  check_output_file(file)
  p <- graph$params
  costs <- layer_costs(graph)
  curves <- ""
  if (!is.null(history)) {
    curves <- paste0("<h2>Training</h2>\n<figure class=\"curves\" id=\"curves\">", curves_svg(history),
                     "<figcaption>Loss and metrics per epoch, training and validation.</figcaption></figure>")
  }
  tags <- json_or(data[["tags"]], list())
  description <- json_or(data[["description"]], NULL)
  source <- json_or(data[["source"]], NULL)
  given <- spec_argument(s)
  footer <- handout_table()$footer
  values <- list(
    version = html_escape(as.character(utils::packageVersion("twinnet"))),
    title = html_escape(py_str(json_or(data[["title"]], name))),
    name = html_escape(name),
    params = paste(format_count(p$total), "parameters"),
    tags = if (length(tags) > 0L) paste0(" &middot; ", html_escape(paste(as.character(unlist(tags)), collapse = ", ")))
      else "",
    description = if (is.null(description)) "" else
      sprintf("<p class=\"description\">%s</p>\n", html_escape(py_str(description))),
    source = if (is.null(source)) "" else sprintf("<p class=\"source\">Source: %s</p>\n", html_escape(py_str(source))),
    spec_arg = html_escape(if (is.null(given)) footer$data else given),
    file_arg = html_escape(quoted_literal(basename(py_path_text(file)))),
    spec_note = if (is.null(given)) footer$data_note else "",
    training = training_section(s, graph),
    r_code = html_escape(to_code(s, "r")),
    python_code = html_escape(to_code(s, "python")),
    layer_rows = layer_rows(graph, costs),
    trainable = format_count(p$trainable),
    non_trainable = format_count(p$non_trainable),
    total = format_count(p$total),
    total_macs = format_count(sum(vapply(costs, function(r) r$macs, numeric(1)))),
    diagram = handout_diagram(s, graph),
    curves = curves
  )
  values <- lapply(values, enc2utf8)
  template <- handout_template()
  placeholder <- ecma_pattern(handout_table()$placeholder)
  found <- gregexpr(placeholder, template, perl = TRUE)
  keys <- sub(placeholder, "\\1", regmatches(template, found)[[1L]], perl = TRUE)
  unknown <- setdiff(keys, names(values))
  if (length(unknown) > 0L) stop("internal error: the handout template has the unknown field {{", unknown[[1L]],
                                 "}}", call. = FALSE)
  page <- template
  regmatches(page, found) <- list(vapply(keys, function(k) values[[k]], "", USE.NAMES = FALSE))
  writeBin(charToRaw(enc2utf8(page)), file)
  invisible(file)
}
