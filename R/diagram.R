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

# A kernel's or stride's sides: 3 -> "3", list(3, 3) -> "3x3" (with `times` between).
dot_sides <- function(value, times) paste(sprintf("%d", as.integer(unlist(value))), collapse = times)

# Whether a config value is a whole number or a list of them (a kernel size, strides).
is_sides <- function(value) {
  (is.numeric(value) || is.list(value)) && length(value) > 0L && all(vapply(value, is.numeric, logical(1)))
}

# A layer's kernel, strides (where one is not 1) and activation: "3x3 /2 relu"
# (with the multiplication sign); "" for none (diagram.py's details_text()).
details_text <- function(layer) {
  table <- diagram_table()$details
  config <- layer$config
  parts <- character()
  for (key in as.character(unlist(table$size))) {
    if (is_sides(config[[key]])) {
      parts <- c(parts, dot_sides(config[[key]], table$times))
      break
    }
  }
  strides <- config$strides
  if (is_sides(strides) && any(unlist(strides) != 1)) {
    values <- unlist(strides)
    same <- is.list(strides) && length(unique(values)) == 1L
    sides <- if (same) dot_sides(values[[1L]], table$times) else dot_sides(strides, table$times)
    parts <- c(parts, paste0(table$stride, sides))
  }
  activation <- config$activation
  if (is.character(activation) && length(activation) == 1L && activation != table$hide_activation) {
    parts <- c(parts, activation)
  }
  paste(parts, collapse = " ")
}

dot_table <- function(cells, color) {
  rows <- paste0("<TR><TD>", cells, "</TD></TR>", collapse = "")
  sprintf("<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"%s\">%s</TABLE>",
          color, rows)
}

# A layer's node: name and type, kernel, strides and activation where it has
# them, output shape, parameters, and its MACs per sample where it has any.
dot_node <- function(layer, macs, color) {
  details <- details_text(layer)
  cells <- c(
    sprintf("<B>%s</B>&#160;%s", html_escape(layer$name), html_escape(type_text(layer))),
    if (nzchar(details)) html_escape(details),
    format_shape(layer$output_shape),
    paste(format_count(layer$params), "params"),
    if (macs > 0) paste(format_compact(macs), "MACs")
  )
  sprintf("\"%s\" [label=<%s>];", layer$name, dot_table(cells, color))
}

# The uses of blocks among a spec's layers: a list of list(name, block,
# repeat, start, n), `start` the index (from 1) of the use's first layer in the
# expansion and `n` its number of layers; NULL where the expansion's layers do
# not add up (diagram.py's block_uses()).
block_uses <- function(s, g) {
  blocks <- s$data$blocks
  size <- function(name) {
    sum(vapply(blocks[[name]]$layers, function(e) {
      if (!is.null(e$block)) as.numeric(json_or(e$`repeat`, 1L)) * size(e$block) else 1
    }, numeric(1)))
  }
  uses <- list()
  start <- 1
  unnamed <- list()
  for (entry in s$data$layers) {
    if (is.null(entry$block)) {
      start <- start + 1
      next
    }
    block <- as.character(entry$block)
    rep <- as.integer(if (is.null(entry$`repeat`)) 1L else entry$`repeat`)
    if (!is.null(entry$name)) {
      name <- as.character(entry$name)
    } else {
      unnamed[[block]] <- (if (is.null(unnamed[[block]])) 0L else unnamed[[block]]) + 1L
      name <- sprintf("%s_%d", block, unnamed[[block]])
    }
    n <- rep * size(block)
    uses[[length(uses) + 1L]] <- list(name = name, block = block, rep = rep, start = start, n = n)
    start <- start + n
  }
  if (start - 1 == length(g$layers)) uses else NULL
}

# A block use's node: its name, block, repeat and layer count, last output
# shape, parameters and MACs.
dot_collapsed_node <- function(use, layers, macs, color) {
  times <- diagram_table()$details$times
  n <- use$n
  cells <- c(
    paste0(sprintf("<B>%s</B>&#160;%s", html_escape(use$name), html_escape(use$block)),
           if (use$rep > 1L) sprintf(" %s%d", times, use$rep),
           sprintf(" (%s layer%s)", format_count(n), if (n != 1) "s" else "")),
    format_shape(layers[[length(layers)]]$output_shape),
    paste(format_count(sum(vapply(layers, function(l) as.numeric(l$params), numeric(1)))), "params"),
    if (macs > 0) paste(format_compact(macs), "MACs")
  )
  sprintf("\"%s\" [label=<%s>];", use$name, dot_table(cells, color))
}

