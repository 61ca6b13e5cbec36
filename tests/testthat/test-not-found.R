# A spec named by a path that is not there: "there is no file" with the path, as in Python
# (read.py's looks_like_path(); shared_specs/messages.json's "no_spec_file").

test_that("a missing spec file is not found, with its path", {
  err <- spec_error_of(load_spec("specs/cifar_small.json"))
  expect_equal(c(err$path, err$kind), c("", "not_found"))
  expect_match(conditionMessage(err), "there is no file 'specs/cifar_small.json'", fixed = TRUE)
  expect_false(grepl("is not a catalog name", conditionMessage(err), fixed = TRUE))
  err <- spec_error_of(load_spec("cifar.json"))
  expect_match(conditionMessage(err), "there is no file 'cifar.json'", fixed = TRUE)
  err <- spec_error_of(load_spec("lenet"))
  expect_match(conditionMessage(err), "'lenet' is not a catalog name", fixed = TRUE)
  expect_identical(err$hint, "did you mean 'lenet5'?")
})
