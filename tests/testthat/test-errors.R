test_that("json_pointer escapes ~ and / as RFC 6901 says", {
  expect_equal(twinnet:::json_pointer(list()), "")
  expect_equal(twinnet:::json_pointer(list("layers", 3L, "filters")), "/layers/3/filters")
  expect_equal(twinnet:::json_pointer(list("a/b", "c~d")), "/a~1b/c~0d")
})

test_that("suggest() gives Python's hint", {
  suggest <- twinnet:::suggest
  expect_equal(suggest("kernal_size", c("filters", "kernel_size", "strides")), "did you mean 'kernel_size'?")
  expect_equal(suggest("Conv2d", c("Conv1D", "Conv2D", "Dense")), "did you mean 'Conv2D'?")
  expect_null(suggest("zzz", c("filters", "units")))
  expect_null(suggest("x", character()))
  # the limit is a third of the word's length, at least 2 edits
  expect_equal(suggest("ab", c("ac")), "did you mean 'ac'?")
  expect_equal(suggest("adma", c("adam", "sgd")), "did you mean 'adam'?")
  expect_null(suggest("ab", c("xyz")))
  # ties go to the first candidate in sorted order
  expect_equal(suggest("cat", c("cbt", "cas", "bat")), "did you mean 'bat'?")
})

test_that("suggest() looks at a bounded number of candidates of bounded length", {
  suggest <- twinnet:::suggest
  # each name 1,000 characters: measuring them all against a long word would not finish in this run
  names <- paste0(sprintf("%04d", 0:4999), strrep("x", 996))
  expect_null(suggest(strrep("q", 10000), names))
  expect_null(suggest(paste0("0042", strrep("x", 995)), names)) # longer than the suggest limit max_length
  # of more than max_candidates, those that share the longest beginning with the word count
  layers <- sprintf("layer_%05d_conv", 0:4999)
  expect_gt(length(layers), twinnet:::suggest_limit("max_candidates"))
  expect_equal(suggest("layer_04321_cnov", layers), "did you mean 'layer_04321_conv'?")
  expect_equal(suggest("layer_00007_conv_", layers), "did you mean 'layer_00007_conv'?")
})

test_that("a spec with thousands of layers and a bad reference gets its hint at once", {
  layers <- c(list(list(type = "Input", name = "x", shape = list(2L))),
              lapply(0:4999, function(i) {
                list(type = "Dense", name = sprintf("dense_layer_number_%05d", i), units = 2L)
              }),
              list(list(type = "Dense", units = 2L, inputs = list("dense_layer_number_0431"))))
  err <- spec_error_of(load_spec(list(format_version = "1.0", name = "many", layers = layers)))
  expect_equal(c(err$path, err$kind, err$hint),
               c("/layers/5001/inputs/0", "unknown_reference", "did you mean 'dense_layer_number_04031'?"))
})

test_that("a spec error is a condition with path, kind, message and hint", {
  err <- twinnet:::spec_error("/layers/1/kernal_size", "'kernal_size' is not an argument of Conv2D",
                              "unknown_argument", "did you mean 'kernel_size'?")
  expect_s3_class(err, c("twinnet_spec_error", "error", "condition"), exact = TRUE)
  expect_null(err$call)
  expect_equal(err$path, "/layers/1/kernal_size")
  expect_equal(err$kind, "unknown_argument")
  expect_equal(
    conditionMessage(err),
    "at /layers/1/kernal_size: 'kernal_size' is not an argument of Conv2D; did you mean 'kernel_size'?"
  )
  whole <- twinnet:::spec_error("", "a spec is a JSON object, found [1, 2]", "wrong_type")
  expect_equal(conditionMessage(whole), "at (the whole spec): a spec is a JSON object, found [1, 2]")
  expect_error(stop(whole), "the whole spec", class = "twinnet_spec_error")
})

