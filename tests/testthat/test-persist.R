# write_model() and read_model(): .keras files, checked, then loaded in Keras's safe mode.

tiny_keras_spec <- function() {
  list(format_version = "1.0", name = "tiny",
       layers = list(list(type = "Input", shape = list(3L)), list(type = "Dense", units = 2L)))
}

# A .keras file, written by Keras, whose Lambda layer carries code that leaves
# the file `flag` behind when it runs.
save_lambda_model <- function(path, flag) {
  keras <- reticulate::import("keras")
  code <- reticulate::py_eval(sprintf("lambda x: (open(%s, 'w').close(), x * 2)[1]", py_repr(flag)))
  inputs <- keras$Input(shape = reticulate::tuple(3L))
  model <- keras$Model(inputs, keras$layers$Lambda(code)(inputs))
  warnings <- reticulate::import("warnings")
  with(warnings$catch_warnings(), {
    warnings$simplefilter("ignore") # Keras warns that a lambda is unsafe to save
    model$save(path)
  })
  unlink(flag) # building the model ran the lambda once
  path
}

py_repr <- function(x) twinnet:::py_repr(x)

test_that("a model saved in R loads back with the same weights", {
  skip_if_no_python("keras")
  model <- build_model(tiny_keras_spec(), seed = 3L)
  path <- withr::local_tempfile(fileext = ".keras")
  expect_invisible(write_model(model, path))
  expect_identical(write_model(model, path), path)
  loaded <- read_model(path)
  expect_identical(lapply(loaded$get_weights(), c), lapply(model$get_weights(), c))
  x <- matrix(1, 2, 3)
  expect_identical(loaded$predict(x, verbose = 0L), model$predict(x, verbose = 0L))
})

test_that("a .keras file carrying a Lambda with code is refused and the code never runs", {
  skip_if_no_python("keras")
  dir <- withr::local_tempdir()
  flag <- file.path(dir, "the_lambda_ran")
  path <- save_lambda_model(file.path(dir, "lambda.keras"), flag)
  err <- tryCatch(read_model(path), twinnet_unsafe_model_error = function(e) e)
  expect_s3_class(err, c("twinnet_unsafe_model_error", "error", "condition"), exact = TRUE)
  expect_false(inherits(err, "twinnet_spec_error"))
  expect_equal(err$path, path)
  expect_match(err$reason, "lambda")
  expect_match(conditionMessage(err), "the model file carries Python code", fixed = TRUE)
  expect_false(file.exists(flag))
  # the file really carries code that runs: Keras outside safe mode runs it
  reticulate::import("keras")$models$load_model(path, safe_mode = FALSE)
  expect_true(file.exists(flag))
})

test_that("safe mode stays on after enable_unsafe_deserialization()", {
  skip_if_no_python("keras")
  state <- reticulate::import("keras.src.backend.common.global_state")
  before <- state$get_global_attribute("safe_mode_saving")
  withr::defer(state$set_global_attribute("safe_mode_saving", before))
  dir <- withr::local_tempdir()
  flag <- file.path(dir, "the_lambda_ran")
  path <- save_lambda_model(file.path(dir, "lambda.keras"), flag)
  reticulate::import("keras")$config$enable_unsafe_deserialization()
  expect_error(read_model(path), class = "twinnet_unsafe_model_error")
  expect_false(file.exists(flag))
})

test_that("read_model() wants a local .keras file", {
  err <- tryCatch(read_model("model.h5"), twinnet_model_file_error = function(e) e)
  expect_equal(c(err$kind, err$reason), c("not_a_keras_file", "a model file's name ends in .keras"))
  expect_error(read_model(42), "ends in .keras", fixed = TRUE, class = "twinnet_model_file_error")
  missing <- file.path(tempdir(), "missing.keras")
  err <- tryCatch(read_model(missing), twinnet_model_file_error = function(e) e)
  expect_equal(c(err$kind, err$reason, err$path), c("not_found", "there is no such file", missing))
  skip_if_no_python("keras")
  expect_error(write_model(build_model(tiny_keras_spec()), "model.json"), "ends in .keras", fixed = TRUE)
  text <- withr::local_tempfile(fileext = ".keras")
  writeLines("not a zip archive", text)
  err <- tryCatch(read_model(text), error = function(e) e)
  expect_s3_class(err, "twinnet_model_file_error")
  expect_match(conditionMessage(err), "is not a .keras file", fixed = TRUE)
  expect_false(inherits(err, "twinnet_unsafe_model_error"))
})

