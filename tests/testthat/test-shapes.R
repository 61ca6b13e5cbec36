test_that("each catalog spec's shapes and parameter counts match its expect block", {
  for (name in catalog()$name) {
    spec <- load_spec(name)
    g <- expand(spec)
    expect <- spec$data$expect
    expect_equal(g$params, expect$params, label = name)
    shapes <- lapply(g$outputs, function(o) Filter(function(l) l$name == o, g$layers)[[1]]$output_shape)
    expect_equal(if (length(shapes) == 1L) shapes[[1]] else shapes, expect$output_shape, label = name)
    expect_equal(sum(vapply(g$layers, function(l) l$params, 0L)), g$params$total, label = name)
  }
})

test_that("per-layer shapes and counts are Keras's", {
  g <- expand("lenet5")
  shapes <- vapply(g$layers, function(l) twinnet:::format_shape(l$output_shape), "")
  expect_equal(shapes, c("(None, 32, 32, 1)", "(None, 28, 28, 6)", "(None, 14, 14, 6)", "(None, 10, 10, 16)",
                         "(None, 5, 5, 16)", "(None, 1, 1, 120)", "(None, 120)", "(None, 84)", "(None, 10)"))
  expect_equal(vapply(g$layers, function(l) l$params, 0L), c(0L, 156L, 0L, 2416L, 0L, 48120L, 0L, 10164L, 850L))

  g <- expand("mini_resnet")
  bn <- g$layers[[3]]
  expect_equal(c(bn$params, bn$trainable_params), c(64L, 32L))
  expect_equal(g$params, list(total = 43706L, trainable = 43226L, non_trainable = 480L))

  g <- expand("imdb_lstm")
  expect_equal(vapply(g$layers, function(l) l$params, 0L), c(0L, 320000L, 8320L, 33L))
})

test_that("shape rules follow Keras for padding, pooling, recurrent and merge layers", {
  doc <- list(format_version = "1.0", name = "mix", layers = list(
    list(type = "Input", shape = list(7L, 9L, 3L), name = "img"),
    list(type = "ZeroPadding2D", padding = list(list(1L, 0L), list(2L, 2L))),
    list(type = "Conv2D", filters = 4L, kernel_size = 3L, strides = 2L, padding = "same"),
    list(type = "MaxPooling2D", padding = "same"),
    list(type = "Reshape", target_shape = list(-1L, 4L)),
    list(type = "GRU", units = 5L, return_sequences = TRUE),
    list(type = "SimpleRNN", units = 3L),
    list(type = "Dense", units = 3L, name = "a"),
    list(type = "Dense", units = 3L, name = "b", inputs = list("a")),
    list(type = "Concatenate", inputs = list("a", "b")),
    list(type = "Add", inputs = list("a", "b"))
  ), outputs = list("concatenate_1", "add_1"))
  g <- expand(doc)
  shapes <- vapply(g$layers, function(l) twinnet:::format_shape(l$output_shape), "")
  expect_equal(shapes, c("(None, 7, 9, 3)", "(None, 8, 13, 3)", "(None, 4, 7, 4)", "(None, 2, 4, 4)",
                         "(None, 8, 4)", "(None, 8, 5)", "(None, 3)", "(None, 3)", "(None, 3)",
                         "(None, 6)", "(None, 3)"))
  gru <- g$layers[[6]]
  expect_equal(gru$params, 3L * 5L * (4L + 5L) + 2L * 3L * 5L)
  expect_equal(g$outputs, list("concatenate_1", "add_1"))
})

# The shape rules (shapes.R; test_shapes.py's twins): each registry type names one
# with its data, and a few shapes and counts worked by hand.

# The data keys a rule takes: its arguments after the layer and the shapes.
rule_data_args <- function(rule) {
  args <- formals(twinnet:::shape_rules[[rule]])
  expect_equal(names(args)[1:2], c("layer", "shapes"), label = rule)
  args <- args[-(1:2)]
  required <- names(args)[vapply(args, function(a) identical(a, quote(expr = )), logical(1))]
  list(required = required, allowed = names(args))
}

