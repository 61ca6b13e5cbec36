# The lecture's worked examples: Keras reproduces the lecture's numbers, and so
# does base R by hand.
#
# Each example is a catalog spec with fixed weights (`example_<name>`) and a
# file in shared_specs/examples/ (the package's copy: inst/specs/examples/)
# with the input and the expected output, which Python's tests read too. Where
# the arithmetic is exact in float32 (small integers, halves) the model must
# give the numbers exactly. Where sigmoid and tanh come in (the LSTM, the GRU,
# a training step) Keras computes in float32, about 7 significant digits, and
# the hand computation in double precision: there they agree within the
# file's tolerance, 1e-6 on values of size about 1.

json_array <- twinnet:::json_array

expected_of <- function(name) {
  doc <- load_example(name)
  outputs <- unlist(expand(doc$spec)$outputs)
  exp <- doc$expected
  if (is.null(names(exp))) exp <- stats::setNames(list(exp), outputs[[1L]])
  lapply(exp, json_array)
}

# The example's model and its outputs on the example's input, by output name.
predict_example <- function(name) {
  doc <- load_example(name)
  model <- build_model(doc$spec)
  got <- model(reticulate::np_array(json_array(doc$input), dtype = "float32"), training = FALSE) # as run_examples()
  if (!is.list(got)) got <- list(got)
  got <- lapply(got, reticulate::import("keras")$ops$convert_to_numpy)
  list(model = model, out = stats::setNames(got, unlist(expand(doc$spec)$outputs)))
}

# Equal where `want` gives a number: exactly when tolerance is 0.
expect_numbers <- function(have, want, tolerance = 0) {
  expect_equal(dim(have), dim(want))
  given <- !is.na(want)
  if (tolerance == 0) {
    expect_identical(as.vector(have)[as.vector(given)], as.vector(want)[as.vector(given)])
  } else {
    expect_lte(max(abs(as.vector(have)[as.vector(given)] - as.vector(want)[as.vector(given)])), tolerance)
  }
}

# Within an absolute tolerance, shapes included (Keras in float32, by hand in double).
expect_within <- function(have, want, tolerance) {
  expect_equal(dim(have), dim(want))
  expect_lte(max(abs(as.vector(have) - as.vector(want))), tolerance)
}

tolerance_of <- function(doc) if (is.null(doc$tolerance)) 0 else doc$tolerance

sigmoid <- function(z) 1 / (1 + exp(-z))

# The lecture's convolution: slide k over x, multiply element by element, add up (no flip).
correlate <- function(x, k, strides = c(1, 1)) {
  rows <- seq(1, nrow(x) - nrow(k) + 1, by = strides[[1]])
  cols <- seq(1, ncol(x) - ncol(k) + 1, by = strides[[2]])
  at <- function(i, j) sum(x[i + seq_len(nrow(k)) - 1, j + seq_len(ncol(k)) - 1] * k)
  matrix(mapply(at, rep(rows, times = length(cols)), rep(cols, each = length(rows))), length(rows))
}

# One rule (max, mean, sum) over non-overlapping size x size windows.
pool_by_hand <- function(x, rule, size = 2) {
  rows <- seq_len(nrow(x) %/% size)
  cols <- seq_len(ncol(x) %/% size)
  at <- function(i, j) rule(x[(i - 1) * size + seq_len(size), (j - 1) * size + seq_len(size)])
  matrix(mapply(at, rep(rows, times = length(cols)), rep(cols, each = length(rows))), length(rows))
}

# A matrix of the example's input, or of an output, without the batch and channel axes.
plane <- function(a) matrix(a, dim(a)[[2L]], dim(a)[[3L]])

# -- the catalog and the example files ---------------------------------------------------

test_that("every worked example has a spec and a file", {
  cat <- catalog()
  tagged <- cat$name[vapply(strsplit(cat$tags, ", ", fixed = TRUE), function(t) "worked-example" %in% t, TRUE)]
  expect_identical(tagged, paste0("example_", example_names()))
  expect_length(example_names(), 11L)
  files <- list.files(system.file("specs", "examples", package = "twinnet"), pattern = "\\.json$")
  expect_setequal(sub("\\.json$", "", files), example_names())
  expect_error(load_example("rnnn"), "did you mean 'rnn'")
})