test_that("twinnet masks neither of keras3's save_model() and load_model()", {
  exports <- getNamespaceExports("twinnet")
  expect_true(all(c("write_model", "read_model") %in% exports))
  expect_false(any(c("save_model", "load_model") %in% exports))
})

# Python helpers that write .keras archives: the good members of a file, one
# replaced or left out, deflated so that a large member stays small on disk.
archive_python <- function() {
  reticulate::py_run_string(paste(
    "def craft(good, path, name, data, drop=()):",
    "    import zipfile",
    "    with zipfile.ZipFile(good) as z:",
    "        parts = {n: z.read(n) for n in z.namelist()}",
    "    if data is not None:",
    "        parts[name] = bytes(data)",
    "    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:",
    "        for n, d in parts.items():",
    "            if n not in drop:",
    "                z.writestr(n, d)",
    "    return path",
    "def config_of(good):",
    "    import zipfile",
    "    with zipfile.ZipFile(good) as z:",
    "        return z.read('config.json').decode()",
    sep = "\n"
  ), local = TRUE, convert = TRUE)
}

# TINY's config with an input of a million values and a Dense layer of a million units;
# inexpressible: with a kernel constraint, which a spec cannot hold, so that twinnet
# estimates instead of importing (hostile_keras.py's huge_dense()).
huge_dense_config <- function(text, build, shapes, inexpressible = FALSE) {
  config <- jsonlite::parse_json(text, simplifyVector = FALSE)
  config$config$layers[[1]]$config$batch_shape <- list(NULL, 1000000L)
  dense <- config$config$layers[[2]]
  dense$config$units <- 1000000L
  if (inexpressible) {
    dense$config$kernel_constraint <- list(module = "keras.constraints", class_name = "MaxNorm",
                                           config = list(max_value = 2, axis = 0L), registered_name = NULL)
  }
  if (build) dense$build_config$input_shape <- list(NULL, 1000000L) else dense$build_config <- NULL
  if (shapes) dense$inbound_nodes[[1]]$args[[1]]$config$shape <- list(NULL, 1000000L)
  config$config$layers[[2]] <- dense
  jsonlite::toJSON(config, auto_unbox = TRUE, null = "null", digits = NA)
}

model_file_error_of <- function(expr) {
  tryCatch({
    expr
    NULL
  }, twinnet_model_file_error = function(e) e)
}

