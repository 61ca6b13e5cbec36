# to_code(): keras3-style R code that parses and uses only real keras3 names;
# reticulate code that builds the same model as build_model().

# Every call in parsed code: list(fn = name, args = argument names).
calls_in <- function(exprs) {
  found <- list()
  walk <- function(e) {
    if (is.call(e)) {
      fn <- e[[1L]]
      if (is.name(fn)) {
        found[[length(found) + 1L]] <<- list(fn = as.character(fn), args = names(as.list(e))[-1L])
      } else {
        walk(fn)
      }
      for (a in as.list(e)[-1L]) if (!missing(a)) walk(a)
    } else if (is.expression(e) || is.pairlist(e)) {
      for (a in as.list(e)) if (!missing(a)) walk(a)
    }
  }
  walk(exprs)
  found
}

# Functions of base R and the code's own block functions, which any R code may call.
R_SYNTAX <- c("<-", "{", "(", "-", "function", "library", "c", "list", "paste0", "array")

test_that("the keras3 code of every catalog spec parses and uses only keras3 names", {
  table <- keras3_functions()
  for (name in catalog()$name) {
    code <- to_code(name, "r")
    exprs <- parse(text = code, keep.source = FALSE)
    defined <- unlist(lapply(exprs, function(e) {
      if (is.call(e) && identical(e[[1L]], as.name("<-")) && is.call(e[[3L]]) &&
            identical(e[[3L]][[1L]], as.name("function"))) as.character(e[[2L]])
    }))
    for (call in calls_in(exprs)) {
      fn <- call$fn
      if (fn %in% c(R_SYNTAX, defined)) next
      expect_true(fn %in% names(table), label = sprintf("%s: %s() is a keras3 function", name, fn))
      allowed <- c(table[[fn]], if (startsWith(fn, "layer_")) c("name", "trainable"))
      used <- setdiff(call$args, "")
      expect_true(all(used %in% allowed),
                  label = sprintf("%s: %s(%s) uses keras3 argument names", name, fn, paste(used, collapse = ", ")))
    }
  }
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

test_that("the reticulate code builds the model build_model() builds", {
  skip_if_no_python("keras")
  for (name in c("lenet5", "mini_resnet", "example_edge_detection")) {
    env <- new.env()
    eval(parse(text = to_code(name, "r-reticulate")), envir = env)
    want <- build_model(name)
    configs <- function(m) {
      layers <- Filter(function(l) class(l)[[1L]] != "keras.src.layers.core.input_layer.InputLayer", m$layers)
      lapply(layers, function(l) list(l$name, l$get_config(), l$count_params()))
    }
    expect_equal(configs(env$model), configs(want), label = name)
    expect_equal(env$model$count_params(), want$count_params())
  }
})
