# The conformance vectors of shared_specs/conformance/ (the package's copy in
# inst/specs/conformance/), which Python's test suite runs too.

conformance_files <- function(kind) {
  dir <- system.file("specs", "conformance", kind, package = "twinnet")
  if (!nzchar(dir)) return(character())
  list.files(dir, pattern = "\\.json$", full.names = TRUE)
}

read_vector <- function(path) jsonlite::read_json(path, simplifyVector = FALSE)

test_that("there are enough conformance vectors", {
  expect_gte(length(conformance_files("valid")), 10L)
  expect_gte(length(conformance_files("invalid")), 10L)
})

test_that("valid vectors expand to the recorded graph", {
  files <- conformance_files("valid")
  skip_if(length(files) == 0L, "no valid conformance vectors")
  for (path in files) {
    case <- read_vector(path)
    got <- expand(case$spec)
    expect_equal(canonical_json(got), canonical_json(case$expanded), label = basename(path))
  }
})

test_that("invalid vectors give the recorded error path and kind", {
  files <- conformance_files("invalid")
  skip_if(length(files) == 0L, "no invalid conformance vectors")
  for (path in files) {
    case <- read_vector(path)
    source <- if ("text" %in% names(case)) case$text else case$spec
    verb <- if (identical(case$stage, "build")) build_model else load_spec
    err <- tryCatch({
      verb(source)
      NULL
    }, twinnet_spec_error = function(e) e)
    expect_s3_class(err, "twinnet_spec_error")
    if (is.null(err)) next
    expect_equal(c(path = err$path, kind = err$kind),
                 c(path = case$error$path, kind = case$error$kind), label = basename(path))
    expect_true(nzchar(err$message), label = basename(path))
    if ("message" %in% names(case$error)) { # the vector pins the words
      expect_identical(err$message, case$error$message, label = basename(path))
    }
    if ("hint" %in% names(case$error)) { # null: no hint
      expect_identical(err$hint, case$error$hint, label = basename(path))
    }
  }
})
