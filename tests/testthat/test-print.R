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
  expect_named(s, c("name", "type", "output_shape", "params"))
  expect_equal(s$output_shape[2], "(None, 28, 28, 6)")
  expect_type(s$params, "integer")
  expect_equal(sum(s$params), 61706L)
  expect_equal(attr(s, "params")$total, 61706L)
  expect_snapshot(s)
  expect_snapshot(summary(load_spec("mini_resnet")))
})

test_that("errors print where the problem is", {
  expect_snapshot(load_spec("lenet"), error = TRUE)
  expect_snapshot(load_spec('{"format_version": "1.0", "name": "x",, }'), error = TRUE)
})
