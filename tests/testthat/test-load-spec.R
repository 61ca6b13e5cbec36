test_that("load_spec() reads a catalog name, a file, JSON text and an R list", {
  by_name <- load_spec("lenet5")
  expect_s3_class(by_name, "twinnet_spec")
  expect_equal(by_name$data$name, "lenet5")
  expect_match(by_name$origin, "lenet5\\.json$")

  path <- system.file("specs", "models", "lenet5.json", package = "twinnet")
  by_file <- load_spec(path)
  expect_equal(by_file$data, by_name$data)
  expect_equal(by_file$origin, path)

  text <- paste(readLines(path, warn = FALSE), collapse = "\n")
  by_text <- load_spec(text)
  expect_equal(by_text$data, by_name$data)
  expect_equal(by_text$origin, "<json>")

  by_list <- load_spec(by_name$data)
  expect_equal(by_list$data, by_name$data)
  expect_equal(by_list$origin, "<list>")

  expect_identical(load_spec(by_name), by_name)
  expect_equal(load_spec("  lenet5\n")$data$name, "lenet5")
})

test_that("an R list may use vectors and NA as JSON arrays and null", {
  g <- expand(list(
    format_version = "1.0", name = "vectors",
    layers = list(
      list(type = "Input", shape = c(28, 28, 1)),
      list(type = "Conv2D", filters = 4, kernel_size = c(3, 3))
    )
  ))
  expect_equal(g$layers[[1]]$config$shape, list(28L, 28L, 1L))
  expect_equal(g$layers[[2]]$config$kernel_size, list(3L, 3L))
  g <- expand(list(
    format_version = "1.0", name = "sequence",
    layers = list(
      list(type = "Input", shape = c(NA, 3)),
      list(type = "Conv1D", filters = 4, kernel_size = 2),
      list(type = "GlobalMaxPooling1D"),
      list(type = "Dense", units = 2)
    )
  ))
  expect_equal(g$layers[[1]]$config$shape, list(NULL, 3L))
  expect_equal(g$layers[[2]]$output_shape, list(NULL, NULL, 4L))
  expect_equal(g$layers[[2]]$config$kernel_size, list(2L))
  expect_equal(g$layers[[4]]$output_shape, list(NULL, 2L))
})

test_that("a file whose text is broken reports where", {
  path <- withr::local_tempfile(fileext = ".json")
  writeLines(c("{", '  "format_version": "1.0",', '  "name": "x",,', "}"), path)
  err <- spec_error_of(load_spec(path))
  expect_equal(c(err$path, err$kind), c("", "invalid_json"))
  expect_match(err$message, "line 3")
})

test_that("sources that are not specs are refused", {
  err <- spec_error_of(load_spec("no_such_spec"))
  expect_equal(c(err$path, err$kind), c("", "not_found"))
  expect_match(err$message, "see catalog()", fixed = TRUE)
  err <- spec_error_of(load_spec(NULL))
  expect_equal(err$kind, "wrong_type")
  err <- spec_error_of(load_spec(c("lenet5", "mnist_mlp")))
  expect_equal(err$kind, "wrong_type")
})

test_that("numbers in a spec given as an R list keep every digit", {
  doc <- tiny_spec()
  doc$layers[[2]]$kernel_initializer <- list(class_name = "RandomNormal",
                                             config = list(mean = 1234567890123456, stddev = 0.1234567890123456789))
  spec <- load_spec(doc)
  config <- spec$data$layers[[2]]$kernel_initializer$config
  expect_identical(config$mean, 1234567890123456)
  expect_identical(config$stddev, 0.1234567890123456789)
  expect_identical(twinnet:::to_json(list(a = 2^60, b = 1e-300, c = I(3), d = c(1.5, NA))),
                   '{"a":1.152921504606847e+18,"b":1e-300,"c":[3],"d":[1.5,null]}')
})

test_that("R values that JSON cannot hold are refused where they are", {
  doc <- tiny_spec(tags = list("a", 1i))
  err <- spec_error_of(load_spec(doc))
  expect_identical(c(err$path, err$kind), c("/tags/1", "wrong_type"))
  err <- spec_error_of(load_spec(tiny_spec(tags = new.env())))
  expect_identical(c(err$path, err$kind), c("/tags", "wrong_type"))
  doc <- tiny_spec()
  doc$layers[[1]] <- list(type = "Input", shape = list(8L), 3)
  err <- spec_error_of(load_spec(doc))
  expect_identical(c(err$path, err$kind), c("/layers/0", "wrong_type"))
  expect_match(conditionMessage(err), "names some of its elements and not others")
})

test_that("messages write an empty object and empty weights as Python does (found by the fuzzer)", {
  expect_identical(twinnet:::py_repr(structure(list(), names = character(0))), "{}")
  doc <- tiny_spec()
  doc$layers[[2]]$type <- structure(list(), names = character(0))
  err <- spec_error_of(load_spec(doc))
  expect_identical(conditionMessage(err), "at /layers/1/type: '{}' is not a supported layer type")
  doc <- tiny_spec()
  doc$layers[[3]]$weights <- list(list(), list(0.5, 0.5))
  err <- spec_error_of(build_model(doc))
  expect_s3_class(err, "twinnet_spec_error")
})
