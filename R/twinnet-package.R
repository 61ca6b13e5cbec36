#' twinnet: one JSON spec, the same Keras model in R and in Python
#'
#' A twinnet spec describes a neural network in a short JSON document: Keras
#' layer class names and Keras's own argument names, sequential by default,
#' with named `inputs` for graphs and parameterised `blocks` with `repeat`.
#' The R and Python packages read the same specs (`shared_specs/`), expand
#' them to the same flat graph and build the same Keras model.
#'
#' The verbs, the same in both languages:
#' * [catalog()]: the built-in specs;
#' * [load_spec()]: a catalog name, file, JSON text or R list to a validated spec;
#' * [expand()]: the canonical flat graph (blocks unrolled, defaults written out,
#'   shapes and parameter counts);
#' * [build_model()]: an ordinary Keras model, through reticulate;
#' * [sitrep()]: which Python, Keras and TensorFlow are used.
#'
#' Training without the keras3 package: [compile_model()], [fit_model()],
#' [evaluate_model()], [predict_model()]; data: [mnist_sample()],
#' [mnist_split()], [pad_digits()], [load_dataset()].
#'
#' A bad spec signals a [twinnet_spec_error] whose `path` is a JSON Pointer
#' to the offending value, the same as in Python.
#'
#' twinnet uses the Python that reticulate chooses. Unless `RETICULATE_PYTHON`
#' is set, it prefers the first existing of the option `twinnet.python`, the
#' environment variable `TWINNET_PYTHON` and `~/.virtualenvs/r-twinnet/bin/python`.
#' Python is started on first use, not when the package is loaded.
#'
#' @keywords internal
"_PACKAGE"

# ggplot2's data pronoun in plot.twinnet_history()
utils::globalVariables(".data")
