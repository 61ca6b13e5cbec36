# save_model() and load_model(): .keras files, always loaded in Keras's safe mode.

tiny_keras_spec <- function() {
  list(format_version = "1.0", name = "tiny",
       layers = list(list(type = "Input", shape = list(3L)), list(type = "Dense", units = 2L)))
}

# A .keras file, written by Keras, whose Lambda layer carries code that leaves
# the file `flag` behind when it runs.
save_lambda_model <- function(path, flag) {
  keras <- reticulate::import("keras")
  code <- reticulate::py_eval(sprintf("lambda x: (open(%s, 'w').close(), x * 2)[1]", py_repr(flag)))
  inputs <- keras$Input(shape = reticulate::tuple(3L))
  model <- keras$Model(inputs, keras$layers$Lambda(code)(inputs))
  warnings <- reticulate::import("warnings")
  with(warnings$catch_warnings(), {
    warnings$simplefilter("ignore") # Keras warns that a lambda is unsafe to save
    model$save(path)
  })
  unlink(flag) # building the model ran the lambda once
  path
}

py_repr <- function(x) twinnet:::py_repr(x)

test_that("a model saved in R loads back with the same weights", {
  skip_if_no_python("keras")
  model <- build_model(tiny_keras_spec(), seed = 3L)
  path <- withr::local_tempfile(fileext = ".keras")
  expect_invisible(save_model(model, path))
  expect_identical(save_model(model, path), path)
  loaded <- load_model(path)
  expect_identical(lapply(loaded$get_weights(), c), lapply(model$get_weights(), c))
  x <- matrix(1, 2, 3)
  expect_identical(loaded$predict(x, verbose = 0L), model$predict(x, verbose = 0L))
})

test_that("a .keras file carrying a Lambda with code is refused and the code never runs", {
  skip_if_no_python("keras")
  dir <- withr::local_tempdir()
  flag <- file.path(dir, "the_lambda_ran")
  path <- save_lambda_model(file.path(dir, "lambda.keras"), flag)
  err <- tryCatch(load_model(path), twinnet_unsafe_model_error = function(e) e)
  expect_s3_class(err, c("twinnet_unsafe_model_error", "error", "condition"), exact = TRUE)
  expect_false(inherits(err, "twinnet_spec_error"))
  expect_equal(err$path, path)
  expect_match(err$reason, "lambda")
  expect_match(conditionMessage(err), "the model file carries Python code", fixed = TRUE)
  expect_false(file.exists(flag))
  # the file really carries code that runs: Keras outside safe mode runs it
  reticulate::import("keras")$models$load_model(path, safe_mode = FALSE)
  expect_true(file.exists(flag))
})

test_that("safe mode stays on after enable_unsafe_deserialization()", {
  skip_if_no_python("keras")
  state <- reticulate::import("keras.src.backend.common.global_state")
  before <- state$get_global_attribute("safe_mode_saving")
  withr::defer(state$set_global_attribute("safe_mode_saving", before))
  dir <- withr::local_tempdir()
  flag <- file.path(dir, "the_lambda_ran")
  path <- save_lambda_model(file.path(dir, "lambda.keras"), flag)
  reticulate::import("keras")$config$enable_unsafe_deserialization()
  expect_error(load_model(path), class = "twinnet_unsafe_model_error")
  expect_false(file.exists(flag))
})

test_that("load_model() wants a local .keras file", {
  expect_error(load_model("model.h5"), "ends in .keras", fixed = TRUE)
  expect_error(load_model(42), "ends in .keras", fixed = TRUE)
  expect_error(load_model(file.path(tempdir(), "missing.keras")), "no model file")
  skip_if_no_python("keras")
  expect_error(save_model(build_model(tiny_keras_spec()), "model.json"), "ends in .keras", fixed = TRUE)
  text <- withr::local_tempfile(fileext = ".keras")
  writeLines("not a zip archive", text)
  err <- tryCatch(load_model(text), error = function(e) e)
  expect_match(conditionMessage(err), "is not a .keras file", fixed = TRUE)
  expect_false(inherits(err, "twinnet_unsafe_model_error"))
})
