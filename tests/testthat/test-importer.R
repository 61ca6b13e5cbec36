# from_keras(): a Keras model becomes a spec that rebuilds an equal model.

# Class, config (with the name), output shape and parameters of every layer, as JSON text.
layer_facts <- function(model) {
  json <- reticulate::import("json", convert = TRUE)
  vapply(model$layers, function(l) {
    facts <- reticulate::dict(cls = class(l)[[1L]], config = l$get_config(),
                              shape = reticulate::tuple(l$output$shape), params = l$count_params())
    json$dumps(facts, sort_keys = TRUE, default = "repr")
  }, character(1))
}

test_that("catalog models round-trip: same layers, configs, counts and outputs", {
  skip_if_no_python("keras")
  np <- reticulate::import("numpy", convert = FALSE)
  for (name in c("lenet5", "mini_resnet", "imdb_lstm", "example_edge_detection")) {
    model <- build_model(name, seed = 1L, compile = FALSE)
    doc <- from_keras(model)
    expect_equal(doc$name, name)
    expect_s3_class(load_spec(doc), "twinnet_spec")
    again <- build_model(doc, compile = FALSE)
    expect_identical(layer_facts(again), layer_facts(model), label = name)
    expect_equal(again$count_params(), model$count_params())
    again$set_weights(model$get_weights())
    shape <- c(1L, as.integer(unlist(model$inputs[[1L]]$shape[-1L])))
    dtype <- model$inputs[[1L]]$dtype
    x <- if (grepl("int", dtype)) np$ones(shape, dtype = dtype) else np$full(shape, 0.5, dtype = "float32")
    expect_identical(again$predict(x, verbose = 0L), model$predict(x, verbose = 0L), label = name)
  }
})

test_that("only arguments that differ from Keras's defaults are written", {
  skip_if_no_python("keras")
  doc <- from_keras(build_model("lenet5", compile = FALSE), name = "again")
  expect_equal(doc$name, "again")
  expect_null(doc$outputs)
  expect_identical(doc$layers[[2L]], list(type = "Conv2D", name = "c1", filters = 6L, kernel_size = list(5L, 5L),
                                          activation = "tanh"))
  expect_identical(doc$layers[[3L]], list(type = "AveragePooling2D", name = "s2", pool_size = list(2L, 2L)))
})

test_that("a layer outside the allowlist is refused, naming the layer", {
  skip_if_no_python("keras")
  keras <- reticulate::import("keras")
  inp <- keras$Input(shape = list(4L))
  out <- keras$layers$Dense(2L, kernel_regularizer = keras$regularizers$OrthogonalRegularizer(), name = "fc")(inp)
  err <- spec_error_of(from_keras(keras$Model(inp, out)))
  expect_equal(err$path, "")
  expect_equal(err$kind, "unsupported_layer")
  expect_match(err$message, "layer 'fc' (Dense) has kernel_regularizer = OrthogonalRegularizer", fixed = TRUE)
})

test_that("regularizers import as the spec writes them", {
  skip_if_no_python("keras")
  keras <- reticulate::import("keras")
  inp <- keras$Input(shape = list(6L), dtype = "int32", name = "tokens")
  x <- keras$layers$Embedding(10L, 4L, embeddings_regularizer = "l2", name = "embed")(inp)
  x <- keras$layers$LSTM(3L, recurrent_regularizer = keras$regularizers$L1L2(l1 = 0.01, l2 = 0.02), name = "rnn")(x)
  out <- keras$layers$Dense(1L, kernel_regularizer = keras$regularizers$L1(0.3),
                            activity_regularizer = keras$regularizers$L2(1e-4), name = "fc")(x)
  doc <- from_keras(keras$Model(inp, out, name = "regularized"))
  expect_identical(doc$layers[[2L]]$embeddings_regularizer, list(l2 = 0.01))
  expect_identical(doc$layers[[3L]]$recurrent_regularizer, list(l1 = 0.01, l2 = 0.02))
  expect_identical(doc$layers[[4L]]$kernel_regularizer, list(l1 = 0.3)) # Keras's float32, as given
  expect_identical(doc$layers[[4L]]$activity_regularizer, list(l2 = 1e-4))
  expect_s3_class(load_spec(doc), "twinnet_spec")
})

test_that("a backend's own optimizer imports as the Keras optimizer it stands for", {
  skip_if_no_python("keras")
  # PyTorch's backend compiles with its own subclass of each optimizer (but Ftrl) and writes its module
  # (tests/backends/test_compiled_models.py compiles on every backend)
  keras <- reticulate::import("keras")
  model <- build_model("lenet5", compile = FALSE)
  model$compile(optimizer = keras$optimizers$Adam(learning_rate = 0.01), loss = "mse")
  want <- from_keras(model)$compile
  expect_identical(want, list(optimizer = "adam", loss = "mse", learning_rate = 0.01))
  patch <- reticulate::py_run_string(paste(
    "def patch(model, module, cls, registered):",
    "    config = type(model).get_compile_config(model)",
    "    config['optimizer'] = {**config['optimizer'], 'module': module, 'class_name': cls,",
    "                           'registered_name': registered}",
    "    model.get_compile_config = lambda: config",
    sep = "\n"
  ), local = TRUE, convert = FALSE)$patch
  module <- "keras.src.backend.torch.optimizers.torch_adam"
  patch(model, module, "Adam", "Adam")
  expect_identical(from_keras(model)$compile, want)
  patch(model, module, "Adam", NULL)
  expect_identical(from_keras(model)$compile, want)
  for (refused in list(list(module, "Adam", "my_package>Adam"), list(module, "SGD", "SGD"),
                       list("my_package.optimizers", "Adam", "Adam"))) {
    patch(model, refused[[1L]], refused[[2L]], refused[[3L]])
    err <- spec_error_of(from_keras(model))
    expect_equal(c(err$path, err$kind), c("", "unsupported_setting"))
    expect_match(err$message, "optimizer", fixed = TRUE)
  }
})

test_that("a compiled model's compile settings import; what a spec cannot say is refused", {
  skip_if_no_python("keras")
  for (name in c("conv1d_forecaster", "cifar10_weight_decay", "mnist_cnn")) {
    doc <- from_keras(build_model(name, seed = 1))
    expect_true(twinnet:::json_equal(expand(doc)$compile, expand(name)$compile), label = name)
  }
  doc <- from_keras(build_model("cifar10_weight_decay", seed = 1))
  expect_identical(doc$compile$learning_rate, list(schedule = "CosineDecay", initial_learning_rate = 0.001,
                                                   decay_steps = 14080L))
  keras <- reticulate::import("keras")
  model <- build_model("lenet5", compile = FALSE)
  model$compile(optimizer = "adam", loss = keras$losses$MeanSquaredError())
  err <- spec_error_of(from_keras(model))
  expect_equal(c(err$path, err$kind), c("", "unsupported_setting"))
  expect_match(err$message, "loss = MeanSquaredError", fixed = TRUE)
  expect_null(from_keras(model, compile = FALSE)$compile)
})
