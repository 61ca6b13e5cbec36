# Spec warnings (R/advice.R): the conformance vectors of
# shared_specs/conformance/warnings/ (the package's copy in inst/specs/), when
# they are signalled, and the allow list (Python: test_advice.py).

warning_files <- function(kind = "warnings") {
  dir <- system.file("specs", "conformance", kind, package = "twinnet")
  if (!nzchar(dir)) return(character())
  list.files(dir, pattern = "\\.json$", full.names = TRUE)
}

read_warning_vector <- function(path) jsonlite::read_json(path, simplifyVector = FALSE)

# Warnings as the vectors write them: path, kind, message, hint (NULL: none).
warnings_data <- function(found) {
  lapply(found, function(w) list(path = w$path, kind = w$kind, message = w$message, hint = w$hint))
}

# The twinnet_spec_warnings that evaluating `expr` signals, muffled.
signalled <- function(expr) {
  seen <- list()
  withCallingHandlers(expr, twinnet_spec_warning = function(w) {
    seen[[length(seen) + 1L]] <<- w
    invokeRestart("muffleWarning")
  })
  seen
}

vector_spec <- function(suffix) {
  path <- grep(paste0("_", suffix, "\\.json$"), warning_files(), value = TRUE)
  read_warning_vector(path[[1L]])$spec
}

warning_kinds <- function() {
  sort(unique(vapply(twinnet:::shared_table("messages.json")$spec_warnings, function(e) e$kind, "")))
}

# The vectors of warnings, and those of a wrong allow list ("error").
warning_cases <- function(with = "warnings") {
  cases <- lapply(warning_files(), read_warning_vector)
  names(cases) <- basename(warning_files())
  Filter(function(case) with %in% names(case), cases)
}

test_that("there are warning vectors of every kind, and vectors of specs that pass", {
  expect_gte(length(warning_files()), 15L)
  cases <- warning_cases()
  expect_identical(length(cases) + length(warning_cases("error")), length(warning_files()))
  kinds <- unique(unlist(lapply(cases, function(case) vapply(case$warnings, function(w) w$kind, ""))))
  expect_setequal(kinds, warning_kinds())
  expect_true(any(vapply(cases, function(case) length(case$warnings) == 0L, TRUE)))
  expect_gte(length(warning_cases("error")), 2L)
})

test_that("warning vectors give the recorded warnings, as data and as signalled by load_spec()", {
  cases <- warning_cases()
  skip_if(length(cases) == 0L, "no warning vectors")
  for (name in names(cases)) {
    case <- cases[[name]]
    expect_identical(warnings_data(spec_warnings(case$spec)), case$warnings, label = name)
    told <- signalled(load_spec(case$spec))
    expect_identical(warnings_data(told), case$warnings, label = name)
    for (w in told) expect_s3_class(w, c("twinnet_spec_warning", "warning", "condition"), exact = TRUE)
  }
})

test_that("no catalog spec warns (the worked examples are catalog specs too)", {
  for (name in catalog()$name) {
    expect_identical(vapply(spec_warnings(name), conditionMessage, ""), character(), label = name)
  }
})

test_that("a warning is signalled once per call, its message written as a spec error's", {
  doc <- vector_spec("dropout_after_output")
  expect_warning(spec <- load_spec(doc), class = "twinnet_spec_warning")
  told <- signalled({
    expand(spec) # a twinnet_spec was warned about when it was loaded
    load_spec(spec)
    spec_warnings(spec) # data, not signalled
    spec_warnings(doc)
  })
  expect_length(told, 0L)
  w <- spec_warnings(spec)[[1L]]
  expect_identical(conditionMessage(w), sprintf("at %s: %s; %s", w$path, w$message, w$hint))
  expect_match(w$message, "^Dropout 'dropout_1' acts on the model's output, after 'dense_1'")
  expect_length(signalled(expand(doc)), 1L)
  expect_no_warning(suppressWarnings(load_spec(doc), classes = "twinnet_spec_warning"))
})

