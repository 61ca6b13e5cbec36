"""Training parity: the same data, seed and settings train the same LeNet-5 in R and in Python,
and a model trained in one language loads in the other and predicts the same; the spec's training
settings (optimizer arguments, schedules, regularizers, fit settings and callbacks) train the same
weights in both, stopping at the same epoch."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

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


# -- the spec's training settings: optimizer arguments, schedules, regularizers, fit and callbacks --------
REGULARIZED = {
    "format_version": "1.0", "name": "regularized_forecaster",
    "layers": [
        {"type": "Input", "name": "window", "shape": [32, 1]},
        {"type": "Conv1D", "name": "conv", "filters": 8, "kernel_size": 3, "padding": "causal", "activation": "relu",
         "kernel_regularizer": {"l2": 0.01}, "bias_regularizer": {"l1": 0.001},
         "activity_regularizer": {"l1": 0.0001, "l2": 0.0001}},
        {"type": "LSTM", "name": "rnn", "units": 8, "kernel_regularizer": {"l2": 0.001},
         "recurrent_regularizer": {"l2": 0.001}},
        {"type": "Dense", "name": "forecast", "units": 1, "kernel_regularizer": {"l1": 0.01}},
    ],
    "compile": {"optimizer": "sgd", "momentum": 0.9, "weight_decay": 0.001, "clipnorm": 1.0,
                "learning_rate": {"schedule": "ExponentialDecay", "initial_learning_rate": 0.05, "decay_steps": 12,
                                  "decay_rate": 0.5, "staircase": True},
                "loss": "mse", "metrics": ["mae"]},
    "fit": {"epochs": 60, "batch_size": 16, "validation_split": 0.25,
            "callbacks": [{"callback": "EarlyStopping", "monitor": "val_loss", "patience": 3, "min_delta": 0.01,
                           "restore_best_weights": True}]},
}


def forecaster_data(n: int = 240) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 32 values of a noisy sine and the value after each."""
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(n + 32) * 0.2) + 0.1 * rng.normal(size=n + 32)
    return (np.stack([series[i:i + 32] for i in range(n)])[..., None].astype("float32"),
            series[32:].astype("float32"))


def train_in_both(r: Any, handoff: types.ModuleType, spec: Any, data: tuple[Any, Any] | None = None,
                  epochs: int | None = None) -> tuple[Any, Any, list[np.ndarray], dict[str, Any]]:
    """The spec's model built and trained with its fit settings by Python's and by R's fit_model(), on the
    same data (the forecaster's by default) and seeds, for the spec's epochs or ``epochs``:
    (Python's History, Python's model, R's weights, R's history by metric)."""
    x, y = forecaster_data() if data is None else data
    model = twinnet.build_model(spec, seed=BUILD_SEED)
    history = twinnet.fit_model(model, x, y, epochs=epochs, seed=FIT_SEED, verbose=0)
    handoff.spec = json.dumps(spec) if isinstance(spec, dict) else spec
    handoff.x, handoff.y = x, y
    r_epochs = "NULL" if epochs is None else f"{epochs}L"
    r(f"""
      h <- reticulate::import("twinnet_handoff")
      m <- twinnet::build_model(h$spec, seed = {BUILD_SEED}L)
      hist <- twinnet::fit_model(m, h$x, h$y, epochs = {r_epochs}, seed = {FIT_SEED}L, verbose = 0L)
      keys <- unique(paste0(ifelse(hist$data == "validation", "val_", ""), hist$metric))
      h$r_history <- lapply(stats::setNames(keys, keys), function(k) {{
        hist$value[paste0(ifelse(hist$data == "validation", "val_", ""), hist$metric) == k]
      }})
      h$r_epochs <- max(hist$epoch)
      h$r_weights <- m$get_weights()
    """)
    r_weights = [np.ascontiguousarray(w, dtype=np.float32) for w in handoff.r_weights]
    r_history = {k: list(np.atleast_1d(v)) for k, v in handoff.r_history.items()}
    assert int(handoff.r_epochs) == len(history.epoch)
    return history, model, r_weights, r_history


