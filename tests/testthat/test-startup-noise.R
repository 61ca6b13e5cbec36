# TensorFlow's start-up lines on stderr ("oneDNN custom operations are on", absl's "All log
# messages before absl::InitializeLog()") are kept from R users: R/zzz.R loads TensorFlow with
# them dropped (shared_specs/startup_noise.json; Python: twinnet.quiet).

noise_lines <- c("oneDNN custom operations", "absl::InitializeLog", "cpu_feature_guard", "rebuild TensorFlow")

test_that("building a model in a fresh R prints no TensorFlow start-up noise", {
  skip_if_no_python("keras")
  skip_on_os("windows")
  err <- withr::local_tempfile(fileext = ".txt")
  out <- withr::local_tempfile(fileext = ".txt")
  env <- c(sprintf("R_LIBS=%s", paste(.libPaths(), collapse = .Platform$path.sep)), "TF_CPP_MIN_LOG_LEVEL=")
  code <- paste("m <- twinnet::build_model('lenet5', seed = 1L); s <- twinnet::sitrep(quiet = TRUE);",
                "cat('built', length(m$layers))")
  status <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), stdout = out, stderr = err, env = env)
  expect_identical(status, 0L)
  expect_identical(readLines(out, warn = FALSE), "built 9")
  said <- paste(readLines(err, warn = FALSE), collapse = "\n")
  for (noise in noise_lines) expect_false(grepl(noise, said, fixed = TRUE), label = noise)
})

test_that("the patterns drop the noise and keep other lines", {
  patterns <- as.character(unlist(twinnet:::shared_table("startup_noise.json")$patterns))
  is_noise <- function(line) any(vapply(patterns, function(p) grepl(p, line, perl = TRUE), logical(1)))
  expect_true(is_noise("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"))
  expect_true(is_noise("I0000 00:00:1796228562.120849    2662 port.cc:153] oneDNN custom operations are on."))
  expect_false(is_noise("E0000 00:00:1796228562.120849    2662 op_kernel.cc:1] Out of memory"))
  expect_false(is_noise("Error in py_call_impl: ValueError"))
})
