# to_code(): keras3-style R code that parses and uses only real keras3 names;
# reticulate code that builds the same model as build_model(); strings,
# comments, numbers and names reach the code one way each.

test_that("the keras3 code of every catalog spec parses and uses only keras3 names", {
  for (name in catalog()$name) expect_keras3_calls_only(to_code(name, "r"), name)
})

test_that("the reticulate code of every catalog spec calls only Keras, the model and its own functions", {
  for (name in catalog()$name) expect_reticulate_calls_only(to_code(name, "r-reticulate"), name)
})

test_that("to_code() writes a keras3 pipe for a chain and functions for blocks", {
  code <- to_code("lenet5", "r")
  expect_match(code, "library(keras3)", fixed = TRUE)
  expect_match(code, "model <- keras_model_sequential(input_shape = c(32, 32, 1), input_name = \"input\", name = \"lenet5\") |>",
               fixed = TRUE)
  expect_match(code, "layer_conv_2d(filters = 6, kernel_size = 5, activation = \"tanh\", name = \"c1\") |>", fixed = TRUE)
  resnet <- to_code("mini_resnet", "r-reticulate")
  expect_match(resnet, "basic <- function(inputs, name, filters) {", fixed = TRUE)
  expect_match(resnet, "x <- basic(x, \"stage1_2\", filters = 16L)", fixed = TRUE)
  expect_match(to_code("mini_resnet", "python"), "def basic(inputs, name, filters):", fixed = TRUE)
  expect_error(to_code("lenet5", "julia"), "should be one of")
})

# Layers in order: class, config without names, parameters; and the names the
# spec gives (the code leaves the others to Keras).
expect_same_layers <- function(got, want, spec, label) {
  without_names <- function(x) {
    if (!is.list(x)) return(x)
    if (!is.null(names(x))) x <- x[names(x) != "name"]
    lapply(x, without_names)
  }
  layers <- function(m) Filter(function(l) class(l)[[1L]] != "keras.src.layers.core.input_layer.InputLayer", m$layers)
  rows <- function(m) lapply(layers(m), function(l) list(class(l)[[1L]], without_names(l$get_config()), l$count_params()))
  s <- load_spec(spec)
  named <- Filter(function(l) twinnet:::written_name(twinnet:::entry_at(s$data, l$source)), expand(s)$layers)
  named <- vapply(named, function(l) l$name, "")
  want_names <- vapply(layers(want), function(l) l$name, "")
  got_names <- vapply(layers(got), function(l) l$name, "")
  expect_identical(got_names[want_names %in% named], want_names[want_names %in% named], label = label)
  expect_equal(rows(got), rows(want), label = label)
  expect_equal(got$count_params(), want$count_params(), label = label)
}

test_that("the reticulate code builds the model build_model() builds", {
  skip_if_no_python("keras")
  for (name in c("lenet5", "mini_resnet", "example_edge_detection", "imdb_bilstm")) {
    env <- new.env()
    eval(parse(text = to_code(name, "r-reticulate")), envir = env)
    expect_same_layers(env$model, build_model(name), name, name)
  }
})

authored_spec <- function() {
  list(
    format_version = "1.0", name = "authored",
    blocks = list(
      plain = list(params = list(units = 4L), layers = list(list(type = "Dense", units = "$units"),
                                                           list(type = "BatchNormalization"))),
      named = list(layers = list(list(type = "Dense", units = 4L, name = "fc"), list(block = "plain")))
    ),
    layers = list(
      list(type = "Input", shape = list(6L, 3L)),
      list(type = "Bidirectional", name = "bilstm", layer = list(type = "LSTM", units = 5L, return_sequences = TRUE)),
      list(type = "TimeDistributed", layer = list(type = "Dense", units = 2L, use_bias = TRUE)),
      list(type = "MaxPooling1D", pool_size = 2L, padding = "valid"),
      list(type = "Flatten"),
      list(block = "plain", `repeat` = 2L),
      list(block = "named", name = "head"),
      list(type = "Dense", units = 2L, weights = list(list(list(1, 0), list(0, 1), list(1, 1), list(0, 0)),
                                                       list(0.5, -0.5))),
      list(type = "Dense", units = 3L, activation = "linear", name = "out")
    )
  )
}

