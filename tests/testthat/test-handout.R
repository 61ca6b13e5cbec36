# handout(): one self-contained HTML page about a spec (python/twinnet/handout.py
# writes the same page, byte for byte).

HISTORY <- list(loss = c(1.2, 0.6, 0.4, 0.3), accuracy = c(0.6, 0.8, 0.9, 0.93),
                val_loss = c(0.9, 0.5, 0.45, 0.44), val_accuracy = c(0.7, 0.85, 0.88, 0.9))

read_page <- function(file) {
  bytes <- readBin(file, "raw", file.size(file))
  text <- rawToChar(bytes)
  Encoding(text) <- "UTF-8"
  text
}

count_of <- function(pattern, text) {
  found <- gregexpr(pattern, text, fixed = TRUE)[[1L]]
  sum(found > 0L)
}

# handout() without the warning a missing Graphviz gives.
quiet_handout <- function(...) {
  withCallingHandlers(handout(...), warning = function(w) {
    if (startsWith(conditionMessage(w), "the handout has no diagram: ")) invokeRestart("muffleWarning")
  })
}

test_that("the handout has both code panels, a row per layer and the totals", {
  file <- withr::local_tempfile(fileext = ".html")
  expect_identical(withVisible(quiet_handout("lenet5", file))$visible, FALSE)
  page <- read_page(file)
  expect_true(startsWith(page, "<!DOCTYPE html>\n"))
  expect_true(endsWith(page, "</html>\n"))
  expect_false(grepl("\r", page, fixed = TRUE))
  expect_false(grepl("{{", page, fixed = TRUE))
  expect_match(page, "<title>LeNet-5 in R and Python</title>", fixed = TRUE)
  expect_match(page, sprintf("<meta name=\"generator\" content=\"twinnet %s\">", utils::packageVersion("twinnet")),
               fixed = TRUE)
  expect_match(page, "&middot; 61,706 parameters &middot;", fixed = TRUE)
  expect_equal(count_of("<figure id=\"code-r\">", page), 1L)
  expect_equal(count_of("<figure id=\"code-python\">", page), 1L)
  expect_match(page, twinnet:::html_escape(to_code("lenet5", "r")), fixed = TRUE)
  expect_match(page, twinnet:::html_escape(to_code("lenet5", "python")), fixed = TRUE)
  expect_match(page, "layer_conv_2d(filters = 6, kernel_size = 5, activation = &quot;tanh&quot;, name = &quot;c1&quot;)",
               fixed = TRUE)
  g <- expand("lenet5")
  expect_equal(count_of("<tr><td class=\"num\">", page), length(g$layers))
  expect_match(page, paste0("<tr><td class=\"num\">2</td><td><code>c1</code></td><td>Conv2D</td>",
                            "<td><code>(None, 28, 28, 6)</code></td><td class=\"num\">156</td>",
                            "<td class=\"num\">117,600</td></tr>"), fixed = TRUE)
  expect_match(page, paste0("total (61,706 trainable, 0 non-trainable)</td><td class=\"num\">61,706</td>",
                            "<td class=\"num\">416,520</td></tr></tfoot>"), fixed = TRUE)
  expect_false(grepl("id=\"curves\"", page, fixed = TRUE))
  expect_match(page, sprintf("<code>twinnet::handout(&quot;lenet5&quot;, &quot;%s&quot;)</code>", basename(file)),
               fixed = TRUE)
})

test_that("the layer table has a MACs column holding cost()'s numbers", {
  file <- withr::local_tempfile(fileext = ".html")
  quiet_handout("lenet5", file)
  page <- read_page(file)
  expect_match(page, paste0("<th class=\"num\">parameters</th>",
                            "<th class=\"num\" title=\"multiply-accumulates per sample\">MACs</th>"), fixed = TRUE)
  expect_match(page, paste0("<td><code>c3</code></td><td>Conv2D</td><td><code>(None, 10, 10, 16)</code></td>",
                            "<td class=\"num\">2,416</td><td class=\"num\">240,000</td></tr>"), fixed = TRUE)
  body <- regmatches(page, regexpr("<tbody>.*</tbody>", page))
  rows <- regmatches(body, gregexpr("<td class=\"num\">[0-9,]+</td></tr>", body))[[1L]]
  macs <- as.numeric(gsub("[^0-9]", "", rows))
  expect_equal(macs, cost("lenet5")$macs)
})

