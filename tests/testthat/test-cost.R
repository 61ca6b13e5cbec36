# cost() (cost.R; test_cost.py's twins): each rule counted by hand, the
# memory estimate and the published figures. The independent count by
# TensorFlow's profiler is Python's (test_cost.py, test_build.py); the cross
# harness shows that both languages give the same table.

spec_of <- function(..., compile = NULL) {
  doc <- list(format_version = "1.0", name = "t", layers = list(...))
  if (!is.null(compile)) doc$compile <- compile
  doc
}

# The cost table of a spec of these layers, with the rows named by layer.
rows_of <- function(...) {
  x <- cost(spec_of(...))
  rownames(x) <- x$name
  x
}

counts <- function(x, name, cols = c("macs", "connections")) unname(unlist(x[name, cols]))

# -- the registry names the rules ------------------------------------------------------------------

test_that("every type names a cost rule, every rule is used, and each gets the data it takes", {
  types <- twinnet:::layer_types()
  rules <- twinnet:::cost_rules
  named <- vapply(types, function(info) info$cost$rule, "")
  expect_equal(named[!named %in% names(rules)], setNames(character(), character()))
  expect_equal(setdiff(names(rules), named), character())
  for (type in names(types)) {
    info <- types[[type]]
    data <- info$cost[names(info$cost) != "rule"]
    args <- formals(rules[[info$cost$rule]])
    expect_equal(names(args)[1:3], c("layer", "shapes", "out"), label = type)
    args <- args[-(1:3)]
    required <- names(args)[vapply(args, function(a) identical(a, quote(expr = )), logical(1))]
    expect_equal(setdiff(required, names(data)), character(), label = type)
    expect_equal(setdiff(names(data), names(args)), character(), label = type)
    for (key in c("gates", "double_bias_if")) expect_identical(data[[key]], info$shape[[key]], label = type)
  }
  reg <- twinnet:::registry()
  expect_setequal(names(reg$compile$optimizer_slots), unlist(reg$compile$optimizers))
})

# -- each rule, counted by hand --------------------------------------------------------------------

test_that("conv: LeNet-5's C1, groups, padding and dilation", {
  x <- cost("lenet5")
  rownames(x) <- x$name
  expect_equal(counts(x, "c1"), c(28 * 28 * 6 * 5 * 5, 28 * 28 * 6 * (5 * 5 + 1)))
  expect_equal(counts(x, "c1", c("activations", "params", "param_bytes", "steps")), c(4704, 156, 624, 1))
  g <- rows_of(list(type = "Input", shape = list(8L, 8L, 4L)),
               list(type = "Conv2D", name = "g", filters = 6L, kernel_size = 3L, groups = 2L, padding = "same"))
  expect_equal(counts(g, "g"), c(384 * 18, 384 * 19))
  c1 <- rows_of(list(type = "Input", shape = list(10L, 3L)),
                list(type = "Conv1D", name = "c", filters = 2L, kernel_size = 3L, dilation_rate = 2L,
                     padding = "causal", use_bias = FALSE))
  expect_equal(counts(c1, "c"), c(10 * 2 * 9, 10 * 2 * 9))
})

test_that("dense, window, global window and merge", {
  d <- rows_of(list(type = "Input", shape = list(5L, 3L)), list(type = "Dense", name = "d", units = 4L))
  expect_equal(counts(d, "d", c("macs", "connections", "activations")), c(60, 80, 20))
  p <- rows_of(list(type = "Input", shape = list(4L, 4L, 2L)),
               list(type = "MaxPooling2D", name = "p", pool_size = 2L, strides = 1L, padding = "same"),
               list(type = "GlobalAveragePooling2D", name = "g"))
  expect_equal(counts(p, "p"), c(0, 4 * 4 * 2 * 4))
  expect_equal(counts(p, "g"), c(0, 2 * 16))
  a <- rows_of(list(type = "Input", name = "x", shape = list(2L, 3L)),
               list(type = "Add", name = "a", inputs = list("x", "x", "x")))
  expect_equal(counts(a, "a"), c(0, 18))
})

test_that("recurrent layers count per step and over the sequence", {
  l <- rows_of(list(type = "Input", shape = list(5L, 2L)), list(type = "LSTM", name = "l", units = 3L))
  expect_equal(counts(l, "l", c("macs_per_step", "connections_per_step", "steps", "macs", "connections")),
               c(60, 72, 5, 300, 360))
  for (reset_after in c(TRUE, FALSE)) {
    g <- rows_of(list(type = "Input", shape = list(4L, 3L)),
                 list(type = "GRU", name = "g", units = 2L, reset_after = reset_after, return_sequences = TRUE))
    expect_equal(counts(g, "g", c("macs", "connections", "activations")),
                 c(4 * 3 * 2 * 5, 4 * 3 * 2 * (5 + if (reset_after) 2 else 1), 8))
  }
  r <- rows_of(list(type = "Input", shape = list(NULL, 2L)), list(type = "SimpleRNN", name = "r", units = 3L))
  expect_equal(counts(r, "r", c("steps", "macs", "connections")), c(NA, 15, 18))
})

