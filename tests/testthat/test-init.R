# Portable initial weights (R/init.R; Python: tests/backends/test_portable_init.py). That R draws the
# same bits as Python is tests/cross/test_init_cross.py's job; that every backend draws the same bits,
# tests/backends'.

weights_of <- function(model) lapply(model$get_weights(), function(w) as.vector(w))

test_that("build_model(init = \"portable\") sets the portable weights, the same for the same seed", {
  skip_if_no_python("keras")
  model <- build_model("lenet5", seed = 3, init = "portable")
  drawn <- portable_weights(model, seed = 3)
  expect_identical(names(drawn), c("c1", "c3", "c5", "f6", "output"))
  expect_identical(unname(unlist(lapply(drawn, function(ws) lapply(ws, as.vector)), recursive = FALSE)),
                   weights_of(model))
  expect_identical(weights_of(build_model("lenet5", seed = 3, init = "portable")), weights_of(model))
  expect_false(identical(weights_of(build_model("lenet5", seed = 4, init = "portable"))[[1]], weights_of(model)[[1]]))
  expect_false(identical(weights_of(build_model("lenet5", seed = 3))[[1]], weights_of(model)[[1]]))
  expect_error(build_model("lenet5", init = "numpy"), "should be one of")
  expect_identical(set_portable_weights(model, seed = 3), model)
})

test_that("portable draws follow the initializers: Glorot's limit, LSTM's forget bias, orthogonal kernels", {
  skip_if_no_python("keras")
  model <- build_model("stock_lstm", seed = 5, init = "portable")
  for (layer in model$layers) {
    if (!identical(class(layer)[[1L]], "keras.src.layers.rnn.lstm.LSTM")) next
    w <- layer$get_weights()
    units <- layer$units
    expect_identical(as.vector(w[[3L]]), rep(c(0, 1, 0, 0), each = units))
    recurrent <- w[[2L]]
    expect_equal(recurrent %*% t(recurrent), diag(units), tolerance = 1e-5)
    expect_lte(max(abs(w[[1L]])), sqrt(6 / sum(dim(w[[1L]]))))
  }
})

test_that("fixed weights in a spec win over portable draws", {
  skip_if_no_python("keras")
  doc <- tiny_spec()
  doc$layers[[3L]]$weights <- list(list(list(1, 2), list(3, 4), list(5, 6), list(7, 8)), list(0.5, -0.5))
  model <- build_model(doc, seed = 9, init = "portable")
  expect_equal(model$get_layer("output")$get_weights()[[2L]], array(c(0.5, -0.5)))
  expect_identical(lapply(model$get_layer("hidden")$get_weights(), as.vector),
                   lapply(portable_weights(model, seed = 9)$hidden, as.vector))
})

test_that("fans are Keras's, and what the table does not know is refused", {
  expect_identical(twinnet:::compute_fans(integer()), c(1, 1))
  expect_identical(twinnet:::compute_fans(7L), c(7, 7))
  expect_identical(twinnet:::compute_fans(c(3L, 5L)), c(3, 5))
  expect_identical(twinnet:::compute_fans(c(5L, 5L, 3L, 8L)), c(75, 200))
  expect_identical(twinnet:::compute_fans(c(16L, 16L, 512L), list(0L, 1L), list(2L)), c(256, 512))
  expect_identical(twinnet:::compute_fans(c(16L, 16L, 512L), list(-3L, -2L), list(-1L)), c(256, 512))
  skip_if_no_python("numpy")
  np <- reticulate::import("numpy", convert = FALSE)
  rng <- np$random$Generator(np$random$PCG64(0L))
  expect_error(twinnet:::draw_initializer(np, rng, list(class_name = "STFT", config = list()), c(4L, 4L)),
               "know no initializer 'STFT'")
  expect_error(twinnet:::draw_initializer(np, rng, list(class_name = "VarianceScaling", config = list(scal = 2)),
                                          c(4L, 4L)), "argument 'scal'")
  expect_error(twinnet:::draw_initializer(np, rng, list(class_name = "Orthogonal", config = list()), 4L),
               "two axes")
  expect_error(portable_weights(NULL, seed = 1.5), "whole number")
})

test_that("the backend is chosen by the option twinnet.backend, else KERAS_BACKEND", {
  withr::with_options(list(twinnet.backend = "jax"), withr::with_envvar(c(KERAS_BACKEND = "torch"), {
    expect_identical(twinnet:::keras_backend_name(), "jax")
    expect_identical(twinnet:::backend_choice()$by, "option twinnet.backend")
  }))
  withr::with_options(list(twinnet.backend = NULL), withr::with_envvar(c(KERAS_BACKEND = "torch-cpu"), {
    expect_identical(twinnet:::keras_backend_name(), "torch")
    expect_identical(twinnet:::backend_chosen_by(), "KERAS_BACKEND")
  }))
  withr::with_options(list(twinnet.backend = NULL), withr::with_envvar(c(KERAS_BACKEND = NA), {
    expect_identical(twinnet:::backend_chosen_by(), "default")
  }))
  withr::with_options(list(twinnet.backend = 3), expect_error(twinnet:::backend_choice(), "names one Keras backend"))
  expect_identical(twinnet:::backend_module("jax"), "jax")
  expect_identical(twinnet:::missing_modules(list(keras = "3", backend = "jax", backend_version = NA_character_,
                                                  numpy = "1")), "jax")
})

test_that("an option that asks for another backend than the loaded Keras's is an error that says so", {
  skip_if_no_python("keras")
  build_model("example_rnn") # Keras is loaded
  loaded <- twinnet:::loaded_keras_backend()
  other <- setdiff(c("jax", "torch"), loaded)[[1L]]
  withr::with_options(list(twinnet.backend = other), {
    expect_error(build_model("example_rnn"), class = "twinnet_python_error")
    expect_error(build_model("example_rnn"), "restart R")
    expect_match(sitrep(quiet = TRUE)$verdict, "asks for the backend")
  })
  withr::with_options(list(twinnet.backend = loaded), expect_error(build_model("example_rnn"), NA))
  expect_identical(sitrep(quiet = TRUE)$backend, loaded)
})