test_that("the handout embeds the SVG diagram", {
  skip_if_no_graphviz()
  file <- withr::local_tempfile(fileext = ".html")
  expect_no_warning(handout("mini_resnet", file))
  page <- read_page(file)
  expect_match(page, "<figure class=\"diagram\" id=\"diagram\"><svg ", fixed = TRUE)
  expect_match(page, "</svg></figure>\n", fixed = TRUE)
  expect_false(grepl("<?xml", page, fixed = TRUE))
  expect_equal(count_of("class=\"node\"", page), length(expand("mini_resnet")$layers))
  expect_false(grepl("class=\"missing\"", page, fixed = TRUE))
})

test_that("a missing Graphviz gives a warning and a note instead of the diagram", {
  withr::local_envvar(TWINNET_DOT = "/nonexistent/dot")
  file <- withr::local_tempfile(fileext = ".html")
  expect_warning(handout("lenet5", file), "the handout has no diagram: Graphviz's `dot` program was not found",
                 fixed = TRUE)
  page <- read_page(file)
  expect_match(page, paste0("<figure class=\"diagram\" id=\"diagram\"><p class=\"missing\">No diagram: ",
                            "Graphviz's `dot` program was not found, so the diagram cannot be drawn as SVG. ",
                            "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz;"), fixed = TRUE)
  expect_false(grepl("<svg", page, fixed = TRUE))
  # the rest of the page is all there
  expect_match(page, "id=\"code-python\"", fixed = TRUE)
})

test_that("a history as a list draws the training and validation curves", {
  file <- withr::local_tempfile(fileext = ".html")
  quiet_handout("lenet5", file, history = HISTORY)
  page <- read_page(file)
  expect_match(page, "<h2>Training</h2>\n<figure class=\"curves\" id=\"curves\"><svg ", fixed = TRUE)
  expect_equal(count_of("<polyline class=\"training\"", page), 2L)
  expect_equal(count_of("<polyline class=\"validation\"", page), 2L)
  expect_match(page, "aria-label=\"loss per epoch\"", fixed = TRUE)
  expect_match(page, "aria-label=\"accuracy per epoch\"", fixed = TRUE)
  expect_lt(regexpr("loss per epoch", page, fixed = TRUE), regexpr("accuracy per epoch", page, fixed = TRUE))
  # epochs 1 to 4 across the 256-wide plot; the values from 1.2 to 0.3 (padded by 5%) up 140
  expect_match(page, "points=\"52.0,32.4 137.3,117.2 222.7,145.5 308.0,159.6\"", fixed = TRUE)
})

test_that("a history data frame from fit_model() draws the same curves as the list", {
  frame <- twinnet:::history_frame(HISTORY)
  expect_s3_class(frame, "twinnet_history")
  expect_identical(twinnet:::curves_svg(frame), twinnet:::curves_svg(HISTORY))
  # the rows in any order: metrics in order of first appearance, values by epoch
  shuffled <- frame[c(16, 5, 1, 9, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15), ]
  series <- twinnet:::history_series(shuffled)
  expect_named(series, c("accuracy", "loss"))
  expect_named(series$loss, c("training", "validation"))
  expect_identical(series$loss$training, HISTORY$loss)
  expect_identical(series$accuracy$validation, HISTORY$val_accuracy)
})

test_that("history_series() keeps the order of first appearance", {
  series <- twinnet:::history_series(list(val_loss = c(0.9, 0.5), loss = c(1, 0.5), mae = 3L))
  expect_named(series, c("loss", "mae"))
  expect_named(series$loss, c("training", "validation"))
  expect_identical(series$mae, list(training = 3))
  expect_error(twinnet:::history_series(c(1, 2)), "history must be")
  expect_error(twinnet:::history_series(data.frame(x = 1)), "needs the columns")
})

