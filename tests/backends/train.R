# The R half of test_training_backends.py: worker.py's "train" task in R, on the Keras backend that
# KERAS_BACKEND names: build each spec with portable initial weights, train it on the parent's data
# (no shuffling), write its weights (train.SPEC.r.BACKEND.npz) and losses (the result file).
#   KERAS_BACKEND=jax Rscript train.R JOB.json
args <- commandArgs(trailingOnly = TRUE)
job <- jsonlite::read_json(args[[1L]])
suppressPackageStartupMessages(library(twinnet))
np <- reticulate::import("numpy", convert = FALSE)
helpers <- reticulate::py_run_string(
  "def save(path, model):\n    import numpy\n    numpy.savez(path, *model.get_weights())",
  local = TRUE, convert = FALSE
)
backend <- reticulate::py_to_r(reticulate::import("keras", convert = FALSE)$backend$backend())
result <- list(backend = backend, result = list())
for (run in job$runs) {
  data <- np$load(file.path(job$dir, run$data))
  x <- reticulate::py_to_r(data$`__getitem__`("x"))
  y <- reticulate::py_to_r(data$`__getitem__`("y"))
  model <- build_model(run$spec, seed = job$seed, init = "portable")
  history <- fit_model(model, x, y, epochs = run$epochs, batch_size = run$batch_size, shuffle = FALSE,
                       seed = job$seed, verbose = 0L)
  helpers$save(file.path(job$dir, sprintf("train.%s.r.%s.npz", run$spec, backend)), model)
  # as text of 17 significant digits: JSON numbers from jsonlite keep at most 15
  result$result[[run$spec]] <- list(loss = I(sprintf("%.17g", history$value[history$metric == "loss"])))
}
jsonlite::write_json(result, job$result, auto_unbox = TRUE)
