# Helpers for the tests of to_code(): the calls in parsed R code, and the
# corpus of hostile specs shared with the Python tests (tests/corpus/codegen).

# Every call in parsed code: list(fn = name, args = argument names); a call
# whose function is itself a call (a layer applied to its input) gives the
# calls within.
calls_in <- function(exprs) {
  found <- list()
  walk <- function(e) {
    if (is.call(e)) {
      fn <- e[[1L]]
      if (is.name(fn)) {
        found[[length(found) + 1L]] <<- list(fn = as.character(fn), args = names(as.list(e))[-1L], call = e)
      } else {
        walk(fn)
      }
      for (a in as.list(e)[-1L]) if (!missing(a)) walk(a)
    } else if (is.expression(e) || is.pairlist(e)) {
      for (a in as.list(e)) if (!missing(a)) walk(a)
    }
  }
  walk(exprs)
  found
}

# The functions the code defines at its top level (`name <- function(...) ...`).
defined_functions <- function(exprs) {
  unlist(lapply(exprs, function(e) {
    if (is.call(e) && identical(e[[1L]], as.name("<-")) && is.call(e[[3L]]) &&
          identical(e[[3L]][[1L]], as.name("function"))) as.character(e[[2L]])
  }))
}

# The variables that hold a layer (one with fixed weights and no name:
# `dense_1_layer <- layer_dense(...)`, `<- keras$layers$Dense(...)`).
held_layers <- function(exprs) {
  found <- character()
  walk <- function(e) {
    if (!is.call(e)) return(invisible())
    if (identical(e[[1L]], as.name("<-")) && is.name(e[[2L]]) && is.call(e[[3L]])) {
      fn <- e[[3L]][[1L]]
      layer <- (is.name(fn) && startsWith(as.character(fn), "layer_")) ||
        (is.call(fn) && identical(fn[[1L]], as.name("$")) && identical(deparse(fn[[2L]]), "keras$layers"))
      if (layer) found <<- c(found, as.character(e[[2L]]))
    }
    for (a in as.list(e)[-1L]) if (!missing(a)) walk(a)
  }
  for (e in exprs) walk(e)
  found
}

codegen_corpus_dir <- function() testthat::test_path("..", "corpus", "codegen")

# The corpus: a named list of cases (description, spec, and error or contains/absent).
codegen_corpus <- function() {
  files <- sort(list.files(codegen_corpus_dir(), pattern = "\\.json$", full.names = TRUE))
  cases <- lapply(files, function(f) jsonlite::parse_json(twinnet:::read_text(f), simplifyVector = FALSE))
  names(cases) <- sub("\\.json$", "", basename(files))
  cases
}

# A case's spec as JSON text (jsonlite's own writer keeps 15 digits only).
spec_text <- function(case) twinnet:::py_json(case$spec)

# Every comment line is one line starting with "#" (and "# " unless empty).
expect_comment_lines <- function(code, label) {
  lines <- strsplit(code, "\n", fixed = TRUE)[[1L]]
  expect_false(grepl("\r", code, fixed = TRUE), label = label)
  comments <- lines[startsWith(lines, "#")]
  expect_true(all(comments == "#" | startsWith(comments, "# ")), label = label)
}

# The "r" code calls only keras3 functions (with their argument names), its own
# block functions and a few of base R's.
expect_keras3_calls_only <- function(code, label) {
  table <- keras3_functions()
  exprs <- parse(text = code, keep.source = FALSE)
  defined <- c(defined_functions(exprs), held_layers(exprs))
  base <- c("<-", "{", "(", "-", "function", "library", "c", "list", "paste0", "array")
  problems <- character() # one expectation for the whole code, which may hold a thousand calls
  for (call in calls_in(exprs)) {
    fn <- call$fn
    if (fn %in% c(base, defined)) next
    if (!fn %in% names(table)) {
      problems <- c(problems, sprintf("%s() is not a keras3 function", fn))
      next
    }
    allowed <- c(table[[fn]], if (startsWith(fn, "layer_")) c("name", "trainable"))
    other <- setdiff(setdiff(call$args, ""), allowed)
    if (length(other) > 0L) {
      problems <- c(problems, sprintf("%s() has no argument %s", fn, paste(other, collapse = ", ")))
    }
  }
  expect(length(problems) == 0L, sprintf("%s: %s", label, paste(problems, collapse = "; ")))
}

# The reticulate code calls only Keras through `keras$...` (or layers made so),
# the model's methods, reticulate's import() and array_reshape(), its own
# block functions and a few of base R's.
expect_reticulate_calls_only <- function(code, label) {
  exprs <- parse(text = code, keep.source = FALSE)
  held <- held_layers(exprs)
  defined <- c(defined_functions(exprs), held)
  base <- c("<-", "{", "(", "-", "function", "c", "list", "paste0", "array", "invisible")
  root <- function(e) {
    while (is.call(e)) e <- if (identical(e[[1L]], as.name("$"))) e[[2L]] else e[[1L]]
    e
  }
  problems <- character() # one expectation for the whole code
  for (call in calls_in(exprs)) {
    fn <- call$fn
    if (fn %in% c(base, defined)) next
    ok <- if (fn == "$") {
      as.character(root(call$call)) %in% c("keras", "model", held)
    } else if (fn == "::") {
      identical(as.character(call$call[[2L]]), "reticulate") &&
        as.character(call$call[[3L]]) %in% c("import", "array_reshape")
    } else {
      FALSE
    }
    if (!ok) problems <- c(problems, paste("it calls", if (fn %in% c("$", "::")) deparse1(call$call) else paste0(fn, "()")))
  }
  expect(length(problems) == 0L, sprintf("%s: %s", label, paste(problems, collapse = "; ")))
}
