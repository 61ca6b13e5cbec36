test_that("catalog() lists the built-in specs as Python's catalog() does", {
  cat <- catalog()
  expect_s3_class(cat, "data.frame")
  expect_named(cat, c("name", "title", "input", "output", "parameters", "gmacs", "tags"))
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

test_that("the gmacs column is cost()'s total MACs per sample in billions, for every spec", {
  cat <- catalog()
  expect_type(cat$gmacs, "double")
  for (name in cat$name) {
    expect_identical(cat$gmacs[cat$name == name], sum(cost(name)$macs) / 1e9, label = name)
  }
  expect_identical(cat$gmacs[cat$name == "resnet50"], 3857973248 / 1e9)
  expect_identical(sprintf("%.3g", cat$gmacs[cat$name == "resnet50"]), "3.86")
  expect_identical(cat$gmacs[cat$name == "lenet5"], 416520 / 1e9)
  expect_true(all(cat$gmacs > 0 | grepl("pooling", cat$name)))
})

test_that("the gmacs column holds Python's numbers", {
  skip_if_no_python("twinnet")
  py <- reticulate::import("twinnet", convert = TRUE)
  rows <- py$catalog()
  theirs <- vapply(rows, function(r) r$gmacs, numeric(1))
  names(theirs) <- vapply(rows, function(r) r$name, "")
  cat <- catalog()
  expect_identical(unname(theirs[cat$name]), cat$gmacs)
})

test_that("catalog() prints what Python's twinnet catalog prints, GMACs to three significant digits", {
  lines <- format(catalog())
  expect_match(lines[[1]], "^name +title +input +output +parameters +GMACs +tags$")
  expect_match(grep("^resnet50 ", lines, value = TRUE), " 25,636,712 +3\\.86 ")
  expect_match(grep("^lenet5 ", lines, value = TRUE), " 61,706 +0\\.000417 ")
  expect_identical(vapply(c(0, 3.857973248, 0.00041652, 15.47, 0.0009996, 12345.6), twinnet:::format_significant, ""),
                   c("0", "3.86", "0.000417", "15.5", "0.00100", "12346"))
  expect_output(print(catalog()[1:2, ]), "GMACs")
  skip_if_no_python("twinnet")
  py <- reticulate::import("twinnet", convert = FALSE)
  from_python <- strsplit(reticulate::py_to_r(py$format_catalog(py$catalog())), "\n", fixed = TRUE)[[1]]
  expect_identical(lines, from_python)
})
