# The twinnet_spec class and load_spec(): a catalog name, a file, JSON text or
# an R list, to a validated spec (python/twinnet/spec.py). Reading is read.R's,
# checking check.R's, printing spec_print.R's.

#' Load and validate a spec
#'
#' Reads a spec and checks it: first its top level and `format_version`, then
#' the JSON Schema in `shared_specs/` (checked in R, with the same first error
#' as Python's twinnet reports), then the semantic checks of [expand()] (names,
#' graph, shapes, `expect`). No Python is needed.
#'
#' @param source One of
#'   * a catalog name such as `"lenet5"` (see [catalog()]);
#'   * the path of a `.json` file;
#'   * JSON text (a string whose first non-blank character opens an object
#'     or an array);
#'   * an R list in the shape of the JSON document, e.g.
#'     `list(format_version = "1.0", name = "tiny", layers = list(...))`
#'     (vectors of length > 1 become JSON arrays, `NA` becomes `null`; wrap a
#'     length-1 array in `list()` or `I()`);
#'   * a `twinnet_spec`, returned as is.
#' @return An object of class `twinnet_spec`: a list with `data` (the document
#'   as written, as parsed by `jsonlite::parse_json(simplifyVector = FALSE)`),
#'   `origin` (where it came from), and `graph`, the expansion made while
#'   checking it (what [expand()] returns while the limits stay as they were,
#'   kept in `graph_limits`). It prints in one line; [summary()] gives its
#'   layer table.
#'   A spec that is valid but probably wrong signals a warning of class
#'   `twinnet_spec_warning` for each thing it gets wrong ([spec_warnings()]).
#' @seealso [expand()], [build_model()], [twinnet_spec_error], [spec_warnings()]
#' @examples
#' spec <- load_spec("lenet5")
#' spec
#' summary(spec)
#' load_spec('{"format_version": "1.0", "name": "tiny",
#'             "layers": [{"type": "Input", "shape": [4]},
#'                        {"type": "Dense", "units": 2}]}')
#' # errors say where the problem is
#' tryCatch(load_spec("lenet"), twinnet_spec_error = function(e) conditionMessage(e))
#' @export
load_spec <- function(source) {
  if (inherits(source, "twinnet_spec")) return(source)
  src <- read_source(source)
  validate_document(src$doc)
  limits <- current_limits()
  spec <- new_twinnet_spec(src$doc, src$origin, expand_document(src$doc), limits) # the semantic checks
  warn_spec(spec$data, spec$graph) # what a valid spec probably gets wrong (spec_warnings())
  spec
}

new_twinnet_spec <- function(doc, origin, graph = NULL, graph_limits = NULL) {
  structure(list(data = doc, origin = origin, graph = graph, graph_limits = graph_limits), class = "twinnet_spec")
}

spec_name <- function(spec) py_str(spec$data[["name"]])

spec_title <- function(spec) py_str(field(spec$data, "title", spec$data[["name"]]))