test_that("to_code() names only the layers the spec names and keeps the arguments it writes", {
  spec <- authored_spec()
  for (language in c("r", "r-reticulate")) {
    code <- to_code(spec, language)
    for (generated in c("\"input_1\"", "\"bilstm_lstm\"", "\"time_distributed_1\"", "\"dense_1\"",
                        "\"max_pooling1d_1\"", "\"plain_1_dense_1\"")) {
      expect_false(grepl(generated, code, fixed = TRUE), label = paste(language, generated))
    }
    for (written in c("name = \"bilstm\"", "name = \"out\"", "paste0(name, \"_fc\")", "pool_size = 2",
                      "padding = \"valid\"", "use_bias = TRUE", "activation = \"linear\"")) {
      expect_match(code, written, fixed = TRUE, label = paste(language, written))
    }
    expect_match(code, "named <- function(x, name) {", fixed = TRUE)
    expect_match(code, "plain <- function(x, units = 4", fixed = TRUE) # no name: none of its layers has one
  }
  expect_match(to_code(spec, "r"), "dense_1_layer <- layer_dense(units = 2)\nx <- x |> dense_1_layer()\n",
               fixed = TRUE)
  expect_match(to_code("lenet5", "r"), "layer_average_pooling_2d(pool_size = 2, name = \"s2\")", fixed = TRUE)
  expect_keras3_calls_only(to_code(spec, "r"), "authored")
  expect_reticulate_calls_only(to_code(spec, "r-reticulate"), "authored")
})

test_that("the reticulate code of unnamed layers builds the same model", {
  skip_if_no_python("keras")
  spec <- authored_spec()
  env <- new.env()
  eval(parse(text = to_code(spec, "r-reticulate")), envir = env)
  layers <- env$model$layers
  expect_equal(as.numeric(layers[[length(layers) - 1L]]$get_weights()[[2L]]), c(0.5, -0.5))
  expect_same_layers(env$model, build_model(spec), spec, "authored")
  broken <- sub(", name = \"out\"", "", to_code(spec, "r-reticulate"), fixed = TRUE) # the check can fail
  env <- new.env()
  eval(parse(text = broken), envir = env)
  expect_failure(expect_same_layers(env$model, build_model(spec), spec, "broken"))
})

# -- strings, comments, numbers and names ---------------------------------------

test_that("code_quote() gives one ASCII line that R reads back as the text", {
  texts <- c("plain", "a \"quoted\" \\ back", "line\nbreak\r\ttab", "\a\u007f\u0085", "\u2028\u202e\ufeff",
             "caf\u00e9 \U0001f600", "{name}", "$x")
  for (text in texts) {
    literal <- twinnet:::code_quote(text)
    expect_false(grepl("[^ -~]", literal), label = literal)
    expect_identical(eval(parse(text = literal, keep.source = FALSE)[[1L]]), enc2utf8(text))
  }
  expect_identical(twinnet:::code_quote("a\"\\\n\U0001f600"), "\"a\\\"\\\\\\n\\U0001f600\"")
})

test_that("code_comment() splits lines and escapes invisible characters", {
  expect_identical(twinnet:::code_comment("a\nb\r\nc\rd\n"), c("# a", "# b", "# c", "# d", "#"))
  expect_identical(twinnet:::code_comment("x\u2028y\u202ez\a"), "# x\\u2028y\\u202ez\\u0007")
  expect_identical(twinnet:::code_comment("caf\u00e9"), "# caf\u00e9")
  lines <- twinnet:::code_comment("t\nsystem('echo no')\r\n\u2028stop('no')\r#")
  exprs <- parse(text = c(lines, "value <- 1"), keep.source = FALSE)
  expect_length(exprs, 1L)
})