test_that("layers of the rule none cost nothing", {
  x <- rows_of(list(type = "Input", shape = list(6L), dtype = "int32"),
               list(type = "Embedding", name = "e", input_dim = 50L, output_dim = 4L),
               list(type = "BatchNormalization", name = "bn"),
               list(type = "Activation", name = "act", activation = "relu"),
               list(type = "Dropout", name = "drop", rate = 0.5, allow = list("dropout_after_output")),
               list(type = "Flatten", name = "flat"),
               list(type = "Softmax", name = "soft", allow = list("activation_twice")))
  for (name in c("e", "bn", "act", "drop", "flat", "soft")) {
    expect_equal(counts(x, name, c("macs", "connections", "activations")), c(0, 0, 24), label = name)
  }
  expect_equal(c(x["e", "params"], x["bn", "params"], x["bn", "trainable_params"]), c(200, 16, 8))
})

# -- the published figures -------------------------------------------------------------------------

test_that("LeNet-5's connections against the paper", {
  full <- cost("lenet5")
  by <- stats::setNames(full$connections, full$name)
  expect_equal(unname(by[c("c1", "c5", "f6")]), c(122304, 48120, 10164))
  sparse <- cost("lenet5_c3")
  expect_equal(sum(sparse$connections[grepl("^map[0-9]+_conv$", sparse$name)]), 151600)
  # the paper's sub-sampling adds a trainable bias per unit, its output layer is RBF units without bias
  s2_bias <- 14 * 14 * 6
  s4_bias <- 5 * 5 * 16
  expect_equal(unname(c(by[["s2"]] + s2_bias, by[["s4"]] + s4_bias, by[["output"]] - 10)), c(5880, 2000, 840))
  expect_equal(c(by[["c3"]], full$macs[full$name == "c3"]), c(241600, 240000))
  expect_equal(sum(sparse$connections) + s2_bias + s4_bias - 10, 340908)
  for (name in c("lenet5", "lenet5_c3")) {
    entries <- load_spec(name)$data$expect$connections$layers
    x <- cost(name)
    for (e in entries) {
      expect_equal(sum(x$connections[match(unlist(e$layers), x$name)]), e$value, label = paste(name, e$name))
    }
  }
})

test_that("the published multiply-adds, within how each source rounds", {
  published <- c(resnet18 = 1.8e9, resnet34 = 3.6e9, resnet50 = 3.8e9, vgg16 = 15.3e9, vgg19 = 19.6e9,
                 googlenet = 1.5e9)
  for (name in names(published)) {
    want <- load_spec(name)$data$expect$macs
    expect_equal(want$value, published[[name]], label = name)
    expect_true(nzchar(want$source), label = name)
    x <- cost(name)
    macs <- sum(x$macs)
    expect_lte(abs(macs - want$value), want$tolerance, label = name)
    if (name == "vgg16") { # the source's 15.3 is the convolutions alone, cut to one decimal
      expect_equal(want$tolerance, 2e8)
      convs <- sum(x$macs[x$type == "Conv2D"])
      expect_equal(c(convs %/% 1e8 * 1e8, macs %/% 1e8 * 1e8), c(15.3e9, 15.4e9))
    } else { # one decimal of 10^9, the rest cut
      expect_equal(want$tolerance, 1e8, label = name)
      expect_equal(macs %/% 1e8 * 1e8, want$value, label = name)
    }
  }
})

test_that("expect mismatches are spec errors, as in Python", {
  doc <- load_spec("vgg19")$data
  doc$expect$macs$tolerance <- 0L
  e <- spec_error_of(load_spec(doc))
  expect_equal(c(e$path, e$kind), c("/expect/macs/value", "expect_mismatch"))
  expect_match(e$message, "the spec expects 19,600,000,000 multiply-accumulates per sample, give or take 0", fixed = TRUE)
  expect_match(e$message, "the model has 19,632,062,464$")
  doc <- load_spec("lenet5")$data
  doc$expect$connections$layers[[2]]$value <- 48000L
  e <- spec_error_of(load_spec(doc))
  expect_equal(c(e$path, e$kind), c("/expect/connections/layers/1/value", "expect_mismatch"))
  expect_match(e$message, "^the spec expects 48,000 connections in C5 \\('c5'\\) \\(LeCun")
  doc$expect$connections$layers[[2]]$layers <- list("c6")
  e <- spec_error_of(load_spec(doc))
  expect_equal(c(e$path, e$kind, e$hint), c("/expect/connections/layers/1/layers/0", "unknown_reference",
                                            "did you mean 'c1'?"))
})

