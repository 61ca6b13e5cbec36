"""Training settings from the spec."""

from __future__ import annotations

import json
from typing import Any

import keras
import numpy as np
import pytest

import twinnet
from twinnet.train import fit_settings


@pytest.mark.parametrize(("name", "optimizer", "loss"), [("lenet5", "Adam", "sparse_categorical_crossentropy"),
                                                         ("mnist_cnn", "SGD", "sparse_categorical_crossentropy"),
                                                         ("stock_lstm", "Adam", "mean_squared_error")])
def test_build_compiles_with_the_specs_settings(name: str, optimizer: str, loss: str) -> None:
    model = twinnet.build_model(name, seed=0)
    settings = twinnet.load_spec(name).data["compile"]
    assert type(model.optimizer).__name__ == optimizer
    assert model.loss == loss
    if "learning_rate" in settings:
        assert float(model.optimizer.learning_rate) == pytest.approx(settings["learning_rate"])


def test_build_without_compile() -> None:
    model = twinnet.build_model("lenet5", compile=False)
    assert not model.compiled


def test_training_is_reproducible_with_a_seed() -> None:
    s = twinnet.mnist_split()
    x, y = twinnet.pad_digits(s.x_train[:256]), s.y_train[:256]
    runs = []
    for _ in range(2):
        model = twinnet.build_model("lenet5", seed=1)
        keras.utils.set_random_seed(7)
        history = model.fit(x, y, epochs=2, batch_size=64, verbose=0)
        runs.append((model.get_weights(), history.history))
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][0], runs[1][0], strict=True))
    assert runs[0][1] == runs[1][1]
    assert runs[0][1]["loss"][1] < runs[0][1]["loss"][0]


def test_bad_compile_settings_are_spec_errors() -> None:
    doc = twinnet.load_spec("lenet5").data | {"compile": {"optimizer": "adma", "loss": "mse"}}
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec(doc)
    assert (e.value.path, e.value.kind, e.value.hint) == ("/compile/optimizer", "invalid_value", "did you mean 'adam'?")


def test_serialized_model_round_trips() -> None:
    model = twinnet.build_model("lenet5", seed=4)
    data = twinnet.serialize_model(model)
    assert data[:2] == b"PK"  # a .keras file is a zip archive
    again = twinnet.unserialize_model(data)
    x = twinnet.pad_digits(twinnet.mnist_split().x_test[:8])
    assert np.array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert type(again.optimizer).__name__ == "Adam"


# -- the spec's optimizer arguments, schedules, regularizers and fit settings --------------------------
def forecaster_data(n: int = 240, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 32 values of a noisy sine and the value after each (conv1d_forecaster's data)."""
    rng = np.random.default_rng(seed)
    series = np.sin(np.arange(n + 32) * 0.2) + 0.1 * rng.normal(size=n + 32)
    x = np.stack([series[i:i + 32] for i in range(n)])[..., None].astype("float32")
    return x, series[32:].astype("float32")


def small_spec(**extra: Any) -> dict[str, Any]:
    return {"format_version": "1.0", "name": "small",
            "layers": [{"type": "Input", "shape": [4]}, {"type": "Dense", "units": 3, "activation": "relu"},
                       {"type": "Dense", "units": 1}],
            "compile": {"optimizer": "sgd", "loss": "mse"}, **extra}


def small_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32,)).astype("float32")


def test_optimizer_arguments_and_schedule_reach_keras() -> None:
    sgd = twinnet.build_model("conv1d_forecaster", seed=0).optimizer
    assert (type(sgd).__name__, float(sgd.momentum), sgd.nesterov) == ("SGD", 0.9, True)
    assert float(sgd.learning_rate) == pytest.approx(0.01)
    adamw = twinnet.build_model("cifar10_weight_decay", seed=0).optimizer
    assert type(adamw).__name__ == "AdamW" and adamw.weight_decay == pytest.approx(1e-4)
    schedule = adamw._learning_rate  # the schedule object (learning_rate is its value now)
    assert type(schedule).__name__ == "CosineDecay"
    assert schedule.get_config() | {"name": None} == {"initial_learning_rate": 0.001, "decay_steps": 14080,
                                                       "alpha": 0.0, "warmup_target": None, "warmup_steps": 0,
                                                       "name": None}


