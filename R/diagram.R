# Diagrams: a spec drawn by Graphviz, each layer with its output shape,
# parameters and MACs (python/twinnet/diagram.py; both write the same DOT
# text, byte for byte, from shared_specs/diagram.json).

# shared_specs/diagram.json, the one table both packages draw from: the
# formats, the message without Graphviz, where a layer's source is a block's
# ("block_source"; group 1: the block, group 2: the layer's index) and the style.
diagram_table <- function() cached("diagram", function() read_json_file(specs_path("diagram.json")))

diagram_formats <- function() as.character(unlist(diagram_table()$formats))

# Layer type -> fill colour (a type listed in two families takes the later one, as in Python).
diagram_colors <- function() {
  cached("diagram_colors", function() {
    colors <- character()
    for (fam in diagram_table()$families) {
      for (t in as.character(unlist(fam$types))) colors[[t]] <- fam$color
    }
    colors
  })
}

# The escaping of HTML text and Graphviz HTML labels (diagram.py's html_escape()).
html_escape <- function(text) {
  text <- gsub("&", "&amp;", text, fixed = TRUE)
  text <- gsub("<", "&lt;", text, fixed = TRUE)
  text <- gsub(">", "&gt;", text, fixed = TRUE)
  gsub("\"", "&quot;", text, fixed = TRUE)
}

dot_attrs <- function(values) {
  paste(sprintf("%s=\"%s\"", names(values), vapply(values, as.character, "")), collapse = ", ")
}

# A layer's type, a wrapper's with the type it wraps: "Bidirectional(LSTM)"
# (diagram.py's type_text()).
type_text <- function(layer) {
  inner <- layer$config$layer
  if (is.list(inner) && !is.null(inner$type)) sprintf("%s(%s)", layer$type, inner$type) else layer$type
}

# A layer's node: name and type, output shape, parameters, and its MACs per
# sample where it has any.
dot_node <- function(layer, macs, color) {
  cells <- c(
    sprintf("<B>%s</B>&#160;%s", html_escape(layer$name), html_escape(type_text(layer))),
    format_shape(layer$output_shape),
    paste(format_count(layer$params), "params"),
    if (macs > 0) paste(format_compact(macs), "MACs")
  )
  rows <- paste0("<TR><TD>", cells, "</TD></TR>", collapse = "")
  table <- sprintf("<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"%s\">%s</TABLE>",
                   color, rows)
  sprintf("\"%s\" [label=<%s>];", layer$name, table)
}

# Python's `x or default` for a JSON value: NULL, "" and an empty array are false.
json_or <- function(x, default) {
  if (is.null(x) || length(x) == 0L || (is.character(x) && length(x) == 1L && !nzchar(x))) default else x
}

#' Write a spec's network as Graphviz DOT text
#'
#' One node per layer, showing the layer's name, type, output shape and
#' parameter count, and its multiply-accumulates per sample where it has any
#' ([cost()], three significant digits: "118K MACs"), filled with the colour
#' of its family (convolution, pooling, dense, recurrent, ...); the layers of
#' each use of a block are grouped in a dashed box; one edge per input. Needs
#' neither Keras nor Graphviz. Python's `twinnet.to_dot()` gives the same
#' text, byte for byte, so Graphviz draws the same picture from either
#' language.
#'
#' @param spec Anything [load_spec()] accepts: a catalog name, a file path,
#'   JSON text, an R list or a `twinnet_spec`.
#' @return The DOT text, one string ending in a newline. Print it with
#'   `cat()`.
#' @seealso [diagram()] to draw it, [handout()].
#' @examples
#' cat(to_dot("lenet5"))
#' @export
to_dot <- function(spec) {
  s <- load_spec(spec)
  dot_text(s, expand(s))
}

