# The demo's R side: demo_layers() and demo_train(), which `python -m twinnet demo` runs with Rscript.

test_that("demo_layers() prints the layer table and saves the outputs for the inputs", {
  skip_if_no_python("keras")
  np <- reticulate::import("numpy", convert = FALSE)
  x_file <- withr::local_tempfile(fileext = ".npy")
  y_file <- withr::local_tempfile(fileext = ".npy")
  x <- pad_digits(mnist_split()$x_test[1:4, , , drop = FALSE])
  np$save(x_file, reticulate::r_to_py(x))
  printed <- capture.output(table <- demo_layers("lenet5", seed = 42L, x_file = x_file, y_file = y_file))
  expect_identical(names(table), c("layer", "type", "output_shape", "params"))
  expect_identical(table$layer, c("input", "c1", "s2", "c3", "s4", "c5", "flatten", "f6", "output"))
  expect_identical(table$output_shape[[2L]], "(None, 28, 28, 6)")
  expect_identical(table$type[[2L]], "Conv2D")
  expect_equal(sum(table$params), 61706)
  expect_identical(printed[[1L]], "layer\ttype\toutput_shape\tparams")
  expect_identical(printed[[2L]], "input\tInputLayer\t(None, 32, 32, 1)\t0")
  expect_length(printed, 10L)
  y <- reticulate::py_to_r(np$load(y_file))
  expect_identical(dim(y), c(4L, 10L))
  expect_equal(y, predict_model(build_model("lenet5", seed = 42L), x, verbose = 0L))
})

test_that("demo_layers() wants a y_file with an x_file, demo_train() whole epochs", {
  expect_error(demo_layers("lenet5", x_file = "x.npy"), "`y_file` is needed")
  expect_error(demo_train("lenet5", epochs = 0), "`epochs` must be one whole number")
  expect_error(demo_train("lenet5", epochs = 1.5), "`epochs` must be one whole number")
})

test_that("demo_train() writes the history, the model and the learning curves", {
  skip_on_cran()
  skip_if_no_python("keras")
  out <- withr::local_tempdir()
  utils::capture.output(result <- demo_train("lenet5", seed = 1L, epochs = 1L, out = out))
  expect_named(result, c("seconds_per_epoch", "accuracy"))
  expect_true(result[["accuracy"]] > 0.5)
  expect_true(all(file.exists(file.path(out, c("history_r.csv", "lenet5_trained_in_r.keras",
                                                "learning_curves.png")))))
  history <- utils::read.csv(file.path(out, "history_r.csv"))
  expect_identical(sort(unique(history$metric)), c("accuracy", "loss"))
})