test_that("hostile .keras files are refused with what is wrong, before Keras allocates anything", {
  skip_if_no_python("keras")
  dir <- withr::local_tempdir()
  good <- write_model(build_model(tiny_keras_spec(), seed = 1L), file.path(dir, "good.keras"))
  py <- archive_python()
  text <- py$config_of(good)
  craft <- function(name, data, member = "config.json", drop = character()) {
    py$craft(good, file.path(dir, paste0(name, ".keras")), member,
             if (is.null(data)) NULL else charToRaw(data), reticulate::tuple(as.list(drop)))
  }
  cases <- list(
    list(craft("bomb", strrep(" ", 2e7)), "too_large", paste0(
      "^config\\.json is 20,000,000 bytes uncompressed \\([0-9,]+ compressed\\), more than the 10,000,000 ",
      "bytes that a model's configuration may have$")),
    list(craft("empty", ""), "malformed", "config.json is not valid JSON"),
    list(craft("list", "[]"), "malformed", "config.json holds an array, not an object that describes a model"),
    list(craft("not_json", "model = Sequential()"), "malformed", "config.json is not valid JSON"),
    list(craft("deep", paste0('{"class_name": "Functional", "config": ', strrep("[", 5000), strrep("]", 5000), "}")),
         "malformed", "config.json nests arrays and objects more than 64 levels deep"),
    list(craft("no_layers", '{"class_name": "Functional", "config": {}}'), "malformed",
         "config.json describes a Functional model without a list of layers"),
    list(craft("huge_dense", huge_dense_config(text, build = TRUE, shapes = TRUE)), "too_large", paste0(
      "layer 'dense_1' (Dense) brings the model it describes to about 1,000,001,000,000 parameters, above the ",
      "limit of 500,000,000")),
    list(craft("huge_flowing", huge_dense_config(text, build = FALSE, shapes = FALSE)), "too_large", paste0(
      "the model it describes is too large: layer 'dense_1' (Dense) brings the model to 1,000,001,000,000 ",
      "parameters, above the limit of 500,000,000")),
    list(craft("huge_unshaped", huge_dense_config(text, build = FALSE, shapes = FALSE, inexpressible = TRUE)),
         "malformed", paste0("layer 'dense_1' (Dense) records no input shape (build_config), which Keras writes ",
                             "for every layer it has built, so what building it costs is unknown")),
    list(craft("no_weights", NULL, drop = "model.weights.h5"), "malformed",
         "it has neither model.weights.h5 nor model.weights.npz")
  )
  for (case in cases) {
    err <- model_file_error_of(read_model(case[[1]]))
    expect_s3_class(err, c("twinnet_model_file_error", "error", "condition"), exact = TRUE)
    expect_equal(err$kind, case[[2]], info = case[[1]])
    if (basename(case[[1]]) == "bomb.keras") {
      expect_match(err$reason, case[[3]], info = case[[1]])
    } else {
      expect_equal(err$reason, case[[3]], info = case[[1]])
    }
    expect_equal(err$path, case[[1]])
    expect_false(grepl("Python code", conditionMessage(err), fixed = TRUE))
  }
  err <- model_file_error_of(read_model(file.path(dir, "huge_dense.keras")))
  expect_equal(err$detail, "raise it with options(twinnet.max_params = ...)")
})

test_that("the limits apply to a model file and to its members", {
  skip_if_no_python("keras")
  dir <- withr::local_tempdir()
  path <- write_model(build_model(tiny_keras_spec(), seed = 1L), file.path(dir, "tiny.keras"))
  withr::local_options(twinnet.max_params = 5)
  err <- model_file_error_of(read_model(path))
  expect_equal(err$reason, paste0("layer 'dense_1' (Dense) brings the model it describes to about 8 parameters, ",
                                  "above the limit of 5"))
  withr::local_options(twinnet.max_params = NULL, twinnet.max_model_bytes = 1000)
  err <- model_file_error_of(read_model(path))
  expect_equal(err$kind, "too_large")
  expect_match(err$reason, paste0("^its members add up to [0-9,]+ bytes uncompressed \\([0-9,]+ compressed\\), ",
                                  "more than the limit of 1,000 bytes$"))
  expect_equal(err$detail, "raise it with options(twinnet.max_model_bytes = ...)")
})

test_that("safe mode fails closed", {
  skip_if_no_python("keras")
  err <- model_file_error_of(twinnet:::safe_mode_module("m.keras", "keras.src.saving.no_such_module"))
  expect_equal(err$kind, "no_safe_mode")
  expect_equal(err$reason, paste0("this Keras has no keras.src.saving.no_such_module.SafeModeScope, which keeps ",
                                  "its safe mode on, so twinnet loads no model file with it"))
  expect_identical(twinnet:::safe_mode_module("m.keras"), twinnet:::model_files_table()$safe_mode_module)
})

