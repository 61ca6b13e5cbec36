# The R half of the benchmarks (bench/run.py runs it and reads its JSON from stdout).
# Each figure: a warm-up, then `reps` timed runs; medians are computed by run.py.
suppressMessages(library(twinnet))
args <- commandArgs(trailingOnly = TRUE)
reps <- as.integer(args[[1]])
specs <- strsplit(args[[2]], ",", fixed = TRUE)[[1]]
x_file <- args[[3]]

# Seconds of `body(setup())`, for a warm-up and then `reps` runs (setup is not timed).
timed <- function(body, setup = function() NULL) {
  body(setup()) # warm-up
  vapply(seq_len(reps), function(i) {
    state <- setup()
    t0 <- proc.time()[["elapsed"]]
    body(state)
    proc.time()[["elapsed"]] - t0
  }, numeric(1))
}

out <- list()
keras <- reticulate::import("keras")
for (name in specs) {
  out[[paste0("expand/", name)]] <- timed(function(s) expand(load_spec(name)))
  out[[paste0("build/", name)]] <- timed(function(s) build_model(name, seed = 1L),
                                         setup = function() {
                                           gc() # R's references to the last model go, as Python's do
                                           keras$backend$clear_session()
                                         })
}

np <- reticulate::import("numpy", convert = FALSE)
for (name in c("lenet5", "resnet50")) {
  model <- build_model(name, seed = 1L)
  pool <- reticulate::py_to_r(np$load(file.path(x_file, paste0(name, ".npy"))))  # an R array
  for (batch in c(1L, 32L, 256L)) {
    x <- pool[seq_len(batch), , , , drop = FALSE]
    out[[sprintf("predict/%s/%d", name, batch)]] <- timed(function(s) predict_model(model, x, batch_size = batch,
                                                                                    verbose = 0L))
  }
}

s <- mnist_split()
x <- pad_digits(s$x_train)
out[["epoch/lenet5"]] <- timed(function(model) fit_model(model, x, s$y_train, epochs = 1L, batch_size = 64L,
                                                           seed = 1L, verbose = 0L),
                               setup = function() build_model("lenet5", seed = 1L))
cat(jsonlite::toJSON(out, digits = NA))
