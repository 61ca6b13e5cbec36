# Seeded random mutations of valid specs: load_spec(), expand() and
# build_model() may refuse them, but only with a twinnet_spec_error; nothing
# else may escape. (tests/cross/test_fuzz.py also checks that R and Python
# give the same path and kind.) TWINNET_FUZZ_EXAMPLES=5000 runs a longer fuzz.

fuzz_examples <- function() {
  n <- suppressWarnings(as.integer(Sys.getenv("TWINNET_FUZZ_EXAMPLES", "")))
  if (is.na(n) || n < 1L) 200L else n
}

FUZZ_ODD_VALUES <- list(
  NULL, TRUE, FALSE, 0L, -1L, 1L, 2.5, 1e9, 1e12, "", "relu", "$units", "@input", list(),
  structure(list(), names = character(0)), list(1L), list(list(1L, 2L)), list(a = 1L), "keras.layers.Lambda",
  "lambda x: x", "__import__('os')", list(class_name = "Lambda", module = "keras.layers"), strrep("x", 300), "\u00fc"
)
FUZZ_KEYS <- c("module", "registered_name", "class_name", "config", "kernal_size", "unit", "Units", "function",
               "inputs", "name", "block", "repeat", "args", "weights", "type", "units", "filters", "kernel_size",
               "strides", "padding", "activation", "rate", "return_sequences", "axis", "pool_size")
FUZZ_PLAUSIBLE <- list(1L, 2L, 3L, 8L, 64L, list(1L, 2L), list(3L, 1L), 0, 0.5, 1, -1, TRUE, FALSE, NULL, "same",
                       "valid", "causal", "relu", "softmax", "identity", "orthogonal", "int32", list(4L),
                       list(NULL, 3L), list(-1L, 2L))

# Every position in a JSON value, as index vectors for `[[`.
fuzz_paths <- function(x, at = integer()) {
  out <- list(at)
  if (is.list(x)) for (i in seq_along(x)) out <- c(out, fuzz_paths(x[[i]], c(at, i)))
  out
}

fuzz_pick <- function(x) x[[sample.int(length(x), 1L)]]

fuzz_typo <- function(word) {
  if (!nzchar(word)) return("x")
  chars <- strsplit(word, "")[[1L]]
  i <- sample.int(length(chars), 1L)
  switch(sample(c("drop", "double", "case"), 1L),
    drop = paste(chars[-i], collapse = ""),
    double = paste(append(chars, chars[[i]], i), collapse = ""),
    case = {
      chars[[i]] <- if (chars[[i]] == toupper(chars[[i]])) tolower(chars[[i]]) else toupper(chars[[i]])
      paste(chars, collapse = "")
    }
  )
}

