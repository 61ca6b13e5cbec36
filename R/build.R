# Building an ordinary Keras model from the expanded graph (python/twinnet/build.py).

#' Build the Keras model a spec describes
#'
#' Expands the spec (see [expand()]) and builds a functional Keras model in
#' the Python that reticulate uses, layer by layer, with the same names and
#' arguments as Python's `twinnet.build_model()`. Fixed `weights` in the spec
#' are set after building.
#'
#' @param spec Anything [load_spec()] accepts: a catalog name, a file path,
#'   JSON text, an R list or a `twinnet_spec`.
#' @param seed `NULL`, or an integer: `keras.utils.set_random_seed(seed)` runs
#'   first, so the initial weights are the same on every build, in R and in
#'   Python.
#' @param compile If `TRUE` and the spec has `compile` settings, the model is
#'   compiled with them (see [compile_model()]), ready for [fit_model()].
#' @param init `"keras"`: the layers' Keras initializers draw the initial
#'   weights, with the backend's own random numbers (so TensorFlow, JAX and
#'   PyTorch draw different weights for one seed); `"portable"`: NumPy draws
#'   them from the same initializers' settings (see [set_portable_weights()]),
#'   bit-identical on every backend and in Python. Fixed `weights` in the spec
#'   win either way.
#' @param distribution `NULL` (one device), a number of replicas, or a
#'   distribution from [make_distribution()] (TensorFlow: a `tf.distribute`
#'   strategy; JAX: a `keras.distribution` distribution, which also becomes
#'   Keras's global one): the model is built in its scope, so that
#'   [fit_model()] (or keras3's `fit()`) trains it on those replicas. See
#'   [distribute].
#' @return The Keras model, a reticulate Python object (`keras.Model`), named
#'   after the spec: call its methods with `$` (`model$summary()`,
#'   `model$predict(x, verbose = 0L)`), or use it with the keras3 package
#'   where that is installed. When the spec has `fit` settings, the model
#'   carries them for [fit_model()] (as JSON text in its `twinnet_fit`
#'   attribute, which Python's `twinnet.fit_model()` reads too).
#' @seealso [expand()], [sitrep()] to see which Python, Keras and backend are
#'   used, [set_portable_weights()].
#' @examples
#' \dontrun{
#' # needs Python with keras and tensorflow (see sitrep())
#' model <- build_model("lenet5", seed = 1)
#' model$count_params()
#' x <- array(runif(2 * 32 * 32), dim = c(2, 32, 32, 1))
#' model$predict(x, verbose = 0L)
#' }
#' @export
build_model <- function(spec, seed = NULL, compile = TRUE, init = c("keras", "portable"), distribution = NULL) {
  if (!is.null(seed) && !(is.numeric(seed) && length(seed) == 1L && is.finite(seed) && seed == round(seed))) {
    stop("`seed` must be NULL or one whole number", call. = FALSE)
  }
  init <- match.arg(init, init_modes())
  if (!is.null(distribution)) { # the same model, built in the distribution's scope
    return(in_scope(distribution, function() build_model(spec, seed, compile, init)))
  }
  spec <- load_spec(spec)
  graph <- expand(spec)
  keras <- keras_module()
  if (!is.null(seed)) keras$utils$set_random_seed(as.integer(seed))
  tensors <- build_layers(keras, graph)
  ins <- lapply(graph$inputs, function(n) reticulate::py_get_item(tensors, n))
  outs <- lapply(graph$outputs, function(n) reticulate::py_get_item(tensors, n))
  model <- keras$Model(
    inputs = if (length(ins) == 1L) ins[[1L]] else ins,
    outputs = if (length(outs) == 1L) outs[[1L]] else outs,
    name = graph$name
  )
  if (identical(init, "portable")) set_portable_weights(model, seed)
  set_weights(model, graph)
  have <- model$count_params()
  if (have != graph$params$total) { # the shape rules and Keras disagree: a twinnet bug
    stop(sprintf("twinnet computed %s parameters, Keras built %s", format_count(graph$params$total),
                 format_count(have)), call. = FALSE)
  }
  if (isTRUE(compile) && !is.null(graph$compile)) compile_model(model, graph$compile)
  if (!is.null(graph$fit)) reticulate::py_set_attr(model, FIT_ATTRIBUTE, to_json(graph$fit))
  as_twinnet_model(model)
}

# The attribute of a model built from a spec with a "fit" section: its expanded
# settings as JSON text, which fit_model() reads (build.py's FIT_ATTRIBUTE).
FIT_ATTRIBUTE <- "twinnet_fit"

#' Compile a model with a spec's training settings
#'
#' Applies the `compile` block of a spec (optimizer, loss, metrics, learning
#' rate or learning-rate schedule, and the optimizer's arguments such as
#' `momentum` or `weight_decay`) exactly as Python's `twinnet.compile_model()`
#' does. [build_model()] calls it when the spec has such a block.
#'
#' @param model A Keras model, e.g. from [build_model()].
#' @param settings A spec's `compile` block: a list with `optimizer`, `loss`,
#'   and optionally `metrics`, `learning_rate` (a number, or a schedule such as
#'   `list(schedule = "ExponentialDecay", initial_learning_rate = 0.1,
#'   decay_steps = 1000, decay_rate = 0.96)`) and the optimizer's arguments;
#'   or a `twinnet_spec`, whose block is used. Arguments left out take Keras's
#'   defaults.
#' @return The model, compiled (invisibly), so that it can be piped on.
#' @examples
#' \dontrun{
#' model <- build_model("lenet5", compile = FALSE)
#' compile_model(model, load_spec("lenet5"))
#' }
#' @export
compile_model <- function(model, settings) {
  if (inherits(settings, "twinnet_spec")) settings <- settings$data$compile
  if (is.null(settings$optimizer) || is.null(settings$loss)) {
    stop("the spec has no `compile` settings (an optimizer and a loss)", call. = FALSE)
  }
  keras <- keras_module()
  full <- expand_compile(settings)
  model$compile(optimizer = make_optimizer(keras, full), loss = full$loss,
                metrics = as.list(as.character(unlist(full$metrics))))
  invisible(model)
}

