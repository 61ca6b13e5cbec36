# Resource guards (R/limits.R): sizes computed from the spec and refused
# before anything is unrolled or built, as Python's tests/python/test_limits.py.

limits_off <- list(twinnet.max_params = NULL, twinnet.max_activation = NULL, twinnet.max_layers = NULL)

dense_doc <- function(..., blocks = NULL) {
  doc <- list(format_version = "1.0", name = "x", layers = c(list(list(type = "Input", shape = list(4L))), list(...)))
  if (!is.null(blocks)) doc$blocks <- blocks
  doc
}

test_that("the defaults are Python's and the largest catalog network passes them", {
  expect_equal(twinnet:::default_limits(), list(max_params = 5e8, max_activation = 5e7, max_layers = 1e4,
                                              max_model_bytes = 4e9, max_diagram_layers = 1000, dot_timeout = 30))
  expect_equal(twinnet:::fixed_limit("max_json_depth"), 64L)
  withr::local_options(limits_off)
  expect_equal(twinnet:::get_limit("max_params"), 5e8)
  expect_equal(expand("yolov1")$params$total, 271703550)
})

test_that("options() raise and lower the limits, and are checked", {
  withr::local_options(limits_off)
  withr::with_options(list(twinnet.max_params = 1e8), {
    err <- spec_error_of(load_spec("vgg16"))
    expect_equal(c(err$path, err$kind), c("/layers/7", "too_large"))
    expect_match(err$message, "layer 'fc1' (Dense)", fixed = TRUE)
    expect_match(err$message, "100,000,000", fixed = TRUE)
    expect_equal(err$hint, "raise it with options(twinnet.max_params = ...)")
  })
  expect_s3_class(load_spec("vgg16"), "twinnet_spec")
  withr::with_options(list(twinnet.max_layers = "many"), {
    expect_error(load_spec("lenet5"), "twinnet.max_layers must be one positive number")
  })
  withr::with_options(list(twinnet.max_layers = 0), {
    expect_error(load_spec("lenet5"), "positive number")
  })
  big <- dense_doc(list(type = "Dense", units = 200000L), list(type = "Dense", units = 3000L))
  expect_equal(spec_error_of(load_spec(big))$kind, "too_large")
  withr::with_options(list(twinnet.max_params = Inf), {
    expect_equal(expand(big)$params$total, 4 * 200000 + 200000 + 200000 * 3000 + 3000)
  })
})

test_that("the activation limit names the layer and its size; varying lengths count as 1", {
  withr::local_options(limits_off)
  err <- spec_error_of(load_spec(dense_doc(list(type = "Reshape", target_shape = list(2L, 2L)),
                                           list(type = "Dense", units = 30000000L))))
  expect_equal(c(err$path, err$kind), c("/layers/2", "too_large"))
  expect_match(err$message, "60,000,000 values per sample", fixed = TRUE)
  withr::with_options(list(twinnet.max_activation = 8), {
    g <- expand(list(format_version = "1.0", name = "x", layers = list(list(type = "Input", shape = list(NA, 8L)))))
    expect_equal(g$layers[[1]]$output_shape, list(NULL, NULL, 8L))
  })
})

test_that("a huge repeat is refused before it is unrolled", {
  withr::local_options(limits_off)
  blocks <- list(b = list(layers = list(list(type = "Dense", units = 2L))))
  for (times in c(10000, 1e9, 1e300)) { # unrolled, 1e300 would never finish
    err <- spec_error_of(load_spec(dense_doc(list(block = "b", `repeat` = times), blocks = blocks)))
    expect_equal(c(err$path, err$kind), c("/layers/1/repeat", "too_large"))
  }
  # at the boundary, with the limit lowered (R unrolls 10,000 layers in 5 s): max_layers layers pass, one more not
  withr::with_options(list(twinnet.max_layers = 100), {
    err <- spec_error_of(load_spec(dense_doc(list(block = "b", `repeat` = 100L), blocks = blocks)))
    expect_equal(c(err$path, err$kind), c("/layers/1/repeat", "too_large"))
    expect_length(expand(dense_doc(list(block = "b", `repeat` = 99L), blocks = blocks))$layers, 100L)
  })
})

test_that("nested blocks are counted before they are unrolled", {
  withr::local_options(limits_off)
  blocks <- list(b0 = list(layers = rep(list(list(type = "Dense", units = 2L)), 10)))
  for (level in 1:5) {
    blocks[[sprintf("b%d", level)]] <- list(layers = rep(list(list(block = sprintf("b%d", level - 1L))), 10))
  }
  err <- spec_error_of(load_spec(dense_doc(list(block = "b5"), blocks = blocks)))
  expect_equal(c(err$path, err$kind), c("/layers/1", "too_large"))
  expect_match(err$message, "1,000,001 layers", fixed = TRUE)
})

test_that("a long layer list is refused before the schema reads it", {
  withr::local_options(limits_off)
  layers <- c(list(list(type = "Input", shape = list(2L))), rep(list(list(type = "Dense", units = 2L)), 20000))
  # the JSON text of that spec, written directly (jsonlite takes 3 s over 20,000 lists)
  text <- paste0('{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}',
                 strrep(', {"type": "Dense", "units": 2}', 20000L), "]}")
  expect_identical(jsonlite::parse_json(text), list(format_version = "1.0", name = "x", layers = layers))
  err <- spec_error_of(load_spec(text))
  expect_equal(c(err$path, err$kind), c("/layers/10000", "too_large"))
  withr::with_options(list(twinnet.max_layers = 5), {
    err <- spec_error_of(load_spec(list(format_version = "1.0", name = "x", layers = layers[1:6])))
    expect_equal(err$path, "/layers/5")
    expect_length(expand(list(format_version = "1.0", name = "x", layers = layers[1:5]))$layers, 5L)
  })
})