test_that("build_model() signals a spec's warnings once", {
  skip_if_no_python()
  doc <- vector_spec("dropout_after_output")
  told <- signalled(build_model(doc))
  expect_identical(vapply(told, conditionMessage, ""), vapply(spec_warnings(doc), conditionMessage, ""))
})

test_that("allow silences the kinds it names, on the layer warned about", {
  doc <- list(format_version = "1.0", name = "t", layers = list(
    list(type = "Input", shape = list(4)), list(type = "Dense", units = 3, activation = "softmax"),
    list(type = "Dropout", rate = 0.5)))
  kinds <- function(d) vapply(spec_warnings(d), function(w) w$kind, "")
  expect_identical(kinds(doc), "dropout_after_output")
  other <- doc
  other$layers[[3]]$allow <- list("softmax_hidden")
  expect_identical(kinds(other), "dropout_after_output")
  elsewhere <- doc
  elsewhere$layers[[2]]$allow <- list("dropout_after_output")
  expect_identical(kinds(elsewhere), "dropout_after_output")
  doc$layers[[3]]$allow <- list("dropout_after_output")
  expect_identical(kinds(doc), character())
  expect_length(signalled(load_spec(doc)), 0L)
  expect_false(grepl("allow", jsonlite::toJSON(expand(doc), auto_unbox = TRUE, null = "null")))
})

test_that("allow in a block silences every use of the layer", {
  doc <- vector_spec("pool_drops_rows_in_block")
  expect_length(spec_warnings(doc), 1L)
  doc$blocks$down$layers[[2]]$allow <- list("window_drops_input")
  expect_length(spec_warnings(doc), 0L)
})

test_that("the allow list's errors have the words Python gives", {
  cases <- warning_cases("error")
  expect_gte(length(cases), 2L)
  for (name in names(cases)) {
    case <- cases[[name]]
    err <- tryCatch({
      load_spec(case$spec)
      NULL
    }, twinnet_spec_error = function(e) e)
    expect_s3_class(err, "twinnet_spec_error")
    expect_identical(list(path = err$path, kind = err$kind, message = err$message, hint = err$hint), case$error,
                     label = name)
  }
})

test_that("allow takes the kinds of messages.json, on every layer type", {
  defs <- twinnet:::schema()$`$defs`
  expect_identical(unlist(defs$allow$items$enum), warning_kinds())
  for (t in names(twinnet:::layer_types())) {
    expect_identical(defs[[paste0("layer_", t)]]$properties$allow, list(`$ref` = "#/$defs/allow"), label = t)
  }
})

test_that("every warning of messages.json is given by R's checks", {
  table <- twinnet:::shared_table("messages.json")$spec_warnings
  source <- deparse(twinnet:::advice_checks)
  for (id in names(table)) {
    expect_identical(table[[id]]$kind, id)
    expect_true(nzchar(table[[id]]$hint))
    expect_true(any(grepl(sprintf("\"%s\"", id), source, fixed = TRUE)), label = id)
  }
  w <- twinnet:::spec_warning_at("/layers/2", "dropout_after_output", name = "d", last = "out")
  expect_s3_class(w, "twinnet_spec_warning")
  expect_error(twinnet:::spec_warning_at("/layers/2", "dropout_after_output", name = "d", last = "o", x = "y"),
               "no placeholder")
  expect_error(twinnet:::spec_warning_at("/layers/2", "dropout_after_output", name = "d"), "takes")
})

test_that("a wrapper outputs the activation of what it wraps", {
  skip_if(is.null(twinnet:::layer_types()$TimeDistributed), "no TimeDistributed layer type")
  doc <- list(format_version = "1.0", name = "t", compile = list(optimizer = "adam", loss = "binary_crossentropy"),
              layers = list(list(type = "Input", shape = list(5, 4)),
                            list(type = "TimeDistributed", layer = list(type = "Dense", units = 3, activation = "softmax"))))
  found <- spec_warnings(doc)
  expect_identical(lapply(found, function(w) c(w$path, w$kind)), list(c("/layers/1", "loss_output_activation")))
  doc$layers[[2]]$layer$activation <- "sigmoid"
  expect_length(spec_warnings(doc), 0L)
})
