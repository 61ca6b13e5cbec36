# Helpers for tests that need Graphviz's `dot` program.
#
# Tests that draw skip, with a message, where `dot` is missing; on CI
# (CI=true) they fail instead, so that a missing Graphviz cannot pass as green.

skip_if_no_graphviz <- function() {
  if (!is.null(twinnet:::dot_program())) return(invisible(TRUE))
  why <- "Graphviz's `dot` program is missing (set TWINNET_DOT or install the graphviz package)"
  if (identical(Sys.getenv("CI"), "true")) {
    stop(why, " (CI=true: tests that need Graphviz must run, not skip)", call. = FALSE)
  }
  testthat::skip(why)
}

