test_that("build_model compiles with the spec's settings", {
  skip_if_no_python("keras")
  model <- build_model("mnist_cnn", seed = 1)
  expect_true(model$compiled)
  expect_equal(class(model$optimizer)[[1]], "keras.src.optimizers.sgd.SGD")
  expect_equal(model$optimizer$learning_rate$numpy(), 0.01, tolerance = 1e-7)
  expect_false(build_model("lenet5", compile = FALSE)$compiled)
  expect_error(compile_model(build_model("lenet5", compile = FALSE), list()), "no `compile` settings")
})

test_that("fit_model trains, reproducibly, and returns the history as a data frame", {
  skip_if_no_python("keras")
  s <- mnist_split()
  x <- pad_digits(s$x_train[1:128, , ])
  y <- s$y_train[1:128]
  runs <- lapply(1:2, function(i) {
    model <- build_model("lenet5", seed = 1)
    history <- fit_model(model, x, y, epochs = 2, batch_size = 32, seed = 3)
    list(weights = model$get_weights(), history = history, model = model)
  })
  h <- runs[[1]]$history
  expect_s3_class(h, "twinnet_history")
  expect_named(h, c("epoch", "metric", "value", "data"))
  expect_setequal(unique(h$metric), c("loss", "accuracy"))
  expect_identical(runs[[1]]$weights, runs[[2]]$weights)
  expect_identical(runs[[1]]$history$value, runs[[2]]$history$value)
  loss <- h$value[h$metric == "loss"]
  expect_lt(loss[[2]], loss[[1]])
  expect_output(print(h), "<twinnet history: 2 epochs")

  ev <- evaluate_model(runs[[1]]$model, pad_digits(s$x_test[1:64, , ]), s$y_test[1:64])
  expect_named(ev, c("accuracy", "loss"), ignore.order = TRUE)
  p <- predict_model(runs[[1]]$model, pad_digits(s$x_test[1:5, , ]))
  expect_identical(dim(p), c(5L, 10L))
  expect_equal(rowSums(p), rep(1, 5), tolerance = 1e-5)
})

test_that("validation data gives validation rows, and the history plots", {
  skip_if_no_python("keras")
  s <- mnist_split()
  model <- build_model("mnist_mlp", seed = 2)
  x <- matrix(as.numeric(s$x_train[1:64, , ]) / 255, nrow = 64)
  xv <- matrix(as.numeric(s$x_test[1:32, , ]) / 255, nrow = 32)
  h <- fit_model(model, x, s$y_train[1:64], epochs = 2, validation_data = list(xv, s$y_test[1:32]))
  expect_setequal(unique(h$data), c("training", "validation"))
  file <- withr::local_tempfile(fileext = ".png")
  grDevices::png(file)
  print(plot(h)) # a ggplot (test-display.R)
  grDevices::dev.off()
  expect_gt(file.size(file), 1000)
})

test_that("a model survives an .rds file as serialize_model() bytes", {
  skip_if_no_python("keras")
  model <- build_model("lenet5", seed = 4)
  file <- withr::local_tempfile(fileext = ".rds")
  saveRDS(serialize_model(model), file)
  again <- unserialize_model(readRDS(file))
  x <- pad_digits(mnist_split()$x_test[1:8, , ])
  expect_identical(predict_model(again, x), predict_model(model, x))
  expect_error(unserialize_model("not bytes"), "raw vector")
})

# -- the spec's optimizer arguments, schedules, regularizers and fit settings ---------------------

# Windows of 32 values of a noisy sine and the value after each (conv1d_forecaster's data).
forecaster_data <- function(n = 240L, seed = 0L) {
  np <- reticulate::import("numpy", convert = TRUE)
  noise <- np$random$default_rng(as.integer(seed))$normal(size = as.integer(n + 32L))
  series <- sin(seq(0, n + 31) * 0.2) + 0.1 * noise
  x <- array(t(vapply(seq_len(n), function(i) series[i:(i + 31L)], numeric(32))), c(n, 32L, 1L))
  list(x = x, y = series[33:(n + 32L)])
}

small_spec <- function(...) {
  list(format_version = "1.0", name = "small",
       layers = list(list(type = "Input", shape = list(4L)), list(type = "Dense", units = 3L, activation = "relu"),
                     list(type = "Dense", units = 1L)),
       compile = list(optimizer = "sgd", loss = "mse"), ...)
}

small_data <- function() {
  set.seed(1)
  list(x = matrix(rnorm(128), 32, 4), y = rnorm(32))
}

