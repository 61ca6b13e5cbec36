test_that("sitrep_info() reports the interpreter as JSON-ready scalars", {
  skip_if_no_python("keras")
  info <- twinnet:::sitrep_info()
  fields <- c("twinnet", "r_version", "reticulate", "python", "python_version", "prefix", "base_prefix",
              "libpython", "keras", "backend", "tensorflow", "numpy", "configured_python",
              "same_interpreter", "missing", "ok", "verdict")
  expect_true(all(fields %in% names(info)))
  expect_false(inherits(info, "twinnet_sitrep"))
  expect_true(all(lengths(info) == 1L))
  expect_equal(info$twinnet, as.character(utils::packageVersion("twinnet")))
  expect_equal(info$python, reticulate::import("sys")$executable)
  expect_true(info$backend %in% c("tensorflow", "jax", "torch", "numpy"))
  expect_type(info$same_interpreter, "logical")
  expect_match(info$verdict, "^(OK|MISMATCH|MISSING)")
  expect_identical(info$ok, startsWith(info$verdict, "OK"))
  json <- jsonlite::toJSON(info, auto_unbox = TRUE, null = "null")
  expect_equal(jsonlite::parse_json(json)$python, info$python)
})

test_that("sitrep() prints a report and returns it invisibly; quietly when asked", {
  skip_if_no_python("keras")
  expect_silent(quiet <- sitrep(quiet = TRUE))
  expect_s3_class(quiet, "twinnet_sitrep")
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

test_that("a module that build_model() needs and cannot be imported is missing, with the command that fixes it", {
  info <- list(keras = "3.15.1", backend = "tensorflow", tensorflow = NA_character_, numpy = "1.26.4")
  expect_identical(twinnet:::missing_modules(info), "tensorflow")
  info$keras <- NA_character_
  info$backend <- NA_character_
  expect_identical(twinnet:::missing_modules(info), c("keras", "tensorflow"))
  command <- twinnet:::install_command("/opt/py/bin/python", c("keras", "tensorflow"))
  expect_match(command, "^'/opt/py/bin/python' -m pip install 'keras>=3.0' 'tensorflow")
  expect_false(grepl("numpy", command))
})

test_that("sitrep() is not OK when Python cannot be started, and says what to do", {
  skip_on_cran()
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "info <- twinnet::sitrep(quiet = TRUE)",
    "cat(info$ok, '\n', info$verdict, '\n', sep = '')"
  ), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = TRUE,
                 env = c("RETICULATE_PYTHON=/nonexistent/bin/python", "TWINNET_PYTHON=", "R_PROFILE_USER=/dev/null"))
  expect_identical(out[[1L]], "FALSE")
  expect_match(paste(out, collapse = "\n"), "NO PYTHON: .*spec verbs work without it.*py_install")
})