def test_regularizers_are_keras_objects_and_add_losses() -> None:
    model = twinnet.build_model("cifar10_weight_decay", seed=0)
    for name in ("conv1", "conv2", "conv3", "conv4", "hidden"):
        reg = model.get_layer(name).kernel_regularizer
        assert type(reg).__name__ == "L2" and reg.get_config() == {"l2": 0.001}
    assert model.get_layer("output").kernel_regularizer is None
    model(np.zeros((1, 32, 32, 3), "float32"))
    assert len(model.losses) == 5  # one penalty per regularized kernel
    spec = small_spec()
    spec["layers"][1] |= {"kernel_regularizer": {"l1": 0.1}, "bias_regularizer": {"l1": 0.1, "l2": 0.2},
                          "activity_regularizer": {"l2": 1}}
    layer = twinnet.build_model(spec).get_layer("dense_1")
    assert [type(r).__name__ for r in (layer.kernel_regularizer, layer.bias_regularizer,
                                       layer.activity_regularizer)] == ["L1", "L1L2", "L2"]


def test_build_attaches_the_fit_settings() -> None:
    model = twinnet.build_model("conv1d_forecaster", seed=0)
    assert json.loads(model.twinnet_fit) == twinnet.expand("conv1d_forecaster")["fit"]
    assert fit_settings(model)["epochs"] == 200
    assert not hasattr(twinnet.build_model("lenet5", compile=False), "twinnet_fit")


def test_early_stopping_really_stops() -> None:
    # min_delta beyond any change: only the first epoch improves, so with patience 2 three epochs run
    stop = {"callback": "EarlyStopping", "monitor": "loss", "min_delta": 1e9, "patience": 2}
    model = twinnet.build_model(small_spec(fit={"epochs": 50, "callbacks": [stop]}), seed=0)
    x, y = small_data()
    history = twinnet.fit_model(model, x, y, seed=1, verbose=0)
    assert len(history.epoch) == 3 and len(history.history["loss"]) == 3


def test_the_forecaster_stops_early_and_keeps_its_best_weights() -> None:
    x, y = forecaster_data()
    model = twinnet.build_model("conv1d_forecaster", seed=1)
    history = twinnet.fit_model(model, x, y, seed=2, verbose=0)
    epochs = len(history.epoch)
    assert 10 < epochs < 200  # EarlyStopping's patience is 10
    assert min(history.history["learning_rate"]) < 0.01  # ReduceLROnPlateau halved it
    best = int(np.argmin(history.history["val_mae"]))
    assert epochs - 1 - best >= 10
    held_out = slice(int(len(x) * 0.8), None)  # Keras's validation_split: the last 20%, before shuffling
    mae = model.evaluate(x[held_out], y[held_out], verbose=0, return_dict=True)["mae"]
    assert mae == pytest.approx(history.history["val_mae"][best], rel=1e-4)  # restore_best_weights


def test_an_argument_given_wins_over_the_spec() -> None:
    model = twinnet.build_model(small_spec(fit={"epochs": 50, "batch_size": 4}), seed=0)
    x, y = small_data()
    history = twinnet.fit_model(model, x, y, epochs=2, verbose=0)
    assert len(history.epoch) == 2 and history.params["steps"] == 8  # the spec's batch size: 32 / 4


def test_fit_model_takes_another_spec_s_settings() -> None:
    model = twinnet.build_model(small_spec(), seed=0)  # no fit section: Keras's defaults
    x, y = small_data()
    assert len(twinnet.fit_model(model, x, y, verbose=0).epoch) == 1
    history = twinnet.fit_model(model, x, y, verbose=0, spec=small_spec(fit={"epochs": 3, "validation_split": 0.25}))
    assert len(history.epoch) == 3 and "val_loss" in history.history


def test_fit_model_is_reproducible_and_adds_callbacks() -> None:
    x, y = forecaster_data(n=96)
    runs = []
    for _ in range(2):
        model = twinnet.build_model("conv1d_forecaster", seed=3)
        seen: list[int] = []
        extra = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs, seen=seen: seen.append(epoch))
        history = twinnet.fit_model(model, x, y, epochs=4, seed=5, verbose=0, callbacks=[extra])
        runs.append((model.get_weights(), history.history, seen))
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][0], runs[1][0], strict=True))
    assert runs[0][1] == runs[1][1] and runs[0][2] == [0, 1, 2, 3]


def test_compile_model_takes_a_spec_and_refuses_none() -> None:
    model = twinnet.build_model("conv1d_forecaster", compile=False)
    twinnet.compile_model(model, twinnet.load_spec("conv1d_forecaster"))
    assert type(model.optimizer).__name__ == "SGD" and model.optimizer.nesterov
    with pytest.raises(ValueError, match="no `compile` settings"):
        twinnet.compile_model(model, twinnet.load_spec("example_rnn"))  # a spec without compile
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.compile_model(model, {"optimizer": "adam", "loss": "mse", "nesterov": True})
    assert (e.value.path, e.value.kind) == ("/compile/nesterov", "unknown_argument")