# The optimizer of expanded `compile` settings: its class with every argument
# that is not null, the learning rate a number or a schedule object
# (build.py's make_optimizer()).
make_optimizer <- function(keras, settings) {
  args <- list()
  for (key in setdiff(names(settings), c("optimizer", "loss", "metrics"))) {
    value <- settings[[key]]
    if (is.null(value)) next
    if (key == "learning_rate" && json_is_object(value)) {
      schedule <- value[names(value) != "schedule"]
      value <- do.call(keras$optimizers$schedules[[value$schedule]], Filter(Negate(is.null), schedule))
    }
    args[[key]] <- value
  }
  do.call(keras$optimizers[[optimizer_class(settings$optimizer)]], args)
}

# A spec's regularizer as Keras's object: list(l1 = a) L1, list(l2 = b) L2,
# both L1L2; NULL stays NULL (build.py's make_regularizer()).
make_regularizer <- function(keras, value) {
  if (is.null(value)) return(NULL)
  if (has_field(value, "l1") && has_field(value, "l2")) return(keras$regularizers$L1L2(l1 = value$l1, l2 = value$l2))
  if (has_field(value, "l1")) return(keras$regularizers$L1(l1 = value$l1))
  keras$regularizers$L2(l2 = value$l2)
}

# A layer's config for Keras: its regularizers as Keras's objects, also in a
# wrapper's layer, which the bridge makes just before its wrapper, as
# build.py's _make_layer() does.
keras_config <- function(keras, layer) {
  config <- layer$config
  args <- layer_types()[[layer$type]]$args
  for (key in names(config)) {
    kind <- args[[key]]$kind
    if (identical(kind, "regularizer") && !is.null(config[[key]])) {
      config[[key]] <- make_regularizer(keras, config[[key]])
    } else if (identical(kind, "layer")) { # made by the bridge in turn (a layer draws a seed when made)
      config[[key]]$config <- keras_config(keras, config[[key]])
    }
  }
  config
}

# Make and call every layer, in Python: the layers' names, types, inputs and
# configs go over to Python in one conversion (the one reticulate applies to
# each argument of a call), and Keras is called from a short Python loop (PYTHON_HELPERS),
# not once per layer through reticulate. A layer Keras refuses is a spec error
# at that layer, with the first line of the exception's text. Returns a Python
# dict: layer name -> its output tensor (or the Input).
build_layers <- function(keras, graph) {
  layers <- lapply(graph$layers, function(l) {
    args <- layer_types()[[l$type]]$args
    wrapped <- names(args)[vapply(args, function(a) identical(a$kind, "layer"), logical(1))]
    list(name = l$name, type = l$type, inputs = l$inputs, config = keras_config(keras, l), wrapped = as.list(wrapped))
  })
  res <- python_helpers()$build_layers(keras, layers) # (converted as any argument is: in C, in one go)
  failed <- reticulate::py_to_r(reticulate::py_get_item(res, 0L))
  if (!is.null(failed)) {
    layer <- graph$layers[[failed + 1L]]
    text <- reticulate::py_to_r(reticulate::py_get_item(res, 1L))
    stop_spec_at(layer$source, "keras_refused", name = layer$name, type = layer$type,
                 reason = sub("^[A-Za-z_.]*(Error|Exception): ", "", first_line(text)))
  }
  reticulate::py_get_item(res, 2L)
}

# Python's keras module (imported on first use: loading twinnet stays fast).
keras_module <- function() python_module("keras", "to build the model", convert = TRUE)

# The first line of a Python exception's text, without its class name.
python_error_text <- function(e) {
  last <- tryCatch(reticulate::py_last_error(), error = function(err) NULL)
  text <- if (!is.null(last) && !is.null(last$value)) last$value else conditionMessage(e)
  sub("^[A-Za-z_.]*(Error|Exception): ", "", first_line(text))
}

set_weights <- function(model, graph) {
  np <- python_module("numpy", "to set the weights", convert = FALSE)
  for (layer in graph$layers) {
    if (is.null(layer$weights)) next
    target <- model$get_layer(layer$name)
    want <- lapply(target$get_weights(), function(w) as.integer(dim(w) %||% length(w)))
    arrays <- lapply(layer$weights, function(w) weight_array(np, layer, w))
    have <- lapply(arrays, function(a) as.integer(unlist(reticulate::py_to_r(a$shape))))
    if (!identical(want, have)) {
      stop_spec_at(paste0(layer$source, "/weights"), "weight_shapes", name = layer$name,
                   want = format_tuples(want), have = format_tuples(have))
    }
    target$set_weights(arrays)
  }
}

# One weight array of the spec (nested lists in C order) as a float32 numpy array.
weight_array <- function(np, layer, w) {
  tryCatch(
    np$asarray(reticulate::r_to_py(w), dtype = "float32"),
    error = function(e) {
      stop_spec_at(paste0(layer$source, "/weights"), "weights_not_rectangular", name = layer$name)
    }
  )
}

`%||%` <- function(x, y) if (is.null(x)) y else x
