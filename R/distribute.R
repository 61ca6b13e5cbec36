# Training beyond one device: several devices of one machine, or several
# processes (python/twinnet/distribute.py). The Python functions R needs are
# in inst/python/twinnet_bridge.py (distribution_kind(), runtime_started(),
# fit_datasets()); the tables in shared_specs/distribute.json, the messages in
# shared_specs/messages.json's "distribute_errors".

#' Training on several devices or processes
#'
#' A model built with `build_model(spec, distribution = ...)` trains on
#' several replicas and stays an ordinary Keras model: [fit_model()],
#' [evaluate_model()], [predict_model()], [write_model()] and keras3's verbs
#' work on it as usual. Python's `twinnet` has the same functions, with the
#' same arguments.
#'
#' * TensorFlow: a `tf.distribute.MirroredStrategy` over the machine's
#'   devices (GPUs, or the CPU split into logical devices by `split_cpu()`).
#'   Each replica takes its share of every global batch; the gradients are
#'   summed across replicas.
#' * JAX: a `keras.distribution.DataParallel` over
#'   `keras.distribution.list_devices()`; after `initialize_processes()`, over
#'   the devices of every process.
#'
#' `split_cpu(devices)` splits the CPU into `devices` logical devices, so
#' that a machine without accelerators can train on several replicas (to
#' teach and to test; it does not make training faster). It works only before
#' the backend first uses the CPU: call it first thing in a new R session.
#' Where the CPU has that many devices already, nothing changes.
#'
#' `initialize_processes()` joins `num_processes` processes (JAX only): each
#' calls it with the same `coordinator` (`"host:port"` of process 0, which
#' listens there) and its own `process_id`, before anything else uses Keras.
#' Without accelerators the processes exchange gradients over TCP (JAX's CPU
#' collectives, "gloo").
#'
#' `make_distribution(replicas)` makes the backend's distribution over
#' `replicas` devices (`NULL`: all of them), for `build_model()`'s
#' `distribution`, which also takes the number of replicas itself. On JAX,
#' the distribution becomes Keras's global one, which Keras's `fit()` reads.
#'
#' `count_replicas(model)` says how many replicas share each batch when the
#' model trains.
#'
#' The replicas must share every batch evenly: each averages the loss over
#' its share, and the shares count equally, so unequal shares would weigh
#' samples unequally and train other weights than one device. [fit_model()]
#' therefore stops with a condition of class `twinnet_distribute_error` when
#' the batch size is no multiple of the replicas, or the last batch of an
#' epoch cannot be shared evenly (across processes: is not full), and says
#' how many samples to leave out.
#'
#' @param devices How many logical devices to make of the CPU.
#' @param coordinator `"host:port"` of process 0.
#' @param num_processes How many processes train together.
#' @param process_id This process's index, 0 to `num_processes - 1`.
#' @param replicas How many devices share each batch; `NULL`: all.
#' @param model A model built with [build_model()].
#' @return `split_cpu()` and `initialize_processes()`: the devices' names
#'   (invisibly); `make_distribution()`: the Python object (a
#'   `tf.distribute.MirroredStrategy` or a `keras.distribution.DataParallel`);
#'   `count_replicas()`: an integer.
#' @seealso [train_spec()], [build_model()]
#' @examples
#' \dontrun{
#' split_cpu(2)  # first thing in a new R session
#' model <- build_model("lenet5", seed = 1, distribution = 2)
#' count_replicas(model)
#' d <- mnist_split()
#' fit_model(model, pad_digits(d$x_train), d$y_train, epochs = 2, batch_size = 64, seed = 1)
#' }
#' @name distribute
NULL