test_that("the optimizer's arguments and schedule reach Keras", {
  skip_if_no_python("keras")
  sgd <- build_model("conv1d_forecaster", seed = 0)$optimizer
  expect_equal(class(sgd)[[1]], "keras.src.optimizers.sgd.SGD")
  expect_equal(sgd$momentum, 0.9)
  expect_true(sgd$nesterov)
  adamw <- build_model("cifar10_weight_decay", seed = 0)$optimizer
  expect_equal(adamw$weight_decay, 1e-4)
  schedule <- reticulate::py_get_attr(adamw, "_learning_rate")
  expect_match(class(schedule)[[1]], "CosineDecay")
  config <- schedule$get_config()
  expect_equal(config[c("initial_learning_rate", "decay_steps", "alpha", "warmup_steps")],
               list(initial_learning_rate = 0.001, decay_steps = 14080L, alpha = 0, warmup_steps = 0L))
})

test_that("regularizers are Keras's objects", {
  skip_if_no_python("keras")
  model <- build_model("cifar10_weight_decay", seed = 0)
  for (name in c("conv1", "conv2", "conv3", "conv4", "hidden")) {
    reg <- model$get_layer(name)$kernel_regularizer
    expect_match(class(reg)[[1]], "regularizers.L2$")
    expect_equal(reg$get_config(), list(l2 = 0.001))
  }
  expect_null(model$get_layer("output")$kernel_regularizer)
  spec <- small_spec()
  spec$layers[[2]] <- c(spec$layers[[2]], list(kernel_regularizer = list(l1 = 0.1),
                                               bias_regularizer = list(l1 = 0.1, l2 = 0.2),
                                               activity_regularizer = list(l2 = 1)))
  layer <- build_model(spec)$get_layer("dense_1")
  kinds <- vapply(list(layer$kernel_regularizer, layer$bias_regularizer, layer$activity_regularizer),
                  function(r) sub(".*\\.", "", class(r)[[1]]), "")
  expect_identical(kinds, c("L1", "L1L2", "L2"))
})

test_that("build_model() attaches the spec's fit settings", {
  skip_if_no_python("keras")
  model <- build_model("conv1d_forecaster", seed = 0)
  text <- reticulate::py_to_r(reticulate::py_get_attr(model, "twinnet_fit"))
  expect_true(twinnet:::json_equal(jsonlite::parse_json(text), expand("conv1d_forecaster")$fit))
  expect_equal(twinnet:::fit_settings(model)$epochs, 200L)
  expect_false(reticulate::py_has_attr(build_model("lenet5", compile = FALSE), "twinnet_fit"))
})

test_that("EarlyStopping from the spec really stops", {
  skip_if_no_python("keras")
  # min_delta beyond any change: only the first epoch improves, so with patience 2 three epochs run
  stop <- list(callback = "EarlyStopping", monitor = "loss", min_delta = 1e9, patience = 2L)
  model <- build_model(small_spec(fit = list(epochs = 50L, callbacks = list(stop))), seed = 0)
  d <- small_data()
  h <- fit_model(model, d$x, d$y, seed = 1, verbose = 0)
  expect_equal(max(h$epoch), 3L)
})

test_that("the forecaster stops early, lowers its learning rate and keeps its best weights", {
  skip_if_no_python("keras")
  d <- forecaster_data()
  model <- build_model("conv1d_forecaster", seed = 1)
  h <- fit_model(model, d$x, d$y, seed = 2, verbose = 0)
  epochs <- max(h$epoch)
  expect_gt(epochs, 10)
  expect_lt(epochs, 200)
  expect_lt(min(h$value[h$metric == "learning_rate"]), 0.01)
  val_mae <- h$value[h$metric == "mae" & h$data == "validation"]
  expect_gte(epochs - which.min(val_mae), 10)
  held_out <- seq(floor(240 * 0.8) + 1, 240) # Keras's validation_split: the last 20%
  mae <- evaluate_model(model, d$x[held_out, , , drop = FALSE], d$y[held_out], verbose = 0)[["mae"]]
  expect_equal(mae, min(val_mae), tolerance = 1e-4)
})

test_that("an argument given wins over the spec; spec = gives another spec's settings", {
  skip_if_no_python("keras")
  d <- small_data()
  model <- build_model(small_spec(fit = list(epochs = 50L)), seed = 0)
  expect_equal(max(fit_model(model, d$x, d$y, epochs = 2, verbose = 0)$epoch), 2L)
  plain <- build_model(small_spec(), seed = 0)
  expect_equal(max(fit_model(plain, d$x, d$y, verbose = 0)$epoch), 1L)
  h <- fit_model(plain, d$x, d$y, verbose = 0, spec = small_spec(fit = list(epochs = 3L, validation_split = 0.25)))
  expect_equal(max(h$epoch), 3L)
  expect_true("validation" %in% h$data)
})

test_that("compile_model() takes a spec, and refuses an argument its optimizer does not take", {
  skip_if_no_python("keras")
  model <- build_model("conv1d_forecaster", compile = FALSE)
  compile_model(model, load_spec("conv1d_forecaster"))
  expect_true(model$optimizer$nesterov)
  err <- spec_error_of(compile_model(model, list(optimizer = "adam", loss = "mse", nesterov = TRUE)))
  expect_equal(c(err$path, err$kind), c("/compile/nesterov", "unknown_argument"))
})
