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
  expect_invisible(plot(h))
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
