# The R half of test_compiled_models.py: worker.py's "compiled" task in R, on the Keras backend that
# KERAS_BACKEND names: a small model compiled with each optimizer a spec may name and imported
# (from_keras()), the jit_compile of a model compiled here, the files of other backends read
# (compiled.BACKEND.keras) and, with "oom", oom.keras read with twinnet's limits off.
#   KERAS_BACKEND=torch Rscript compiled.R JOB.json
args <- commandArgs(trailingOnly = TRUE)
job <- jsonlite::read_json(args[[1L]])
suppressPackageStartupMessages(library(twinnet))
keras <- reticulate::import("keras")
np <- reticulate::import("numpy", convert = FALSE)
tiny <- list(format_version = "1.0", name = "tiny",
             layers = list(list(type = "Input", shape = list(3L)), list(type = "Dense", units = 2L)))
imported <- list()
for (cls in unlist(twinnet:::codegen_table()$optimizer_classes)) {
  model <- build_model(tiny, seed = 1L)
  model$compile(optimizer = keras$optimizers[[cls]](), loss = "mse")
  spec <- tryCatch(from_keras(model)$compile, twinnet_spec_error = function(e) paste("refused:", e$message))
  imported[[cls]] <- list(module = model$get_compile_config()$optimizer$module, spec = spec)
}
here <- build_model(tiny, seed = 1L)
here$compile(optimizer = "adam", loss = "mse")
result <- list(imported = imported, jit_compile = here$jit_compile, read = structure(list(), names = character()))
for (other in unlist(job$read_from)) {
  model <- read_model(file.path(job$dir, sprintf("compiled.%s.keras", other)))
  model$predict(np$zeros(c(2L, 3L), dtype = "float32"), verbose = 0L)
  result$read[[other]] <- list(jit_compile = model$jit_compile, recorded = model$get_compile_config()$jit_compile)
}
if (isTRUE(job$oom)) {
  options(twinnet.max_params = Inf, twinnet.max_activation = Inf)
  result$oom <- tryCatch({
    read_model(file.path(job$dir, "oom.keras"))
    list(kind = NULL, reason = "read")
  }, twinnet_model_file_error = function(e) list(kind = e$kind, reason = e$reason))
}
backend <- keras$backend$backend()
jsonlite::write_json(list(backend = backend, result = result), job$result, auto_unbox = TRUE, null = "null")
