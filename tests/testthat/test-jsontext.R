# Broken JSON text: where the first error is and what to fix, in twinnet's own
# words (R/jsontext.R). The cases are in tests/corpus/jsontext.json, which
# Python's tests read too (tests/python/test_jsontext.py): the same messages.

jsontext_cases <- function() {
  jsonlite::read_json(testthat::test_path("..", "corpus", "jsontext.json"), simplifyVector = FALSE)$cases
}

json_outcome <- function(text) {
  err <- tryCatch({
    twinnet:::parse_json(text)
    NULL
  }, twinnet_spec_error = function(e) e)
  if (is.null(err)) return(NULL)
  expect_equal(c(err$path, err$kind), c("", "invalid_json"))
  err$message
}

test_that("broken JSON gives the same message as in Python", {
  cases <- jsontext_cases()
  expect_gte(length(cases), 200L)
  for (case in cases) {
    expect_identical(json_outcome(case$text), case$message, label = encodeString(substr(case$text, 1L, 80L)))
  }
})

test_that("every message of the scan is in the cases", {
  classes <- vapply(jsontext_cases(), function(case) case$class, "")
  expect_true(all(names(twinnet:::json_messages()) %in% classes))
  for (case in jsontext_cases()) {
    if (case$class %in% names(twinnet:::json_messages())) {
      expect_true(endsWith(case$message, paste0(": ", twinnet:::json_messages()[[case$class]])),
                  label = case$message)
    }
  }
})

test_that("positions are byte offsets that json_position() shows in characters", {
  text <- '{"\u00e9\U0001F600": [1,, 2]}'
  found <- twinnet:::json_syntax_error(text)
  expect_equal(found, list(at = 14L, message = "expected a value")) # 2 + 2 + 4 + 6 bytes before
  expect_equal(twinnet:::json_position(text, found$at), "line 1, column 11")
  expect_equal(twinnet:::json_syntax_error("[NaN]"), list(at = NA_integer_, message = "NaN is not JSON"))
})

test_that("catalog texts and valid JSON of every kind are JSON to the scan", {
  for (name in twinnet:::catalog_names()) {
    text <- twinnet:::read_text(twinnet:::catalog_path(name))
    expect_null(twinnet:::json_syntax_error(text), label = name)
    doc <- jsonlite::parse_json(text, simplifyVector = FALSE)
    expect_null(twinnet:::json_syntax_error(jsonlite::toJSON(doc, auto_unbox = TRUE, digits = NA)), label = name)
  }
  for (text in c("{}", "[]", '""', "0", "-0.0e-0", "true", " null ", '{"a": [1, {"b": [true, false, null]}]}',
                 '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \u00e9 \u007f"', "[1,2,3]",
                 "\n\t\r [1E5, 1e+5, 1E-5, 123456789012345678901234567890]",
                 paste0(strrep("[", 64), strrep("]", 64)))) {
    expect_null(twinnet:::json_syntax_error(text), label = text)
  }
})

test_that("large texts are read in one pass", {
  # a list of 500 rows of 500 weights: 3.7 MB of JSON text
  weights <- jsonlite::toJSON(lapply(1:500, function(i) (i * 1:500) %% 97 / 7), digits = NA)
  weights <- as.character(weights)
  n <- nchar(weights, type = "bytes")
  expect_null(twinnet:::json_syntax_error(weights))
  broken <- paste0(substr(weights, 1L, n - 2L), ",]")
  expect_equal(twinnet:::json_syntax_error(broken), list(at = n - 1L, message = "a trailing comma before ']'"))
  large <- paste0(substr(weights, 1L, n - 2L), ", 1e999]")
  expect_equal(twinnet:::json_syntax_error(large)$message, "the number 1e999 is too large for a 64-bit float")
  escapes <- paste0('["', strrep("\\n\\u00e9", 200000L), '"')
  expect_equal(twinnet:::json_syntax_error(escapes),
               list(at = nchar(escapes, type = "bytes"), message = "the text ends before every '[' and '{' is closed"))
  expect_equal(twinnet:::json_syntax_error(substr(escapes, 1L, nchar(escapes) - 1L)),
               list(at = 1L, message = "a string is not closed"))
})

test_that("the parser's extensions are refused in the scan's words", {
  # yajl reads these; JSON (and Python) do not
  expect_equal(json_outcome('{"a": 1 /* one */}'), "invalid JSON at line 1, column 9: a comment (JSON has none)")
  expect_equal(json_outcome("[1,\v2]"), paste0("invalid JSON at line 1, column 4: a control character outside a ",
                                               "string (JSON puts only spaces, tabs and line breaks between tokens)"))
  expect_equal(json_outcome('{"units": 1e400}'), "invalid JSON: the number 1e400 is too large for a 64-bit float")
  over <- paste0("[", twinnet:::JSON_MAX_DOUBLE, "1]") # 310 digits: Inf
  expect_match(json_outcome(over), "^invalid JSON: the number 17976931348623157\\.\\.\\. is too large")
  # an integer above the largest double that rounds to it: Python refuses it too
  above <- paste0("[", twinnet:::JSON_MAX_DOUBLE, "]")
  expect_null(json_outcome(above))
  substr(above, 310L, 310L) <- "9"
  expect_match(json_outcome(above), "^invalid JSON: the number 17976931348623157\\.\\.\\. is too large")
})
