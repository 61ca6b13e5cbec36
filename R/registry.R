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

# A checker of one argument's literal value (schema_valid() of its arg_schema(), compiled once
# per session and argument).
arg_validator <- function(layer_type, arg) {
  memoized("arg_validators", paste0(layer_type, "/", arg), function() compile_schema(arg_schema(layer_type, arg)))
}

make_arg_schema <- function(layer_type, arg) {
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

# A function of a JSON value that gives schema_valid(sch, value): the schema's
# keywords read once into closures, each stopping at the first failure.
compile_schema <- function(sch) {
  if (is.logical(sch)) {
    ok <- isTRUE(sch)
    return(function(x) ok)
  }
  checks <- list()
  for (key in names(sch)) {
    check <- compile_keyword(key, sch[[key]], sch)
    if (!is.null(check)) checks[[length(checks) + 1L]] <- check
  }
  if (length(checks) == 0L) return(function(x) TRUE)
  if (length(checks) == 1L) return(checks[[1L]])
  function(x) {
    for (check in checks) if (!check(x)) return(FALSE)
    TRUE
  }
}

# One keyword of schema_valid() as a closure (NULL for one that checks nothing).
compile_keyword <- function(key, rule, sch) {
  force(rule)
  switch(key,
    description = ,
    title = NULL,
    type = {
      tests <- lapply(as.character(unlist(rule)), json_type_test)
      if (length(tests) == 1L) {
        tests[[1L]]
      } else {
        function(x) {
          for (test in tests) if (test(x)) return(TRUE)
          FALSE
        }
      }
    },
    enum = {
      if (length(rule) > 0L && all(vapply(rule, json_is_string, logical(1)))) {
        values <- enc2utf8(as.character(unlist(rule)))
        function(x) is.character(x) && length(x) == 1L && enc2utf8(x) %in% values
      } else {
        function(x) {
          for (v in rule) if (json_equal(v, x)) return(TRUE)
          FALSE
        }
      }
    },
    const = function(x) json_equal(rule, x),
    minimum = function(x) !json_is_number(x) || x >= rule,
    maximum = function(x) !json_is_number(x) || x <= rule,
    exclusiveMinimum = function(x) !json_is_number(x) || x > rule,
    exclusiveMaximum = function(x) !json_is_number(x) || x < rule,
    minItems = function(x) !json_is_array(x) || length(x) >= rule,
    maxItems = function(x) !json_is_array(x) || length(x) <= rule,
    items = {
      item <- compile_schema(rule)
      function(x) {
        if (!json_is_array(x)) return(TRUE)
        for (v in x) if (!item(v)) return(FALSE)
        TRUE
      }
    },
    anyOf = {
      options <- lapply(rule, compile_schema)
      function(x) {
        for (option in options) if (option(x)) return(TRUE)
        FALSE
      }
    },
    required = {
      wanted <- as.character(unlist(rule))
      function(x) !json_is_object(x) || all(wanted %in% names(x))
    },
    properties = {
      props <- lapply(rule, compile_schema)
      function(x) {
        if (!json_is_object(x)) return(TRUE)
        for (k in intersect(names(rule), names(x))) if (!props[[k]](x[[k]])) return(FALSE)
        TRUE
      }
    },
    additionalProperties = {
      known <- names(sch[["properties"]])
      extra <- compile_schema(rule)
      function(x) {
        if (!json_is_object(x)) return(TRUE)
        for (k in setdiff(names(x), known)) if (!extra(x[[k]])) return(FALSE)
        TRUE
      }
    },
    stop("internal error: the schema keyword '", key, "' is not supported", call. = FALSE)
  )
}

# The test of one JSON type name, as json_is_type(type, x).
json_type_test <- function(type) {
  switch(type,
    null = is.null,
    boolean = json_is_bool,
    integer = json_is_integer,
    number = json_is_number,
    string = json_is_string,
    array = json_is_array,
    object = json_is_object,
    stop("internal error: unknown JSON type '", type, "'", call. = FALSE)
  )
}

# Python's jsonschema validator of the spec schema (jsonschema.Draft202012Validator).
schema_validator <- function() {
  cached("validator", function() {
    jsonschema <- python_module("jsonschema", "to check a spec against the JSON Schema")
    json <- python_module("json", "to read JSON")
    jsonschema$Draft202012Validator(json$loads(read_text(schema_file())))
  })
}

# A Python function of a document (parsed by Python's json) that says whether it
# passes the JSON Schema: the same verdict as the validator's is_valid(), faster
# (each layer checked against its own type's definition only, as Python's
# is_valid_document()).
fast_schema_check <- function() {
  cached("fast_schema_check", function() {
    python_module("jsonschema", "to check a spec against the JSON Schema")
    json <- python_module("json", "to read JSON")
    types <- reticulate::r_to_py(as.list(names(layer_types())))
    python_helpers()$make_fast_check(json$loads(read_text(schema_file())), types)
  })
}