test_that("every type names a rule and every rule is used", {
  types <- twinnet:::layer_types()
  named <- vapply(types, function(info) info$shape$rule, "")
  expect_equal(named[!named %in% names(twinnet:::shape_rules)], setNames(character(), character()))
  expect_equal(setdiff(names(twinnet:::shape_rules), named), character())
})

test_that("each type gives the data its rule takes", {
  for (type in names(twinnet:::layer_types())) {
    info <- twinnet:::layer_types()[[type]]
    data <- info$shape[names(info$shape) != "rule"]
    args <- rule_data_args(info$shape$rule)
    expect_equal(setdiff(args$required, names(data)), character(), label = type)
    expect_equal(setdiff(names(data), args$allowed), character(), label = type)
    if (!is.null(data$rank)) { # the rank is that of every per-axis argument
      expect_true(is.numeric(data$rank) && data$rank >= 1, label = type)
      per_axis <- Filter(function(a) !is.null(a$n), info$args)
      for (arg in names(per_axis)) expect_equal(per_axis[[arg]]$n, data$rank, label = paste(type, arg))
    }
    if (!is.null(data$gates)) expect_true(is.numeric(data$gates) && data$gates >= 1, label = type)
    if (!is.null(data$moving_stats)) expect_true(is.logical(data$moving_stats), label = type)
    if (!is.null(data$double_bias_if)) expect_equal(info$args[[data$double_bias_if]]$kind, "bool", label = type)
  }
})

test_that("the rules' errors are in messages.json", {
  code <- paste(deparse(list(twinnet:::shape_rules, twinnet:::rank_error, twinnet:::collapse_error)), collapse = "\n")
  ids <- unique(regmatches(code, gregexpr('"shape_[a-z_]+"', code))[[1L]])
  ids <- gsub('"', "", ids, fixed = TRUE)
  expect_gt(length(ids), 0L)
  expect_equal(setdiff(ids, names(twinnet:::shared_table("messages.json")$spec_errors)), character())
})

shapes_last <- function(...) {
  g <- expand(list(format_version = "1.0", name = "case", layers = list(...)))
  layer <- g$layers[[length(g$layers)]]
  list(twinnet:::format_shape(layer$output_shape), layer$params, layer$trainable_params)
}

test_that("recurrent counts follow the formulas", {
  seq <- list(type = "Input", shape = list(NULL, 7L))
  u <- 5L
  f <- 7L
  expect_equal(shapes_last(seq, list(type = "LSTM", units = u)),
               list("(None, 5)", 4L * u * (f + u) + 4L * u, 4L * u * (f + u) + 4L * u))
  expect_equal(shapes_last(seq, list(type = "LSTM", units = u, use_bias = FALSE, return_sequences = TRUE)),
               list("(None, None, 5)", 4L * u * (f + u), 4L * u * (f + u)))
  # reset_after (the default): an input and a recurrent bias
  expect_equal(shapes_last(seq, list(type = "GRU", units = u))[[2L]], 3L * u * (f + u) + 2L * 3L * u)
  expect_equal(shapes_last(seq, list(type = "GRU", units = u, reset_after = FALSE))[[2L]], 3L * u * (f + u) + 3L * u)
  expect_equal(shapes_last(seq, list(type = "SimpleRNN", units = u, trainable = FALSE)),
               list("(None, 5)", u * (f + u) + u, 0L))
})