#' @rdname distribute
#' @export
split_cpu <- function(devices) {
  devices <- whole_number("devices", devices)
  backend <- distribute_backend()
  started <- python_helpers()$runtime_started
  if (identical(backend, "tensorflow")) {
    tf <- python_module("tensorflow", "to split the CPU", convert = TRUE)
    if (reticulate::py_to_r(started(backend))) { # its logical devices are fixed
      have <- tf$config$list_logical_devices("CPU")
      if (length(have) >= devices) return(invisible(device_names(have)))
      stop_distribute("split_too_late", backend = "TensorFlow", have = count_text(length(have), "logical device"),
                      devices = devices)
    }
    cpu <- tf$config$list_physical_devices("CPU")[[1L]]
    configs <- lapply(seq_len(devices), function(i) tf$config$LogicalDeviceConfiguration())
    tf$config$set_logical_device_configuration(cpu, configs)
    return(invisible(device_names(tf$config$list_logical_devices("CPU"))))
  }
  if (identical(backend, "jax")) {
    jax <- python_module("jax", "to split the CPU", convert = TRUE)
    if (reticulate::py_to_r(started(backend))) {
      have <- jax$local_devices(backend = "cpu")
      if (length(have) >= devices) return(invisible(device_names(have)))
      stop_distribute("split_too_late", backend = "JAX", have = count_text(length(have), "device"), devices = devices)
    }
    os <- reticulate::import("os", convert = TRUE)
    flag <- sprintf("--xla_force_host_platform_device_count=%d", devices)
    kept <- strsplit(os$environ$get("XLA_FLAGS", ""), " +")[[1L]]
    kept <- kept[nzchar(kept) & !startsWith(kept, "--xla_force_host_platform_device_count=")]
    os$environ$update(reticulate::dict(XLA_FLAGS = paste(c(kept, flag), collapse = " ")))
    return(invisible(device_names(jax$local_devices(backend = "cpu"))))
  }
  stop_distribute("backend", backend = backend)
}

#' @rdname distribute
#' @export
initialize_processes <- function(coordinator, num_processes, process_id) {
  num_processes <- whole_number("num_processes", num_processes)
  process_id <- whole_number("process_id", process_id, 0L)
  backend <- distribute_backend()
  if (!identical(backend, "jax")) stop_distribute("processes_backend", backend = backend)
  jax <- python_module("jax", "to join processes", convert = TRUE)
  keras <- keras_module()
  jax$config$update("jax_cpu_collectives_implementation", distribute_table()$cpu_collectives)
  keras$distribution$initialize(as.character(coordinator), num_processes, process_id)
  # when R ends, wait for the others (a barrier): process 0 holds the cluster's coordination service, and
  # reticulate does not finalize Python, whose objects would otherwise leave without a word
  the$processes <- new.env(parent = emptyenv())
  reg.finalizer(the$processes, function(e) jax$distributed$shutdown(), onexit = TRUE)
  invisible(device_names(keras$distribution$list_devices()))
}

#' @rdname distribute
#' @export
make_distribution <- function(replicas = NULL) {
  backend <- distribute_backend()
  if (!backend %in% names(distribute_table()$strategies)) stop_distribute("backend", backend = backend)
  names <- distribute_devices(backend)
  wanted <- if (is.null(replicas)) length(names) else whole_number("replicas", replicas)
  if (wanted > length(names)) {
    stop_distribute("too_few_devices", replicas = wanted, backend = backend,
                    have = count_text(length(names), "device"), names = paste(names, collapse = ", "))
  }
  keras <- keras_module()
  if (identical(backend, "tensorflow")) {
    tf <- python_module("tensorflow", "to train on several devices", convert = TRUE)
    return(tf$distribute[[distribute_table()$strategies[[backend]]]](devices = as.list(names[seq_len(wanted)])))
  }
  devices <- keras$distribution$list_devices()
  keras$distribution[[distribute_table()$strategies[[backend]]]](devices = devices[seq_len(wanted)])
}

#' @rdname distribute
#' @export
count_replicas <- function(model = NULL) {
  backend <- distribute_backend()
  if (identical(backend, "tensorflow") && !is.null(model)) {
    return(as.integer(model$distribute_strategy$num_replicas_in_sync))
  }
  if (identical(backend, "jax")) {
    dist <- keras_module()$distribution$distribution()
    if (!is.null(dist)) return(length(dist$device_mesh$devices))
  }
  1L
}

