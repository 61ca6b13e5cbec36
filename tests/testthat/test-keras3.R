# Side by side with keras3: no exported name in common, and keras3's verbs on twinnet's models.
# keras3 (CRAN) cannot be installed everywhere; where it is missing, the interplay tests skip
# with a message (under CI=true too: it is the one component CI machines cannot install).

keras3_names <- function() {
  path <- system.file("specs", "keras3_exports.json", package = "twinnet", mustWork = TRUE)
  as.character(unlist(jsonlite::read_json(path)$exports))
}

test_that("twinnet exports no name that keras3 exports", {
  expect_gt(length(keras3_names()), 500L)
  expect_true(all(c("fit", "save_model", "load_model", "compile") %in% keras3_names()))
  expect_identical(intersect(getNamespaceExports("twinnet"), keras3_names()), character())
})

skip_if_no_keras3 <- function() {
  if (!requireNamespace("keras3", quietly = TRUE)) {
    testthat::skip("keras3 is not installed here (CRAN cannot be reached); the keras3 interplay is checked where it is")
  }
}

test_that("the list of keras3's names covers the installed keras3", {
  skip_if_no_keras3()
  expect_identical(intersect(getNamespaceExports("twinnet"), getNamespaceExports("keras3")), character())
})

run_r <- function(code) {
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = TRUE))
  list(status = if (is.null(attr(out, "status"))) 0L else attr(out, "status"), out = out)
}

test_that("attached in either order, keras3 and twinnet mask nothing of each other", {
  skip_on_cran()
  skip_if_no_keras3()
  for (order in list(c("keras3", "twinnet"), c("twinnet", "keras3"))) {
    res <- run_r(c(
      sprintf("suppressPackageStartupMessages(library(%s))", order[[1L]]),
      sprintf("msg <- tryCatch({library(%s); 'none'}, message = function(m) conditionMessage(m))", order[[2L]]),
      "both <- intersect(getNamespaceExports('keras3'), getNamespaceExports('twinnet'))",
      "cat('masked:', length(both), '\\n')"
    ))
    expect_true("masked: 0 " %in% res$out, info = paste(res$out, collapse = "\n"))
    expect_false(any(grepl("masked from", res$out)), info = paste(res$out, collapse = "\n"))
  }
})

test_that("keras3's verbs work on twinnet's models, and its code from to_code() runs", {
  skip_on_cran()
  skip_if_no_keras3()
  skip_if_no_python("keras")
  res <- run_r(c(
    "suppressPackageStartupMessages({library(keras3); library(twinnet)})",
    "m <- build_model('lenet5', seed = 1)",
    "cat('params', m$count_params(), '\\n')",
    "s <- mnist_split()",
    "x <- pad_digits(s$x_train[1:256, , , drop = FALSE]); y <- s$y_train[1:256]",
    "h <- fit(m, x, y, epochs = 1, batch_size = 64, verbose = 0)",
    "cat('fit', inherits(h, 'keras_training_history'), '\\n')",
    "p <- predict(m, x[1:8, , , , drop = FALSE], verbose = 0)",
    "cat('predict', paste(dim(p), collapse = 'x'), '\\n')",
    "e <- evaluate(m, x, y, verbose = 0)",
    "cat('evaluate', length(e) >= 1, '\\n')",
    "invisible(capture.output(summary(m)))",
    "f <- tempfile(fileext = '.keras')",
    "save_model(m, f, overwrite = TRUE)",
    "m2 <- read_model(f)",
    "cat('keras3 save, twinnet read', isTRUE(all.equal(predict(m2, x[1:8, , , , drop = FALSE], verbose = 0), p)), '\\n')",
    "g <- tempfile(fileext = '.keras'); write_model(m, g)",
    "m3 <- load_model(g)",
    "cat('twinnet write, keras3 load', isTRUE(all.equal(predict(m3, x[1:8, , , , drop = FALSE], verbose = 0), p)), '\\n')",
    "eval(parse(text = to_code('lenet5', 'r')))",
    "cat('to_code r', model$count_params(), '\\n')"
  ))
  out <- res$out
  info <- paste(out, collapse = "\n")
  expect_true("params 61706 " %in% out, info = info)
  for (line in c("fit TRUE ", "predict 8x10 ", "evaluate TRUE ", "keras3 save, twinnet read TRUE ",
                 "twinnet write, keras3 load TRUE ", "to_code r 61706 ")) {
    expect_true(line %in% out, info = info)
  }
})

test_that("in a fresh HOME with no RETICULATE_PYTHON, reticulate's own Python builds a model", {
  skip_on_cran()
  skip_if_no_keras3()
  if (!twinnet:::has_py_require()) skip("this reticulate has no py_require()")
  if (!nzchar(Sys.getenv("TWINNET_FRESH_USER"))) {
    skip("set TWINNET_FRESH_USER=true to let reticulate build its own Python environment (it downloads packages)")
  }
  home <- tempfile("home")
  dir.create(home)
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(keras3); library(twinnet)",
    "m <- build_model('lenet5', seed = 1)",
    "cat('params', m$count_params(), '\\n')",
    "s <- mnist_split()",
    "h <- fit(m, pad_digits(s$x_train[1:128, , , drop = FALSE]), s$y_train[1:128], epochs = 1, verbose = 0)",
    "cat('trained', inherits(h, 'keras_training_history'), '\\n')"
  ), script)
  old <- setwd(tempdir()) # reticulate would take a .venv in the working directory
  on.exit(setwd(old))
  # unset, not empty: reticulate reads RETICULATE_PYTHON="" as a Python that does not exist
  args <- c("-u", "RETICULATE_PYTHON", "-u", "RETICULATE_PYTHON_ENV", "-u", "TWINNET_PYTHON", paste0("HOME=", home),
            "R_PROFILE_USER=/dev/null", file.path(R.home("bin"), "Rscript"), script)
  out <- suppressWarnings(system2("env", args, stdout = TRUE, stderr = TRUE))
  info <- paste(out, collapse = "\n")
  expect_true("params 61706 " %in% out, info = info)
  expect_true("trained TRUE " %in% out, info = info)
  expect_false(any(grepl("masked from", out)), info = info)
})