test_that("conv, normalization and cropping shapes and counts", {
  img <- list(type = "Input", shape = list(9L, 9L, 6L))
  # groups = 3: each filter sees 6 / 3 channels
  expect_equal(shapes_last(img, list(type = "Conv2D", filters = 12L, kernel_size = list(3L, 2L), groups = 3L)),
               list("(None, 7, 8, 12)", 3L * 2L * 2L * 12L + 12L, 3L * 2L * 2L * 12L + 12L))
  expect_equal(shapes_last(img, list(type = "Conv2D", filters = 4L, kernel_size = 3L, strides = 2L, padding = "same",
                                     use_bias = FALSE)),
               list("(None, 5, 5, 4)", 3L * 3L * 6L * 4L, 3L * 3L * 6L * 4L))
  expect_equal(shapes_last(img, list(type = "BatchNormalization", center = FALSE)), list("(None, 9, 9, 6)", 18L, 6L))
  expect_equal(shapes_last(img, list(type = "BatchNormalization", axis = 1L, trainable = FALSE)),
               list("(None, 9, 9, 6)", 36L, 0L))
  expect_equal(shapes_last(list(type = "Input", shape = list(6L, NULL, 5L, 2L)),
                           list(type = "Cropping3D", cropping = list(1L, 0L, 2L))),
               list("(None, 4, None, 1, 2)", 0L, 0L))
})

test_that("a rule reads its data, not the type", {
  # data changed by hand (moving statistics on and off);
  # a rule gives the shape without the batch axis and the trainable and frozen counts
  rules <- twinnet:::shape_rules
  norm <- list(name = "n", type = "T", source = "/layers/1",
               config = list(axis = -1L, center = TRUE, scale = TRUE, trainable = TRUE))
  expect_equal(rules$normalization(norm, list(c(4, 3)), moving_stats = FALSE),
               list(shape = c(4, 3), trainable = 6, frozen = 0))
  expect_equal(rules$normalization(norm, list(c(4, 3)), moving_stats = TRUE),
               list(shape = c(4, 3), trainable = 6, frozen = 6))
  gru <- list(name = "g", type = "GRU", source = "/layers/1",
              config = list(units = 2L, use_bias = TRUE, reset_after = TRUE, return_sequences = FALSE,
                            trainable = TRUE))
  expect_equal(rules$recurrent(gru, list(c(NA, 3)), gates = 3L)$trainable, 3 * 2 * 5 + 3 * 2)
  # the registry's GRU doubles the bias
  expect_equal(twinnet:::infer(gru, list(c(NA, 3)))$trainable, 3 * 2 * 5 + 2 * 3 * 2)
  pad <- list(name = "p", type = "T", source = "/layers/1",
              config = list(padding = list(1L, 2L), trainable = TRUE))
  expect_equal(rules$pad(pad, list(c(5, 3)), rank = 1L)$shape, c(8, 3))
})

test_that("shape errors name the path, kind and message of Python's", {
  err <- function(...) {
    e <- tryCatch(expand(list(format_version = "1.0", name = "case", layers = list(...))),
                  twinnet_spec_error = function(e) e)
    c(e$path, e$kind, e$message)
  }
  expect_equal(err(list(type = "Input", shape = list(4L, 4L, 3L)),
                   list(type = "Conv2D", filters = 4L, kernel_size = 1L, groups = 2L)),
               c("/layers/1/groups", "invalid_value",
                 "groups = 2 must divide both the input channels (3) and filters (4)"))
  expect_equal(err(list(type = "Input", shape = list(5L, 2L, 6L, 3L)),
                   list(type = "Cropping3D", cropping = list(1L, 1L, 2L))),
               c("/layers/1", "shape_collapse",
                 paste("layer 'cropping3d_1' (Cropping3D) maps input shape (None, 5, 2, 6, 3)",
                       "to (None, 3, 0, 2, 3): it crops more than its input has")))
  expect_equal(err(list(type = "Input", shape = list(5L)), list(type = "LSTM", units = 2L)),
               c("/layers/1", "shape_mismatch",
                 "layer 'lstm_1' (LSTM) needs an input of rank 3 (batch included), found (None, 5)"))
  expect_equal(err(list(type = "Input", shape = list(5L, 2L)), list(type = "Reshape", target_shape = list(3L, -1L))),
               c("/layers/1/target_shape", "shape_mismatch", "cannot reshape (None, 5, 2) to [3, -1]"))
})