#' Build a spec and train it on several replicas
#'
#' What `twinnet train SPEC --replicas K` does on the command line, in R:
#' builds the spec under a distribution over `replicas` devices (see
#' [distribute]) and trains it with [fit_model()]. Where the machine has
#' fewer accelerators than `replicas`, the CPU is split into that many
#' devices ([split_cpu()]: do this in a new R session). With more than one
#' process (`num_processes`, JAX), this process first joins the others at
#' `coordinator` ([initialize_processes()]). Python's `twinnet.train_spec()` takes the same
#' arguments and trains the same weights.
#'
#' @inheritParams build_model
#' @inheritParams fit_model
#' @param replicas How many devices share each batch, in each process.
#' @param x,y Training inputs and targets; `NULL`: the first `samples`
#'   training digits of [mnist_split()], in the shape of the spec's input
#'   (specs that take digits: (784), (28, 28, 1) or (32, 32, 1)).
#' @param samples `NULL` (all 4,000), or how many of the MNIST digits.
#' @param coordinator,num_processes,process_id See [initialize_processes()].
#' @return A list of class `twinnet_trained`: `model` (trained), `history`
#'   (as from [fit_model()]), `replicas` and `seconds`.
#' @examples
#' \dontrun{
#' # in a new R session
#' done <- train_spec("lenet5", replicas = 2, seed = 1, epochs = 2, batch_size = 64)
#' done$history
#' }
#' @export
train_spec <- function(spec, replicas = 1L, x = NULL, y = NULL, seed = NULL, epochs = NULL, batch_size = NULL,
                       shuffle = NULL, verbose = NULL, init = c("keras", "portable"), samples = NULL,
                       coordinator = NULL, num_processes = 1L, process_id = 0L) {
  init <- match.arg(init, init_modes())
  replicas <- whole_number("replicas", replicas)
  num_processes <- whole_number("num_processes", num_processes)
  if (is.null(x) || is.null(y)) {
    data <- mnist_data(spec, samples)
    x <- data$x
    y <- data$y
  }
  # batches the replicas cannot share are refused before anything starts (fit_model() checks them again)
  settings <- fit_settings(NULL, spec)
  split <- as.numeric(settings$validation_split)
  count <- count_samples(x) %||% 0L
  check_batches(if (split > 0) as.integer(ceiling(count * (1 - split))) else count,
                as.integer(batch_size %||% settings$batch_size), replicas * num_processes, num_processes)
  if (num_processes > 1L) {
    if (replicas > 1L) split_cpu(replicas)
    initialize_processes(as.character(coordinator), num_processes, process_id)
  } else if (replicas > 1L && !has_accelerators()) {
    split_cpu(replicas)
  }
  started <- Sys.time()
  distributed <- num_processes > 1L || replicas > 1L
  distribution <- if (distributed) make_distribution(if (num_processes > 1L) NULL else replicas) else NULL
  model <- build_model(spec, seed = seed, init = init, distribution = distribution)
  history <- fit_model(model, x, y, epochs = epochs, batch_size = batch_size, shuffle = shuffle, seed = seed,
                       verbose = verbose)
  structure(list(model = model, history = history, replicas = count_replicas(model),
                 seconds = as.numeric(difftime(Sys.time(), started, units = "secs"))),
            class = "twinnet_trained")
}

#' @export
print.twinnet_trained <- function(x, ...) {
  epochs <- max(x$history$epoch)
  cat(sprintf("<twinnet trained %s: %d epoch%s on %d replica%s in %.1f s>\n", x$model$name, epochs,
              if (epochs == 1L) "" else "s", x$replicas, if (x$replicas == 1L) "" else "s", x$seconds))
  invisible(x)
}

# -- internals ---------------------------------------------------------------

# shared_specs/distribute.json (distribute.py's TABLE).
distribute_table <- function() shared_table("distribute.json")