test_that("each example file fits its spec", {
  for (name in example_names()) {
    doc <- load_example(name)
    g <- expand(doc$spec)
    shapes <- stats::setNames(lapply(g$layers, function(l) unlist(l$output_shape)), vapply(g$layers, `[[`, "", "name"))
    expect_equal(dim(json_array(doc$input))[-1], shapes[[g$inputs[[1]]]], label = name)
    for (out in names(expected_of(name))) {
      expect_equal(dim(expected_of(name)[[out]])[-1], shapes[[out]], label = paste(name, out))
    }
    tolerance <- if (name %in% c("forward_backward", "lstm", "gru")) 1e-6 else 0
    expect_equal(tolerance_of(doc), tolerance, label = name)
  }
})

test_that("the files hold the lecture's numbers as the issue states them", {
  edge <- plane(expected_of("edge_detection")$feature_map)
  for (i in 1:4) expect_identical(edge[i, ], c(0, -1020, -1020, 0))
  expect_identical(plane(expected_of("convolution_by_hand")$feature_map), rbind(c(9, 32), c(14, 26)))
  expect_identical(plane(expected_of("padding_stride")$feature_map), rbind(c(0, 8), c(6, 8)))
  expect_identical(expected_of("multichannel_convolution")$feature_map[1, 1, 1, 1], 308 - 498 + 164 + 1)
  expect_identical(plane(expected_of("max_pooling")$max_pool), rbind(c(8, 9), c(9, 6)))
  expect_identical(plane(expected_of("average_pooling")$average_pool), rbind(c(5, 4.5), c(6, 4.5)))
  expect_identical(plane(expected_of("sum_pooling")$sum_pool), rbind(c(20, 18), c(24, 18)))
  printed <- load_example("rnn")$lecture_prints
  expect_identical(as.vector(json_array(printed$hidden)), c(2, 6, 10, 14, 18))
  expect_identical(as.vector(json_array(printed$output)), c(2, 6, 10, 14, 18))
})

# -- Keras gives the expected numbers ------------------------------------------------------

test_that("each example's model gives the expected numbers", {
  skip_if_no_python()
  for (name in example_names()) {
    got <- predict_example(name)$out
    want <- expected_of(name)
    for (out in names(want)) expect_numbers(got[[out]], want[[out]], tolerance_of(load_example(name)))
  }
})

# -- convolution, by hand ---------------------------------------------------------------------

test_that("edge detection by hand: the Sobel kernel and min-max normalization", {
  skip_if_no_python()
  ex <- predict_example("edge_detection")
  image <- plane(json_array(load_example("edge_detection")$input))
  sobel <- ex$model$get_layer("feature_map")$get_weights()[[1]][, , 1, 1]
  expect_identical(sobel, rbind(c(1, 0, -1), c(2, 0, -2), c(1, 0, -1)))
  fmap <- correlate(image, sobel)
  expect_identical(dim(fmap), rep(conv_output_size(6, 3), 2))
  want <- expected_of("edge_detection")
  expect_identical(fmap, plane(want$feature_map))
  scaled <- (fmap - min(fmap)) / (max(fmap) - min(fmap)) * 255 # the lecture's "after normalization"
  expect_identical(scaled, plane(want$normalized))
  expect_numbers(ex$out$normalized, want$normalized)
})

test_that("convolution by hand", {
  skip_if_no_python()
  ex <- predict_example("convolution_by_hand")
  x <- plane(json_array(load_example("convolution_by_hand")$input))
  k <- ex$model$get_layer("feature_map")$get_weights()[[1]][, , 1, 1]
  expect_identical(k, rbind(c(1, 1), c(0, 1)))
  expect_identical(sum(x[1:2, 1:2] * k), 1 * 1 + 7 * 1 + 11 * 0 + 1 * 1)
  expect_identical(correlate(x, k), plane(expected_of("convolution_by_hand")$feature_map))
})

