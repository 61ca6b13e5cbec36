# The layer registry and the JSON Schema, read from the package's copy of
# shared_specs/ (python/twinnet/registry.py).

SUPPORTED_MAJOR <- 1L
FORMAT_VERSION <- "1.0"

# Values read once per session: the registry, the schema, the Python validator.
the <- new.env(parent = emptyenv())

# A file of the package's copy of shared_specs/.
specs_path <- function(...) system.file("specs", ..., package = "twinnet", mustWork = TRUE)

read_json_file <- function(path) {
  jsonlite::parse_json(read_text(path), simplifyVector = FALSE)
}

read_text <- function(path) {
  size <- file.size(path)
  if (is.na(size) || size == 0) return("")
  text <- readChar(path, size, useBytes = TRUE)
  Encoding(text) <- "UTF-8"
  text
}

cached <- function(key, make) {
  if (is.null(the[[key]])) the[[key]] <- make()
  the[[key]]
}

# The allowlist: layer types, their arguments, kinds and Keras defaults.
registry <- function() cached("registry", function() read_json_file(specs_path("layers.json")))

schema_file <- function() specs_path("schema", "twinnet-spec-v1.schema.json")

# The JSON Schema of spec format 1.x, as an R list.
schema <- function() cached("schema", function() read_json_file(schema_file()))

layer_types <- function() registry()[["layers"]]

# The schema of one argument's literal value (without the block-parameter alternative).
arg_schema <- function(layer_type, arg) {
  prop <- schema()[["$defs"]][[paste0("layer_", layer_type)]][["properties"]][[arg]]
  desc <- prop[["description"]]
  cut <- regexpr(" (inside a block", desc, fixed = TRUE)
  if (cut > 0L) desc <- substr(desc, 1L, cut - 1L)
  sch <- prop[["anyOf"]][[1L]]
  sch[["description"]] <- desc
  sch
}

# Whether a JSON value satisfies a schema. Only the keywords the argument
# schemas use (kind_schema() in tools/sync_specs.py); any other is a bug.
schema_valid <- function(sch, x) {
  if (is.logical(sch)) return(isTRUE(sch))
  for (key in names(sch)) {
    rule <- sch[[key]]
    ok <- switch(key,
      description = ,
      title = TRUE,
      type = any(vapply(as.character(unlist(rule)), json_is_type, logical(1), x = x)),
      enum = any(vapply(rule, json_equal, logical(1), b = x)),
      const = json_equal(rule, x),
      minimum = !json_is_number(x) || x >= rule,
      maximum = !json_is_number(x) || x <= rule,
      exclusiveMinimum = !json_is_number(x) || x > rule,
      exclusiveMaximum = !json_is_number(x) || x < rule,
      minItems = !json_is_array(x) || length(x) >= rule,
      maxItems = !json_is_array(x) || length(x) <= rule,
      items = !json_is_array(x) || all(vapply(x, schema_valid, logical(1), sch = rule)),
      anyOf = any(vapply(rule, schema_valid, logical(1), x = x)),
      required = !json_is_object(x) || all(as.character(unlist(rule)) %in% names(x)),
      properties = !json_is_object(x) || all(vapply(
        intersect(names(rule), names(x)),
        function(k) schema_valid(rule[[k]], x[[k]]), logical(1)
      )),
      additionalProperties = !json_is_object(x) || all(vapply(
        setdiff(names(x), names(sch[["properties"]])),
        function(k) schema_valid(rule, x[[k]]), logical(1)
      )),
      stop("internal error: the schema keyword '", key, "' is not supported", call. = FALSE)
    )
    if (!ok) return(FALSE)
  }
  TRUE
}

# Python's jsonschema validator of the spec schema (jsonschema.Draft202012Validator).
schema_validator <- function() {
  cached("validator", function() {
    jsonschema <- python_module("jsonschema", "to check a spec against the JSON Schema")
    json <- python_module("json", "to read JSON")
    jsonschema$Draft202012Validator(json$loads(read_text(schema_file())))
  })
}
