# to_dot() and diagram(): the DOT text of a spec and its drawing by Graphviz
# (python/twinnet/diagram.py writes the same text and the same pictures).

dot_lines <- function(dot) strsplit(dot, "\n", fixed = TRUE)[[1L]]

# The names of the nodes a DOT text declares, and its edges as "from -> to".
dot_nodes <- function(dot) {
  lines <- grep("^ +\"[^\"]+\" \\[label=<", dot_lines(dot), value = TRUE)
  sub("^ +\"([^\"]+)\" \\[label=<.*$", "\\1", lines)
}
dot_edges <- function(dot) {
  lines <- grep("^  \"[^\"]+\" -> \"[^\"]+\";$", dot_lines(dot), value = TRUE)
  sub("^  \"([^\"]+)\" -> \"([^\"]+)\";$", "\\1 -> \\2", lines)
}

test_that("to_dot() draws one node per layer and one edge per input", {
  for (name in c("lenet5", "mini_resnet", "imdb_lstm", "googlenet", "stock_gru")) {
    g <- expand(name)
    dot <- to_dot(name)
    expect_type(dot, "character")
    expect_length(dot, 1L)
    expect_true(endsWith(dot, "}\n"), label = name)
    expect_identical(dot_lines(dot)[[1L]], sprintf("digraph \"%s\" {", name))
    expect_identical(dot_nodes(dot), layer_names(g), label = name)
    want <- unlist(lapply(g$layers, function(l) sprintf("%s -> %s", unlist(l$inputs), l$name)))
    expect_identical(dot_edges(dot), want, label = name)
    # braces balance: every cluster is closed
    chars <- strsplit(gsub("<[^>]*>", "", dot), "")[[1L]]
    expect_equal(sum(chars == "{"), sum(chars == "}"), label = name)
  }
})

test_that("each node shows the layer's name, type, output shape and parameters", {
  dot <- to_dot("lenet5")
  c1 <- grep("^  \"c1\" \\[", dot_lines(dot), value = TRUE)
  expect_length(c1, 1L)
  expect_match(c1, "<B>c1</B>&#160;Conv2D", fixed = TRUE)
  expect_match(c1, "<TD>(None, 28, 28, 6)</TD>", fixed = TRUE)
  expect_match(c1, "<TD>156 params</TD></TR><TR><TD>118K MACs</TD></TR></TABLE>", fixed = TRUE)
  expect_match(c1, "BGCOLOR=\"#cfe2f3\"", fixed = TRUE)
  expect_match(dot, "<BR/>61,706 parameters>", fixed = TRUE)
  # thousands separators, never scientific notation
  big <- to_dot("vgg16")
  expect_match(big, "<BR/>138,357,544 parameters>", fixed = TRUE)
  expect_match(big, "102,764,544 params", fixed = TRUE)
  expect_false(grepl("e+", big, fixed = TRUE))
})

test_that("a node shows cost()'s MACs in three significant digits where the layer has any", {
  dot <- to_dot("lenet5")
  node <- function(name) grep(sprintf("^  \"%s\" \\[", name), dot_lines(dot), value = TRUE)
  expect_match(node("c3"), "<TD>2,416 params</TD></TR><TR><TD>240K MACs</TD></TR></TABLE>", fixed = TRUE) # 240,000
  expect_match(node("f6"), "<TD>10.1K MACs</TD>", fixed = TRUE) # 10,080
  expect_match(node("output"), "<TD>840 MACs</TD>", fixed = TRUE)
  expect_false(grepl("MACs", node("s2"), fixed = TRUE))
  expect_false(grepl("MACs", node("input"), fixed = TRUE))
  costs <- cost("mini_resnet")
  dot <- to_dot("mini_resnet")
  for (i in seq_len(nrow(costs))) {
    line <- grep(sprintf("^ +\"%s\" \\[", costs$name[[i]]), dot_lines(dot), value = TRUE)
    macs <- costs$macs[[i]]
    expect_identical(grepl("MACs", line, fixed = TRUE), macs > 0, label = costs$name[[i]])
    want <- sprintf("<TR><TD>%s MACs</TD></TR></TABLE>", twinnet:::format_compact(macs))
    if (macs > 0) expect_match(line, want, fixed = TRUE)
  }
  vgg <- grep("^ +\"block3_conv3\" \\[", dot_lines(to_dot("vgg16")), value = TRUE)
  expect_match(vgg, "<TD>1.85G MACs</TD>", fixed = TRUE) # 1,849,688,064
})

