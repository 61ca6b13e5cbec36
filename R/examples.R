# The lecture's worked examples: the output-size rule, and each example's
# numbers beside the model's (python/twinnet/examples.py).
#
# Each worked example is a catalog spec with fixed weights (`example_<name>`)
# and a file `specs/examples/<name>.json` (a copy of shared_specs/examples/)
# that holds the input and the expected output, which Python reads too.
#
# A cost example (`specs/examples/cost/<name>.json`) puts a number the lecture
# gives beside what cost() counts: `counts` names, per value of `expected`, a
# spec, its layers and the count ("connections", "macs", ...) summed over them.
# It needs no Python.

#' The output length of a convolution or a pooling
#'
#' With `padding = "valid"` (Keras's default), the lecture's rule
#' \eqn{\lfloor (n - k + 2p) / s \rfloor + 1}{floor((n - k + 2p) / s) + 1} for an input of length `n`
#' padded with `p` zeros on each side (a `ZeroPadding2D` layer before the
#' convolution), a window of `k` and a stride of `s`. With `padding = "same"`,
#' Keras pads so that the output has \eqn{\lceil n / s \rceil}{ceiling(n / s)} values whatever
#' the window (`k` is not used and `p` must be 0). Pooling follows the same
#' rules; Keras's pooling layers move by their window (`s = k`) unless
#' `strides` says otherwise. Python's `twinnet.conv_output_size()` is the same
#' function, for one length at a time.
#'
#' @param n The input length (rows or columns), a whole number >= 1.
#' @param k The window (kernel or pool) length, >= 1.
#' @param p The zeros added on each side, >= 0.
#' @param s The stride, >= 1.
#' @param padding `"valid"` or `"same"`, as Keras's `padding` argument.
#' @return An integer vector: the output lengths (the arguments are recycled).
#' @seealso [run_examples()]; the `example_padding_stride` spec.
#' @examples
#' conv_output_size(6, 3)             # the Sobel example: 6x6 image, 3x3 kernel -> 4x4
#' conv_output_size(3, 2, p = 1, s = c(3, 2))  # padded by 1, strides 3 down and 2 across
#' conv_output_size(32, 3, s = 2, padding = "same")
#' @export
conv_output_size <- function(n, k, p = 0, s = 1, padding = c("valid", "same")) {
  padding <- match.arg(padding)
  check_whole(n, "n", 1)
  check_whole(k, "k", 1)
  check_whole(p, "p", 0)
  check_whole(s, "s", 1)
  size <- max(length(n), length(k), length(p), length(s))
  n <- rep_len(n, size)
  k <- rep_len(k, size)
  p <- rep_len(p, size)
  s <- rep_len(s, size)
  if (padding == "same") {
    if (any(p != 0)) stop('with padding = "same" Keras chooses the padding itself: leave p at 0', call. = FALSE)
    return(as.integer(ceiling(n / s)))
  }
  if (any(n + 2 * p < k)) {
    i <- which(n + 2 * p < k)[[1L]]
    stop(sprintf("the window (k = %s) is larger than the padded input (n + 2p = %s)",
                 int_text(k[[i]]), int_text(n[[i]] + 2 * p[[i]])), call. = FALSE)
  }
  as.integer((n - k + 2 * p) %/% s + 1)
}

check_whole <- function(x, name, low) {
  if (!is.numeric(x) || length(x) == 0L || anyNA(x) || any(!is.finite(x)) || any(x != round(x))) {
    stop(sprintf("`%s` must be whole numbers", name), call. = FALSE)
  }
  if (any(x < low)) stop(sprintf("`%s` must be >= %d, found %s", name, low, int_text(min(x))), call. = FALSE)
}

#' The lecture's worked examples
#'
#' `example_names()` lists the worked examples; `load_example()` reads one
#' example's file: `spec` (the catalog spec, `example_<name>`), `lecture` (what
#' the lecture says), `input` and `expected` (nested lists, the batch axis
#' included; `expected` has one entry per output when the model has several,
#' and `NULL` where the lecture gives no number), and for some `tolerance`,
#' `expected_from = "equations"` (the lecture gives equations but no numbers:
#' the numbers are its equations evaluated by hand), `train` and `note`. A
#' cost example (numbers of the lecture that [cost()] counts, such as
#' `"lenet5_c3_connections"`) has `what`, `expected` and `counts` instead of
#' `input`.
#'
#' @param name An example name, as `example_names()` gives, or a cost example's.
#' @return `example_names()`: a character vector; `load_example()`: a list,
#'   the JSON file as `jsonlite::parse_json()` reads it.
#' @seealso [run_examples()]
#' @examples
#' example_names()
#' str(load_example("convolution_by_hand"))
#' @export
example_names <- function() {
  files <- list.files(specs_path("examples"), pattern = "\\.json$")
  sort(sub("\\.json$", "", files), method = "radix")
}

# The cost examples, sorted: numbers of the lecture that cost() counts (examples.py's cost_example_names()).
cost_example_names <- function() {
  files <- list.files(specs_path("examples", "cost"), pattern = "\\.json$")
  sort(sub("\\.json$", "", files), method = "radix")
}

