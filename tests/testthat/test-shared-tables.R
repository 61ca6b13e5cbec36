# The tables of shared_specs/ (the package's copy, inst/specs/) are the values
# the package uses, as Python's tests/python/test_shared_tables.py. Where a
# value decides behaviour, the behaviour is checked at the value and just
# beyond it, so that a limit or a pattern typed again in the code fails here.

shared_json <- function(name) {
  jsonlite::read_json(system.file("specs", name, package = "twinnet", mustWork = TRUE), simplifyVector = FALSE)
}

test_that("the limits are limits.json's", {
  t <- shared_json("limits.json")
  expect_identical(twinnet:::default_limits(), lapply(t$defaults, as.numeric))
  withr::local_options(list(twinnet.max_params = NULL, twinnet.max_activation = NULL, twinnet.max_layers = NULL,
                            twinnet.max_model_bytes = NULL, twinnet.max_diagram_layers = NULL,
                            twinnet.dot_timeout = NULL))
  for (name in names(t$defaults)) expect_equal(twinnet:::get_limit(name), t$defaults[[name]], label = name)
  for (name in names(t$fixed)) expect_equal(twinnet:::fixed_limit(name), t$fixed[[name]], label = name)
  for (name in names(t$suggest)) expect_equal(twinnet:::suggest_limit(name), t$suggest[[name]], label = name)
})

test_that("the fixed limits bite at their values", {
  fixed <- shared_json("limits.json")$fixed
  with_key <- function(n) {
    paste0('{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}], "',
           strrep("k", n), '": 1}')
  }
  expect_equal(spec_error_of(load_spec(with_key(fixed$max_key_bytes)))$kind, "unknown_field")
  expect_equal(spec_error_of(load_spec(with_key(fixed$max_key_bytes + 1)))$kind, "too_large")

  nested_blocks <- function(depth) {
    blocks <- list()
    for (i in seq_len(depth - 1L)) blocks[[paste0("b", i)]] <- list(layers = list(list(block = paste0("b", i + 1L))))
    blocks[[paste0("b", depth)]] <- list(layers = list(list(type = "Dense", units = 1L)))
    list(format_version = "1.0", name = "x", blocks = blocks,
         layers = list(list(type = "Input", shape = list(2L)), list(block = "b1")))
  }
  expect_equal(expand(nested_blocks(fixed$max_block_depth))$params$total, 3)
  err <- spec_error_of(expand(nested_blocks(fixed$max_block_depth + 1L)))
  expect_equal(err$kind, "too_deep")
  expect_match(err$message, sprintf("more than %d deep", fixed$max_block_depth), fixed = TRUE)

  deep <- function(depth) paste0(strrep("[", depth), strrep("]", depth))
  expect_false(spec_error_of(load_spec(deep(fixed$max_json_depth)))$kind == "too_deep")
  expect_equal(spec_error_of(load_spec(deep(fixed$max_json_depth + 1L)))$kind, "too_deep")
})

test_that("did you mean looks at words up to the shared length", {
  n <- shared_json("limits.json")$suggest$max_length
  expect_false(is.null(twinnet:::suggest(paste0(strrep("q", n - 1L), "x"), strrep("q", n))))
  expect_null(twinnet:::suggest(paste0(strrep("q", n), "x"), strrep("q", n + 1L)))
})

test_that("the spec format and its patterns are spec_format.json's", {
  t <- shared_json("spec_format.json")
  expect_identical(twinnet:::spec_format_version(), t$format_version)
  expect_identical(twinnet:::spec_supported_major(), t$supported_major)
  expect_identical(expand("lenet5")$format_version, t$format_version)
  keywords <- twinnet:::schema_keywords()
  for (k in c("order", "members", "quiet")) expect_identical(keywords[[k]], as.character(unlist(t$schema_keywords[[k]])))
  schema <- jsonlite::read_json(twinnet:::schema_file(), simplifyVector = FALSE)
  expect_identical(schema[["$defs"]]$name$pattern, t$patterns$name)
  expect_identical(schema[["$defs"]]$param_ref$pattern, t$patterns$parameter)
  expect_identical(schema[["$defs"]]$ref_list$items$pattern, t$patterns$reference)
  expect_identical(schema$properties$format_version$pattern, t$patterns$format_version)
  for (name in names(t$patterns)) {
    expect_identical(twinnet:::spec_pattern(name), twinnet:::ecma_pattern(t$patterns[[name]]), label = name)
  }
  # JSON Schema's "$": a final newline is no part of a name or a parameter
  expect_identical(twinnet:::param_name("$filters"), "filters")
  expect_null(twinnet:::param_name("$filters\n"))
  expect_identical(twinnet:::import_spec_name("9lives"), "model_9lives")
  expect_identical(twinnet:::import_spec_name("lives"), "lives")
  ids <- twinnet:::new_identifiers()
  expect_identical(twinnet:::identifier(ids, "conv1\n"), "conv1_")
})