test_that("format_compact() writes Python's text", {
  n <- c(0, 999, 1000, 1234, 117600, 999499, 999999, 1234567, 3857973248, 20285153280, 2^53 - 1)
  expect_identical(vapply(n, twinnet:::format_compact, ""),
                   c("0", "999", "1K", "1.23K", "118K", "999K", "1M", "1.23M", "3.86G", "20.3G", "9.01P"))
  skip_if_no_python("twinnet")
  formatting <- reticulate::import("twinnet.formatting", convert = TRUE)
  more <- c(n, 10^(0:15), 10^(1:15) - 1, 999500, 1e6 - 500, 5e8 - 5e5 - 1, 123456789012345, 7 * 13^(1:13))
  python <- vapply(more, function(x) formatting$format_compact(x), "")
  expect_identical(vapply(more, twinnet:::format_compact, ""), python)
})

test_that("the layers of each use of a block are grouped in a dashed cluster", {
  dot <- to_dot("mini_resnet")
  lines <- dot_lines(dot)
  expect_equal(sum(grepl("^  subgraph \"cluster_[0-9]+\" \\{$", lines)), 4L)
  expect_equal(sum(lines == "  }"), 4L)
  expect_match(dot, "graph [style=\"rounded,dashed\", color=\"#999999\", fontname=\"DejaVu Sans\", fontsize=\"10\", fontcolor=\"#555555\", label=\"downsample\"];",
               fixed = TRUE)
  # layers outside blocks are not indented into a cluster
  expect_true("  \"stem\" [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"#cfe2f3\"><TR><TD><B>stem</B>&#160;Conv2D</TD></TR><TR><TD>3\u00d73</TD></TR><TR><TD>(None, 32, 32, 16)</TD></TR><TR><TD>432 params</TD></TR><TR><TD>442K MACs</TD></TR></TABLE>>];" %in% lines)
  expect_false(any(grepl("subgraph", dot_lines(to_dot("lenet5")))))
})

test_that("every registry layer type has a colour in diagram.json", {
  table <- jsonlite::read_json(system.file("specs", "diagram.json", package = "twinnet"))
  types <- unlist(lapply(table$families, function(f) unlist(f$types)))
  expect_true(all(grepl("^#[0-9a-f]{6}$", vapply(table$families, function(f) f$color, ""))))
  missing <- setdiff(names(twinnet:::layer_types()), types)
  expect_identical(missing, character(), label = "layer types without a colour")
  expect_false(anyDuplicated(types) > 0L)
})

test_that("HTML-like text in a title is escaped in the DOT label", {
  dot <- to_dot(tiny_spec(title = "A <b>&\"quoted\" net"))
  expect_match(dot, "label=<<B>A &lt;b&gt;&amp;&quot;quoted&quot; net</B><BR/>46 parameters>", fixed = TRUE)
})

test_that("diagram() without a file gives the DOT text, printed as is", {
  d <- diagram("mnist_mlp")
  expect_s3_class(d, "twinnet_dot")
  expect_identical(as.character(d), to_dot("mnist_mlp"))
  expect_output(print(d), "digraph \"mnist_mlp\" {", fixed = TRUE)
})

test_that("diagram() writes a .dot or .gv file without Graphviz", {
  withr::local_envvar(TWINNET_DOT = "/nonexistent/dot")
  file <- withr::local_tempfile(fileext = ".dot")
  expect_identical(withVisible(diagram("lenet5", file))$visible, FALSE)
  expect_identical(diagram("lenet5", file), file)
  expect_identical(readBin(file, "raw", file.size(file)), charToRaw(to_dot("lenet5")))
  gv <- withr::local_tempfile(fileext = ".GV")
  diagram("lenet5", gv)
  expect_identical(readChar(gv, file.size(gv), useBytes = TRUE), to_dot("lenet5"))
  other <- withr::local_tempfile(fileext = ".txt")
  diagram("lenet5", other, format = "dot")
  expect_true(file.size(other) > 0)
})

test_that("an unknown format is refused, saying which formats there are", {
  expect_error(diagram("lenet5", withr::local_tempfile(fileext = ".jpg")),
               "diagram format must be one of svg, png, pdf, dot (from the file's extension or `format`), not 'jpg'",
               fixed = TRUE)
  expect_error(diagram("lenet5", withr::local_tempfile(), format = "jpeg"), "not 'jpeg'", fixed = TRUE)
  expect_error(diagram("lenet5", withr::local_tempfile()), "not ''", fixed = TRUE)
})

test_that("a missing Graphviz signals a classed error saying how to install it", {
  withr::local_envvar(TWINNET_DOT = "/nonexistent/dot")
  file <- withr::local_tempfile(fileext = ".svg")
  err <- tryCatch(diagram("lenet5", file), twinnet_graphviz_missing = function(e) e)
  expect_s3_class(err, "twinnet_graphviz_missing")
  expect_identical(class(err), c("twinnet_graphviz_missing", "twinnet_graphviz_error", "error", "condition"))
  expect_identical(conditionMessage(err), paste0(
    "Graphviz's `dot` program was not found, so the diagram cannot be drawn as SVG. ",
    "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; ",
    "others: https://graphviz.org/download/) or set TWINNET_DOT to the path of `dot`. ",
    "Without Graphviz, a file ending in .dot gets the DOT text."
  ))
  expect_false(file.exists(file))
  expect_error(diagram("lenet5", withr::local_tempfile(fileext = ".png")), class = "twinnet_graphviz_missing")
  expect_error(diagram("lenet5", withr::local_tempfile(fileext = ".png")), "drawn as PNG", fixed = TRUE)
  # a TWINNET_DOT that is not executable counts as missing too
  not_executable <- withr::local_tempfile()
  writeLines("not a program", not_executable)
  Sys.chmod(not_executable, "0644")
  withr::local_envvar(TWINNET_DOT = not_executable)
  expect_null(twinnet:::dot_program())
  expect_error(diagram("lenet5", file), class = "twinnet_graphviz_missing")
})

test_that("a failing dot signals twinnet_graphviz_error with its message", {
  skip_on_os("windows")
  fake <- withr::local_tempfile()
  writeLines(c("#!/bin/sh", "echo 'Error: something broke' >&2", "exit 3"), fake)
  Sys.chmod(fake, "0755")
  withr::local_envvar(TWINNET_DOT = fake)
  err <- tryCatch(diagram("lenet5", withr::local_tempfile(fileext = ".svg")), twinnet_graphviz_error = function(e) e)
  expect_s3_class(err, "twinnet_graphviz_error")
  expect_identical(conditionMessage(err), "Graphviz's dot failed (exit 3): Error: something broke")
})

test_that("diagram() writes an SVG with one node per layer", {
  skip_if_no_graphviz()
  for (name in c("lenet5", "mini_resnet")) {
    file <- withr::local_tempfile(fileext = ".svg")
    expect_identical(diagram(name, file), file)
    svg <- readChar(file, file.size(file), useBytes = TRUE)
    expect_true(startsWith(svg, "<?xml"), label = name)
    expect_match(svg, "<svg ", fixed = TRUE)
    expect_match(svg, "</svg>\n$")
    nodes <- gregexpr("<g id=\"node[0-9]+\" class=\"node\">", svg)[[1L]]
    expect_equal(length(nodes), length(expand(name)$layers), label = name)
    edges <- gregexpr("class=\"edge\"", svg, fixed = TRUE)[[1L]]
    expect_equal(length(edges), length(dot_edges(to_dot(name))), label = name)
  }
})

test_that("diagram() writes a PNG", {
  skip_if_no_graphviz()
  file <- withr::local_tempfile(fileext = ".png")
  diagram("lenet5", file)
  expect_gt(file.size(file), 1000)
  bytes <- readBin(file, "raw", file.size(file))
  expect_identical(bytes[1:8], as.raw(c(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)))
  # format overrides the extension
  other <- withr::local_tempfile(fileext = ".img")
  diagram("lenet5", other, format = "PNG")
  expect_identical(readBin(other, "raw", file.size(other)), bytes)
})

test_that("R writes the same DOT text and pictures as Python", {
  skip_if_no_python("twinnet")
  py <- reticulate::import("twinnet", convert = TRUE)
  for (name in catalog()$name) {
    expect_identical(to_dot(name), py$to_dot(name), label = name)
  }
  skip_if_no_graphviz()
  for (fmt in c("svg", "png")) {
    mine <- withr::local_tempfile(fileext = paste0(".", fmt))
    theirs <- withr::local_tempfile(fileext = paste0(".", fmt))
    diagram("mini_resnet", mine)
    py$diagram("mini_resnet", theirs)
    expect_identical(readBin(mine, "raw", file.size(mine)), readBin(theirs, "raw", file.size(theirs)), label = fmt)
  }
})

long_spec <- function(n) {
  list(format_version = "1.0", name = "long",
       layers = c(list(list(type = "Input", shape = list(4L))), rep(list(list(type = "Dense", units = 4L)), n)))
}

test_that("a network longer than the diagram limit is not handed to Graphviz", {
  withr::local_options(twinnet.max_diagram_layers = NULL)
  spec <- long_spec(1000) # 1,001 layers, one over the limit (3,601 kept dot busy for minutes)
  file <- withr::local_tempfile(fileext = ".svg")
  err <- tryCatch(diagram(spec, file), twinnet_graphviz_error = function(e) e)
  expect_s3_class(err, "twinnet_graphviz_error")
  expect_identical(conditionMessage(err), paste0(
    "the network has 1,001 layers, more than the 1,000 that twinnet hands to Graphviz (a large graph can keep it ",
    "busy for a long time); raise it with options(twinnet.max_diagram_layers = ...)"
  ))
  expect_false(file.exists(file))
  dot <- withr::local_tempfile(fileext = ".dot")
  expect_identical(diagram(spec, dot), dot) # DOT text needs no Graphviz
  withr::with_options(list(twinnet.max_diagram_layers = 20), {
    expect_error(diagram(long_spec(20), withr::local_tempfile(fileext = ".svg")),
                 "the network has 21 layers, more than the 20", class = "twinnet_graphviz_error")
  })
})

test_that("dot is stopped after the timeout", {
  skip_on_os("windows")
  slow <- withr::local_tempfile()
  writeLines(c("#!/bin/sh", "exec sleep 60"), slow)
  Sys.chmod(slow, "0755")
  withr::local_envvar(TWINNET_DOT = slow)
  withr::local_options(twinnet.dot_timeout = 1)
  err <- tryCatch(diagram("lenet5", withr::local_tempfile(fileext = ".svg")), twinnet_graphviz_error = function(e) e)
  expect_s3_class(err, "twinnet_graphviz_error")
  expect_identical(conditionMessage(err), paste0(
    "Graphviz's dot did not finish within 1 seconds and was stopped; raise it with options(twinnet.dot_timeout = ...)"
  ))
})

test_that("a file that cannot be written is refused first", {
  dir <- withr::local_tempdir()
  expect_error(diagram("lenet5", file.path(dir, "missing", "lenet5.dot")), "there is no directory", fixed = TRUE)
  expect_error(diagram("lenet5", dir, format = "dot"), "it is a directory", fixed = TRUE)
})

test_that("nodes show the kernel, the strides and the activation", {
  dot <- to_dot("alexnet")
  times <- "\u00d7"
  expect_true(grepl(sprintf("<TR><TD>11%s11 /4 relu</TD></TR>", times), dot, fixed = TRUE))
  g <- expand("alexnet")
  by_name <- stats::setNames(g$layers, layer_names(g))
  expect_identical(details_text(by_name$pool1), sprintf("3%s3 /2", times))
  expect_identical(details_text(by_name$fc8), "softmax")
  expect_identical(details_text(by_name$input), "")
  conv <- list(config = list(kernel_size = list(3L, 1L), strides = list(2L, 1L), activation = "linear"))
  expect_identical(details_text(conv), sprintf("3%s1 /2%s1", times, times))
})

test_that("direction is Graphviz's rankdir", {
  for (direction in c("TB", "LR", "BT", "RL")) {
    dot <- to_dot("lenet5", direction = direction)
    expect_true(grepl(sprintf("graph [rankdir=\"%s\",", direction), dot, fixed = TRUE))
    expect_identical(sub(sprintf("rankdir=\"%s\"", direction), "rankdir=\"TB\"", dot, fixed = TRUE), to_dot("lenet5"))
  }
  expect_error(to_dot("lenet5", direction = "up"), "`direction` must be one of TB, LR, BT, RL", fixed = TRUE)
  expect_error(diagram("lenet5", direction = "lr"), "`direction` must be one of", fixed = TRUE)
  expect_error(to_dot("lenet5", collapse = NA), "`collapse` must be TRUE or FALSE", fixed = TRUE)
})

test_that("collapse draws one box per use of a block", {
  dot <- to_dot("mini_resnet", collapse = TRUE)
  nodes <- c("input", "stem", "stem_bn", "stem_relu", "stage1", "stage2_down", "stage2", "pool", "output")
  expect_identical(dot_nodes(dot), nodes)
  expect_identical(dot_edges(dot), sprintf("%s -> %s", head(nodes, -1L), nodes[-1L]))
  expect_true(grepl("<B>stage1</B>&#160;basic \u00d72 (14 layers)", dot, fixed = TRUE))
  expect_true(grepl("<B>stage2_down</B>&#160;downsample (9 layers)", dot, fixed = TRUE))
  expect_false(grepl("cluster", dot, fixed = TRUE))
  google <- to_dot("googlenet", collapse = TRUE)
  expect_length(gregexpr("&#160;inception (8 layers)", google, fixed = TRUE)[[1L]], 9L)
  expect_identical(to_dot("lenet5", collapse = TRUE), to_dot("lenet5"))
})

test_that("PNG resolution and PDF", {
  skip_if_no_graphviz()
  png_size <- function(file) {
    con <- file(file, "rb")
    on.exit(close(con))
    header <- readBin(con, "raw", 24L)
    c(sum(as.integer(header[17:20]) * 256^(3:0)), sum(as.integer(header[21:24]) * 256^(3:0)))
  }
  small <- png_size(diagram("lenet5", withr::local_tempfile(fileext = ".png"), dpi = 75))
  default <- png_size(diagram("lenet5", withr::local_tempfile(fileext = ".png")))
  large <- png_size(diagram("lenet5", withr::local_tempfile(fileext = ".png"), dpi = 300))
  expect_equal(large[[1L]] / small[[1L]], 4, tolerance = 0.03)
  expect_equal(large[[2L]] / default[[2L]], 2, tolerance = 0.03)
  pdf <- diagram("lenet5", withr::local_tempfile(fileext = ".pdf"), direction = "LR")
  expect_identical(readBin(pdf, "raw", 5L), charToRaw("%PDF-"))
  expect_error(diagram("lenet5", withr::local_tempfile(fileext = ".png"), dpi = 0), "`dpi` must be a whole number")
  expect_error(diagram("lenet5", withr::local_tempfile(fileext = ".png"), dpi = 96.5), "`dpi` must be a whole number")
})
