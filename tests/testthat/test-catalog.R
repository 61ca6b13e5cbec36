test_that("catalog() lists the built-in specs as Python's catalog() does", {
  cat <- catalog()
  expect_s3_class(cat, "data.frame")
  expect_named(cat, c("name", "title", "input", "output", "parameters", "tags"))
  expect_equal(cat$name, sort(cat$name, method = "radix"))
  expect_true(all(c("imdb_lstm", "lenet5", "mini_resnet", "mnist_mlp") %in% cat$name))
  row <- cat[cat$name == "lenet5", ]
  expect_equal(row$title, "LeNet-5")
  expect_equal(row$input, "32x32x1")
  expect_equal(row$output, "10")
  expect_equal(row$parameters, 61706)
  expect_equal(row$tags, "cnn, classic, mnist")
  expect_type(cat$parameters, "integer")
  expect_equal(cat[cat$name == "imdb_lstm", "input"], "100")
  expect_equal(cat[cat$name == "mini_resnet", "parameters"], 43706)
})

test_that("every catalog name loads, and the catalog files are the package's copy", {
  files <- list.files(system.file("specs", "models", package = "twinnet"), pattern = "\\.json$")
  expect_setequal(sub("\\.json$", "", files), catalog()$name)
})