test_that("padding and stride by hand", {
  skip_if_no_python()
  ex <- predict_example("padding_stride")
  x <- plane(json_array(load_example("padding_stride")$input))
  padded <- matrix(0, 5, 5)
  padded[2:4, 2:4] <- x # p = 1: a ring of zeros
  k <- ex$model$get_layer("feature_map")$get_weights()[[1]][, , 1, 1]
  out <- correlate(padded, k, strides = c(3, 2))
  expect_identical(dim(out), conv_output_size(3, 2, p = 1, s = c(3, 2)))
  expect_identical(out, plane(expected_of("padding_stride")$feature_map))
})

test_that("a colour image by hand: 308 - 498 + 164 + 1 = -25", {
  skip_if_no_python()
  ex <- predict_example("multichannel_convolution")
  doc <- load_example("multichannel_convolution")
  x <- json_array(doc$input)
  rgb <- array(0, c(7, 7, 3)) # padding "same": the zeros the lecture draws around the image
  rgb[2:6, 2:6, ] <- x[1, , , ]
  weights <- ex$model$get_layer("feature_map")$get_weights()
  kernels <- weights[[1]][, , , 1]
  bias <- as.vector(weights[[2]])
  sums <- vapply(1:3, function(ch) sum(rgb[1:3, 1:3, ch] * kernels[, , ch]), numeric(1))
  expect_identical(sums, as.numeric(unlist(doc$intermediate$channel_sums)))
  expect_identical(sums, c(308, -498, 164))
  expect_identical(bias, 1)
  expect_identical(sum(sums) + bias, ex$out$feature_map[1, 1, 1, 1])
  expect_identical(sum(sums) + bias, expected_of("multichannel_convolution")$feature_map[1, 1, 1, 1])
  # and everywhere else the same convolution (the lecture works out the top-left only)
  full <- Reduce(`+`, lapply(1:3, function(ch) correlate(rgb[, , ch], kernels[, , ch]))) + bias
  expect_identical(full, plane(ex$out$feature_map))
})

# -- pooling ----------------------------------------------------------------------------------------

test_that("max, average and sum pooling by hand", {
  skip_if_no_python()
  cases <- list(list("max_pooling", "max_pool", max), list("average_pooling", "average_pool", mean),
                list("sum_pooling", "sum_pool", sum))
  for (case in cases) {
    ex <- predict_example(case[[1]])
    x <- plane(json_array(load_example(case[[1]])$input))
    by_hand <- pool_by_hand(x, case[[3]])
    expect_identical(by_hand, plane(expected_of(case[[1]])[[case[[2]]]]))
    expect_identical(plane(ex$out[[case[[2]]]]), by_hand)
    expect_identical(ex$model$count_params(), 0L) # pooling learns nothing
  }
})

test_that("sum pooling is average pooling times the window, without code", {
  layers <- load_spec("example_sum_pooling")$data$layers
  expect_identical(vapply(layers, `[[`, "", "type"), c("Input", "AveragePooling2D", "Rescaling"))
  expect_equal(layers[[3]]$scale, 2 * 2)
  expect_identical(expected_of("sum_pooling")$sum_pool, 4 * expected_of("average_pooling")$average_pool)
})

# -- the output-size rule ---------------------------------------------------------------------------

