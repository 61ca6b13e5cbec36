test_that("a spec prints in one line, like Python's repr", {
  spec <- load_spec("lenet5")
  expect_equal(format(spec), "<twinnet spec 'lenet5': 9 layers, 61,706 parameters>")
  expect_snapshot(print(spec))
  expect_snapshot(load_spec("mini_resnet"))
  utils::capture.output(shown <- withVisible(print(spec)))
  expect_false(shown$visible)
  expect_identical(shown$value, spec)
})

test_that("summary() gives the layer table and the totals", {
  s <- summary(load_spec("lenet5"))
  expect_s3_class(s, c("summary.twinnet_spec", "data.frame"))
  expect_named(s, c("name", "type", "output_shape", "params", "macs", "connections"))
  expect_equal(s$output_shape[2], "(None, 28, 28, 6)")
  expect_type(s$params, "integer")
  expect_equal(sum(s$params), 61706L)
  expect_equal(attr(s, "params")$total, 61706L)
  expect_snapshot(s)
  expect_snapshot(summary(load_spec("mini_resnet")))
})

test_that("summary() gives cost()'s MACs and connections per layer and in total", {
  s <- summary(load_spec("lenet5"))
  costs <- cost("lenet5")
  expect_equal(s$macs, costs$macs)
  expect_equal(s$connections, costs$connections)
  expect_equal(s$macs[s$name == "c3"], 240000)
  expect_equal(s$connections[s$name == "c3"], 241600)
  expect_identical(attr(s, "cost"), list(macs = 416520, connections = 429342))
  shown <- utils::capture.output(print(s))
  expect_true(any(grepl("^ c3 +Conv2D +\\(None, 10, 10, 16\\) +2,416 +240,000 +241,600$", shown)))
  expect_identical(utils::tail(shown, 2L), c("MACs per sample: 416,520", "Connections per sample: 429,342"))
  # counts beyond R's integers stay exact doubles
  big <- summary(load_spec("yolov1")) # a convolution of 3,699,376,128 MACs
  expect_type(big$macs, "double")
  expect_identical(big$macs, cost("yolov1")$macs)
  expect_identical(attr(big, "cost")$macs, sum(cost("yolov1")$macs))
  # a recurrent layer counts its sequence
  rnn <- summary(load_spec("imdb_lstm"))
  expect_equal(rnn$macs[rnn$name == "lstm"], 100 * cost("imdb_lstm")$macs_per_step[[3L]])
})

test_that("errors print where the problem is", {
  expect_snapshot(load_spec("lenet"), error = TRUE)
  expect_snapshot(load_spec('{"format_version": "1.0", "name": "x",, }'), error = TRUE)
})
