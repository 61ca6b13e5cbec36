# Checking a JSON value against the spec's JSON Schema, in R (python/twinnet/schema.py).
#
# Both languages check a spec with the same small evaluator of the keywords that
# shared_specs/schema/ uses, and report the same first error: at each value its
# own keywords first, in the order of schema_keywords()$order, then its members
# or items in the order they are written. Checking stops at the first error.
# Patterns follow JSON Schema (ECMA-262): "$" matches only at the very end of a
# string.

# spec_format.json's schema_keywords: "order", a value's own keywords in the
# order they are checked; "members", those about its members or items;
# "quiet", those that check nothing here or are read with another keyword.
schema_keywords <- function() {
  cached("schema_keywords", function() {
    lapply(shared_table("spec_format.json")$schema_keywords, function(k) as.character(unlist(k)))
  })
}

# A failure: where (tokens, from the checked value), which keyword, the schema
# object holding it, the failing value and, for required, additionalProperties
# and propertyNames, the key concerned.
schema_failure <- function(keyword, schema, instance, key = NULL) {
  list(tokens = list(), keyword = keyword, schema = schema, instance = instance, key = key)
}

# Put a key or 0-based index in front of a failure's path, as a check unwinds.
failure_at <- function(failure, token) {
  failure$tokens <- c(list(token), failure$tokens)
  failure
}

passes <- function(x) NULL

# A function of a JSON value giving its first failure against `sch`, or NULL.
# `root` resolves "$ref"s; `refs` (an environment) holds the references compiled so far.
compile_schema <- function(sch, root = sch, refs = new.env(parent = emptyenv())) {
  if (isTRUE(sch) || (is.list(sch) && length(sch) == 0L)) return(passes)
  if (isFALSE(sch)) return(function(x) schema_failure("false", sch, x))
  keywords <- schema_keywords()
  unknown <- setdiff(names(sch), unlist(keywords, use.names = FALSE))
  if (length(unknown) > 0L) {
    stop("internal error: the schema keyword '", unknown[[1L]], "' is not supported", call. = FALSE)
  }
  checks <- list()
  for (key in intersect(keywords$order, names(sch))) {
    check <- compile_keyword(key, sch, root, refs)
    if (!is.null(check)) checks[[length(checks) + 1L]] <- check
  }
  members <- compile_members(sch, root, refs)
  if (!is.null(members)) checks[[length(checks) + 1L]] <- members
  if (length(checks) == 0L) return(passes)
  if (length(checks) == 1L) return(checks[[1L]])
  function(x) {
    for (check in checks) {
      f <- check(x)
      if (!is.null(f)) return(f)
    }
    NULL
  }
}

# The check of a "$ref" ("#/$defs/name"), compiled once per root.
compile_ref <- function(pointer, root, refs) {
  if (!exists(pointer, envir = refs, inherits = FALSE)) {
    if (!startsWith(pointer, "#/")) {
      stop("internal error: the schema reference '", pointer, "' is not supported", call. = FALSE)
    }
    target <- root
    for (token in strsplit(substring(pointer, 3L), "/", fixed = TRUE)[[1L]]) {
      target <- target[[gsub("~0", "~", gsub("~1", "/", token, fixed = TRUE), fixed = TRUE)]]
    }
    box <- new.env(parent = emptyenv())
    assign(pointer, function(x) box$check(x), envir = refs) # a reference may be used before it is compiled
    box$check <- compile_schema(target, root, refs)
  }
  get(pointer, envir = refs, inherits = FALSE)
}

# A check that fails with `key` where test(x) is FALSE.
failing_unless <- function(key, sch, test) {
  force(test)
  function(x) if (test(x)) NULL else schema_failure(key, sch, x)
}

# One keyword of a value's own as a check (NULL for one that checks nothing here).
compile_keyword <- function(key, sch, root, refs) {
  rule <- sch[[key]]
  switch(key,
    "$ref" = compile_ref(rule, root, refs),
    type = {
      tests <- lapply(as.character(unlist(rule)), json_type_test)
      failing_unless(key, sch, function(x) {
        for (test in tests) if (test(x)) return(TRUE)
        FALSE
      })
    },
    const = failing_unless(key, sch, function(x) json_equal(rule, x)),
    enum = {
      if (length(rule) > 0L && all(vapply(rule, json_is_string, logical(1)))) {
        values <- enc2utf8(as.character(unlist(rule)))
        failing_unless(key, sch, function(x) json_is_string(x) && enc2utf8(x) %in% values)
      } else {
        failing_unless(key, sch, function(x) {
          for (v in rule) if (json_equal(v, x)) return(TRUE)
          FALSE
        })
      }
    },
    pattern = {
      regex <- ecma_pattern(rule)
      failing_unless(key, sch, function(x) !json_is_string(x) || grepl(regex, x, perl = TRUE))
    },
    minimum = failing_unless(key, sch, function(x) !json_is_number(x) || x >= rule),
    maximum = failing_unless(key, sch, function(x) !json_is_number(x) || x <= rule),
    exclusiveMinimum = failing_unless(key, sch, function(x) !json_is_number(x) || x > rule),
    exclusiveMaximum = failing_unless(key, sch, function(x) !json_is_number(x) || x < rule),
    minItems = failing_unless(key, sch, function(x) !json_is_array(x) || length(x) >= rule),
    maxItems = failing_unless(key, sch, function(x) !json_is_array(x) || length(x) <= rule),
    propertyNames = {
      name_check <- compile_schema(rule, root, refs)
      function(x) {
        if (json_is_object(x)) {
          for (k in names(x)) if (!is.null(name_check(k))) return(schema_failure(key, sch, x, k))
        }
        NULL
      }
    },
    additionalProperties = {
      if (!isFALSE(rule)) return(NULL) # a schema for the other members: checked with them
      known <- names(sch[["properties"]])
      function(x) {
        if (json_is_object(x)) {
          for (k in names(x)) if (!(k %in% known)) return(schema_failure(key, sch, x, k))
        }
        NULL
      }
    },
    required = {
      wanted <- as.character(unlist(rule))
      function(x) {
        if (json_is_object(x)) {
          for (k in wanted) if (!(k %in% names(x))) return(schema_failure(key, sch, x, k))
        }
        NULL
      }
    },
    anyOf = {
      options <- lapply(rule, compile_schema, root = root, refs = refs)
      failing_unless(key, sch, function(x) {
        for (option in options) if (is.null(option(x))) return(TRUE)
        FALSE
      })
    },
    allOf = {
      dispatch <- const_dispatch(rule)
      if (!is.null(dispatch)) {
        thens <- lapply(rule, function(part) compile_schema(part[["then"]], root, refs))
        return(function(x) {
          for (i in dispatch(x)) {
            f <- thens[[i]](x)
            if (!is.null(f)) return(f)
          }
          NULL
        })
      }
      parts <- lapply(rule, compile_schema, root = root, refs = refs)
      function(x) {
        for (part in parts) {
          f <- part(x)
          if (!is.null(f)) return(f)
        }
        NULL
      }
    },
    "if" = {
      test <- compile_schema(rule, root, refs)
      then <- if (has_field(sch, "then")) compile_schema(sch[["then"]], root, refs) else passes
      other <- if (has_field(sch, "else")) compile_schema(sch[["else"]], root, refs) else passes
      function(x) if (is.null(test(x))) then(x) else other(x)
    },
    stop("internal error: the schema keyword '", key, "' is not supported", call. = FALSE)
  )
}