test_that("curves print numbers as Python does", {
  one <- twinnet:::curves_svg(list(loss = 0.7, val_loss = 0.65))
  expect_match(one, "points=\"180.0,32.4\"", fixed = TRUE)
  expect_equal(count_of(">1</text>", one), 1L)
  constant <- twinnet:::curves_svg(list(loss = c(0.5, 0.5, 0.5)))
  expect_match(constant, ">0.5</text>", fixed = TRUE)
  expect_match(constant, ">1</text>", fixed = TRUE)
  expect_match(constant, ">3</text>", fixed = TRUE)
  big <- twinnet:::curves_svg(list(mae = c(100000, 138357544)))
  expect_match(big, ">1.38e+08</text>", fixed = TRUE)
  expect_match(big, ">1e+05</text>", fixed = TRUE)
  gaps <- twinnet:::curves_svg(list(loss = c(1, NaN, 0.5)))
  expect_match(gaps, "points=\"52.0,32.4 308.0,159.6\"", fixed = TRUE)
})

test_that("text from the spec is HTML-escaped, and placeholders are filled once", {
  spec <- tiny_spec(title = "Tiny & <small>", description = "<script>alert(1)</script> &\"quoted\" {{name}}",
                    tags = list("a<b"))
  file <- withr::local_tempfile(fileext = ".html")
  quiet_handout(spec, file)
  page <- read_page(file)
  expect_false(grepl("<script>", page, fixed = TRUE))
  expect_match(page, "<p class=\"description\">&lt;script&gt;alert(1)&lt;/script&gt; &amp;&quot;quoted&quot; {{name}}</p>",
               fixed = TRUE)
  expect_match(page, "<h1>Tiny &amp; &lt;small&gt;</h1>", fixed = TRUE)
  expect_match(page, "&middot; a&lt;b</p>", fixed = TRUE)
  expect_false(grepl("Source:", page, fixed = TRUE)) # no source, no line
  plain <- withr::local_tempfile(fileext = ".html")
  quiet_handout(tiny_spec(), plain)
  page <- read_page(plain)
  expect_match(page, "<h1>tiny</h1>", fixed = TRUE)
  for (placeholder in c("(no description)", "no tags", "(not given)", "class=\"description\"")) {
    expect_false(grepl(placeholder, page, fixed = TRUE), label = placeholder)
  }
  full <- withr::local_tempfile(fileext = ".html")
  quiet_handout("lenet5", full)
  expect_match(read_page(full), "<p class=\"source\">Source: ", fixed = TRUE)
})

test_that("the footer names the spec as it was given", {
  dir <- withr::local_tempdir()
  withr::local_dir(dir)
  dir.create("specs")
  file.copy(system.file("specs", "models", "cifar10_cnn.json", package = "twinnet"), "specs/cifar.json")
  page <- read_page(quiet_handout("./specs/cifar.json", "out.html"))
  expect_match(page, "<code>twinnet::handout(&quot;specs/cifar.json&quot;, &quot;out.html&quot;)</code>", fixed = TRUE)
  expect_match(page, "<code>twinnet.handout(&quot;specs/cifar.json&quot;, &quot;out.html&quot;)</code>", fixed = TRUE)
  expect_false(grepl("handout(&quot;cifar10_cnn", page, fixed = TRUE))
  by_name <- read_page(quiet_handout("lenet5", "l.html"))
  expect_match(by_name, "<code>twinnet::handout(&quot;lenet5&quot;, &quot;l.html&quot;)</code>", fixed = TRUE)
  as_data <- read_page(quiet_handout(load_spec("lenet5")$data, "d.html"))
  expect_match(as_data, "<code>twinnet::handout(spec, &quot;d.html&quot;)</code>", fixed = TRUE)
  expect_identical(twinnet:::py_path_text("./a//b/./c.json"), "a/b/c.json")
  expect_identical(twinnet:::py_path_text("/x/./y/"), "/x/y")
})

