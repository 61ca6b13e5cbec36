# messages.json's spec_errors and model_file_errors: every template is used by
# both languages, and only those are (tests/python/test_messages.py).

spec_error_table <- function() twinnet:::shared_table("messages.json")$spec_errors

error_languages <- function(entry) if (is.null(entry$languages)) c("python", "r") else unlist(entry$languages)

# The source tree's file at `...` (from the repository root), or NULL where the
# tests run without it.
source_file <- function(...) {
  path <- testthat::test_path("..", "..", ...)
  if (file.exists(path)) path else NULL
}

# The functions of the package's namespace.
package_functions <- function() {
  ns <- asNamespace("twinnet")
  fns <- mget(ls(ns, all.names = TRUE), envir = ns)
  fns[vapply(fns, is.function, logical(1))]
}

is_empty_arg <- function(x) is.symbol(x) && !nzchar(as.character(x))

# Every call in `expr`, nested ones (in arguments and in function definitions) included.
calls_in <- function(expr) {
  found <- list()
  walk <- function(e) {
    if (!(is.call(e) || is.pairlist(e))) return(invisible())
    if (is.call(e)) found[[length(found) + 1L]] <<- e
    parts <- as.list(e)
    for (i in seq_along(parts)) if (!is_empty_arg(parts[[i]])) walk(parts[[i]])
  }
  walk(expr)
  found
}

# Every string constant in `expr`.
strings_in <- function(expr) {
  if (is.character(expr)) return(expr)
  if (!(is.call(expr) || is.pairlist(expr))) return(character())
  parts <- as.list(expr)
  unlist(lapply(parts[!vapply(parts, is_empty_arg, logical(1))], strings_in), use.names = FALSE)
}

called_name <- function(call) if (is.symbol(call[[1L]])) as.character(call[[1L]]) else ""

# The argument of `call` that a raiser takes the id in (list(position, name, default)).
id_argument <- function(call, raiser) {
  args <- as.list(call)[-1L]
  given <- if (is.null(names(args))) rep("", length(args)) else names(args)
  if (raiser$name %in% given) return(args[[raiser$name]])
  positional <- args[given == ""]
  if (length(positional) >= raiser$position) positional[[raiser$position]] else raiser$default
}

# The ids an argument can be: a string, or either branch of an `if` of strings; NULL for anything else.
id_literals <- function(arg) {
  if (is.character(arg) && length(arg) == 1L) return(arg)
  if (is.call(arg) && identical(arg[[1L]], as.name("if")) && length(arg) == 4L) {
    yes <- id_literals(arg[[3L]])
    no <- id_literals(arg[[4L]])
    if (!is.null(yes) && !is.null(no)) return(c(yes, no))
  }
  NULL
}

# list(used = ids R raises, unresolved = calls whose id is no literal), through
# spec_error_at(), stop_spec_at() and the helpers that pass their own argument on
# as the id (too_large_error(ex, path, error, ...)), whose callers give a literal.
r_raised_ids <- function() {
  fns <- package_functions()
  fns <- fns[setdiff(names(fns), c("spec_error_at", "stop_spec_at"))]
  calls <- lapply(fns, function(fn) calls_in(body(fn)))
  raisers <- list(spec_error_at = list(position = 2L, name = "error", default = NULL),
                  stop_spec_at = list(position = 2L, name = "error", default = NULL))
  passing <- list() # function name -> indices of its calls that pass its argument on
  repeat {
    before <- length(raisers)
    for (fname in names(fns)) {
      params <- setdiff(names(formals(fns[[fname]])), "...")
      for (i in seq_along(calls[[fname]])) {
        call <- calls[[fname]][[i]]
        raiser <- raisers[[called_name(call)]]
        if (is.null(raiser) || i %in% passing[[fname]]) next
        arg <- id_argument(call, raiser)
        if (is.symbol(arg) && as.character(arg) %in% params) {
          passing[[fname]] <- c(passing[[fname]], i)
          name <- as.character(arg)
          defaults <- formals(fns[[fname]])
          raisers[[fname]] <- list(position = match(name, params), name = name,
                                   default = if (is_empty_arg(defaults[[name]])) NULL else defaults[[name]])
        }
      }
    }
    if (length(raisers) == before) break
  }
  given_ids(calls, raisers, passing)
}

# list(used = the ids that the calls (function name -> its calls) give the
# raisers, unresolved = the functions where one is no literal), leaving out
# `passing` (function name -> indices of its calls that pass its argument on).
given_ids <- function(calls, raisers, passing = list()) {
  used <- character()
  unresolved <- character()
  for (fname in names(calls)) {
    for (i in setdiff(seq_along(calls[[fname]]), passing[[fname]])) {
      call <- calls[[fname]][[i]]
      raiser <- raisers[[called_name(call)]]
      if (is.null(raiser)) next
      ids <- id_literals(id_argument(call, raiser))
      if (is.null(ids)) unresolved <- c(unresolved, fname) else used <- c(used, ids)
    }
  }
  list(used = unique(used), unresolved = unique(unresolved))
}

test_that("every spec error id is used in the code of both languages", {
  table <- spec_error_table()
  in_r <- unique(unlist(lapply(package_functions(), function(fn) c(strings_in(formals(fn)), strings_in(body(fn)))),
                        use.names = FALSE))
  for (id in names(table)) {
    expect(("r" %in% error_languages(table[[id]])) == (id %in% in_r), sprintf("%s: R", id))
  }
  python <- source_file("python", "twinnet")
  skip_if(is.null(python), "the Python sources are not here")
  lines <- unlist(lapply(list.files(python, pattern = "\\.py$", full.names = TRUE), readLines, warn = FALSE))
  lines <- lines[!startsWith(trimws(lines), "#")]
  quoted <- regmatches(lines, gregexpr("[\"'][a-z_0-9]+[\"']", lines))
  in_python <- unique(gsub("[\"']", "", unlist(quoted)))
  for (id in names(table)) {
    expect(("python" %in% error_languages(table[[id]])) == (id %in% in_python), sprintf("%s: Python", id))
  }
})