test_that("number_text() writes what Python's number_text() writes", {
  cases <- list(
    list(1e15, "number", "1000000000000000.0"), list(1e16, "number", "1e+16"), list(5e-324, "number", "5e-324"),
    list(2.2250738585072014e-308, "number", "2.2250738585072014e-308"), list(1e-05, "number", "1e-05"),
    list(0.0001, "number", "0.0001"), list(-0.0, "number", "-0.0"), list(0.1, "number", "0.1"),
    list(2, "number", "2.0"), list(1.7976931348623157e308, "number", "1.7976931348623157e+308"),
    list(0.1 + 0.2, "number", "0.30000000000000004"), list(1 / 3, "number", "0.3333333333333333"),
    list(7L, "number", "7"), list(2147483647L, "number", "2147483647"),
    list(-2147483647L, "number", "-2147483647"),
    list(2147483648, "number", "2147483648.0"), list(-2147483648, "number", "-2147483648.0"),
    list(3e9, "number", "3000000000.0"), list(2^60, "number", "1.152921504606847e+18"),
    list(2^60, "integer", "1152921504606846976"), list(3, "integer", "3"),
    list(1e20, "integer", "100000000000000000000"),
    list(-0.0, "integer", "0"), list(1L, "float", "1.0"), list(1e-05, "float", "1e-05"),
    list(2^-1074 * 3, "number", "1.5e-323"), list(2^-1022, "number", "2.2250738585072014e-308"),
    list(2^1023, "number", "8.98846567431158e+307"), list(123456789.123, "number", "123456789.123")
  )
  for (case in cases) {
    expect_identical(twinnet:::number_text(case[[1L]], case[[2L]]), case[[3L]], label = case[[3L]])
  }
  expect_identical(twinnet:::number_text(list(1L, 0.5, 3e9)), c("1", "0.5", "3000000000.0"))
})

test_that("identifiers avoid reserved words and names taken, as in Python", {
  reserved <- twinnet:::reserved_names()
  expect_true(all(c("keras", "layers", "np", "model", "x", "inputs", "name", "NA_integer_", "function", "TRUE",
                    "layer_dense", "c", "lambda", "None") %in% reserved))
  table <- jsonlite::read_json(system.file("specs", "codegen.json", package = "twinnet"))
  usable <- function(word) { # assigned, and read back
    tryCatch({
      env <- new.env()
      eval(parse(text = paste0(word, " <- 1234"), keep.source = FALSE), envir = env)
      identical(eval(parse(text = word, keep.source = FALSE)[[1L]], envir = env), 1234)
    }, error = function(e) FALSE)
  }
  expect_true(usable("lambda_"))
  for (word in unlist(table$r_reserved)) expect_false(usable(word), label = word)
  ids <- twinnet:::new_identifiers("b")
  got <- vapply(c("lambda", "b", "conv", "NA_integer_", "a_", "a\n", "a\n", "a__"),
                function(n) twinnet:::identifier(ids, n), "", USE.NAMES = FALSE)
  expect_identical(got, c("lambda_", "b_", "conv", "NA_integer__", "a_", "a__", "a__", "a___"))
})

test_that("an Input alone is written with the functional API in every language", {
  spec <- list(format_version = "1.0", name = "io", layers = list(list(type = "Input", shape = list(3L))))
  expect_match(to_code(spec, "python"), "model = keras.Model(inputs=input_1, outputs=input_1, name=\"io\")",
               fixed = TRUE)
  for (language in c("r", "r-reticulate")) {
    code <- to_code(spec, language)
    expect_length(parse(text = code, keep.source = FALSE), 3L)
    expect_false(grepl("|>", code, fixed = TRUE))
  }
})

