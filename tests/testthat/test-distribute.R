# Training beyond one device (R/distribute.R). The training itself runs in fresh
# processes, from tests/distribute (pytest, with worker.R): TensorFlow's devices
# and JAX's processes are fixed once per session. Here: what needs no new session.

distribute_error_of <- function(expr) {
  err <- tryCatch({
    expr
    NULL
  }, twinnet_distribute_error = function(e) e)
  expect_s3_class(err, "twinnet_distribute_error")
  err
}

test_that("batches that the replicas cannot share evenly are refused, and say what to change", {
  err <- distribute_error_of(twinnet:::check_batches(1010L, 64L, 4L))
  expect_identical(conditionMessage(err), paste0(
    "the last batch of each epoch would hold 50 samples (1010 training samples in batches of 64), which 4 ",
    "replicas cannot share evenly: each replica would average its own share, so the model would weigh those ",
    "samples unequally and train other weights than on one device. Leave out 2 samples (train on 1008), or ",
    "choose a batch size that leaves a last batch that 4 divides"))
  err <- distribute_error_of(twinnet:::check_batches(1000L, 63L, 2L))
  expect_match(conditionMessage(err), "a global batch of 63 samples cannot be shared evenly by 2 replicas", fixed = TRUE)
  err <- distribute_error_of(twinnet:::check_batches(1000L, 64L, 2L, 2L))
  expect_match(conditionMessage(err), "leave out 40 samples (train on 960)", fixed = TRUE)
  # a last batch of 40 is 10 for each of 4 replicas; one replica takes anything
  expect_null(twinnet:::check_batches(1000L, 64L, 4L))
  expect_null(twinnet:::check_batches(1010L, 63L, 1L))
  expect_null(twinnet:::check_batches(1024L, 64L, 2L, 2L))
})

test_that("the messages are messages.json's distribute_errors", {
  table <- twinnet:::shared_table("messages.json")$distribute_errors
  err <- distribute_error_of(twinnet:::stop_distribute("batch_not_divisible", batch = 10L, replicas = 4L))
  expect_identical(conditionMessage(err), twinnet:::fill_template(table$batch_not_divisible,
                                                                  list(batch = "10", replicas = "4")))
  expect_identical(twinnet:::format_whole(100000), "100000") # never 1e+05
})

test_that("replicas, processes and devices are whole numbers", {
  for (bad in list(0L, 1.5, "2", NA, c(1L, 2L))) {
    err <- distribute_error_of(twinnet:::whole_number("replicas", bad))
    expect_match(conditionMessage(err), "^replicas must be one whole number of at least 1")
  }
  expect_identical(twinnet:::whole_number("process_id", 0, 0L), 0L)
  expect_error(train_spec("lenet5", replicas = 0), class = "twinnet_distribute_error")
})

test_that("train_spec() refuses batches the replicas cannot share before anything starts", {
  skip_if_no_python("numpy") # the MNIST sample is read with NumPy
  err <- distribute_error_of(train_spec("lenet5", replicas = 3L, samples = 256L, batch_size = 64L))
  expect_match(conditionMessage(err), "cannot be shared evenly by 3 replicas", fixed = TRUE)
  err <- distribute_error_of(train_spec("resnet18", replicas = 2L))
  expect_match(conditionMessage(err), "resnet18 takes (224, 224, 3): give x and y", fixed = TRUE)
})

test_that("the digits take the shape of the spec's input, in C order", {
  skip_if_no_python("numpy")
  flat <- twinnet:::mnist_data("mnist_mlp", samples = 3L)
  images <- twinnet:::mnist_data("mnist_cnn", samples = 3L)
  expect_identical(dim(flat$x), c(3L, 784L))
  expect_identical(dim(images$x), c(3L, 28L, 28L, 1L))
  expect_equal(flat$x[2L, 28L * 9L + 15L], images$x[2L, 10L, 15L, 1L]) # row 10, column 15
  expect_identical(flat$y, mnist_split()$y_train[1:3])
})

test_that("once the backend runs, its devices cannot change, and one device is one replica", {
  skip_if_no_python("keras")
  model <- build_model("example_convolution_by_hand")
  expect_identical(count_replicas(model), 1L)
  backend <- twinnet:::distribute_backend()
  if (!backend %in% c("tensorflow", "jax")) { # PyTorch: no distribution
    err <- distribute_error_of(make_distribution(2L))
    expect_match(conditionMessage(err), "needs the TensorFlow or the JAX backend", fixed = TRUE)
    return(invisible())
  }
  model$predict(array(0, dim = c(1L, 3L, 3L, 1L)), verbose = 0L) # the backend has started
  have <- length(twinnet:::distribute_devices(backend))
  err <- distribute_error_of(split_cpu(have + 1L))
  expect_match(conditionMessage(err), "cannot change once it has started", fixed = TRUE)
  err <- distribute_error_of(make_distribution(have + 1L))
  expect_match(conditionMessage(err), sprintf("%d replicas need %d devices", have + 1L, have + 1L), fixed = TRUE)
  err <- distribute_error_of(build_model("example_convolution_by_hand", distribution = "two"))
  expect_match(conditionMessage(err), "not character$")
})