#' @rdname example_names
#' @export
load_example <- function(name) {
  if (json_is_string(name) && name %in% cost_example_names()) {
    return(read_json_file(specs_path("examples", "cost", paste0(name, ".json"))))
  }
  if (!json_is_string(name) || !name %in% example_names()) {
    hint <- if (json_is_string(name)) suggest(name, c(example_names(), cost_example_names())) else NULL
    stop(sprintf("'%s' is not a worked example (see example_names())%s", paste(name, collapse = ", "),
                 if (is.null(hint)) "" else paste0("; ", hint)), call. = FALSE)
  }
  read_json_file(specs_path("examples", paste0(name, ".json")))
}

#' Run the lecture's worked examples
#'
#' Builds each worked example's model (a catalog spec with fixed weights),
#' runs it on the example's input and puts the expected numbers beside the
#' model's: the lecture's own numbers (edge detection, convolution by hand,
#' padding and stride, a colour image, pooling), or, where the lecture gives
#' equations but no numbers (the RNN, LSTM, GRU and a training step), the
#' equations evaluated by hand. For the forward and backward propagation
#' example it also trains one step with the spec's optimizer and loss and
#' compares the loss and every weight after the step. A cost example puts
#' the lecture's counts beside those of [cost()] (LeNet-5's C3: 151,600
#' connections instead of 240,000). Python's `python -m twinnet examples`
#' prints the same table.
#'
#' @param names Example names (see [example_names()]; the cost examples,
#'   such as `"lenet5_c3_connections"`); all by default.
#' @return A data frame of class `twinnet_examples`, one row per comparison,
#'   that prints the numbers side by side: `example`, `title`, `what` (which
#'   output, loss or weight), `expected_from` (`"lecture"` or `"equations"`),
#'   `expected` and `model` (list columns of arrays; `NA` where the lecture
#'   gives no number), `tolerance` (0: exactly equal), `difference` (the
#'   largest absolute difference) and `agrees`.
#' @seealso [conv_output_size()], [example_names()]
#' @examples
#' \dontrun{
#' # needs Python with keras (see sitrep())
#' run_examples()
#' ex <- run_examples("rnn")
#' ex$model[[1]]
#' }
#' @export
run_examples <- function(names = NULL) {
  if (is.null(names)) names <- c(example_names(), cost_example_names())
  docs <- lapply(names, load_example) # an unknown name is refused before Python and Keras start
  keras <- keras_module()
  rows <- list()
  for (k in seq_along(names)) {
    name <- names[[k]]
    doc <- docs[[k]]
    if (name %in% cost_example_names()) {
      rows <- c(rows, cost_rows(name, doc))
      next
    }
    spec <- load_spec(doc$spec)
    title <- py_str(field(spec$data, "title", spec$data$name))
    outputs <- unlist(expand(spec)$outputs)
    model <- build_model(spec)
    x <- reticulate::np_array(json_array(doc$input), dtype = "float32")
    got <- model(x, training = FALSE) # not predict(): no tf.function to trace for each small model
    if (!is.list(got)) got <- list(got)
    got <- lapply(got, keras$ops$convert_to_numpy)
    expected <- doc$expected
    if (!json_is_object(expected)) expected <- stats::setNames(list(expected), outputs[[1L]])
    for (i in seq_along(outputs)) {
      rows[[length(rows) + 1L]] <- example_row(name, title, sprintf("output '%s'", outputs[[i]]), doc,
                                               expected[[outputs[[i]]]], got[[i]])
    }
    if (!is.null(doc$train)) rows <- c(rows, train_rows(name, title, doc, model, spec$data$compile, x))
  }
  examples_frame(rows)
}

# A cost example: the lecture's numbers beside the counts of cost(), one row (examples.py's _cost_rows()).
cost_rows <- function(name, doc) {
  tables <- list()
  have <- numeric()
  for (count in doc$counts) {
    if (is.null(tables[[count$spec]])) tables[[count$spec]] <- cost(count$spec)
    table <- tables[[count$spec]]
    have <- c(have, sum(table[[count$count]][match(unlist(count$layers), table$name)]))
  }
  list(example_row(name, spec_title(load_spec(doc$spec)), doc$what, doc, doc$expected, have))
}

# One step of the spec's optimizer on (input, target): the loss, then each weight after the step.
train_rows <- function(name, title, doc, model, settings, x) {
  compile_model(model, settings)
  train <- doc$train
  target <- reticulate::np_array(json_array(train$target), dtype = "float32")
  loss <- model$train_on_batch(x, target)
  rows <- list(example_row(name, title, sprintf("loss (%s) before the step", settings$loss), doc, train$loss, loss))
  for (layer_name in names(train$weights)) {
    layer <- model$get_layer(layer_name)
    variables <- layer$weights
    have <- layer$get_weights()
    for (i in seq_along(variables)) {
      what <- sprintf("'%s' %s after one %s step", layer_name, variables[[i]]$name, settings$optimizer)
      rows[[length(rows) + 1L]] <- example_row(name, title, what, doc, train$weights[[layer_name]][[i]], have[[i]])
    }
  }
  rows
}

