# The spec layer is R: loading, expanding, printing, code and diagrams need no Python.

run_without_python <- function(code) {
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  home <- tempfile("home")
  dir.create(home)
  env <- c("RETICULATE_PYTHON=/nonexistent/bin/python", "TWINNET_PYTHON=", paste0("HOME=", home),
           "PATH=/usr/bin:/bin", "R_PROFILE_USER=/dev/null")
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = TRUE,
                                  env = env))
  list(status = attr(out, "status") %||% 0L, out = out)
}

`%||%` <- function(a, b) if (is.null(a)) b else a

test_that("with no Python at all, R loads, prints, summarises and writes specs", {
  skip_on_cran()
  res <- run_without_python(c(
    "library(twinnet)",
    "spec <- load_spec('lenet5')",
    "print(spec)",
    "s <- summary(spec)",
    "cat('params', attr(s, 'params')$total, '\\n')",
    "cat('layers', length(expand(spec)$layers), '\\n')",
    "for (language in c('python', 'r', 'r-reticulate')) cat(language, nchar(to_code(spec, language)) > 100, '\\n')",
    "cat('dot', startsWith(as.character(to_dot(spec)), 'digraph'), '\\n')",
    "for (name in catalog()$name) invisible(load_spec(name))",
    "cat('catalog', nrow(catalog()), '\\n')",
    "cat('conv', conv_output_size(32, 5, 0, 1), '\\n')",
    "cat(tryCatch(run_examples('rnnn'), error = conditionMessage), '\\n')",
    "cat('python started', reticulate::py_available(), '\\n')"
  ))
  expect_identical(res$status, 0L, info = paste(res$out, collapse = "\n"))
  expect_true("<twinnet spec 'lenet5': 9 layers, 61,706 parameters>" %in% res$out)
  expect_true("params 61706 " %in% res$out)
  expect_true(all(c("python TRUE ", "r TRUE ", "r-reticulate TRUE ", "dot TRUE ") %in% res$out))
  expect_true("'rnnn' is not a worked example (see example_names()); did you mean 'rnn'? " %in% res$out)
  expect_true("python started FALSE " %in% res$out)
})

test_that("with no Python at all, a bad spec gives the same path, kind and message as with Python", {
  skip_on_cran()
  bad <- '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [4]}, {"type": "Dense", "unitz": 3}]}'
  res <- run_without_python(c(
    "library(twinnet)",
    sprintf("e <- tryCatch(load_spec('%s'), twinnet_spec_error = function(e) e)", bad),
    "cat(e$path, e$kind, conditionMessage(e), sep = '\\n')"
  ))
  expect_identical(res$status, 0L, info = paste(res$out, collapse = "\n"))
  here <- spec_error_of(load_spec(bad))
  expect_identical(res$out, c(here$path, here$kind, conditionMessage(here)))
  expect_identical(here$path, "/layers/1/unitz")
  expect_identical(conditionMessage(here),
                   "at /layers/1/unitz: 'unitz' is not an argument of Dense; did you mean 'units'?")
})

test_that("build_model() without Python says what to do", {
  skip_on_cran()
  res <- run_without_python(c(
    "library(twinnet)",
    "e <- tryCatch(build_model('lenet5'), error = function(e) e)",
    "cat(class(e)[[1L]], conditionMessage(e), sep = '\\n')"
  ))
  expect_identical(res$out[[1L]], "twinnet_python_error")
  expect_match(paste(res$out, collapse = "\n"), "reticulate::py_install\\(c\\(\"keras>=3.0\", \"numpy\"")
})
