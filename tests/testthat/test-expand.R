test_that("expand() names every layer and writes every default out", {
  g <- expand("lenet5")
  expect_named(g, c("format_version", "name", "inputs", "outputs", "layers", "params", "compile"))
  expect_equal(g$format_version, "1.0")
  expect_equal(g$name, "lenet5")
  expect_equal(g$inputs, list("input"))
  expect_equal(g$outputs, list("output"))
  expect_equal(layer_names(g), c("input", "c1", "s2", "c3", "s4", "c5", "flatten", "f6", "output"))
  c1 <- g$layers[[2]]
  expect_named(c1, c("name", "type", "inputs", "config", "source", "output_shape", "params", "trainable_params"))
  expect_equal(c1$inputs, list("input"))
  expect_equal(c1$source, "/layers/1")
  expect_named(c1$config, c("filters", "kernel_size", "strides", "padding", "dilation_rate", "groups",
                            "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                            "bias_regularizer", "activity_regularizer", "trainable"))
  expect_equal(c1$config$kernel_size, list(5L, 5L))
  expect_equal(c1$config$strides, list(1L, 1L))
  expect_equal(c1$config$padding, "valid")
  expect_equal(c1$config$kernel_initializer, "glorot_uniform")
  expect_true(c1$config$trainable)
  # a pooling layer's strides default to its pool size
  expect_equal(g$layers[[3]]$config$strides, list(2L, 2L))
  expect_equal(g$layers[[1]]$inputs, list())
})

test_that("integers are R integers, numbers stay doubles, null stays NULL", {
  g <- expand("mini_resnet")
  stem <- g$layers[[2]]
  expect_type(stem$config$filters, "integer")
  expect_type(stem$config$kernel_size[[1]], "integer")
  expect_type(g$layers[[1]]$config$shape[[1]], "integer")
  bn <- g$layers[[3]]
  expect_type(bn$config$axis, "integer")
  expect_type(bn$config$momentum, "double")
  relu <- g$layers[[4]]
  expect_true("max_value" %in% names(relu$config))
  expect_null(relu$config$max_value)
  expect_type(relu$config$negative_slope, "double")
  expect_null(g$layers[[1]]$output_shape[[1]])
  expect_type(g$params$total, "integer")
})

test_that("blocks and repeats unroll with deterministic names", {
  g <- expand("mini_resnet")
  names <- layer_names(g)
  expect_equal(length(names), 36L)
  expect_equal(names[1:4], c("input", "stem", "stem_bn", "stem_relu"))
  expect_equal(names[5:11], paste0("stage1_1_", c("conv1", "bn1", "relu1", "conv2", "bn2", "add", "out")))
  expect_equal(names[12:18], paste0("stage1_2_", c("conv1", "bn1", "relu1", "conv2", "bn2", "add", "out")))
  expect_equal(names[19:27], paste0("stage2_down_", c("conv1", "bn1", "relu1", "conv2", "bn2", "proj",
                                                      "proj_bn", "add", "out")))
  expect_equal(names[28:36], c(paste0("stage2_", c("conv1", "bn1", "relu1", "conv2", "bn2", "add", "out")),
                               "pool", "output"))
  by_name <- g$layers
  names(by_name) <- names
  expect_equal(by_name$stage1_1_add$inputs, list("stem_relu", "stage1_1_bn2"))
  expect_equal(by_name$stage1_2_conv1$inputs, list("stage1_1_out"))
  expect_equal(by_name$stage2_down_proj$inputs, list("stage1_2_out"))
  expect_equal(by_name$stage2_down_add$inputs, list("stage2_down_proj_bn", "stage2_down_bn2"))
  expect_equal(by_name$pool$inputs, list("stage2_out"))
  expect_equal(by_name$stage1_1_conv1$source, "/blocks/basic/layers/0")
  expect_equal(by_name$stage1_1_conv1$config$filters, 16L)
  expect_equal(by_name$stage2_conv1$config$filters, 32L)
  expect_equal(by_name$stage2_down_conv1$config$strides, list(2L, 2L))
})

test_that("unnamed layers and blocks are named by type and counted per scope", {
  doc <- list(
    format_version = "1.0", name = "auto",
    blocks = list(b = list(layers = list(list(type = "Dense", units = 4L), list(type = "ReLU")))),
    layers = list(
      list(type = "Input", shape = list(4L)),
      list(type = "Dense", units = 4L),
      list(block = "b", `repeat` = 2L),
      list(block = "b"),
      list(type = "Dense", units = 2L)
    )
  )
  expect_equal(layer_names(expand(doc)), c(
    "input_1", "dense_1", "b_1_1_dense_1", "b_1_1_re_lu_1", "b_1_2_dense_1", "b_1_2_re_lu_1",
    "b_2_dense_1", "b_2_re_lu_1", "dense_2"
  ))
})

test_that("expand() of a twinnet_spec needs no Python", {
  spec <- load_spec("mnist_mlp")
  expect_equal(expand(spec), expand("mnist_mlp"))
  expect_equal(twinnet:::expand_document(spec$data), expand(spec))
})

test_that("fixed weights are carried into the expansion", {
  sobel <- list(list(list(list(1L)), list(list(0L)), list(list(-1L))),
                list(list(list(2L)), list(list(0L)), list(list(-2L))),
                list(list(list(1L)), list(list(0L)), list(list(-1L))))
  doc <- list(format_version = "1.0", name = "sobel", layers = list(
    list(type = "Input", shape = list(5L, 5L, 1L)),
    list(type = "Conv2D", filters = 1L, kernel_size = 3L, weights = list(sobel, list(0L)))
  ))
  g <- expand(doc)
  expect_equal(g$layers[[2]]$weights, list(sobel, list(0L)))
  expect_named(g$layers[[2]], c("name", "type", "inputs", "config", "source", "weights",
                                "output_shape", "params", "trainable_params"))
})
