# Hints a student can act on: shared_specs/hints.json, the errors that name a
# file, and R's list of one (tests/python/test_hints.py). The messages of the
# mistakes in a spec are pinned by the conformance vectors (140 and up); the
# words of a file's errors are pinned here and in test_hints.py, the same.

hints_json <- function() {
  jsonlite::read_json(system.file("specs", "hints.json", package = "twinnet"), simplifyVector = FALSE)
}

error_of <- function(source) spec_error_of(load_spec(source))

test_that("the table is hints.json", {
  expect_identical(twinnet:::hints_table(), hints_json())
  for (name in names(hints_json()$hints)) {
    expect_true(nzchar(twinnet:::hints_table()$hints[[name]]), label = name)
  }
})

test_that("a name with a meaning is matched only with names of that meaning", {
  suggest <- twinnet:::suggest
  dense <- c("units", "activation", "use_bias", "kernel_initializer", "bias_initializer")
  expect_equal(twinnet:::meaning(c("kernel_regularizer", "kernel_regulariser", "KernelRegularizer", "forget_gate")),
               c("regularizer", "regularizer", "regularizer", NA))
  expect_null(suggest("kernel_regularizer", dense)) # never 'kernel_initializer'
  expect_equal(suggest("kernel_regularizer", c(dense, "bias_regularizer")), "did you mean 'bias_regularizer'?")
  expect_equal(suggest("kernel_regulariser", c(dense, "kernel_regularizer")), "did you mean 'kernel_regularizer'?")
  expect_equal(suggest("kernel_initialiser", dense), "did you mean 'kernel_initializer'?")
  expect_equal(suggest("recurent_activation", c("activation", "recurrent_activation")),
               "did you mean 'recurrent_activation'?")
  expect_equal(suggest("kernel_constrain", c(dense, "kernel_constraint")), "did you mean 'kernel_constraint'?")
  expect_null(suggest("kernel_size", "kernel_initializer"))
  expect_equal(suggest("kernal_size", c("kernel_size", "kernel_initializer")), "did you mean 'kernel_size'?")
})

test_that("the issue's mistakes get Python's hints", {
  layer <- function(...) list(format_version = "1.0", name = "m", layers = list(list(type = "Input", shape = list(8L)),
                                                                                list(...)))
  expect_equal(error_of(layer(type = "Dense", units = 2L, activation = "Relu"))$hint, "did you mean 'relu'?")
  expect_equal(error_of(layer(type = "Dense", units = 2L, activation = "soft_max"))$hint, "did you mean 'softmax'?")
  expect_equal(error_of(layer(type = "Dense", units = 2L, activation = "sigmo\u00efd"))$hint,
               "did you mean 'sigmoid'?")
  err <- error_of(layer(type = "Dense", units = 2L, kernel_constraint = "non_neg"))
  expect_equal(list(err$kind, err$message, err$hint), list(
    "unknown_argument", "'kernel_constraint' is a Keras argument of Dense that twinnet does not support yet", NULL))
  expect_equal(error_of(layer(type = "Convolution1D", filters = 2L, kernel_size = 3L))$hint,
               "it is another Keras name of Conv1D: write \"Conv1D\"")
  expect_equal(error_of(layer(type = "maxpool2d"))$hint,
               "it is another Keras name of MaxPooling2D: write \"MaxPooling2D\"")
  expect_equal(error_of(layer(type = "Dense", output_dim = 2L))$hint,
               "it is an old Keras name: Keras 3 calls it 'units'")
  expect_equal(error_of(layer(type = "Embedding", input_dim = 5L, output_dim = 2L, init = "uniform"))$hint,
               "it is an old Keras name: Keras 3 calls it 'embeddings_initializer'")
  expect_equal(error_of(layer(type = "Dense", units = 2L, input_dim = 8L))$hint,
               "a spec gives the input's shape to an Input layer before this one: {\"type\": \"Input\", \"shape\": [...]}")
  every <- twinnet:::hint_text("supported_types", types = paste(names(twinnet:::layer_types()), collapse = ", "))
  expect_equal(error_of(layer(type = "FullyConnected"))$hint, every)
  expect_null(error_of(layer(type = 3L))$hint) # not a name at all
  err <- error_of(layer(type = "ConvLSTM2D"))
  expect_equal(list(err$kind, err$message, err$hint),
               list("unknown_type", "'ConvLSTM2D' is a Keras layer that twinnet does not support yet", every))
  err <- error_of(layer(type = "Flatten", border_mode = "same"))
  expect_equal(list(err$message, err$hint), list("'border_mode' is not an argument of Flatten", NULL))
})

