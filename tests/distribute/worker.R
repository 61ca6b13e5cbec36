# worker.py in R: one training run in its own process, with R's twinnet::train_spec(), on the Keras
# backend that KERAS_BACKEND names:  KERAS_BACKEND=tensorflow Rscript worker.R JOB.json
# Writes the job's "weights" (.npz, float64: R's copy of each float32 weight, converted back exactly),
# "result" (JSON: the history as text of 17 significant digits, the replicas, the refusals) and, with
# "save", a .keras file of the trained model and its predictions (.npy).
`%||%` <- function(a, b) if (is.null(a)) b else a
args <- commandArgs(trailingOnly = TRUE)
job <- jsonlite::read_json(args[[1L]])
suppressPackageStartupMessages(library(twinnet))
np <- reticulate::import("numpy", convert = FALSE)
backend <- reticulate::py_to_r(reticulate::import("keras", convert = FALSE)$backend$backend())
done <- train_spec(job$spec, replicas = job$replicas, samples = job$samples, epochs = job$epochs,
                   batch_size = job$batch_size, seed = job$seed, shuffle = job$shuffle, verbose = 0L,
                   coordinator = job$coordinator, num_processes = job$num_processes %||% 1L,
                   process_id = job$process_id %||% 0L)
model <- done$model
do.call(np$savez, c(list(job$weights), model$get_weights()))
if (!is.null(job$save)) {
  write_model(model, job$save)
  x <- pad_digits(mnist_split()$x_test[1:200, , , drop = FALSE])
  np$save(paste0(job$save, ".npy"), np$asarray(predict_model(model, x, verbose = 0L), dtype = "float32"))
}
refusals <- vapply(job$refuse, function(case) {
  e <- tryCatch(twinnet:::check_batches(case$samples, case$batch_size, case$replicas, case$processes %||% 1L),
                twinnet_distribute_error = function(e) e)
  if (inherits(e, "twinnet_distribute_error")) conditionMessage(e) else ""
}, "")
h <- done$history
history <- lapply(split(h$value, h$metric), function(v) I(sprintf("%.17g", v)))
result <- list(backend = backend, replicas = done$replicas, seconds = done$seconds, history = history,
               processes = twinnet:::count_processes(), refusals = I(refusals))
jsonlite::write_json(result, job$result, auto_unbox = TRUE, digits = NA)
