# notebook(): a lesson about a spec, as a Jupyter notebook or R Markdown
# (python/twinnet/notebook.py writes the same files, byte for byte; tests/lessons runs them).

read_lesson <- function(file) {
  text <- rawToChar(readBin(file, "raw", file.size(file)))
  Encoding(text) <- "UTF-8"
  text
}

test_that("a notebook is nbformat 4 with %%R cells, and needs no Python to write", {
  file <- withr::local_tempfile(fileext = ".ipynb")
  expect_identical(withVisible(notebook("lenet5", file))$visible, FALSE)
  text <- read_lesson(file)
  expect_true(endsWith(text, "}\n"))
  nb <- jsonlite::parse_json(text)
  expect_identical(nb$nbformat, 4L)
  expect_identical(nb$nbformat_minor, 5L)
  expect_identical(nb$metadata$kernelspec$name, "python3")
  sources <- vapply(nb$cells, function(cell) paste(unlist(cell$source), collapse = ""), "")
  types <- vapply(nb$cells, function(cell) cell$cell_type, "")
  expect_true(any(startsWith(sources[types == "code"], "%load_ext rpy2.ipython")))
  r_cells <- sources[startsWith(sources, "%%R")]
  expect_gte(length(r_cells), 5L)
  expect_true(any(grepl("model_r <- build_model(spec, seed = 42)", r_cells, fixed = TRUE)))
  expect_true(any(grepl("fit_model(model_r, x_train, y_train, epochs = 3, batch_size = 64", r_cells, fixed = TRUE)))
  expect_false(any(grepl("{{", sources, fixed = TRUE)))
  expect_identical(anyDuplicated(vapply(nb$cells, function(cell) cell$id, "")), 0L)
})

test_that("R Markdown gets python chunks, and the lesson follows the spec", {
  file <- withr::local_tempfile(fileext = ".Rmd")
  notebook("lenet5", file, epochs = 2)
  text <- read_lesson(file)
  expect_true(startsWith(text, "---\ntitle: \"LeNet-5: one spec, the same network in Python and in R\"\n"))
  expect_match(text, "```{python}\nmodel_py = twinnet.build_model(spec, seed=42)", fixed = TRUE)
  expect_match(text, "pad_digits(s$x_train, 32)", fixed = TRUE)
  expect_false(grepl("%%R", text, fixed = TRUE))
  notebook("imdb_lstm", file)
  text <- read_lesson(file)
  expect_match(text, "x_train <- py$x_train", fixed = TRUE)
  expect_match(text, "generated data of the right shape", fixed = TRUE)
  notebook("resnet18", file, train = FALSE)
  text <- read_lesson(file)
  expect_false(grepl("fit_model", text, fixed = TRUE))
  expect_match(text, "without training (train = FALSE)", fixed = TRUE)
})

test_that("no text of a spec becomes code in a lesson", {
  spec_file <- function(title, description) {
    path <- withr::local_tempfile(fileext = ".json", .local_envir = parent.frame())
    writeLines(sprintf(paste0('{"format_version": "1.0", "name": "hostile", "title": %s, "description": %s, ',
                              '"layers": [{"type": "Input", "shape": [4]}, {"type": "Dense", "units": 2}]}'),
                       jsonlite::toJSON(title, auto_unbox = TRUE), jsonlite::toJSON(description, auto_unbox = TRUE)),
               path)
    path
  }
  path <- spec_file("T `r Sys.time()` {{name}}", "```{r}\nsystem('id')\n```\n`r 1 + 1` <script>x</script>")
  plain <- withr::local_tempfile(fileext = ".Rmd")
  notebook(spec_file("T", "D"), plain)
  file <- withr::local_tempfile(fileext = ".Rmd")
  notebook(path, file)
  text <- read_lesson(file)
  count <- function(pattern, x) sum(gregexpr(pattern, x, fixed = TRUE)[[1L]] > 0L)
  expect_identical(count("```", text), count("```", read_lesson(plain)))
  expect_false(grepl("`r ", text, fixed = TRUE))
  expect_false(grepl("<script>", text, fixed = TRUE))
  expect_match(text, "&#96;r 1 + 1&#96; &lt;script&gt;", fixed = TRUE)
  expect_match(text, "title: \"T \\u0060r Sys.time()\\u0060 {{name}}: one spec", fixed = TRUE)
  expect_match(text, sprintf("spec <- load_spec(%s)", twinnet:::code_quote(path)), fixed = TRUE)
})

test_that("bad arguments are refused before anything is written", {
  dir <- withr::local_tempdir()
  file <- file.path(dir, "x.ipynb")
  spec <- load_spec("lenet5")$data
  expect_error(notebook(spec, file), "a lesson loads its spec by catalog name or from a file")
  expect_error(notebook(twinnet:::to_json(spec), file), "by catalog name or from a file")
  expect_error(notebook(load_spec(spec), file), "by catalog name or from a file")
  expect_error(notebook("lenet5", file.path(dir, "x.html")), "(.ipynb) or R Markdown (.Rmd)", fixed = TRUE)
  expect_error(notebook("lenet5", file, epochs = 0), "`epochs`")
  expect_error(notebook("lenet5", file, train = NA), "`train`")
  expect_error(notebook("lenet5", file.path(dir, "missing", "x.ipynb")), "there is no directory")
  expect_error(notebook("lenet6", file), class = "twinnet_spec_error")
  expect_identical(list.files(dir), character())
})