test_that("nesting depth is limited before parsing, for text and for lists", {
  nested <- function(depth) {
    paste0('{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": ',
           strrep("[", depth - 3L), "2", strrep("]", depth - 3L), "}]}")
  }
  for (depth in c(65L, 1000L, 100000L)) {
    err <- spec_error_of(load_spec(nested(depth)))
    expect_equal(c(err$path, err$kind), c("", "too_deep"))
  }
  err <- spec_error_of(load_spec(paste0(strrep("[", 100), "1,,", strrep("]", 100))))
  expect_equal(err$kind, "too_deep") # the depth before the syntax
  err <- spec_error_of(load_spec(paste0('["[[[[', strrep("[", 100), '"]')))
  expect_equal(err$kind, "wrong_type") # brackets in strings do not count
  value <- 1
  for (i in 1:5000) value <- list(value)
  err <- spec_error_of(load_spec(list(format_version = "1.0", name = "x", tags = value)))
  expect_equal(c(err$path, err$kind), c("", "too_deep"))
  expect_equal(spec_error_of(load_spec(nested(64L)))$kind, "invalid_value") # parsed, then the schema refuses it
})

test_that("numbers JSON cannot hold are refused", {
  text <- paste0('{"format_version": "1.0", "name": "x", "layers": ',
                 '[{"type": "Input", "shape": [4]}, {"type": "Dense", "units": 2}]}')
  for (number in c("1e400", "-1e400", strrep("9", 400), strrep("9", 5000))) {
    err <- spec_error_of(load_spec(sub('"units": 2', paste0('"units": ', number), text, fixed = TRUE)))
    expect_equal(c(err$path, err$kind), c("", "invalid_json"), label = substr(number, 1, 10))
  }
  err <- spec_error_of(load_spec(dense_doc(list(type = "Dropout", rate = NaN))))
  expect_equal(c(err$path, err$kind), c("/layers/1/rate", "invalid_value"))
  err <- spec_error_of(load_spec(dense_doc(list(type = "ReLU", max_value = Inf))))
  expect_equal(c(err$path, err$kind), c("/layers/1/max_value", "invalid_value"))
})

test_that("file size and encoding are checked", {
  big <- withr::local_tempfile(fileext = ".json")
  writeLines(paste0('{"format_version": "1.0", "name": "x", "description": "', strrep("x", 1e7), '"}'), big)
  err <- spec_error_of(load_spec(big))
  expect_equal(c(err$path, err$kind), c("", "too_large"))
  latin1 <- withr::local_tempfile(fileext = ".json")
  writeBin(c(charToRaw('{"format_version": "1.0", "name": "caf'), as.raw(0xE9), charToRaw('"}')), latin1)
  err <- spec_error_of(load_spec(latin1))
  expect_equal(c(err$path, err$kind), c("", "invalid_json"))
  expect_match(err$message, "not UTF-8 text (byte 39 is not)", fixed = TRUE)
  bom <- withr::local_tempfile(fileext = ".json")
  writeBin(c(as.raw(c(0xEF, 0xBB, 0xBF)), charToRaw('{"format_version": "1.0"}')), bom)
  expect_equal(spec_error_of(load_spec(bom))$kind, "invalid_json")
})

test_that("fixed weights are numbers", {
  weights <- list(rep(list(list(1)), 4), list(0))
  g <- expand(dense_doc(list(type = "Dense", units = 1L, weights = weights)))
  expect_equal(canonical_json(g$layers[[2]]$weights), canonical_json(weights))
  bad <- weights
  bad[[1]][[4]] <- list(TRUE)
  err <- spec_error_of(load_spec(dense_doc(list(type = "Dense", units = 1L, weights = bad))))
  expect_equal(c(err$path, err$kind), c("/layers/1/weights/0/3/0", "invalid_value"))
  bad <- weights
  bad[[2]] <- list(NA)
  err <- spec_error_of(load_spec(dense_doc(list(type = "Dense", units = 1L, weights = bad))))
  expect_equal(c(err$path, err$kind), c("/layers/1/weights/1/0", "invalid_value"))
})

test_that("names the file system cannot look up are not found, quietly", {
  for (source in c(strrep("x", 5000), paste0("/no/such/dir/", strrep("y", 300)))) {
    err <- expect_silent(spec_error_of(load_spec(source)))
    expect_equal(c(err$path, err$kind), c("", "not_found"))
    expect_lt(nchar(err$message), 200)
  }
})

test_that("the limits on model files and diagrams are options too", {
  withr::local_options(twinnet.max_model_bytes = NULL, twinnet.max_diagram_layers = NULL, twinnet.dot_timeout = NULL)
  expect_equal(twinnet:::get_limit("max_model_bytes"), 4e9)
  expect_equal(twinnet:::get_limit("dot_timeout"), 30)
  withr::with_options(list(twinnet.dot_timeout = 0.5, twinnet.max_diagram_layers = Inf), {
    expect_equal(twinnet:::get_limit("dot_timeout"), 0.5)
    expect_equal(twinnet:::get_limit("max_diagram_layers"), Inf)
  })
  withr::with_options(list(twinnet.dot_timeout = 0), {
    expect_error(twinnet:::get_limit("dot_timeout"), "twinnet.dot_timeout must be one positive number")
  })
})
