# The layer registry and the JSON Schema, read from the package's copy of
# shared_specs/ (python/twinnet/registry.py).

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

# A table of shared_specs/ ("limits.json", "handout/handout.json"), read once per
# session (registry.py's shared()).
shared_table <- function(name) cached(paste0("shared:", name), function() read_json_file(specs_path(name)))

# The spec format: its version, the major version this twinnet reads, and the
# patterns of names, parameters, references and versions (spec_format.json).
spec_format_version <- function() shared_table("spec_format.json")$format_version
spec_supported_major <- function() shared_table("spec_format.json")$supported_major

# A pattern of spec_format.json ("name", "parameter", "reference",
# "format_version") as a PCRE that matches as JSON Schema does (grepl(perl = TRUE)).
spec_pattern <- function(name) {
  cached(paste0("pattern:", name), function() ecma_pattern(shared_table("spec_format.json")$patterns[[name]]))
}

# The allowlist: layer types, their arguments, kinds and Keras defaults.
registry <- function() cached("registry", function() read_json_file(specs_path("layers.json")))

schema_file <- function() specs_path("schema", "twinnet-spec-v1.schema.json")

# The JSON Schema of spec format 1.x, as an R list.
schema <- function() cached("schema", function() read_json_file(schema_file()))

layer_types <- function() registry()[["layers"]]

# make()'s value for key, computed once per session and kept in the named table.
memoized <- function(table, key, make) {
  env <- cached(table, function() new.env(parent = emptyenv()))
  if (!exists(key, envir = env, inherits = FALSE)) assign(key, make(), envir = env)
  get(key, envir = env, inherits = FALSE)
}

# The schema of one argument's literal value (without the block-parameter alternative).
# Read once per session and argument.
arg_schema <- function(layer_type, arg) {
  memoized("arg_schemas", paste0(layer_type, "/", arg), function() make_arg_schema(layer_type, arg))
}

# A checker of one argument's literal value: a function of the value giving TRUE or FALSE
# (compiled once per session and argument).
arg_validator <- function(layer_type, arg) {
  memoized("arg_validators", paste0(layer_type, "/", arg), function() {
    check <- compile_schema(arg_schema(layer_type, arg), schema(), schema_refs())
    function(x) is.null(check(x))
  })
}

# The "$ref"s of the spec schema compiled so far, shared by every checker compiled from it.
schema_refs <- function() cached("schema_refs", function() new.env(parent = emptyenv()))

make_arg_schema <- function(layer_type, arg) {
  prop <- schema()[["$defs"]][[paste0("layer_", layer_type)]][["properties"]][[arg]]
  desc <- prop[["description"]]
  cut <- regexpr(" (inside a block", desc, fixed = TRUE)
  if (cut > 0L) desc <- substr(desc, 1L, cut - 1L)
  sch <- prop[["anyOf"]][[1L]]
  sch[["description"]] <- desc
  sch
}