test_that("counts beyond 2^53 are refused", {
  withr::local_options(twinnet.max_params = 1e11, twinnet.max_activation = 1e11)
  n <- 2^18
  e <- spec_error_of(cost(spec_of(list(type = "Input", shape = list(n, n)), list(type = "Dense", units = n))))
  expect_equal(c(e$path, e$kind), c("/layers/1", "too_large"))
  expect_match(e$message, "brings the model's multiply-accumulates to 18,014,398,509,481,984", fixed = TRUE)
})

# -- memory -----------------------------------------------------------------------------------------

test_that("memory worked by hand", {
  doc <- spec_of(list(type = "Input", name = "x", shape = list(4L)), list(type = "Dense", name = "a", units = 3L),
                 list(type = "Dense", name = "b", units = 2L, trainable = FALSE),
                 compile = list(optimizer = "adam", loss = "mse"))
  x <- cost(doc, batch_size = 10)
  expect_equal(list(attr(x, "optimizer"), attr(x, "optimizer_from_spec"), attr(x, "optimizer_slots")),
               list("adam", TRUE, 2))
  expect_equal(attr(x, "training"),
               c(parameters = 92, gradients = 60, optimizer_slots = 120, activations = 360, total = 632))
  expect_equal(attr(x, "inference"),
               c(parameters = 92, gradients = 0, optimizer_slots = 0, activations = 280, total = 372))
  doc$compile <- list(optimizer = "sgd", loss = "mse")
  expect_equal(attr(cost(doc), "optimizer_slots"), 0)
  doc$compile$momentum <- 0.9 # Keras's SGD keeps a momentum per parameter only when it has one
  expect_equal(attr(cost(doc), "training")[["optimizer_slots"]], 60)
  branch <- spec_of(list(type = "Input", name = "x", shape = list(10L)), list(type = "Dense", name = "a", units = 1L),
                    list(type = "Dense", name = "b", units = 1L),
                    list(type = "Dense", name = "c", units = 10L, inputs = list("x")),
                    list(type = "Concatenate", name = "j", inputs = list("b", "c")))
  expect_equal(attr(cost(branch, batch_size = 1), "inference")[["activations"]], 4 * (1 + 10 + 11))
})

test_that("the default optimizer and batch size, and bad batch sizes", {
  x <- cost("vgg16")
  expect_equal(list(attr(x, "batch_size"), attr(x, "optimizer"), attr(x, "optimizer_from_spec")),
               list(32, "rmsprop", FALSE))
  expect_equal(sum(x$param_bytes), 4 * 138357544)
  for (bad in list(0, -1, 2.5, "8", NA, c(1, 2))) {
    expect_error(cost("lenet5", batch_size = bad), "batch_size must be a whole number >= 1")
  }
})

# -- the table --------------------------------------------------------------------------------------

test_that("the table prints as Python's does", {
  text <- format(cost("lenet5", batch_size = 8))
  expect_identical(text[[1]], "Cost of 'lenet5' per sample")
  expect_identical(strsplit(trimws(text[[4]]), " +")[[1]],
                   c("c1", "Conv2D", "(None,", "28,", "28,", "6)", "117,600", "122,304", "4,704", "156", "624"))
  expect_identical(strsplit(text[[12]], " +")[[1]], c("total", "416,520", "429,342", "9,238", "61,706", "246,824"))
  expect_true("  optimizer slots (the spec's adam: 2 a parameter)        0 B  482.1 KiB" %in% text)
  expect_true(startsWith(text[[length(text) - 4L]], "left out: the framework's own memory"))
  expect_output(print(cost("stock_lstm")), "rnn1    LSTM   (None, 30, 30)     30        4,200", fixed = TRUE)
  expect_identical(vapply(c(0, 1023, 1024, 1536, 2^20 * 2.5, 2^40), twinnet:::format_bytes, ""),
                   c("0 B", "1023 B", "1.0 KiB", "1.5 KiB", "2.5 MiB", "1.0 TiB"))
})

test_that("cost() needs no Python and prints what Python's twinnet.cost() prints", {
  skip_if_no_python("twinnet")
  py <- reticulate::import("twinnet", convert = FALSE)
  for (name in c("lenet5_c3", "stock_gru", "mini_resnet")) {
    from_python <- strsplit(reticulate::py_to_r(py$format_cost(py$cost(name, 16L))), "\n", fixed = TRUE)[[1]]
    expect_identical(format(cost(name, batch_size = 16)), from_python, label = name)
  }
})

test_that("run_examples() has the lecture's LeNet-5 C3 row", {
  skip_if_no_python()
  ex <- run_examples("lenet5_c3_connections")
  expect_identical(nrow(ex), 1L)
  expect_true(ex$agrees)
  expect_equal(as.vector(ex$expected[[1]]), c(151600, 240000))
  expect_equal(as.vector(ex$model[[1]]), c(151600, 240000))
})
