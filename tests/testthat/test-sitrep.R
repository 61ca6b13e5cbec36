test_that("sitrep_info() reports the interpreter as JSON-ready scalars", {
  skip_if_no_python("keras")
  info <- twinnet:::sitrep_info()
  fields <- c("twinnet", "r_version", "reticulate", "python", "python_version", "prefix", "base_prefix",
              "libpython", "keras", "backend", "tensorflow", "numpy", "configured_python",
              "same_interpreter", "verdict")
  expect_true(all(fields %in% names(info)))
  expect_false(inherits(info, "twinnet_sitrep"))
  expect_true(all(lengths(info) == 1L))
  expect_equal(info$twinnet, as.character(utils::packageVersion("twinnet")))
  expect_equal(info$python, reticulate::import("sys")$executable)
  expect_true(info$backend %in% c("tensorflow", "jax", "torch", "numpy"))
  expect_type(info$same_interpreter, "logical")
  expect_match(info$verdict, "^(OK|MISMATCH)")
  json <- jsonlite::toJSON(info, auto_unbox = TRUE, null = "null")
  expect_equal(jsonlite::parse_json(json)$python, info$python)
})

test_that("sitrep() prints a report and returns it invisibly", {
  skip_if_no_python("keras")
  out <- utils::capture.output(res <- withVisible(sitrep()))
  expect_false(res$visible)
  expect_s3_class(res$value, "twinnet_sitrep")
  expect_true(any(grepl("^Python:", out)))
  expect_true(any(grepl("^Keras:", out)))
})

test_that("the interpreter checks find mixed builds", {
  info <- list(configured_python = "/a/python", python = "/b/python",
               python_version = "3.11.7 (main)", executable_version = "3.11.2 (main)")
  problems <- twinnet:::interpreter_problems(info, c("/x/libpython3.11.so", "/y/libpython3.11.so.1.0"))
  expect_length(problems, 3L)
  info$python <- info$configured_python
  info$executable_version <- info$python_version
  expect_length(twinnet:::interpreter_problems(info, "/x/libpython3.11.so"), 0L)
})