example_row <- function(example, title, what, doc, expected, model) {
  want <- json_array(expected)
  have <- model
  storage.mode(have) <- "double"
  tolerance <- as.numeric(field(doc, "tolerance", 0))
  difference <- if (!identical(shape_of(want), shape_of(have))) {
    Inf
  } else {
    given <- !is.na(want)
    gaps <- abs(as.vector(have)[as.vector(given)] - as.vector(want)[as.vector(given)])
    if (length(gaps) > 0L) max(gaps) else 0
  }
  list(example = example, title = title, what = what, expected_from = field(doc, "expected_from", "lecture"),
       expected = want, model = have, tolerance = tolerance, difference = difference,
       agrees = !is.na(difference) && difference <= tolerance) # NaN from the model never agrees
}

examples_frame <- function(rows) {
  col <- function(name, type) vapply(rows, function(r) r[[name]], type)
  frame <- data.frame(example = col("example", ""), title = col("title", ""), what = col("what", ""),
                      expected_from = col("expected_from", ""), stringsAsFactors = FALSE)
  frame$expected <- lapply(rows, function(r) r$expected)
  frame$model <- lapply(rows, function(r) r$model)
  frame$tolerance <- col("tolerance", numeric(1))
  frame$difference <- col("difference", numeric(1))
  frame$agrees <- col("agrees", logical(1))
  class(frame) <- c("twinnet_examples", class(frame))
  frame
}

# The shape of an array as Python sees it: a plain number is a scalar.
shape_of <- function(x) {
  if (!is.null(dim(x))) return(as.integer(dim(x)))
  if (length(x) == 1L) integer(0) else length(x)
}

# A JSON array (nested lists, row by row) as an R array with the same indices;
# null becomes NA. A number stays a number.
json_array <- function(x) {
  flat <- function(v) {
    if (is.null(v)) return(NA_real_)
    if (is.list(v)) return(unlist(lapply(v, flat)))
    as.numeric(v)
  }
  dims <- integer()
  y <- x
  while (is.list(y) && length(y) > 0L) {
    dims <- c(dims, length(y))
    y <- y[[1L]]
  }
  if (length(dims) == 0L) return(flat(x))
  aperm(array(flat(x), dim = rev(dims)), rev(seq_along(dims)))
}

#' @export
format.twinnet_examples <- function(x, ...) {
  out <- character()
  seen <- character()
  for (i in seq_len(nrow(x))) {
    if (!x$example[[i]] %in% seen) {
      seen <- c(seen, x$example[[i]])
      if (length(out) > 0L) out <- c(out, "")
      doc <- load_example(x$example[[i]])
      out <- c(out, sprintf("%s [%s]", x$title[[i]], x$example[[i]]), paste0("  lecture: ", doc$lecture))
      if (!is.null(doc$note)) out <- c(out, paste0("  note: ", doc$note))
    }
    left <- if (x$expected_from[[i]] == "lecture") "the lecture" else "by hand"
    want <- array_lines(x$expected[[i]])
    have <- array_lines(x$model[[i]])
    width <- max(nchar(c(left, want)))
    out <- c(out, sprintf("  %s: %s", x$what[[i]], verdict(x[i, ])),
             sprintf("    %s   the model", pad_right(left, width)))
    n <- max(length(want), length(have))
    want <- c(want, rep("", n - length(want)))
    have <- c(have, rep("", n - length(have)))
    out <- c(out, sub(" +$", "", sprintf("    %s   %s", pad_right(want, width), have)))
  }
  bad <- sum(!x$agrees)
  c(out, "", sprintf("%d worked examples, %d comparisons: %s", length(seen), nrow(x),
                     if (bad == 0L) "all equal" else sprintf("%d DIFFERENT", bad)))
}

#' @export
print.twinnet_examples <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}

pad_right <- function(text, width) formatC(text, width = -width)

verdict <- function(row) {
  if (!row$agrees) return(sprintf("DIFFERENT (largest difference %s)", sprintf("%.3g", row$difference)))
  if (row$tolerance == 0) return("equal, exactly")
  sprintf("equal within %s (largest difference %s)", sprintf("%g", row$tolerance), sprintf("%.2g", row$difference))
}

# A number as Python's f"{v:.6g}" prints it; "?" for a number the lecture does not give.
format_number <- function(v) ifelse(is.na(v), "?", sprintf("%.6g", v + 0))

# An array without its length-1 axes, one line per row (the last axis across).
array_lines <- function(a) {
  a <- drop(a)
  d <- dim(a)
  if (is.null(d)) {
    if (length(a) == 1L) return(format_number(a))
    return(paste0("[", paste(format_number(a), collapse = ", "), "]"))
  }
  rows <- matrix(aperm(a, rev(seq_along(d))), ncol = d[[length(d)]], byrow = TRUE)
  apply(rows, 1L, function(r) paste0("[", paste(format_number(r), collapse = ", "), "]"))
}