# Refuse a direction that is not Graphviz's rankdir, and a collapse that is not TRUE or FALSE.
check_dot_options <- function(direction, collapse) {
  directions <- as.character(unlist(diagram_table()$directions))
  if (!(is.character(direction) && length(direction) == 1L && !is.na(direction) && direction %in% directions)) {
    stop(sprintf("`direction` must be one of %s, not %s", paste(directions, collapse = ", "),
                 paste(deparse(direction), collapse = "")), call. = FALSE)
  }
  if (!(is.logical(collapse) && length(collapse) == 1L && !is.na(collapse))) {
    stop("`collapse` must be TRUE or FALSE", call. = FALSE)
  }
  invisible(TRUE)
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
#' @param direction Where the network runs (Graphviz's `rankdir`): `"TB"` top
#'   to bottom (the default), `"LR"` left to right (for wide slides), `"BT"`
#'   or `"RL"`.
#' @param collapse `TRUE` to draw each use of a block as one box ("stage1
#'   basic x2 (14 layers)": its name, block, repeats and layers, with the
#'   output shape, parameters and MACs of them all) instead of its layers.
#' @return The DOT text, one string ending in a newline. Print it with
#'   `cat()`.
#' @seealso [diagram()] to draw it, [handout()].
#' @examples
#' cat(to_dot("lenet5"))
#' cat(to_dot("mini_resnet", direction = "LR", collapse = TRUE))
#' @export
to_dot <- function(spec, direction = "TB", collapse = FALSE) {
  check_dot_options(direction, collapse)
  s <- load_spec(spec)
  dot_text(s, expand(s), direction, collapse)
}

# The DOT text of a loaded spec and its expansion (see to_dot()).
dot_text <- function(s, g, direction = "TB", collapse = FALSE) {
  check_dot_options(direction, collapse)
  style <- diagram_table()
  colors <- diagram_colors()
  title <- py_str(json_or(s$data[["title"]], g$name))
  label <- sprintf("<<B>%s</B><BR/>%s parameters>", html_escape(title), format_count(g$params$total))
  graph <- style$graph
  graph$rankdir <- direction
  lines <- c(
    sprintf("digraph \"%s\" {", g$name),
    sprintf("  graph [%s, label=%s];", dot_attrs(graph), label),
    sprintf("  node [%s];", dot_attrs(style$node)),
    sprintf("  edge [%s];", dot_attrs(style$edge))
  )
  costs <- layer_costs(g)
  uses <- if (collapse) block_uses(s, g) else NULL
  if (!is.null(uses)) return(collapsed_dot(lines, g, uses, costs, colors, style$block_color))
  cluster <- NULL
  n_clusters <- 0L
  body <- vector("list", length(g$layers))
  block_source <- ecma_pattern(diagram_table()$block_source)
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

# The rest of dot_text() with collapse = TRUE: a node per layer outside blocks
# and per block use, an edge per pair of nodes that a layer's input joins.
collapsed_dot <- function(lines, g, uses, costs, colors, block_color) {
  # (by position, with hash tables and lists grown in place: a spec may have 10,000 layers,
  # and a lookup by name in a vector, or c() of a growing vector, would read them all each time)
  names <- vapply(g$layers, function(l) l$name, "")
  node_of <- names # each layer's node
  use_at <- match(seq_along(g$layers), vapply(uses, function(u) u$start, numeric(1)))
  body <- list()
  i <- 1
  while (i <= length(g$layers)) {
    k <- use_at[[i]]
    if (!is.na(k)) {
      use <- uses[[k]]
      members <- seq(i, length.out = use$n)
      node_of[members] <- use$name
      macs <- sum(vapply(costs[members], function(r) as.numeric(r$macs), numeric(1)))
      body[[length(body) + 1L]] <- paste0("  ", dot_collapsed_node(use, g$layers[members], macs, block_color))
      i <- i + use$n
    } else {
      layer <- g$layers[[i]]
      color <- if (layer$type %in% names(colors)) colors[[layer$type]] else "#ffffff"
      body[[length(body) + 1L]] <- paste0("  ", dot_node(layer, costs[[i]]$macs, color))
      i <- i + 1
    }
  }
  position <- hash_table_of(stats::setNames(seq_along(names), names))
  edges <- list()
  seen <- hash_table()
  for (layer in g$layers) {
    for (src in as.character(unlist(layer$inputs))) {
      from <- node_of[[hash_get(position, src)]]
      to <- node_of[[hash_get(position, layer$name)]]
      edge <- sprintf("  \"%s\" -> \"%s\";", from, to)
      if (from != to && !hash_has(seen, edge)) {
        hash_set(seen, edge, TRUE)
        edges[[length(edges) + 1L]] <- edge
      }
    }
  }
  paste0(paste(c(lines, unlist(body), unlist(edges), "}"), collapse = "\n"), "\n")
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

# Graphviz's drawing of DOT text as "svg", "png" (at `dpi`) or "pdf": a raw
# vector; dot is stopped after the limit dot_timeout. Signals
# twinnet_graphviz_error (Python's GraphvizError); also
# twinnet_graphviz_missing when dot is missing.
render_dot <- function(dot, format, dpi = diagram_table()$dpi$default) {
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
  args <- c(paste0("-T", format), if (format == "png") sprintf("-Gdpi=%d", as.integer(dpi)))
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
#' Draws the network with Graphviz, each layer with its kernel, strides and
#' activation ("3x3 /2 relu", with a multiplication sign), output shape, parameters and
#' multiply-accumulates (the drawing of [to_dot()]'s text). Python's
#' `twinnet.diagram()` takes the same arguments and draws the same picture,
#' byte for byte.
#'
#' SVG, PNG and PDF need Graphviz's `dot` program: the one named by the
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
#' @param format `"svg"`, `"png"`, `"pdf"` or `"dot"` (also `"gv"`); by
#'   default the file's extension.
#' @param dpi The resolution of a PNG in dots per inch: by default 150, sharp
#'   on a projector; 30 to 1,200.
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
#'   png <- diagram("mini_resnet", tempfile(fileext = ".png"), dpi = 200, direction = "LR", collapse = TRUE)
#'   pdf <- diagram("lenet5", tempfile(fileext = ".pdf"))
#' }
#' @export
diagram <- function(spec, file = NULL, format = NULL, dpi = NULL, direction = "TB", collapse = FALSE) {
  limits <- diagram_table()$dpi
  if (is.null(dpi)) dpi <- limits$default
  if (!(is.numeric(dpi) && length(dpi) == 1L && !is.na(dpi) && dpi == round(dpi) &&
        dpi >= limits$min && dpi <= limits$max)) {
    stop(sprintf("`dpi` must be a whole number from %d to %s, not %s", as.integer(limits$min),
                 format_count(limits$max), paste(deparse(dpi), collapse = "")), call. = FALSE)
  }
  check_dot_options(direction, collapse)
  s <- load_spec(spec)
  g <- expand(s)
  if (is.null(file)) return(structure(dot_text(s, g, direction, collapse), class = "twinnet_dot"))
  fmt <- if (is.null(format) || !nzchar(format)) path_suffix(file) else format
  fmt <- tolower(fmt)
  if (fmt == "gv") fmt <- "dot"
  if (!fmt %in% diagram_formats()) {
    stop(sprintf("diagram format must be one of %s (from the file's extension or `format`), not '%s'",
                 paste(diagram_formats(), collapse = ", "), fmt), call. = FALSE)
  }
  check_output_file(file)
  dot <- dot_text(s, g, direction, collapse)
  if (fmt != "dot") check_drawable(g)
  data <- if (fmt == "dot") charToRaw(enc2utf8(dot)) else render_dot(dot, fmt, dpi)
  writeBin(data, file)
  invisible(file)
}

#' @export
print.twinnet_dot <- function(x, ...) {
  cat(x)
  invisible(x)
}