# The condition `error` of messages.json's "distribute_errors", its placeholders filled
# (distribute.py's distribute_error(); Python raises twinnet.DistributeError).
distribute_error <- function(error, ...) {
  fields <- lapply(list(...), function(v) if (is.numeric(v)) format_whole(v) else as.character(v))
  template <- shared_table("messages.json")$distribute_errors[[error]]
  errorCondition(fill_template(template, fields), class = "twinnet_distribute_error", call = NULL)
}

stop_distribute <- function(error, ...) stop(distribute_error(error, ...))

format_whole <- function(v) formatC(v, format = "d", big.mark = "")

count_text <- function(n, word) sprintf("%d %s%s", as.integer(n), word, if (n == 1L) "" else "s")

# `value` as one whole number of at least `min`, else a twinnet_distribute_error.
whole_number <- function(what, value, min = 1L) {
  ok <- is.numeric(value) && length(value) == 1L && is.finite(value) && value == round(value) && value >= min
  if (!ok) stop_distribute("whole_number", what = what, min = min, value = paste(deparse(value), collapse = " "))
  as.integer(value)
}

distribute_backend <- function() as.character(keras_module()$backend$backend())

# The names of Python device objects (TensorFlow's LogicalDevice: its name; JAX's: str()).
device_names <- function(devices) {
  vapply(devices, function(d) {
    if (is.character(d)) return(d)
    if (reticulate::py_has_attr(d, "name") && is.character(d$name)) d$name else reticulate::py_str(d)
  }, "")
}

# The devices a distribution may use: accelerators where there are any, else the CPU's (logical) devices.
distribute_devices <- function(backend) {
  if (identical(backend, "tensorflow")) {
    tf <- python_module("tensorflow", "to train on several devices", convert = TRUE)
    gpus <- tf$config$list_logical_devices("GPU")
    return(device_names(if (length(gpus)) gpus else tf$config$list_logical_devices("CPU")))
  }
  device_names(keras_module()$distribution$list_devices())
}

# Whether the backend sees a GPU or a TPU (without starting TensorFlow's runtime for the CPU alone).
has_accelerators <- function() {
  backend <- distribute_backend()
  if (identical(backend, "tensorflow")) {
    tf <- python_module("tensorflow", "to train on several devices", convert = TRUE)
    return(length(tf$config$list_physical_devices("GPU")) > 0L)
  }
  if (identical(backend, "jax") && reticulate::py_to_r(python_helpers()$runtime_started(backend))) {
    jax <- python_module("jax", "to train on several devices", convert = TRUE)
    return(any(vapply(jax$devices(), function(d) d$platform != "cpu", TRUE)))
  }
  FALSE
}

# `build()` called under `distribution` (a number of replicas, a TensorFlow
# strategy or a Keras distribution); on JAX the distribution also becomes
# Keras's global one, which fit() reads (distribute.py's in_scope()).
in_scope <- function(distribution, build) {
  if (is.numeric(distribution)) distribution <- make_distribution(whole_number("replicas", distribution))
  backend <- distribute_backend()
  if (!backend %in% names(distribute_table()$strategies)) stop_distribute("backend", backend = backend)
  kind <- if (inherits(distribution, "python.builtin.object")) {
    reticulate::py_to_r(python_helpers()$distribution_kind(distribution))
  }
  if (!identical(kind, backend)) {
    stop_distribute("not_a_distribution", value = sub("^.*\\.", "", class(distribution)[[1L]]))
  }
  if (identical(backend, "jax")) keras_module()$distribution$set_distribution(distribution)
  scope <- distribution$scope()
  scope$`__enter__`()
  on.exit(scope$`__exit__`(NULL, NULL, NULL))
  build()
}

# How many processes train together (JAX's, under a Keras distribution; else 1).
count_processes <- function() {
  if (!identical(distribute_backend(), "jax")) return(1L)
  dist <- keras_module()$distribution$distribution()
  if (is.null(dist)) 1L else as.integer(dist$num_processes)
}

