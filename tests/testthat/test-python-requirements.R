# Python's needs, declared to reticulate (py_require(), reticulate >= 1.41), from shared_specs/python.json.

test_that("the requirements come from shared_specs/python.json, per backend and system", {
  expect_identical(twinnet:::python_requirements("tensorflow", "Linux"), c("keras>=3.0", "numpy", "tensorflow-cpu"))
  expect_identical(twinnet:::python_requirements("tensorflow", "Darwin"), c("keras>=3.0", "numpy", "tensorflow"))
  expect_identical(twinnet:::python_requirements("jax", "Linux"), c("keras>=3.0", "numpy", "jax[cpu]"))
  expect_identical(twinnet:::python_requirements("nonsense", "Linux"), c("keras>=3.0", "numpy"))
  withr::with_envvar(c(KERAS_BACKEND = "jax-cpu"), expect_identical(twinnet:::keras_backend_name(), "jax"))
  withr::with_envvar(c(KERAS_BACKEND = NA), expect_identical(twinnet:::keras_backend_name(), "tensorflow"))
})

test_that("py_require() is used from reticulate 1.41 on, and NumPy 2 is read from 1.38 on", {
  expect_false(twinnet:::has_py_require(package_version("1.28")))
  expect_false(twinnet:::has_py_require(package_version("1.40.1")))
  has_it <- "py_require" %in% getNamespaceExports("reticulate")
  expect_identical(twinnet:::has_py_require(package_version("1.41.0")), has_it)
  expect_false(twinnet:::reads_numpy2(package_version("1.28")))
  expect_true(twinnet:::reads_numpy2(package_version("1.38.0")))
})

test_that("declaring hands the requirements to py_require(), and a refusal stays quiet", {
  declared <- NULL
  got <- withr::with_envvar(c(KERAS_BACKEND = "tensorflow"), twinnet:::declare_python_requirements(
    declare = function(packages) declared <<- packages
  ))
  expect_identical(declared, twinnet:::python_requirements("tensorflow"))
  expect_identical(got, declared)
  refused <- twinnet:::declare_python_requirements(declare = function(packages) warning("Python is running"))
  expect_null(refused)
  if (!twinnet:::has_py_require()) {
    # this reticulate (older than 1.41) has no py_require(): nothing is declared, as before
    expect_null(twinnet:::declare_python_requirements())
  }
})

test_that("the advice names NumPy's cap only for a reticulate that needs it", {
  advice <- twinnet:::python_fix_advice()
  expect_match(advice, "reticulate::py_install\\(c\\(\"keras>=3.0\", \"numpy\"")
  expect_identical(grepl("numpy<2", advice, fixed = TRUE), !twinnet:::reads_numpy2())
  expect_identical(grepl("py_require", advice, fixed = TRUE), twinnet:::has_py_require())
})