# The DOT text of a loaded spec and its expansion (see to_dot()).
dot_text <- function(s, g) {
  style <- diagram_table()
  colors <- diagram_colors()
  title <- py_str(json_or(s$data[["title"]], g$name))
  label <- sprintf("<<B>%s</B><BR/>%s parameters>", html_escape(title), format_count(g$params$total))
  lines <- c(
    sprintf("digraph \"%s\" {", g$name),
    sprintf("  graph [%s, label=%s];", dot_attrs(style$graph), label),
    sprintf("  node [%s];", dot_attrs(style$node)),
    sprintf("  edge [%s];", dot_attrs(style$edge))
  )
  cluster <- NULL
  n_clusters <- 0L
  body <- vector("list", length(g$layers))
  block_source <- ecma_pattern(diagram_table()$block_source)
  costs <- layer_costs(g)
  for (i in seq_along(g$layers)) {
    layer <- g$layers[[i]]
    m <- regmatches(layer$source, regexec(block_source, layer$source, perl = TRUE))[[1L]]
    block <- if (length(m) > 0L) m[[2L]] else NULL
    out <- character()
    if (!is.null(cluster) && (!identical(block, cluster) || (length(m) > 0L && m[[3L]] == "0"))) {
      out <- c(out, "  }")
      cluster <- NULL
    }
    if (!is.null(block) && is.null(cluster)) {
      n_clusters <- n_clusters + 1L
      cluster <- block
      out <- c(out,
               sprintf("  subgraph \"cluster_%d\" {", n_clusters),
               sprintf("    graph [%s, label=\"%s\"];", dot_attrs(style$cluster), block))
    }
    indent <- if (!is.null(cluster)) "    " else "  "
    color <- if (layer$type %in% names(colors)) colors[[layer$type]] else "#ffffff"
    body[[i]] <- c(out, paste0(indent, dot_node(layer, costs[[i]]$macs, color)))
  }
  lines <- c(lines, unlist(body))
  if (!is.null(cluster)) lines <- c(lines, "  }")
  edges <- lapply(g$layers, function(layer) {
    sprintf("  \"%s\" -> \"%s\";", as.character(unlist(layer$inputs)), layer$name)
  })
  lines <- c(lines, unlist(edges), "}")
  paste0(paste(lines, collapse = "\n"), "\n")
}

# The Graphviz `dot` program: TWINNET_DOT if set, else `dot` on PATH; NULL when missing.
dot_program <- function() {
  want <- Sys.getenv("TWINNET_DOT")
  if (nzchar(want)) {
    ok <- isTRUE(utils::file_test("-f", want)) && isTRUE(file.access(want, 1L) == 0L)
    return(if (ok) want else NULL)
  }
  found <- unname(Sys.which("dot"))
  if (nzchar(found)) found else NULL
}

graphviz_condition <- function(class, message) {
  structure(class = c(class, "error", "condition"), list(message = message, call = NULL))
}

# Refuse a network with more layers than Graphviz is given (the limit max_diagram_layers).
check_drawable <- function(g) {
  limit <- get_limit("max_diagram_layers")
  n <- length(g$layers)
  if (n > limit) {
    stop(graphviz_condition("twinnet_graphviz_error", sprintf(paste0(
      "the network has %s layers, more than the %s that twinnet hands to Graphviz ",
      "(a large graph can keep it busy for a long time); %s"
    ), format_count(n), format_count(floor(limit)), how_to_raise("max_diagram_layers"))))
  }
  invisible(g)
}

# Refuse, before any work, a file that cannot be written: a directory, or one
# in a missing directory (diagram.py's check_output_file()).
check_output_file <- function(file) {
  if (!json_is_string(file)) stop("`file` must be one string, the path of the file to write", call. = FALSE)
  if (dir.exists(file)) stop(sprintf("cannot write '%s': it is a directory", file), call. = FALSE)
  parent <- dirname(file)
  if (!dir.exists(parent)) {
    stop(sprintf("cannot write '%s': there is no directory '%s'", file, parent), call. = FALSE)
  }
  invisible(file)
}