test_that("the messages are messages.json's", {
  t <- shared_json("messages.json")
  expect_identical(as.list(twinnet:::json_messages()), t$json_syntax)
  expect_identical(as.list(twinnet:::type_words()), t$type_words)
  err <- spec_error_of(load_spec('{"format_version": "1.0", "name": "x", "layers": [{"type": "Dense", "units": 1,}]}'))
  expect_true(endsWith(err$message, t$json_syntax$trailing_object))
  err <- spec_error_of(load_spec(list(format_version = "1.0", name = "x", layers = list(
    list(type = "Input", shape = list(2L)), list(type = "Dense", units = 1L, use_bias = 1L)
  ))))
  expect_match(err$message, t$type_words$boolean, fixed = TRUE)
})

test_that("the importer's and the model files' tables are shared", {
  expect_identical(twinnet:::import_table(), shared_json("importer.json"))
  t <- shared_json("model_files.json")
  files <- twinnet:::model_files_table()
  expect_identical(files$members$config, t$members$config)
  expect_identical(files$members$weights, as.character(unlist(t$members$weights)))
  expect_identical(files$model_classes, as.character(unlist(t$model_classes)))
  expect_identical(files$shape_keys, as.character(unlist(t$shape_keys)))
  expect_identical(files$weights$no_weights, as.character(unlist(t$weights$no_weights)))
  expect_identical(files$weights$rnn_second_bias, t$weights$rnn_second_bias)
  expect_identical(files$weights$norm_vectors, t$weights$norm_vectors)
  for (k in c("conv_rank", "separable_rank", "depthwise_rank", "rnn_gates")) {
    expect_equal(as.list(files$weights[[k]]), t$weights[[k]], label = k)
  }
  expect_s3_class(twinnet:::keras_failure("m.keras", "ValueError", "... safe_mode=False"),
                  "twinnet_unsafe_model_error")
  for (kind in unlist(t$out_of_memory_error_classes)) {
    expect_equal(twinnet:::keras_failure("m.keras", kind, "no memory")$kind, "too_large")
  }
  expect_equal(twinnet:::keras_failure("m.keras", "KeyError", "safe_mode")$kind, "malformed")
})

test_that("the data sets, diagram formats and language words are shared", {
  t <- shared_json("datasets.json")
  expect_error(load_dataset("no_such_set"), paste("Keras has", paste(unlist(t$keras), collapse = ", ")),
               fixed = TRUE)
  expect_identical(twinnet:::diagram_formats(), as.character(unlist(shared_json("diagram.json")$formats)))
  words <- shared_json("codegen.json")$language_words
  expect_identical(as.list(twinnet:::language_words()), words)
  expect_identical(eval(formals(to_code)$language), names(words))
  for (language in names(words)) {
    first <- strsplit(to_code("lenet5", language), "\n", fixed = TRUE)[[1L]][[1L]]
    expect_match(first, sprintf("the twinnet spec 'lenet5' as %s", words[[language]]), fixed = TRUE)
  }
})

test_that("the learning curves take the shared style", {
  curves <- shared_json(file.path("handout", "handout.json"))$curves
  svg <- twinnet:::curves_svg(list(loss = c(1, 0.5), val_loss = c(1.2, 0.7)))
  expect_match(svg, sprintf("width=\"%d\" height=\"%d\"", curves$width, curves$height), fixed = TRUE)
  expect_match(svg, sprintf("stroke=\"%s\"", curves$frame_color), fixed = TRUE)
  for (data in names(curves$colors)) {
    expect_match(svg, sprintf("<polyline class=\"%s\" fill=\"none\" stroke=\"%s\"", data, curves$colors[[data]]),
                 fixed = TRUE)
  }
  left <- curves$margin$left
  expect_match(svg, sprintf("<text x=\"%.1f\" y=", left + 6 + curves$legend_step), fixed = TRUE)
})