test_that("the handout has the training code where the spec has compile settings", {
  file <- withr::local_tempfile(fileext = ".html")
  page <- read_page(quiet_handout("lenet5", file))
  expect_match(page, paste0("history &lt;- model |&gt; fit(x_train, y_train, epochs = 10, validation_split = 0.1)\n",
                            "model |&gt; evaluate(x_test, y_test)</code>"), fixed = TRUE)
  expect_match(page, "history = model.fit(x_train, y_train, epochs=10, validation_split=0.1)", fixed = TRUE)
  page <- read_page(quiet_handout("conv1d_forecaster", file))
  expect_match(page, "history &lt;- train_model(x_train, y_train)", fixed = TRUE)
  page <- read_page(quiet_handout("example_edge_detection", file))
  expect_false(grepl("id=\"training\"", page, fixed = TRUE))
})

test_that("the file defaults to <name>.html in the working directory", {
  withr::local_dir(withr::local_tempdir())
  path <- quiet_handout("mnist_mlp")
  expect_identical(path, "mnist_mlp.html")
  expect_true(file.size("mnist_mlp.html") > 5000)
})

test_that("R writes the same handout as Python", {
  skip_if_no_python("twinnet")
  skip_if_no_graphviz()
  py <- reticulate::import("twinnet", convert = TRUE)
  one_epoch <- list(loss = 0.7, val_loss = 0.65)
  for (name in c("lenet5", "imdb_lstm")) {
    for (history in list(NULL, HISTORY, one_epoch)) {
      mine <- file.path(withr::local_tempdir(), "page.html") # the footer names the file
      theirs <- file.path(withr::local_tempdir(), "page.html")
      handout(name, mine, history = history)
      py_history <- if (is.null(history)) NULL else reticulate::r_to_py(lapply(history, as.list))
      py$handout(name, theirs, history = py_history)
      expect_identical(readBin(mine, "raw", file.size(mine)), readBin(theirs, "raw", file.size(theirs)),
                       label = name)
    }
  }
})

test_that("a history that is not one is refused, saying what it holds", {
  file <- withr::local_tempfile(fileext = ".html")
  expect_error(quiet_handout("mnist_mlp", file, history = list(loss = "0.5")),
               "'loss' holds character", fixed = TRUE)
  expect_error(quiet_handout("mnist_mlp", file, history = list(loss = list(0.5, NULL))),
               "'loss' holds a list whose values", fixed = TRUE)
  expect_error(quiet_handout("mnist_mlp", file, history = list(loss = list(list(0.5)))),
               "'loss' holds a list whose values", fixed = TRUE)
  expect_error(quiet_handout("mnist_mlp", file, history = list(1, 2)), "history must be", fixed = TRUE)
  expect_error(quiet_handout("mnist_mlp", file, history = "history.json"), "history must be", fixed = TRUE)
  frame <- data.frame(epoch = 1:2, metric = "loss", value = c("a", "b"), data = "training")
  expect_error(quiet_handout("mnist_mlp", file, history = frame), "the value column of a history holds numbers",
               fixed = TRUE)
  expect_false(file.exists(file))
  # a list of single numbers, as JSON gives it, is a history
  quiet_handout("mnist_mlp", file, history = list(loss = list(1, 0.5)))
  expect_true(file.exists(file))
})

test_that("a file that cannot be written is refused before anything is drawn", {
  dir <- withr::local_tempdir()
  expect_error(handout("lenet5", file.path(dir, "missing", "lenet5.html")), "there is no directory", fixed = TRUE)
  expect_error(handout("lenet5", dir), "it is a directory", fixed = TRUE)
})

test_that("a network too long to draw gets a note instead of the diagram", {
  withr::local_options(twinnet.max_diagram_layers = 5)
  file <- withr::local_tempfile(fileext = ".html")
  expect_warning(handout("lenet5", file), "the handout has no diagram: the network has 9 layers, more than the 5",
                 fixed = TRUE)
  expect_match(read_page(file), "<p class=\"missing\">No diagram: the network has 9 layers", fixed = TRUE)
})
