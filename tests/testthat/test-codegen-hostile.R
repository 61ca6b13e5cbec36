# to_code() on hostile specs (the corpus in tests/corpus/codegen, shared with
# the Python tests): specs that must be refused are refused where Python
# refuses them; the code of the others holds their text as data only, parses
# to the expected calls, and the reticulate code, run by Rscript in a scratch
# directory, builds the model expand() describes and makes nothing else.

languages <- c("python", "r", "r-reticulate")

test_that("corpus specs that must be refused are refused at the same place as in Python", {
  corpus <- codegen_corpus()
  for (name in names(corpus)) {
    case <- corpus[[name]]
    if (is.null(case$error)) next
    for (call in list(load_spec, function(s) to_code(s, "r"))) {
      err <- spec_error_of(call(spec_text(case)))
      expect_identical(c(err$path, err$kind), c(case$error$path, case$error$kind), label = name)
    }
  }
})

test_that("the code of corpus specs holds their text as data only", {
  corpus <- codegen_corpus()
  for (name in names(corpus)) {
    case <- corpus[[name]]
    if (!is.null(case$error)) next
    for (language in languages) {
      code <- to_code(spec_text(case), language)
      label <- paste(name, language)
      expect_comment_lines(code, label)
      for (text in unlist(case$contains[[language]])) expect_true(grepl(text, code, fixed = TRUE), label = label)
      for (text in unlist(case$absent)) expect_false(grepl(text, code, fixed = TRUE), label = label)
    }
    expect_keras3_calls_only(to_code(spec_text(case), "r"), name)
    expect_reticulate_calls_only(to_code(spec_text(case), "r-reticulate"), name)
  }
})

test_that("Rscript runs the reticulate code of corpus specs in a scratch directory: the model and nothing else", {
  skip_if_no_python("keras")
  corpus <- codegen_corpus()
  runnable <- names(corpus)[vapply(corpus, function(case) is.null(case$error) && !isFALSE(case$runs_in_r),
                                   logical(1))]
  work <- withr::local_tempdir()
  scratch <- file.path(work, "scratch")
  dir.create(scratch)
  for (name in runnable) {
    writeLines(to_code(spec_text(corpus[[name]]), "r-reticulate"), file.path(work, paste0(name, ".R")),
               useBytes = TRUE)
  }
  runner <- file.path(work, "runner.R")
  writeLines(c(
    "args <- commandArgs(trailingOnly = TRUE)",
    "results <- list()",
    "for (file in args[-1L]) {",
    "  env <- new.env(parent = globalenv())",
    "  results[[basename(file)]] <- tryCatch({",
    "    capture.output(sys.source(file, envir = env, keep.source = FALSE))",
    "    layers <- Filter(function(l) !inherits(l, 'keras.src.layers.core.input_layer.InputLayer'), env$model$layers)",
    "    list(ok = TRUE, params = env$model$count_params(), inputs = length(env$model$inputs),",
    "         layers = sort(vapply(layers, function(l) l$name, '')))",
    "  }, error = function(e) list(ok = FALSE, error = conditionMessage(e)))",
    "}",
    "jsonlite::write_json(results, args[[1L]], auto_unbox = TRUE, digits = NA)"
  ), runner)
  out <- file.path(work, "results.json")
  files <- file.path(work, paste0(runnable, ".R"))
  status <- withr::with_dir(scratch, system2(
    file.path(R.home("bin"), "Rscript"), shQuote(c(runner, out, files)), stdout = FALSE, stderr = FALSE, timeout = 300
  ))
  expect_identical(status, 0L)
  results <- jsonlite::read_json(out)
  for (name in runnable) {
    got <- results[[paste0(name, ".R")]]
    expect_true(isTRUE(got$ok), label = paste(name, got$error))
    spec <- load_spec(spec_text(corpus[[name]]))
    graph <- expand(spec)
    # as many layers; those the spec names named so (the code leaves the others to Keras)
    layers <- Filter(function(l) l$type != "Input", graph$layers)
    named <- Filter(function(l) twinnet:::written_name(twinnet:::entry_at(spec$data, l$source)), layers)
    expect_length(unlist(got$layers), length(layers))
    expect_true(all(vapply(named, function(l) l$name, "") %in% unlist(got$layers)), label = name)
    expect_equal(got$params, graph$params$total, label = name)
    expect_equal(got$inputs, length(graph$inputs), label = name)
  }
  expect_identical(list.files(scratch, all.files = TRUE, no.. = TRUE), character(), label = "files made")
})
