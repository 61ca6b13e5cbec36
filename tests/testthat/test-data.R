test_that("the MNIST sample has 500 digits of each class, as in Python", {
  skip_if_no_python("numpy")
  d <- mnist_sample()
  expect_identical(dim(d$x), c(5000L, 28L, 28L))
  expect_type(d$x, "integer")
  expect_equal(as.vector(table(d$y)), rep(500L, 10L))
  expect_true(all(d$x >= 0L & d$x <= 255L))
  readme <- readLines(system.file("extdata", "README.md", package = "twinnet"))
  expect_true(any(grepl("CC BY-SA 3.0", readme, fixed = TRUE)))
})

test_that("a digit is upright: rows are rows and columns are columns", {
  skip_if_no_python("numpy")
  d <- mnist_sample()
  one <- d$x[which(d$y == 1L)[1L], , ]
  # a "1" is a vertical stroke: its ink spreads over many rows and few columns
  expect_gt(sum(rowSums(one) > 0), sum(colSums(one) > 0))
})

test_that("the split is balanced, interleaved and disjoint", {
  skip_if_no_python("numpy")
  s <- mnist_split()
  expect_identical(dim(s$x_train), c(4000L, 28L, 28L))
  expect_identical(dim(s$x_test), c(1000L, 28L, 28L))
  expect_equal(as.vector(table(s$y_train)), rep(400L, 10L))
  expect_identical(s$y_train[1:20], rep(0:9, 2L))
  d <- mnist_sample()
  expect_identical(s$x_test[1, , ], d$x[5, , ]) # j = 4 of class 0 is the first test digit
})

test_that("pad_digits centres and scales", {
  x <- array(0L, c(1L, 28L, 28L))
  x[1, 1, 28] <- 255L
  p <- pad_digits(x)
  expect_identical(dim(p), c(1L, 32L, 32L, 1L))
  expect_equal(p[1, 3, 30, 1], 1)
  expect_equal(sum(p), 1)
})

test_that("Keras's loaders download, or say where to put the file", {
  skip_if_no_python("keras")
  res <- tryCatch(load_dataset("mnist"), twinnet_dataset_unavailable = function(e) e)
  if (inherits(res, "twinnet_dataset_unavailable")) {
    expect_match(conditionMessage(res), "datasets")
    expect_match(conditionMessage(res), "mnist_sample()", fixed = TRUE)
  } else {
    expect_identical(dim(res[[1]][[1]]), c(60000L, 28L, 28L))
  }
  expect_error(load_dataset("mnsit"), "Keras has")
})
