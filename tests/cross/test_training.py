"""Training parity: the same data, seed and settings train the same LeNet-5 in R and in Python,
and a model trained in one language loads in the other and predicts the same."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import keras
import numpy as np

import twinnet

N, EPOCHS, BATCH, BUILD_SEED, FIT_SEED = 256, 2, 64, 1, 7


def test_r_sees_the_pixels_python_sees(r: Any, handoff: types.ModuleType) -> None:
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 0, :10] = 255  # a bar along the top row, from the left
    image[0, :5, 27] = 128  # a short bar down the right edge
    handoff.image = image
    r("""
      h <- reticulate::import("twinnet_handoff")
      img <- h$image
      stopifnot(identical(dim(img), c(1L, 28L, 28L)),
                all(img[1, 1, 1:10] == 255), img[1, 1, 11] == 0,      # row 1, columns 1-10
                all(img[1, 1:5, 28] == 128), img[1, 6, 28] == 0)      # column 28, rows 1-5
      padded <- twinnet::pad_digits(img)
      stopifnot(padded[1, 3, 3, 1] == 1, padded[1, 3, 30, 1] == 128 / 255)
      d <- twinnet::mnist_sample()
      h$r_x <- d$x
      h$r_y <- d$y
      s <- twinnet::mnist_split()
      h$r_test_y <- s$y_test
      h$r_test_first <- s$x_test[1, , ]
    """)
    x, y = twinnet.mnist_sample()
    assert np.array_equal(np.asarray(handoff.r_x), x)
    assert np.array_equal(np.asarray(handoff.r_y), y)
    split = twinnet.mnist_split()
    assert np.array_equal(np.asarray(handoff.r_test_y), split.y_test)
    assert np.array_equal(np.asarray(handoff.r_test_first), split.x_test[0])


def test_training_parity(r: Any, handoff: types.ModuleType, tmp_path: Path) -> None:
    split = twinnet.mnist_split()
    x, y = twinnet.pad_digits(split.x_train[:N]), split.y_train[:N]
    model = twinnet.build_model("lenet5", seed=BUILD_SEED)
    keras.utils.set_random_seed(FIT_SEED)
    history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0).history

    handoff.r_file = str(tmp_path / "trained_in_r.keras")
    r(f"""
      h <- reticulate::import("twinnet_handoff")
      s <- twinnet::mnist_split()
      m <- twinnet::build_model("lenet5", seed = {BUILD_SEED}L)
      hist <- twinnet::fit_model(m, twinnet::pad_digits(s$x_train[1:{N}, , ]), s$y_train[1:{N}],
                                 epochs = {EPOCHS}L, batch_size = {BATCH}L, seed = {FIT_SEED}L, verbose = 0L)
      stopifnot(inherits(hist, "twinnet_history"), identical(names(hist), c("epoch", "metric", "value", "data")))
      h$r_history <- as.list(split(hist$value, hist$metric))
      h$r_weights <- m$get_weights()
      m$save(h$r_file)
      h$r_bytes <- twinnet::serialize_model(m)   # what saveRDS() would keep
    """)
    # R holds the float32 weights as doubles (exactly); back in float32 they must be the same bits
    r_weights = [np.ascontiguousarray(w, dtype=np.float32) for w in handoff.r_weights]
    py_weights = model.get_weights()
    pairs = list(zip(r_weights, py_weights, strict=True))
    assert all(a.tobytes() == b.tobytes() for a, b in pairs), \
        f"largest difference {max(float(np.max(np.abs(a - b))) for a, b in pairs)}"
    r_history = {k: list(np.atleast_1d(v)) for k, v in handoff.r_history.items()}
    assert r_history == history

    # a model trained in R, loaded in Python, predicts what the Python-trained model predicts
    test = twinnet.pad_digits(split.x_test[:64])
    loaded = keras.models.load_model(handoff.r_file, safe_mode=True)
    assert np.array_equal(loaded.predict(test, verbose=0), model.predict(test, verbose=0))
    from_bytes = twinnet.unserialize_model(bytes(handoff.r_bytes))
    assert np.array_equal(from_bytes.predict(test, verbose=0), model.predict(test, verbose=0))