test_that("a single value where R needs a list of one says how to write it", {
  spec <- function(shape, inputs = NULL) {
    dense <- list(type = "Dense", units = 2L)
    if (!is.null(inputs)) dense$inputs <- inputs
    list(format_version = "1.0", name = "m", layers = list(list(type = "Input", shape = shape), dense))
  }
  err <- error_of(spec(784))
  expect_equal(c(err$path, err$kind), c("/layers/0/shape", "invalid_value"))
  expect_equal(err$hint, "write a list of one: [784] (in R: list(784) or I(784))")
  expect_equal(error_of(spec(list(784L), inputs = "input_1"))$hint,
               "write a list of one: [\"input_1\"] (in R: list(\"input_1\") or I(\"input_1\"))")
  # the two ways the hint gives
  expect_s3_class(load_spec(spec(list(784))), "twinnet_spec")
  expect_s3_class(load_spec(spec(I(784))), "twinnet_spec")
  expect_s3_class(load_spec(spec(list(784L), inputs = I("input_1"))), "twinnet_spec")
})

test_that("every error about a file names it, in Python's words", {
  cases <- list( # what the file holds, the message ("%s": the file's name)
    list(charToRaw('{"a": 1,\n "b": [1 2]}'),
         "invalid JSON at line 2, column 9 of '%s': a comma is missing between two elements of an array"),
    list(charToRaw("[NaN]"), "invalid JSON in '%s': NaN is not JSON"),
    list(charToRaw("[1e400]"), "invalid JSON in '%s': the number 1e400 is too large for a 64-bit float"),
    list(c(as.raw(c(0xef, 0xbb, 0xbf)), charToRaw("{}")),
         "invalid JSON at line 1, column 1 of '%s': Unexpected UTF-8 BOM"),
    list(charToRaw(paste0(strrep("[", 65), strrep("]", 65))),
         "the JSON in '%s' nests arrays and objects more than 64 levels deep"),
    list(charToRaw('["\\u0000"]'),
         "invalid JSON at line 1, column 3 of '%s': a string holds \\u0000 (NUL), which twinnet does not accept"),
    list(charToRaw('["\\ud800"]'),
         "invalid JSON at line 1, column 3 of '%s': \\ud800 is half of a UTF-16 surrogate pair, not a character"),
    list(c(charToRaw('{"a": '), as.raw(0xff), charToRaw("}")),
         "invalid JSON: the file '%s' is not UTF-8 text (byte 7 is not)")
  )
  dir <- tempfile()
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  withr::with_dir(dir, {
    for (case in cases) {
      writeBin(case[[1L]], "lenet.json")
      err <- error_of("lenet.json")
      expect_equal(c(err$path, err$message), c("", sprintf(case[[2L]], "lenet.json")))
    }
    writeBin(charToRaw(strrep(" ", 10000001L)), "big.json")
    expect_equal(error_of("big.json")$message, "the file 'big.json' is larger than 10,000,000 bytes")
  })
})

test_that("a long path is cut at its beginning", {
  dir <- file.path(tempfile(), strrep("d", 70L))
  dir.create(dir, recursive = TRUE)
  on.exit(unlink(dirname(dir), recursive = TRUE))
  path <- file.path(dir, "broken_model.json")
  writeLines("[1,,2]", path)
  shown <- paste0("...", substr(path, nchar(path) - 56L, nchar(path)))
  expect_equal(error_of(path)$message, sprintf("invalid JSON at line 1, column 4 of '%s': expected a value", shown))
  expect_match(error_of(path)$message, "dddd/broken_model.json': expected a value", fixed = TRUE)
})