test_that("conv_output_size() follows the lecture's rule and Keras's same padding", {
  expect_identical(conv_output_size(6, 3), 4L) # the Sobel example
  expect_identical(conv_output_size(6, 3, p = 1), 6L) # padding 1 keeps 6x6
  expect_identical(conv_output_size(32, 5), 28L) # LeNet-5's C1
  expect_identical(conv_output_size(28, 2, s = 2), 14L) # LeNet-5's S2
  expect_identical(conv_output_size(3, 2, p = 1, s = c(3, 2)), c(2L, 2L))
  expect_identical(conv_output_size(c(32, 7), 3, s = 2, padding = "same"), c(16L, 4L))
  expect_error(conv_output_size(2, 3), "larger than the padded input")
  expect_error(conv_output_size(0, 1), "`n` must be >= 1")
  expect_error(conv_output_size(5, 3, s = 0), "`s` must be >= 1")
  expect_error(conv_output_size(5, 3, p = -1), "`p` must be >= 0")
  expect_error(conv_output_size(5.5, 3), "whole numbers")
  expect_error(conv_output_size(5, 3, p = 1, padding = "same"), "leave p at 0")
  expect_error(conv_output_size(5, 3, padding = "full"))
})

test_that("conv_output_size() is what Keras builds (a seeded random sweep)", {
  skip_if_no_python()
  keras <- reticulate::import("keras")
  axis <- function() { # n, k, p, s with a window that fits the padded input
    n <- sample(30L, 1L)
    p <- sample(0:3, 1L)
    c(n = n, k = sample(min(7L, n + 2L * p), 1L), p = p, s = sample(4L, 1L))
  }
  size <- function(tensor) as.integer(unlist(tensor$shape))[1:2]
  set.seed(20240723)
  for (i in 1:40) {
    a <- axis()
    b <- axis()
    x <- keras$Input(shape = list(a[["n"]], b[["n"]], 1L))
    pad <- keras$layers$ZeroPadding2D(list(list(a[["p"]], a[["p"]]), list(b[["p"]], b[["p"]])))
    window <- list(a[["k"]], b[["k"]])
    strides <- list(a[["s"]], b[["s"]])
    valid <- keras$layers$Conv2D(1L, window, strides = strides)(pad(x))
    same <- keras$layers$Conv2D(1L, window, strides = strides, padding = "same")(x)
    label <- paste(c(a, b), collapse = " ")
    expect_identical(size(valid), conv_output_size(c(a[["n"]], b[["n"]]), c(a[["k"]], b[["k"]]),
                                                   c(a[["p"]], b[["p"]]), c(a[["s"]], b[["s"]])), label = label)
    expect_identical(size(same), conv_output_size(c(a[["n"]], b[["n"]]), 1, s = c(a[["s"]], b[["s"]]),
                                                  padding = "same"), label = label)
    if (a[["n"]] >= a[["k"]] && b[["n"]] >= b[["k"]]) {
      pooled <- keras$layers$MaxPooling2D(window, strides = strides)(x)
      expect_identical(size(pooled), conv_output_size(c(a[["n"]], b[["n"]]), c(a[["k"]], b[["k"]]),
                                                      s = c(a[["s"]], b[["s"]])), label = label)
    }
  }
})

# -- forward and backward propagation -----------------------------------------------------------------

# The lecture's five steps forward, its chain rule backward, and one step of
# gradient descent. The loss is E = (O - y)^2, Keras's mean_squared_error for
# one sample with one output.
one_step_by_hand <- function(x, f, w, b, y, lr) {
  z1 <- correlate(x, f) # Z1 = X * f
  a1 <- sigmoid(z1) # A1 = sigmoid(Z1)
  a <- as.vector(t(a1)) # Flatten, row by row as Keras does
  z2 <- sum(w[, 1] * a) + b # Z2 = W^T A1 + b
  o <- sigmoid(z2) # O = sigmoid(Z2)
  de_dz2 <- 2 * (o - y) * o * (1 - o) # dE/dO * dO/dZ2
  de_dw <- matrix(a * de_dz2, ncol = 1) # ... * dZ2/dW = A1
  de_db <- de_dz2 # ... * dZ2/db = 1
  de_da1 <- matrix(w[, 1] * de_dz2, nrow(a1), byrow = TRUE) # ... * dZ2/dA1 = W
  de_dz1 <- de_da1 * a1 * (1 - a1) # ... * dA1/dZ1
  de_df <- correlate(x, de_dz1) # ... * dZ1/df: each filter weight meets the inputs it multiplied
  list(output = o, loss = (o - y)^2, f = f - lr * de_df, W = w - lr * de_dw, b = b - lr * de_db)
}