test_that("block values are checked as the arguments they stand for", {
  spec <- function(default, arg) {
    list(format_version = "1.0", name = "p",
         blocks = list(b = list(params = list(k = default, free = list(any = "thing")),
                                layers = list(list(type = "Dense", units = 2L, kernel_initializer = "$k")))),
         layers = list(list(type = "Input", shape = list(4L)), list(block = "b", args = list(k = arg))))
  }
  expect_s3_class(load_spec(spec("zeros", list(class_name = "Constant", config = list(value = 1L)))), "twinnet_spec")
  bad <- list(list(list(class_name = "Zeros()"), "ones", "/blocks/b/params/k"),
              list("zeros", list(config = list(a = 1L)), "/layers/1/args/k"),
              list("zeros", "os.system", "/layers/1/args/k"))
  for (case in bad) {
    err <- spec_error_of(load_spec(spec(case[[1L]], case[[2L]])))
    expect_identical(c(err$path, err$kind), c(case[[3L]], "invalid_value"))
    expect_match(conditionMessage(err), "expected the name of a Keras initializer", fixed = TRUE)
  }
  expect_false(grepl("free", to_code(spec("zeros", "ones"), "python"), fixed = TRUE))
})

test_that("param_uses() follows arguments passed on to other blocks", {
  blocks <- list(
    inner = list(params = list(q = 1L, r = 1L),
                 layers = list(list(type = "Dense", units = "$q"), list(type = "Dropout", rate = "$q"))),
    outer = list(params = list(p = 1L, s = 1L),
                 layers = list(list(block = "inner", args = list(q = "$p", r = "$s"))))
  )
  uses <- twinnet:::param_uses(blocks, "outer")
  expect_identical(uses, list(p = list(c("Dense", "units"), c("Dropout", "rate")), s = list()))
  expect_identical(twinnet:::param_name("$units"), "units")
  expect_null(twinnet:::param_name("$units\n"))
  expect_null(twinnet:::param_name(3L))
})

test_that("the reticulate code compiles the spec's optimizer and its train_model() trains as fit_model()", {
  skip_if_no_python("keras")
  env <- new.env()
  eval(parse(text = to_code("conv1d_forecaster", "r-reticulate")), envir = env)
  want <- build_model("conv1d_forecaster", seed = 0)
  config <- function(m) {
    out <- m$optimizer$get_config()
    out[names(out) != "name"]
  }
  expect_equal(config(env$model), config(want))
  env$model$set_weights(want$get_weights())
  np <- reticulate::import("numpy", convert = TRUE)
  rng <- np$random$default_rng(0L)
  x <- array(rng$normal(size = 64L * 32L), c(64L, 32L, 1L))
  y <- array(rng$normal(size = 64L))
  reticulate::import("keras")$utils$set_random_seed(4L)
  shown <- reticulate::py_capture_output(got <- env$train_model(x, y)) # Keras's progress, as users see it
  expect_match(shown, "Epoch 1/200", fixed = TRUE)
  h <- fit_model(want, x, y, seed = 4, verbose = 0)
  expect_identical(env$model$get_weights(), want$get_weights())
  expect_identical(as.numeric(unlist(got$history$loss)), h$value[h$metric == "loss" & h$data == "training"])
})

test_that("the keras3 code writes the training settings with keras3's functions", {
  code <- to_code("conv1d_forecaster", "r")
  expect_match(code, "optimizer_sgd(learning_rate = 0.01, momentum = 0.9, nesterov = TRUE)", fixed = TRUE)
  expect_match(code, "  model |> fit(x, y, epochs = 200, batch_size = 32, validation_split = 0.2, callbacks = list(",
               fixed = TRUE)
  expect_match(code, "callback_reduce_lr_on_plateau(monitor = \"val_mae\", factor = 0.5, patience = 5)", fixed = TRUE)
  code <- to_code("cifar10_weight_decay", "r")
  expect_match(code, "optimizer_adam_w(learning_rate = learning_rate_schedule_cosine_decay(", fixed = TRUE)
  expect_match(code, "kernel_regularizer = regularizer_l2(l2 = 0.001)", fixed = TRUE)
  spec <- list(format_version = "1.0", name = "s", layers = list(list(type = "Input", shape = list(2L)),
                                                                 list(type = "Dense", units = 1L)),
               fit = list(callbacks = list(list(callback = "EarlyStopping", min_delta = 0.001))))
  # keras3's callback_early_stopping() would make min_delta = 0.001 an integer (0)
  expect_match(to_code(spec, "r"), "keras$callbacks$EarlyStopping(min_delta = 0.001)", fixed = TRUE)
})
