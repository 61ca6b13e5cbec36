# Helpers for tests that need Python (through reticulate).
#
# Tests that need Python skip, with a message, when reticulate cannot import
# the module here; on CI (CI=true) they fail instead, so that a broken
# environment cannot pass as green.

if (!nzchar(Sys.getenv("TF_CPP_MIN_LOG_LEVEL"))) Sys.setenv(TF_CPP_MIN_LOG_LEVEL = "3")

python_has <- local({
  seen <- list()
  function(module) {
    if (is.null(seen[[module]])) {
      seen[[module]] <<- isTRUE(tryCatch(reticulate::py_module_available(module), error = function(e) FALSE))
    }
    seen[[module]]
  }
})

skip_if_no_python <- function(module = "keras") {
  if (python_has(module)) return(invisible(TRUE))
  why <- sprintf("reticulate cannot import the Python module '%s' here", module)
  if (identical(Sys.getenv("CI"), "true")) {
    stop(why, " (CI=true: tests that need Python must run, not skip; see twinnet::sitrep())", call. = FALSE)
  }
  testthat::skip(why)
}

# The twinnet_spec_error a call signals (fails the test if it signals none).
spec_error_of <- function(expr) {
  err <- tryCatch({
    expr
    NULL
  }, twinnet_spec_error = function(e) e)
  if (is.null(err)) testthat::fail("expected a twinnet_spec_error, got none")
  err
}

# A small valid spec document (an R list), to be changed by tests.
tiny_spec <- function(...) {
  doc <- list(
    format_version = "1.0",
    name = "tiny",
    layers = list(
      list(type = "Input", shape = list(8L)),
      list(type = "Dense", name = "hidden", units = 4L, activation = "relu"),
      list(type = "Dense", name = "output", units = 2L)
    )
  )
  utils::modifyList(doc, list(...))
}

# A JSON value in a canonical form, for comparing values from R and from JSON files:
# through JSON (so 1L and 1.0 agree), with object keys sorted.
canonical_json <- function(x) {
  sort_keys <- function(v) {
    if (!is.list(v)) return(v)
    v <- lapply(v, sort_keys)
    if (!is.null(names(v))) v <- v[order(names(v), method = "radix")]
    v
  }
  text <- jsonlite::toJSON(x, auto_unbox = TRUE, null = "null", digits = NA)
  sort_keys(jsonlite::parse_json(text, simplifyVector = FALSE))
}

layer_names <- function(graph) vapply(graph$layers, function(l) l$name, "")
