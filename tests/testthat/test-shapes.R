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