def assert_same_training(history: Any, model: Any, r_weights: list[np.ndarray], r_history: dict[str, Any]) -> None:
    pairs = list(zip(r_weights, model.get_weights(), strict=True))
    largest = max(float(np.max(np.abs(a - b))) for a, b in pairs)
    assert all(a.tobytes() == b.tobytes() for a, b in pairs), f"largest difference {largest}"
    assert r_history == history.history


def test_forecaster_trains_bit_identically_with_momentum_and_callbacks(r: Any, handoff: types.ModuleType) -> None:
    """conv1d_forecaster: SGD with Nesterov momentum, EarlyStopping (best weights restored) and
    ReduceLROnPlateau from the spec's fit section; R and Python stop at the same epoch with the same bits."""
    history, model, r_weights, r_history = train_in_both(r, handoff, "conv1d_forecaster")
    assert 10 < len(history.epoch) < 200  # stopped early
    assert min(history.history["learning_rate"]) < 0.01  # the plateau halved the learning rate
    assert_same_training(history, model, r_weights, r_history)


def test_regularized_model_trains_bit_identically_with_a_schedule(r: Any, handoff: types.ModuleType) -> None:
    """L1, L2 and L1L2 penalties on kernels, biases, recurrent kernels and activities; SGD with momentum,
    weight decay, gradient clipping and a staircase ExponentialDecay; EarlyStopping."""
    history, model, r_weights, r_history = train_in_both(r, handoff, REGULARIZED)
    assert len(history.epoch) < 60
    assert len(model.losses) == 6  # the penalties: kernel, bias and activity of conv; kernel, recurrent; forecast
    assert_same_training(history, model, r_weights, r_history)


def instructor_data(name: str, n: int = 64) -> tuple[Any, np.ndarray]:
    """Generated data of the shapes the course's specs take (no CIFAR-10 or IMDB files are bundled):
    images of random pixels with labels 0-9, token sequences with labels 0-1, two token inputs with 0-3."""
    rng = np.random.default_rng(1)
    if name in ("cifar10_augmented", "mini_resnet"):
        return rng.uniform(0, 255, (n, 32, 32, 3)).astype("float32"), rng.integers(0, 10, n).astype("int32")
    if name == "imdb_bilstm":
        return rng.integers(1, 20000, (n, 200)).astype("int32"), rng.integers(0, 2, n).astype("int32")
    return ([rng.integers(1, 10000, (n, 10)).astype("int32"), rng.integers(1, 10000, (n, 100)).astype("int32")],
            rng.integers(0, 4, n).astype("int32"))


@pytest.mark.parametrize("name", ["cifar10_augmented", "imdb_bilstm", "ticket_classifier", "mini_resnet"])
def test_course_specs_train_bit_identically(r: Any, handoff: types.ModuleType, name: str) -> None:
    """The course's specs: augmentation (its random draws too), bidirectional LSTMs, two inputs, residual
    blocks with batch normalisation; R and Python train the same bits with the spec's fit settings.

    An Embedding's gradient is sparse, and TensorFlow adds the rows of repeated tokens in an order that may
    change from run to run on several threads (a last-bit difference in about one run of two, in one language
    as in two), unless its op determinism is on: it is, for R and Python alike (one process)."""
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    history, model, r_weights, r_history = train_in_both(r, handoff, name, instructor_data(name), epochs=2)
    assert len(history.epoch) == 2
    assert_same_training(history, model, r_weights, r_history)
    if name == "cifar10_augmented":  # the augmentation changes images while training, and only then
        x = instructor_data(name)[0][:8]
        augment = keras.Model(model.inputs, model.get_layer("zoom").output)
        seen = np.asarray(augment(x, training=False))
        assert np.allclose(seen, x / 255, atol=1e-6)
        assert not np.allclose(np.asarray(augment(x, training=True)), seen, atol=1e-3)
