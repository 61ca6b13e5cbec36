# Keras's progress bars would fill the test log: the tests train quietly.
withr::local_options(list(twinnet.verbose = 0L), .local_envir = testthat::teardown_env())