test_that("errors found before the schema need no Python", {
  err <- spec_error_of(load_spec("lenet"))
  expect_equal(c(err$path, err$kind, err$hint), c("", "not_found", "did you mean 'lenet5'?"))

  err <- spec_error_of(load_spec('{"format_version": "1.0",\n "name": x}'))
  expect_equal(c(err$path, err$kind), c("", "invalid_json"))
  expect_match(err$message, "^invalid JSON at line 2, column 10: ")

  err <- spec_error_of(load_spec('{"a": {"b": 1, "b": 2}}'))
  expect_equal(c(err$path, err$kind), c("/a/b", "duplicate_key"))

  err <- spec_error_of(load_spec("[1, 2]"))
  expect_equal(c(err$path, err$kind), c("", "wrong_type"))

  err <- spec_error_of(load_spec(42))
  expect_equal(c(err$path, err$kind), c("", "wrong_type"))

  err <- spec_error_of(load_spec(tiny_spec(format_version = NULL)))
  expect_equal(c(err$path, err$kind), c("/format_version", "missing"))

  err <- spec_error_of(load_spec(tiny_spec(format_version = "v1")))
  expect_equal(c(err$path, err$kind), c("/format_version", "invalid_value"))

  err <- spec_error_of(load_spec(tiny_spec(format_version = "2.0")))
  expect_equal(c(err$path, err$kind), c("/format_version", "unsupported_version"))

  deep <- paste0(strrep("[", 2000), strrep("]", 2000))
  err <- spec_error_of(load_spec(deep))
  expect_equal(c(err$path, err$kind), c("", "too_deep"))
})

test_that("bad specs give Python's path, kind and hint", {
  check <- function(doc, path, kind, hint = NULL) {
    err <- spec_error_of(load_spec(doc))
    expect_equal(err$path, path)
    expect_equal(err$kind, kind)
    expect_equal(err$hint, hint)
    expect_true(nzchar(err$message))
  }
  layer <- function(i, ...) {
    doc <- tiny_spec()
    doc$layers[[i]] <- utils::modifyList(doc$layers[[i]], list(...))
    doc
  }
  check(layer(2, type = "Dense2D"), "/layers/1/type", "unknown_type", "did you mean 'Dense'?")
  check(layer(2, unit = 4L), "/layers/1/unit", "unknown_argument", "did you mean 'units'?")
  check(layer(2, units = 0L), "/layers/1/units", "invalid_value")
  check(layer(2, units = "four"), "/layers/1/units", "invalid_value")
  check(layer(2, activation = "Relu"), "/layers/1/activation", "invalid_value", "did you mean 'relu'?")
  check(layer(2, units = "$units"), "/layers/1/units", "unknown_parameter")
  check(layer(3, inputs = list("hiden")), "/layers/2/inputs/0", "unknown_reference", "did you mean 'hidden'?")
  check(layer(3, name = "hidden"), "/layers/2/name", "duplicate_name")
  check(tiny_spec(layer = list()), "/layer", "unknown_field", "did you mean 'layers'?")
  check(tiny_spec(name = NULL), "/name", "missing")
  check(tiny_spec(expect = list(params = list(total = 1L))), "/expect/params/total", "expect_mismatch")
  check(tiny_spec(expect = list(output_shape = list(NULL, 3L))), "/expect/output_shape", "expect_mismatch")

  no_type <- tiny_spec()
  no_type$layers[[2]]$type <- NULL
  err <- spec_error_of(load_spec(no_type))
  expect_equal(c(err$path, err$kind), c("/layers/1/type", "missing"))
  expect_match(err$message, "needs a \"type\"")

  collapse <- list(format_version = "1.0", name = "c", layers = list(
    list(type = "Input", shape = list(4L, 4L, 1L)),
    list(type = "Conv2D", filters = 2L, kernel_size = 5L)
  ))
  check(collapse, "/layers/1", "shape_collapse")
})

test_that("block errors point into the block or its use", {
  doc <- load_spec("mini_resnet")$data
  bad <- doc
  bad$layers[[5]]$block <- "basik"
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind, err$hint), c("/layers/4/block", "unknown_block", "did you mean 'basic'?"))

  bad <- doc
  bad$layers[[5]]$args <- list(filterz = 16L)
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind), c("/layers/4/args/filterz", "unknown_argument"))

  bad <- doc
  bad$layers[[5]]$args <- structure(list(), names = character(0))
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind), c("/layers/4/args/filters", "missing"))

  bad <- doc
  bad$layers[[6]]$args <- list(filters = "many")
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind), c("/layers/5/args/filters", "invalid_value"))

  bad <- doc
  bad$blocks$basic$layers[[1]]$filters <- "$filterz"
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind), c("/blocks/basic/layers/0/filters", "unknown_parameter"))

  bad <- doc
  bad$blocks$basic$layers <- c(list(list(block = "basic")), bad$blocks$basic$layers)
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind), c("/blocks/basic/layers/0/block", "recursive_block"))

  bad <- doc
  bad$layers[[6]]$block <- "basic"
  err <- spec_error_of(load_spec(bad))
  expect_equal(c(err$path, err$kind), c("/blocks/basic/layers/5/inputs", "shape_mismatch"))
})