test_that("one gradient-descent step by hand equals Keras's", {
  skip_if_no_python()
  doc <- load_example("forward_backward")
  spec <- load_spec(doc$spec)
  settings <- spec$data$compile
  expect_identical(c(settings$optimizer, settings$loss), c("sgd", "mean_squared_error"))
  keras <- reticulate::import("keras")
  model <- build_model(spec)
  model$compile(optimizer = keras$optimizers$SGD(learning_rate = settings$learning_rate), loss = "mean_squared_error")
  kernel <- model$get_layer("z1")$get_weights()[[1]]
  dense <- model$get_layer("z2")$get_weights()
  x <- json_array(doc$input)
  target <- json_array(doc$train$target)
  hand <- one_step_by_hand(plane(x), kernel[, , 1, 1], dense[[1]], as.vector(dense[[2]]), target[[1]],
                           settings$learning_rate)

  tol <- doc$tolerance
  x32 <- reticulate::np_array(x, dtype = "float32")
  expect_within(as.vector(model$predict(x32, verbose = 0L)), hand$output, tol)
  loss <- model$train_on_batch(x32, reticulate::np_array(target, dtype = "float32"))
  expect_within(loss, hand$loss, tol)
  new_kernel <- model$get_layer("z1")$get_weights()[[1]]
  new_dense <- model$get_layer("z2")$get_weights()
  expect_within(new_kernel[, , 1, 1], hand$f, tol)
  expect_within(new_dense[[1]], hand$W, tol)
  expect_within(as.vector(new_dense[[2]]), hand$b, tol)
  expect_gt(max(abs(new_kernel - kernel)), 1e-3) # the step moved the filter
  # and the hand computation is what the shared file states
  train <- doc$train
  expect_within(hand$output, json_array(doc$expected)[[1]], tol)
  expect_within(hand$loss, train$loss, tol)
  expect_within(hand$f, json_array(train$weights$z1[[1]])[, , 1, 1], tol)
  expect_within(hand$W, json_array(train$weights$z2[[1]]), tol)
  expect_within(hand$b, as.vector(json_array(train$weights$z2[[2]])), tol)
})

# -- the RNN -------------------------------------------------------------------------------------------

test_that("the RNN by hand: h(t) = ReLU(U x(t) + W h(t-1)), o(t) = ReLU(V h(t))", {
  skip_if_no_python()
  ex <- predict_example("rnn")
  rnn <- vapply(ex$model$get_layer("hidden")$get_weights(), as.numeric, numeric(1))
  v <- as.numeric(ex$model$get_layer("output")$get_weights()[[1]])
  expect_identical(c(rnn, v), c(1, 1, 1)) # U, W, V
  xs <- as.vector(json_array(load_example("rnn")$input))
  h <- 0
  hidden <- outputs <- numeric()
  for (x in xs) {
    h <- max(0, rnn[[1]] * x + rnn[[2]] * h)
    hidden <- c(hidden, h)
    outputs <- c(outputs, max(0, v * h))
  }
  want <- expected_of("rnn")
  expect_identical(hidden, c(2, 6, 12, 20, 30))
  expect_identical(hidden, as.vector(want$hidden))
  expect_identical(hidden, as.vector(ex$out$hidden))
  expect_identical(outputs, as.vector(want$output))
  expect_identical(outputs, as.vector(ex$out$output))
})

test_that("the lecture's 10, 14, 18 add the previous input, not the previous hidden state", {
  skip_if_no_python()
  doc <- load_example("rnn")
  xs <- as.vector(json_array(doc$input))
  printed <- as.vector(json_array(doc$lecture_prints$hidden))
  model <- as.vector(predict_example("rnn")$out$hidden)
  expect_identical(printed[1:2], model[1:2]) # its first two steps follow its equations
  expect_identical(printed[-1], xs[-1] + xs[-length(xs)])
  expect_true(all(printed[3:5] != model[3:5]))
})

