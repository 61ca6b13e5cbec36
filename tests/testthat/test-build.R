count_weights <- function(weights) {
  sum(vapply(weights, function(w) as.numeric(prod(py_shape(w))), numeric(1)))
}

py_shape <- function(w) as.integer(unlist(reticulate::import_builtins()$list(w$shape)))

test_that("build_model() gives a Keras model with the expanded parameter counts", {
  skip_if_no_python("keras")
  for (name in c("lenet5", "mini_resnet", "imdb_lstm", "mnist_mlp")) {
    g <- expand(name)
    model <- build_model(name, seed = 1L)
    expect_true(inherits(model, "python.builtin.object"), label = name)
    expect_equal(model$name, name)
    expect_equal(model$count_params(), g$params$total, label = name)
    expect_equal(count_weights(model$trainable_weights), g$params$trainable, label = name)
    expect_equal(count_weights(model$non_trainable_weights), g$params$non_trainable, label = name)
    # Keras lists the layers in its own topological order
    keras_names <- vapply(model$layers, function(l) l$name, "")
    expect_setequal(keras_names, layer_names(g))
    for (layer in g$layers) {
      expect_equal(model$get_layer(layer$name)$count_params(), layer$params, label = layer$name)
    }
  }
})

test_that("wrappers, augmentation and the new convolutions build with the expanded counts, frozen where said", {
  skip_if_no_python("keras")
  wrappers <- list(
    list(type = "Input", shape = list(6L), dtype = "int32"),
    list(type = "Embedding", input_dim = 50L, output_dim = 4L),
    list(type = "Bidirectional", layer = list(type = "LSTM", units = 3L, return_sequences = TRUE)),
    list(type = "TimeDistributed", layer = list(type = "Dense", units = 2L)),
    list(type = "Bidirectional", layer = list(type = "GRU", units = 2L), merge_mode = "sum", trainable = FALSE))
  images <- list(
    list(type = "Input", shape = list(12L, 12L, 3L)),
    list(type = "RandomFlip", mode = "horizontal"), list(type = "RandomRotation", factor = 0.1),
    list(type = "Conv2DTranspose", filters = 4L, kernel_size = 3L, strides = 2L),
    list(type = "SeparableConv2D", filters = 6L, kernel_size = 3L, depth_multiplier = 2L),
    list(type = "DepthwiseConv2D", kernel_size = list(3L, 1L), padding = "same"),
    list(type = "UpSampling2D", size = list(2L, 1L)), list(type = "LayerNormalization"))
  for (layers in list(wrappers, images)) {
    spec <- list(format_version = "1.0", name = "case", layers = layers)
    g <- expand(spec)
    model <- build_model(spec, seed = 1L)
    expect_equal(model$count_params(), g$params$total)
    expect_equal(count_weights(model$trainable_weights), g$params$trainable)
    expect_equal(count_weights(model$non_trainable_weights), g$params$non_trainable)
  }
  # the frozen Bidirectional's GRUs (2 features in, 2 units, reset_after's two biases) do not train
  frozen <- expand(list(format_version = "1.0", name = "case", layers = wrappers))$params$non_trainable
  expect_equal(frozen, 2 * (3 * 2 * (2 + 2) + 2 * 3 * 2))
})

test_that("the same seed gives identical weights; another seed does not", {
  skip_if_no_python("keras")
  weights <- function(seed) build_model("lenet5", seed = seed)$get_weights()
  first <- weights(42L)
  expect_identical(weights(42L), first)
  expect_false(identical(weights(43L), first))
})

test_that("the model predicts with the spec's output shape", {
  skip_if_no_python("keras")
  model <- build_model("lenet5", seed = 1L)
  x <- array(seq(0, 1, length.out = 2 * 32 * 32), dim = c(2L, 32L, 32L, 1L))
  y <- model$predict(x, verbose = 0L)
  expect_equal(dim(y), c(2L, 10L))
  expect_equal(rowSums(y), c(1, 1), tolerance = 1e-5)

  lstm <- build_model("imdb_lstm", seed = 1L)
  tokens <- matrix(c(1:100, 100:1), nrow = 2, byrow = TRUE)
  np <- reticulate::import("numpy", convert = FALSE)
  y <- lstm$predict(np$array(tokens, dtype = "int32"), verbose = 0L)
  expect_equal(dim(y), c(2L, 1L))
})

test_that("a Keras config matches the expanded config", {
  skip_if_no_python("keras")
  model <- build_model("lenet5")
  c1 <- model$get_layer("c1")$get_config()
  expect_equal(unlist(c1$kernel_size), c(5L, 5L))
  expect_equal(c1$activation, "tanh")
  expect_equal(c1$filters, 6L)
  pool <- model$get_layer("s2")$get_config()
  expect_equal(unlist(pool$strides), c(2L, 2L))
})

test_that("fixed weights are set in C order", {
  skip_if_no_python("keras")
  kernel <- lapply(1:3, function(i) lapply(1:3, function(j) list(list(10L * i + j))))
  doc <- list(format_version = "1.0", name = "fixed", layers = list(
    list(type = "Input", shape = list(3L, 3L, 1L)),
    list(type = "Conv2D", name = "conv", filters = 1L, kernel_size = 3L, weights = list(kernel, list(0.5)))
  ))
  model <- build_model(doc)
  w <- model$get_layer("conv")$get_weights()
  expect_equal(dim(w[[1]]), c(3L, 3L, 1L, 1L))
  expect_equal(w[[1]][2, 3, 1, 1], 23)
  expect_equal(as.numeric(w[[2]]), 0.5)
  x <- array(0, dim = c(1L, 3L, 3L, 1L))
  x[1, 2, 3, 1] <- 1
  expect_equal(as.numeric(model$predict(x, verbose = 0L)), 23.5)
})

test_that("weights of the wrong shape are a spec error, not a traceback", {
  skip_if_no_python("keras")
  doc <- list(format_version = "1.0", name = "fixed", layers = list(
    list(type = "Input", shape = list(3L)),
    list(type = "Dense", units = 2L, weights = list(list(list(1, 2), list(3, 4)), list(0, 0)))
  ))
  err <- spec_error_of(build_model(doc))
  expect_equal(c(err$path, err$kind), c("/layers/1/weights", "shape_mismatch"))
  expect_match(err$message, "[(3, 2), (2,)]", fixed = TRUE)
})

test_that("a layer Keras refuses is a spec error of kind build", {
  skip_if_no_python("keras")
  doc <- list(format_version = "1.0", name = "refused", layers = list(
    list(type = "Input", shape = list(8L, 8L, 3L)),
    list(type = "Conv2D", filters = 2L, kernel_size = 3L, kernel_initializer = "identity")
  ))
  err <- spec_error_of(build_model(doc))
  expect_equal(c(err$path, err$kind), c("/layers/1", "build"))
  expect_match(err$message, "^Keras cannot build layer 'conv2d_1' \\(Conv2D\\): ")
  expect_no_match(err$message, "Traceback")
})