test_that("R raises only the table's ids, each given as a literal", {
  found <- r_raised_ids()
  expect_equal(found$unresolved, character())
  expect_equal(setdiff(found$used, names(spec_error_table())), character())
  expect_gt(length(found$used), 50L) # the walk found the calls
})

test_that("every template is well formed, its kind one that README.md documents", {
  table <- spec_error_table()
  readme <- source_file("shared_specs", "README.md")
  kinds <- NULL
  if (!is.null(readme)) {
    text <- paste(readLines(readme, warn = FALSE), collapse = "\n")
    listed <- regmatches(text, regexpr("Kinds: [^.]*\\.\n", text))
    kinds <- gsub("`", "", regmatches(listed, gregexpr("`[a-z_]+`", listed))[[1L]])
    expect_gt(length(kinds), 10L)
  }
  for (id in names(table)) {
    entry <- table[[id]]
    expect_match(id, "^[a-z][a-z0-9_]*$")
    expect_true(all(names(entry) %in% c("kind", "message", "hint", "languages")), label = id)
    if (!is.null(kinds)) expect(entry$kind %in% kinds, sprintf("%s: the kind '%s' is not in README.md", id, entry$kind))
    for (text in c(entry$message, entry$hint)) {
      names <- regmatches(text, gregexpr("\\{[^{}]*\\}", text))[[1L]]
      expect(all(grepl("^\\{[a-z_]+\\}$", names)), sprintf("%s: placeholders are [a-z_]+", id))
      expect_false(grepl("[{}]", gsub("\\{[a-z_]+\\}", "", text)), label = id)
    }
  }
})

test_that("each template fills, with the table's kind", {
  table <- spec_error_table()
  for (id in names(table)) {
    entry <- table[[id]]
    text <- paste(entry$message, if (is.null(entry$hint)) "" else entry$hint)
    names <- unique(gsub("[{}]", "", regmatches(text, gregexpr("\\{[a-z_]+\\}", text))[[1L]]))
    fields <- structure(as.list(sprintf("<%s>", names)), names = names)
    e <- do.call(twinnet:::spec_error_at, c(list("/layers/1", id), fields))
    expect_s3_class(e, "twinnet_spec_error")
    expect_equal(c(e$path, e$kind), c("/layers/1", entry$kind))
    expect_false(grepl("{", e$message, fixed = TRUE))
    expect_true(all(vapply(sprintf("<%s>", names), grepl, logical(1), conditionMessage(e), fixed = TRUE)))
  }
})

# messages.json's model_file_errors: the reasons (and messages) of the errors
# of reading a model file, each used by both languages, and only those.
model_file_error_table <- function() {
  table <- twinnet:::shared_table("messages.json")$model_file_errors
  table[setdiff(names(table), "description")]
}

# list(used = the ids R's code gives model_file_text() and model_file_refusal(),
# unresolved = the functions where one is no literal).
r_model_file_ids <- function() {
  raisers <- list(model_file_text = list(position = 1L, name = "error", default = NULL),
                  model_file_refusal = list(position = 2L, name = "error", default = NULL))
  given_ids(lapply(package_functions(), function(fn) calls_in(body(fn))), raisers)
}

test_that("every model file error is used by both languages, and only those", {
  table <- model_file_error_table()
  found <- r_model_file_ids()
  expect_equal(found$unresolved, character())
  expect_setequal(found$used, names(table))
  python <- source_file("python", "twinnet", "persist.py")
  skip_if(is.null(python), "the Python sources are not here")
  lines <- readLines(python, warn = FALSE)
  lines <- lines[!startsWith(trimws(lines), "#")]
  quoted <- regmatches(lines, gregexpr("[\"'][a-z_0-9]+[\"']", lines))
  in_python <- unique(gsub("[\"']", "", unlist(quoted)))
  for (id in names(table)) expect(id %in% in_python, sprintf("%s: Python", id))
})

test_that("each model file template is well formed and fills, with the table's kind", {
  table <- model_file_error_table()
  kinds <- c("not_found", "not_a_keras_file", "malformed", "too_large", "no_safe_mode")
  for (id in names(table)) {
    entry <- table[[id]]
    expect_match(id, "^[a-z][a-z0-9_]*$")
    expect_true(setequal(names(entry), c("kind", "message")) || identical(names(entry), "message"), label = id)
    if (!is.null(entry$kind)) expect(entry$kind %in% kinds, sprintf("%s: the kind '%s'", id, entry$kind))
    text <- entry$message
    expect_false(grepl("[{}]", gsub("\\{[a-z_]+\\}", "", text)), label = id)
    names <- unique(gsub("[{}]", "", regmatches(text, gregexpr("\\{[a-z_]+\\}", text))[[1L]]))
    fields <- structure(as.list(sprintf("<%s>", names)), names = names)
    filled <- do.call(twinnet:::model_file_text, c(list(id), fields))
    expect_false(grepl("{", filled, fixed = TRUE))
    expect_true(all(vapply(sprintf("<%s>", names), grepl, logical(1), filled, fixed = TRUE)))
    if (!is.null(entry$kind)) {
      e <- do.call(twinnet:::model_file_refusal, c(list("m.keras", id), fields))
      expect_s3_class(e, "twinnet_model_file_error")
      expect_identical(list(e$reason, e$kind), list(filled, entry$kind))
      expect_identical(conditionMessage(e), paste0("refused to load m.keras: ", filled))
    }
  }
})