# -- LSTM and GRU -----------------------------------------------------------------------------------------

# Keras keeps one block of `units` columns per gate, side by side; split them by name.
gate_blocks <- function(kernel, recurrent, bias, order) {
  u <- nrow(recurrent)
  names <- strsplit(order, "")[[1]]
  blocks <- lapply(seq_along(names), function(j) {
    cols <- (j - 1) * u + seq_len(u)
    list(k = kernel[, cols, drop = FALSE], r = recurrent[, cols, drop = FALSE], b = as.vector(bias)[cols])
  })
  stats::setNames(blocks, names)
}

# The lecture's LSTM equations. Keras's gate order is i (the lecture's update gate), f, c, o.
lstm_by_hand <- function(xs, weights, order = "ifco") {
  g <- gate_blocks(weights[[1]], weights[[2]], weights[[3]], order)
  u <- nrow(weights[[2]])
  a <- cell <- rep(0, u)
  out <- matrix(0, nrow(xs), u)
  for (t in seq_len(nrow(xs))) {
    x <- xs[t, , drop = FALSE]
    pre <- lapply(g, function(w) drop(x %*% w$k + a %*% w$r) + w$b) # W_gate [a(t-1), x(t)] + b_gate
    cell <- sigmoid(pre$f) * cell + sigmoid(pre$i) * tanh(pre$c) # c = Gf * c + Gu * c~
    a <- sigmoid(pre$o) * tanh(cell) # a = Go * tanh(c)
    out[t, ] <- a
  }
  out
}

test_that("the LSTM equations by hand equal Keras's LSTM (gate order i, f, c, o)", {
  skip_if_no_python()
  ex <- predict_example("lstm")
  doc <- load_example("lstm")
  weights <- ex$model$get_layer("lstm")$get_weights()
  expect_identical(lapply(weights, function(w) as.integer(dim(w))), list(c(1L, 8L), c(2L, 8L), 8L))
  xs <- matrix(json_array(doc$input)[1, , ], ncol = 1)
  hand <- lstm_by_hand(xs, weights)
  tol <- doc$tolerance
  expect_within(ex$out$lstm[1, , ], hand, tol)
  expect_within(expected_of("lstm")$lstm[1, , ], hand, tol)
  for (wrong in c("fico", "ifoc")) expect_gt(max(abs(lstm_by_hand(xs, weights, wrong) - hand)), 1e-2)
})

# The lecture's GRU equations with Keras's weights (gate order z, r, h). Keras's
# update gate is the lecture's 1 - z. With reset_after (Keras's default) r
# multiplies the recurrent part after the matrix product, which then has its
# own bias (the bias's second row).
gru_by_hand <- function(xs, weights, reset_after, order = "zrh", flip_z = TRUE) {
  bias <- weights[[3]]
  u <- nrow(weights[[2]])
  bias_x <- if (reset_after) bias[1, ] else as.vector(bias)
  bias_h <- if (reset_after) bias[2, ] else rep(0, 3 * u)
  gx <- gate_blocks(weights[[1]], weights[[2]], bias_x, order)
  gh <- gate_blocks(weights[[1]], weights[[2]], bias_h, order)
  h <- rep(0, u)
  out <- matrix(0, nrow(xs), u)
  for (t in seq_len(nrow(xs))) {
    x <- xs[t, , drop = FALSE]
    from_x <- lapply(gx, function(w) drop(x %*% w$k) + w$b)
    z_keras <- sigmoid(from_x$z + drop(h %*% gh$z$r) + gh$z$b)
    r <- sigmoid(from_x$r + drop(h %*% gh$r$r) + gh$r$b)
    # reset_after: tanh(x Wx + bx + r * (h Uh + bh)); before: tanh(W [r * h, x] + b), as the lecture
    recurrent_part <- if (reset_after) r * (drop(h %*% gh$h$r) + gh$h$b) else drop((r * h) %*% gh$h$r)
    candidate <- tanh(from_x$h + recurrent_part)
    z <- if (flip_z) 1 - z_keras else z_keras # the lecture's update gate
    h <- (1 - z) * h + z * candidate # h(t) = (1 - z) h(t-1) + z h~
    out[t, ] <- h
  }
  out
}