test_that("what Keras raises while loading becomes a twinnet condition", {
  err <- twinnet:::keras_failure("m.keras", "ResourceExhaustedError", "OOM when allocating tensor")
  expect_s3_class(err, "twinnet_model_file_error")
  expect_equal(err$kind, "too_large")
  err <- twinnet:::keras_failure("m.keras", "ValueError",
                                 "Exception encountered: Requested the deserialization of a Python lambda. safe_mode")
  expect_s3_class(err, "twinnet_unsafe_model_error")
  err <- twinnet:::keras_failure("m.keras", "KeyError", "'layers'")
  expect_equal(c(err$kind, err$reason), c("malformed", "Keras cannot load it (KeyError: 'layers')"))
  # JAX raises one runtime error for every failure; its words say when memory ran out (as JAX's CPU
  # backend words it; tests/backends/test_compiled_models.py makes JAX run out)
  err <- twinnet:::keras_failure("m.keras", "XlaRuntimeError",
                                 "RESOURCE_EXHAUSTED: Out of memory allocating 40000000000000 bytes.")
  expect_equal(c(err$kind, err$reason), c("too_large", paste0(
    "Keras ran out of memory loading it (XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory ",
    "allocating 40000000000000 bytes.)")))
  expect_equal(twinnet:::keras_failure("m.keras", "JaxRuntimeError", "RESOURCE_EXHAUSTED: Out of memory")$kind,
               "too_large")
  expect_equal(twinnet:::keras_failure("m.keras", "XlaRuntimeError", "INTERNAL: RESOURCE_EXHAUSTED")$kind,
               "malformed")
  expect_equal(twinnet:::keras_failure("m.keras", "ValueError", "RESOURCE_EXHAUSTED: no")$kind, "malformed")
  # PyTorch's CPU allocator, as it words it
  torch_oom <- paste0("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: ",
                      "you tried to allocate 40000000000000 bytes. Error code 12 (Cannot allocate memory)")
  expect_equal(twinnet:::keras_failure("m.keras", "RuntimeError", torch_oom)$kind, "too_large")
  expect_equal(twinnet:::keras_failure("m.keras", "RuntimeError", "Expected all tensors on one device")$kind,
               "malformed")
})

test_that("a read model compiles with this backend's auto jit_compile, not the file's", {
  skip_if_no_python("keras")
  # a file carries the jit_compile that "auto" resolved to where it was written (JAX writes TRUE)
  keras <- reticulate::import("keras")
  model <- build_model(tiny_keras_spec(), seed = 1L)
  here <- keras$models$clone_model(model)
  here$compile(optimizer = "adam", loss = "mse")
  model$compile(optimizer = "adam", loss = "mse", jit_compile = !here$jit_compile)
  model$optimizer$build(model$trainable_variables) # as Keras builds it when it compiles a model it reads
  dir <- withr::local_tempdir()
  path <- write_model(model, file.path(dir, "elsewhere.keras"))
  read <- read_model(path)
  expect_identical(read$jit_compile, here$jit_compile)
  expect_identical(read$get_compile_config()$jit_compile, here$jit_compile)
  plain <- read_model(write_model(build_model(tiny_keras_spec(), seed = 1L), file.path(dir, "plain.keras")))
  expect_false(plain$compiled)
})

test_that("raw vectors go through the same checks", {
  skip_if_no_python("keras")
  model <- build_model(tiny_keras_spec(), seed = 4L)
  again <- unserialize_model(serialize_model(model))
  expect_identical(lapply(again$get_weights(), c), lapply(model$get_weights(), c))
  dir <- withr::local_tempdir()
  good <- write_model(model, file.path(dir, "good.keras"))
  bad <- archive_python()$craft(good, file.path(dir, "list.keras"), "config.json", charToRaw("[]"), reticulate::tuple())
  err <- model_file_error_of(unserialize_model(readBin(bad, "raw", file.size(bad))))
  expect_equal(c(err$path, err$reason),
               c("<bytes>", "config.json holds an array, not an object that describes a model"))
  expect_error(unserialize_model("text"), "raw vector")
})