# An allOf whose every part applies its "then" where one member has a given
# string, {"if": {"properties": {"type": {"const": "Dense"}}, "required":
# ["type"]}, "then": ...} (the layer schema's parts, one per layer type): a
# function of a value giving the positions of the parts whose "if" it passes,
# or NULL for any other allOf. This finds the one part a layer needs without
# running (and failing) the "if" of each of the others; the "if" passes where
# the value is no object, as a compiled "if" would.
const_dispatch <- function(rule) {
  dispatch_key <- function(part) { # the member's name, or NA where the part is not of that form
    if (!json_is_object(part) || !setequal(names(part), c("if", "then"))) return(NA_character_)
    test <- part[["if"]]
    if (!json_is_object(test) || !setequal(names(test), c("properties", "required"))) return(NA_character_)
    props <- test[["properties"]]
    ok <- json_is_object(props) && length(props) == 1L && json_is_object(props[[1L]]) &&
      identical(names(props[[1L]]), "const") && json_is_string(props[[1L]][["const"]]) &&
      json_is_array(test[["required"]]) && identical(as.character(unlist(test[["required"]])), names(props))
    if (ok) names(props) else NA_character_
  }
  if (!is.list(rule) || length(rule) < 2L) return(NULL)
  keys <- vapply(rule, dispatch_key, "")
  if (anyNA(keys) || any(keys != keys[[1L]])) return(NULL)
  key <- keys[[1L]]
  consts <- enc2utf8(vapply(rule, function(part) part[["if"]][["properties"]][[1L]][["const"]], ""))
  function(x) {
    if (!json_is_object(x)) return(seq_along(consts))
    values <- x[names(x) == key] # (a parsed document has at most one)
    if (length(values) == 0L) return(integer()) # "required" fails
    hit <- rep(TRUE, length(consts))
    for (v in values) hit <- hit & (if (json_is_string(v)) consts == enc2utf8(v) else FALSE)
    which(hit)
  }
}

# The check of a value's members (properties, other members) or items, in the order written.
compile_members <- function(sch, root, refs) {
  props <- lapply(field(sch, "properties", list()), compile_schema, root = root, refs = refs)
  extra_rule <- field(sch, "additionalProperties", TRUE)
  extra <- if (is.list(extra_rule)) compile_schema(extra_rule, root, refs) else NULL
  item <- if (has_field(sch, "items")) compile_schema(sch[["items"]], root, refs) else NULL
  if (length(props) == 0L && is.null(extra) && is.null(item)) return(NULL)
  prop_names <- names(props)
  function(x) {
    if (json_is_object(x)) {
      if (length(props) == 0L && is.null(extra)) return(NULL)
      keys <- names(x)
      for (i in seq_along(x)) {
        k <- keys[[i]]
        check <- if (k %in% prop_names) props[[k]] else extra
        if (!is.null(check)) {
          f <- check(x[[i]])
          if (!is.null(f)) return(failure_at(f, k))
        }
      }
    } else if (json_is_array(x) && !is.null(item)) {
      for (i in seq_along(x)) {
        f <- item(x[[i]])
        if (!is.null(f)) return(failure_at(f, i - 1L))
      }
    }
    NULL
  }
}

# The test of one JSON type name.
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

# A JSON Schema pattern as a PCRE: a final "$" matches only at the very end.
ecma_pattern <- function(pattern) {
  if (endsWith(pattern, "$") && !endsWith(pattern, "\\$")) {
    pattern <- paste0(substr(pattern, 1L, nchar(pattern) - 1L), "\\z")
  }
  pattern
}

# The spec schema, compiled once per session: schema_check()(doc) gives the first failure or NULL.
schema_check <- function() cached("schema_check", function() compile_schema(schema(), schema(), schema_refs()))

# Whether a document passes the JSON Schema.
is_valid_document <- function(doc) is.null(schema_check()(doc))