# One random change somewhere in a JSON value (a parsed list).
fuzz_mutate <- function(doc, layer_names) {
  op <- sample(c("plausible", "replace", "delete", "rename", "number", "swap", "duplicate", "type", "reference",
                 "add_key", "wrap", "repeat"), 1L)
  paths <- fuzz_paths(doc)[-1L]
  path <- fuzz_pick(paths)
  target <- doc[[path]]
  parent_path <- path[-length(path)]
  parent <- if (length(parent_path)) doc[[parent_path]] else doc
  key <- names(parent)[[path[[length(path)]]]] %||% ""
  set <- function(value) { # list(NULL): a JSON null, not a deletion
    parent[path[[length(path)]]] <- list(value)
    if (length(parent_path)) doc[[parent_path]] <<- parent else doc <<- parent
  }
  switch(op,
    plausible = set(fuzz_pick(FUZZ_PLAUSIBLE)),
    delete = doc[[path]] <- NULL,
    rename = if (nzchar(key)) {
      names(parent)[[path[[length(path)]]]] <- fuzz_typo(key)
      if (length(parent_path)) doc[[parent_path]] <- parent else doc <- parent
    } else {
      set(fuzz_pick(FUZZ_ODD_VALUES))
    },
    number = if (is.numeric(target) && length(target) == 1L) {
      set(fuzz_pick(list(0L, -target, target * 1000, target + 0.5, 2^31, 1e308)))
    } else {
      set(fuzz_pick(FUZZ_ODD_VALUES))
    },
    swap = if (is.list(target) && length(target) > 1L) {
      ij <- sample.int(length(target), 2L)
      doc[[path]] <- target[replace(seq_along(target), ij, rev(ij))]
    },
    duplicate = if (is.list(target) && length(target) > 0L && is.null(names(target))) {
      i <- sample.int(length(target), 1L)
      doc[[path]] <- append(target, target[i], i)
    },
    type = if (is.list(target) && !is.null(names(target))) {
      target$type <- sample(c(names(twinnet:::layer_types()), "Lambda", "keras.layers.Dense", "dense"), 1L)
      doc[[path]] <- target
    },
    reference = if (is.list(target) && !is.null(names(target))) {
      target$inputs <- list(sample(c(layer_names, "nope", "@input", "self"), 1L))
      doc[[path]] <- target
    },
    add_key = if (is.list(target) && !is.null(names(target))) {
      value <- fuzz_pick(FUZZ_ODD_VALUES)
      target[sample(FUZZ_KEYS, 1L)] <- list(value)
      doc[[path]] <- target
    },
    wrap = set(list(target)),
    `repeat` = if (is.list(target) && "block" %in% names(target)) {
      target[["repeat"]] <- fuzz_pick(list(0L, -1L, 2L, 1.5, "2", 1e6, 1e30))
      doc[[path]] <- target
    },
    set(fuzz_pick(FUZZ_ODD_VALUES))
  )
  doc
}

`%||%` <- function(x, y) if (is.null(x)) y else x

# What a call does with a spec: "ok", "spec_error", or the message of any other error.
fuzz_outcome <- function(expr) {
  tryCatch({
    expr
    "ok"
  }, twinnet_spec_error = function(e) "spec_error", error = function(e) conditionMessage(e))
}

test_that("mutated specs give only twinnet_spec_error conditions", {
  skip_if_no_python("keras")
  set.seed(20241126)
  seeds <- c(
    lapply(c("lenet5", "mini_resnet", "imdb_lstm", "mnist_mlp", "stock_gru", "feature_map_cnn"),
           function(name) load_spec(name)$data),
    lapply(list.files(system.file("specs", "conformance", "valid", package = "twinnet"), full.names = TRUE),
           function(path) jsonlite::read_json(path, simplifyVector = FALSE)$spec)
  )
  counts <- c(tried = 0, refused = 0, accepted = 0, built = 0, refused_when_built = 0)
  escaped <- character()
  for (i in seq_len(fuzz_examples())) {
    doc <- fuzz_pick(seeds)
    names <- unique(unlist(lapply(doc$layers, function(l) l$name)))
    for (k in seq_len(sample.int(3L, 1L))) doc <- fuzz_mutate(doc, names)
    text <- as.character(jsonlite::toJSON(doc, auto_unbox = TRUE, null = "null", digits = NA))
    counts[["tried"]] <- counts[["tried"]] + 1
    outcome <- fuzz_outcome(spec <- load_spec(text))
    if (outcome == "ok") outcome <- fuzz_outcome(graph <- expand(spec))
    if (outcome == "spec_error") {
      counts[["refused"]] <- counts[["refused"]] + 1
      next
    }
    if (outcome == "ok") {
      counts[["accepted"]] <- counts[["accepted"]] + 1
      if (graph$params$total <= 2e6) {
        outcome <- fuzz_outcome(build_model(spec, seed = 1L))
        key <- if (outcome == "ok") "built" else "refused_when_built"
        counts[[key]] <- counts[[key]] + 1
      }
    }
    if (!outcome %in% c("ok", "spec_error")) escaped <- c(escaped, sprintf("%s\n  for %s", outcome, text))
  }
  expect_equal(escaped, character())
  expect_equal(counts[["tried"]], fuzz_examples())
  expect_gt(counts[["refused"]], 0)
  expect_gt(counts[["accepted"]], 0)
  if (nzchar(Sys.getenv("TWINNET_FUZZ_EXAMPLES"))) print(counts)
})