# Refuse batches that `replicas` replicas (in `processes` processes) cannot share
# evenly (distribute.py's check_batches(), which says why).
check_batches <- function(samples, batch_size, replicas, processes = 1L) {
  if (replicas <= 1L && processes <= 1L) return(invisible(NULL))
  if (batch_size %% replicas != 0L) stop_distribute("batch_not_divisible", batch = batch_size, replicas = replicas)
  last <- samples %% batch_size
  if (processes > 1L && last != 0L) {
    stop_distribute("partial_batch_processes", processes = processes, samples = samples, batch = batch_size,
                    last = last, keep = samples - last)
  }
  if (last %% replicas != 0L) {
    drop <- last %% replicas
    stop_distribute("uneven_last_batch", last = last, samples = samples, batch = batch_size, replicas = replicas,
                    drop = drop, keep = samples - drop)
  }
  invisible(NULL)
}

# How many samples `x` holds: an R array or vector, a NumPy array, or a list of them (the first).
count_samples <- function(x) {
  if (is.list(x) && !inherits(x, "python.builtin.object") && length(x)) x <- x[[1L]]
  if (inherits(x, "python.builtin.object")) {
    shape <- tryCatch(reticulate::py_to_r(x$shape), error = function(e) NULL)
    return(if (length(shape)) as.integer(shape[[1L]]) else NULL)
  }
  if (!is.null(dim(x))) return(dim(x)[[1L]])
  if (is.atomic(x)) length(x) else NULL
}

# Keras fit()'s arguments for a model that may train on several replicas
# (distribute.py's prepare_fit()): the batches checked; across processes,
# where Keras takes only a tf.data.Dataset, the arrays as datasets of global
# batches, shuffled (when asked) with `seed` (0 when NULL).
prepare_fit <- function(model, args, seed) {
  replicas <- count_replicas(model)
  processes <- count_processes()
  samples <- count_samples(args$x)
  if (is.null(samples) || (replicas <= 1L && processes <= 1L)) return(args)
  split <- args$validation_split %||% 0
  train <- if (split > 0) as.integer(ceiling(samples * (1 - split))) else samples # where Keras splits
  check_batches(train, args$batch_size, replicas, processes)
  if (processes <= 1L) return(args)
  val <- args$validation_data
  if (split > 0) {
    check_batches(samples - train, args$batch_size, replicas, processes)
  } else if (!is.null(val)) {
    check_batches(count_samples(reticulate::py_get_item(val, 0L)), args$batch_size, replicas, processes)
  }
  made <- python_helpers()$fit_datasets(args$x, args$y, val, train, args$batch_size, isTRUE(args$shuffle),
                                        if (is.null(seed)) 0L else as.integer(seed))
  out <- args[setdiff(names(args), c("y", "batch_size", "validation_split", "shuffle", "x", "validation_data"))]
  out$x <- reticulate::py_get_item(made, 0L)
  out$validation_data <- reticulate::py_get_item(made, 1L)
  out
}

# The training digits of mnist_split() in the shape of the spec's input, the first `samples` (distribute.py's mnist_data()).
mnist_data <- function(spec, samples = NULL) {
  graph <- expand(spec)
  shape <- as.integer(unlist(graph$layers[[1L]]$output_shape))
  kind <- distribute_table()$mnist_inputs[[paste(shape, collapse = "x")]]
  if (is.null(kind)) {
    stop_distribute("no_mnist_input", name = graph$name,
                    shape = sprintf("(%s%s)", paste(shape, collapse = ", "), if (length(shape) == 1L) "," else ""))
  }
  d <- mnist_split()
  n <- if (is.null(samples)) length(d$y_train) else whole_number("samples", samples)
  digits <- d$x_train[seq_len(n), , , drop = FALSE]
  x <- switch(kind,
    padded = pad_digits(digits),
    digits = array(digits / 255, dim = c(dim(digits), 1L)),
    flat = matrix(aperm(digits / 255, c(1L, 3L, 2L)), nrow = n) # C order: row by row
  )
  list(x = x, y = d$y_train[seq_len(n)])
}