# Graphviz's drawing of DOT text as "svg" or "png": a raw vector; dot is
# stopped after the limit dot_timeout. Signals twinnet_graphviz_error
# (Python's GraphvizError); also twinnet_graphviz_missing when dot is missing.
render_dot <- function(dot, format) {
  program <- dot_program()
  if (is.null(program)) {
    stop(graphviz_condition(c("twinnet_graphviz_missing", "twinnet_graphviz_error"),
                            gsub("{format}", toupper(format), diagram_table()$graphviz_missing, fixed = TRUE)))
  }
  input <- tempfile("twinnet-", fileext = ".gv")
  output <- tempfile("twinnet-")
  errors <- tempfile("twinnet-")
  on.exit(unlink(c(input, output, errors)), add = TRUE)
  writeBin(charToRaw(enc2utf8(dot)), input)
  args <- c(paste0("-T", format), if (format == "png") "-Gdpi=96")
  timeout <- get_limit("dot_timeout")
  status <- suppressWarnings(system2(program, args, stdin = input, stdout = output, stderr = errors,
                                     timeout = if (is.finite(timeout)) ceiling(timeout) else 0))
  if (is.finite(timeout) && identical(as.integer(status), 124L)) {
    stop(graphviz_condition("twinnet_graphviz_error", sprintf(
      "Graphviz's dot did not finish within %s seconds and was stopped; %s",
      format(timeout), how_to_raise("dot_timeout")
    )))
  }
  if (!identical(as.integer(status), 0L)) {
    why <- if (file.exists(errors)) read_text(errors) else ""
    why <- trimws(iconv(why, "UTF-8", "UTF-8", sub = "\uFFFD"), whitespace = "[ \t\r\n\f\v]")
    stop(graphviz_condition("twinnet_graphviz_error",
                            sprintf("Graphviz's dot failed (exit %d): %s", as.integer(status), why)))
  }
  size <- file.size(output)
  if (is.na(size) || size == 0) return(raw())
  readBin(output, "raw", size)
}

# A file name's extension as Python's Path.suffix gives it, without the dot.
path_suffix <- function(file) {
  name <- basename(file)
  dots <- gregexpr(".", name, fixed = TRUE)[[1L]]
  i <- dots[[length(dots)]]
  if (i > 1L && i < nchar(name)) substring(name, i + 1L) else ""
}

#' Draw a spec's network
#'
#' Draws the network with Graphviz, each layer with its output shape,
#' parameters and multiply-accumulates (the drawing of [to_dot()]'s text).
#' Python's `twinnet.diagram()` draws the same picture, byte for byte.
#'
#' SVG and PNG need Graphviz's `dot` program: the one named by the
#' environment variable `TWINNET_DOT`, else `dot` on the `PATH`. Where it is
#' missing, drawing signals a condition of class `twinnet_graphviz_missing`
#' (a `twinnet_graphviz_error` too) saying how to install it; where `dot`
#' fails, one of class `twinnet_graphviz_error`. A `.dot` file needs no
#' Graphviz.
#'
#' Graphviz gets at most `getOption("twinnet.max_diagram_layers")` layers
#' (default 1,000) and `getOption("twinnet.dot_timeout")` seconds (default
#' 30) per picture (see [twinnet_limits]); beyond either, a condition of
#' class `twinnet_graphviz_error` that says how to raise the limit. A `file`
#' that is a directory, or in a directory that does not exist, is refused
#' before anything is drawn.
#'
#' @inheritParams to_dot
#' @param file `NULL`, or the path of the file to write.
#' @param format `"svg"`, `"png"` or `"dot"` (also `"gv"`); by default the
#'   file's extension.
#' @return Without `file`, the DOT text (as [to_dot()]) with class
#'   `"twinnet_dot"`, which prints as the text itself. With `file`, the path,
#'   invisibly.
#' @seealso [to_dot()], [handout()].
#' @examples
#' diagram("mnist_mlp")
#' file <- tempfile(fileext = ".dot")
#' diagram("lenet5", file)
#' if (nzchar(Sys.which("dot"))) {
#'   svg <- diagram("lenet5", tempfile(fileext = ".svg"))
#'   png <- diagram("mini_resnet", tempfile(fileext = ".png"))
#' }
#' @export
diagram <- function(spec, file = NULL, format = NULL) {
  s <- load_spec(spec)
  g <- expand(s)
  if (is.null(file)) return(structure(dot_text(s, g), class = "twinnet_dot"))
  fmt <- if (is.null(format) || !nzchar(format)) path_suffix(file) else format
  fmt <- tolower(fmt)
  if (fmt == "gv") fmt <- "dot"
  if (!fmt %in% diagram_formats()) {
    stop(sprintf("diagram format must be one of %s (from the file's extension or `format`), not '%s'",
                 paste(diagram_formats(), collapse = ", "), fmt), call. = FALSE)
  }
  check_output_file(file)
  dot <- dot_text(s, g)
  if (fmt != "dot") check_drawable(g)
  data <- if (fmt == "dot") charToRaw(enc2utf8(dot)) else render_dot(dot, fmt)
  writeBin(data, file)
  invisible(file)
}

#' @export
print.twinnet_dot <- function(x, ...) {
  cat(x)
  invisible(x)
}
