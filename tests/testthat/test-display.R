# At home in RStudio (issue 17): plot(spec) draws the diagram, print(to_code())
# prints the code, plot(history) returns the ggplot, summary(model) prints
# Keras's layer table without masking keras3.

test_that("plot() of a spec draws Graphviz's picture on the device", {
  skip_if_no_graphviz()
  skip_if_not_installed("png")
  file <- withr::local_tempfile(fileext = ".png")
  grDevices::png(file, width = 300, height = 600)
  shown <- withVisible(plot(load_spec("lenet5")))
  grDevices::dev.off()
  expect_false(shown$visible)
  expect_s3_class(shown$value, "twinnet_spec")
  img <- png::readPNG(file)
  expect_gt(length(unique(as.vector(img))), 10) # a picture, not a blank page
})

test_that("plot() of a spec without Graphviz says why and draws nothing", {
  withr::local_envvar(TWINNET_DOT = "/nonexistent/dot")
  file <- withr::local_tempfile(fileext = ".png")
  grDevices::png(file)
  expect_message(plot(load_spec("lenet5")), "no diagram: .*Graphviz")
  grDevices::dev.off()
})

test_that("to_code() prints as code and stays a string", {
  code <- to_code("mnist_mlp", "r")
  expect_s3_class(code, "twinnet_code")
  expect_type(code, "character")
  expect_length(code, 1L)
  expect_identical(format(code), unclass(code))
  expect_false(inherits(format(code), "twinnet_code"))
  out <- utils::capture.output(shown <- withVisible(print(code)))
  expect_identical(paste0(paste(out, collapse = "\n"), "\n"), format(code))
  expect_false(shown$visible)
  expect_identical(utils::capture.output(code), out) # auto-printing at the prompt
  expect_true(startsWith(code, "# MNIST multilayer perceptron"))
  expect_silent(parse(text = code))
})

test_that("plot() of a history returns the ggplot", {
  skip_if_not_installed("ggplot2")
  h <- structure(data.frame(epoch = c(1:3, 1:3), metric = "loss", value = c(1, 0.5, 0.25, 1.1, 0.6, 0.4),
                            data = rep(c("training", "validation"), each = 3), stringsAsFactors = FALSE),
                 class = c("twinnet_history", "data.frame"))
  p <- plot(h)
  expect_s3_class(p, "ggplot")
  expect_identical(p$data$value, c(1, 0.5, 0.25, 1.1, 0.6, 0.4))
  file <- withr::local_tempfile(fileext = ".png")
  grDevices::png(file)
  print(p)
  grDevices::dev.off()
  expect_gt(file.size(file), 1000)
})

test_that("summary() of a built model prints Keras's layer table, after keras3's methods", {
  skip_if_no_python("keras")
  model <- build_model("mnist_mlp", seed = 1)
  cls <- class(model)
  expect_identical(utils::tail(cls, 2L), c("twinnet_model", "python.builtin.object"))
  expect_identical(cls[[1L]], "keras.src.models.functional.Functional") # keras3 dispatches on these first
  expect_lt(match("keras.src.models.model.Model", cls), match("twinnet_model", cls))
  out <- utils::capture.output(lines <- summary(model))
  expect_true(any(grepl("hidden1 (Dense)", out, fixed = TRUE)))
  expect_true(any(grepl("Total params: 235,146", out, fixed = TRUE)))
  expect_identical(out, lines)
  expect_identical(model$count_params(), 235146L) # still the Python object
})

test_that("the model's own fit() and predict() take R arrays (a plain vector needs array())", {
  skip_if_no_python("keras")
  model <- build_model("mnist_mlp", seed = 1)
  x <- array(stats::runif(4 * 784), c(4L, 784L))
  history <- model$fit(x, array(c(1L, 2L, 3L, 4L)), verbose = 0L)
  expect_length(history$history$loss, 1L)
  expect_equal(dim(model$predict(x, verbose = 0L)), c(4L, 10L))
  # a vector without dim reaches Python as a list, which Keras refuses: the README says to use array() or fit_model()
  expect_error(build_model("mnist_mlp", seed = 1)$fit(x, c(1, 2, 3, 4), verbose = 0L), "Unrecognized data type")
})