test_that("the GRU equations by hand equal Keras's GRU (gate order z, r, h), with and without reset_after", {
  skip_if_no_python()
  ex <- predict_example("gru")
  doc <- load_example("gru")
  xs <- matrix(json_array(doc$input)[1, , ], ncol = 1)
  tol <- doc$tolerance
  before <- ex$model$get_layer("reset_before")$get_weights()
  after <- ex$model$get_layer("reset_after")$get_weights()
  # reset_after = TRUE needs a second row of biases, for the recurrent part
  expect_identical(lapply(before, function(w) as.integer(dim(w))), list(c(1L, 6L), c(2L, 6L), 6L))
  expect_identical(lapply(after, function(w) as.integer(dim(w))), list(c(1L, 6L), c(2L, 6L), c(2L, 6L)))
  for (case in list(list("reset_before", before, FALSE), list("reset_after", after, TRUE))) {
    hand <- gru_by_hand(xs, case[[2]], case[[3]])
    expect_within(ex$out[[case[[1]]]][1, , ], hand, tol)
    expect_within(expected_of("gru")[[case[[1]]]][1, , ], hand, tol)
    expect_gt(max(abs(gru_by_hand(xs, case[[2]], case[[3]], order = "rzh") - hand)), 1e-2)
  }
  # the same weights (the recurrent biases are zero): only where r acts differs, and it shows
  expect_identical(before[[1]], after[[1]])
  expect_identical(as.vector(before[[3]]), after[[3]][1, ])
  expect_true(all(after[[3]][2, ] == 0))
  expect_gt(max(abs(ex$out$reset_after - ex$out$reset_before)), 1e-3)
  # the lecture's z is Keras's 1 - z: Keras's z put in the lecture's update rule gives other numbers
  expect_gt(max(abs(gru_by_hand(xs, before, FALSE, flip_z = FALSE) - ex$out$reset_before[1, , ])), 1e-2)
})

# -- run_examples() ---------------------------------------------------------------------------------------

test_that("run_examples() puts the lecture's numbers beside the model's, and they agree", {
  skip_if_no_python()
  ex <- run_examples()
  expect_s3_class(ex, "twinnet_examples")
  expect_setequal(unique(ex$example), c(example_names(), "lenet5_c3_connections"))
  expect_identical(nrow(ex), 19L) # 14 outputs, the loss and three weights after the training step, C3's connections
  expect_true(all(ex$agrees))
  edge <- ex[ex$example == "edge_detection" & ex$what == "output 'feature_map'", ]
  expect_identical(edge$expected_from, "lecture")
  expect_identical(c(edge$tolerance, edge$difference), c(0, 0))
  text <- format(run_examples(c("convolution_by_hand", "multichannel_convolution")))
  expect_identical(text[[1]], "Worked example: a 3x3 input and a 2x2 kernel, by hand [convolution_by_hand]")
  expect_true("  output 'feature_map': equal, exactly" %in% text)
  expect_true("    [9, 32]       [9, 32]" %in% text)
  expect_true(any(startsWith(text, "    [-25, ?, ?, ?, ?]   [-25, ")))
  expect_identical(text[[length(text)]], "2 worked examples, 2 comparisons: all equal")
  expect_output(print(run_examples("rnn")), "[2, 6, 12, 20, 30]   [2, 6, 12, 20, 30]", fixed = TRUE)
})

test_that("run_examples() prints what Python's `python -m twinnet examples` prints", {
  skip_if_no_python("twinnet")
  py <- reticulate::import("twinnet", convert = FALSE)
  names <- c("edge_detection", "rnn", "forward_backward", "gru")
  from_python <- strsplit(reticulate::py_to_r(py$format_examples(py$run_examples(names))), "\n", fixed = TRUE)[[1]]
  expect_identical(format(run_examples(names)), from_python)
})
