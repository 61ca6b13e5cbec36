"""from_keras: a Keras model becomes a spec that validates and rebuilds an equal model."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import pytest
from support import catalog_model, forward

import twinnet
from twinnet.importer import spec_name

CATALOG = [row.name for row in twinnet.catalog()]


def layer_table(model: Any) -> list[Any]:
    """The inputs' configs, then (class, config with the name, output shape, parameters) of each layer."""
    inputs = [e["config"] for e in model.get_config()["layers"] if e["class_name"] == "InputLayer"]
    return [*inputs, *[(type(layer).__name__, layer.get_config(), tuple(layer.output.shape), layer.count_params())
                       for layer in model.layers if type(layer).__name__ != "InputLayer"]]


def counts(model: Any) -> tuple[int, int, int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return model.count_params(), trainable, model.count_params() - trainable


def assert_round_trip(model: Any) -> dict[str, Any]:
    """from_keras(model) validates and rebuilds an equal model that predicts the same with model's weights."""
    doc = twinnet.from_keras(model)
    twinnet.load_spec(doc)
    got = twinnet.build_model(doc, compile=False)
    assert layer_table(got) == layer_table(model)
    assert counts(got) == counts(model)
    for u, v in zip(got.weights, model.weights, strict=True):  # no NumPy copies: YOLO's weights are 1.1 GB
        u.assign(v.value)
    rng = np.random.default_rng(0)
    xs = [rng.integers(0, 10, size=(1, *t.shape[1:])).astype(str(t.dtype)) if "int" in str(t.dtype)
          else rng.normal(size=(1, *t.shape[1:])).astype("float32") for t in model.inputs]
    x = xs[0] if len(xs) == 1 else xs
    want, have = forward(model, x), forward(got, x)
    for u, v in zip(keras.tree.flatten(have), keras.tree.flatten(want), strict=True):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))
    return doc


@pytest.mark.parametrize("name", CATALOG)
def test_catalog_spec_round_trips(name: str) -> None:
    model = catalog_model(name)  # build_model(name, seed=0), compiled, shared; read only (got takes its weights)
    doc = assert_round_trip(model)
    assert doc["name"] == name
    with warnings.catch_warnings():  # the doc's spec warnings, if any, were reported above
        warnings.simplefilter("ignore", twinnet.SpecWarning)
        assert twinnet.expand(doc).get("compile") == twinnet.expand(name).get("compile")  # compiled: it came too


@pytest.mark.parametrize("application", ["VGG16", "ResNet50"])
def test_keras_application_round_trips(application: str) -> None:
    keras.backend.clear_session()  # so that the auto-named input is the plain "input_layer"
    doc = assert_round_trip(getattr(keras.applications, application)(weights=None))
    assert doc["name"] == application.lower()
    keras.backend.clear_session()


def test_import_writes_only_what_differs_from_the_defaults() -> None:
    doc = twinnet.from_keras(twinnet.build_model("lenet5", compile=False), name="again")
    assert doc["name"] == "again"
    assert "outputs" not in doc
    assert doc["layers"][0] == {"type": "Input", "name": "input", "shape": [32, 32, 1]}
    assert doc["layers"][1] == {"type": "Conv2D", "name": "c1", "filters": 6, "kernel_size": [5, 5],
                                "activation": "tanh"}
    assert doc["layers"][2] == {"type": "AveragePooling2D", "name": "s2", "pool_size": [2, 2]}  # Keras needs it
    assert all("inputs" not in layer for layer in doc["layers"])


def test_graph_gets_inputs_and_outputs_and_auto_names_stay_out() -> None:
    inp = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(3, name="dense_1")(inp)
    skip = keras.layers.Dense(3, kernel_initializer="he_normal", name="side")(inp)
    total = keras.layers.Add(name="total")([hidden, skip])
    model = keras.Model(inp, [total, hidden], name="two-headed net")
    doc = assert_round_trip(model)
    assert doc["name"] == "two_headed_net"
    assert doc["outputs"] == ["total", "dense_1"]
    assert doc["layers"][1] == {"type": "Dense", "units": 3}  # "dense_1" is the name the expansion gives it
    assert doc["layers"][2] == {"type": "Dense", "name": "side", "inputs": ["x"], "units": 3,
                                "kernel_initializer": "he_normal"}
    keras.backend.clear_session()


def test_sequential_model_and_constant_initializer() -> None:
    model = keras.Sequential([keras.Input((3, 3, 1), name="image"),
                              keras.layers.Conv2D(1, 2, kernel_initializer=keras.initializers.Constant(1.0),
                                                  use_bias=False, name="ones")], name="seq")
    doc = assert_round_trip(model)
    assert doc["layers"][1]["kernel_initializer"] == {"class_name": "Constant", "config": {"value": 1.0}}
    keras.backend.clear_session()


def _lambda() -> Any:
    inp = keras.Input((4,))
    return keras.Model(inp, keras.layers.Lambda(lambda t: t * 2, name="double")(inp))


def _regularized() -> Any:  # a regularizer other than L1, L2 and L1L2
    inp = keras.Input((4,))
    return keras.Model(inp, keras.layers.Dense(2, kernel_regularizer=keras.regularizers.OrthogonalRegularizer(),
                                               name="fc")(inp))


def _channels_first() -> Any:
    inp = keras.Input((1, 8, 8))
    return keras.Model(inp, keras.layers.Conv2D(2, 3, data_format="channels_first", name="conv")(inp))


@pytest.mark.parametrize(("make", "words"), [
    (_lambda, ["'double'", "Lambda", "allowlist"]),
    (_regularized, ["'fc'", "Dense", "kernel_regularizer", "OrthogonalRegularizer"]),
    (_channels_first, ["'conv'", "Conv2D", "data_format", "channels_first"]),
])
def test_what_a_spec_cannot_express_is_refused(make: Callable[[], Any], words: list[str]) -> None:
    with pytest.raises(twinnet.SpecError) as info:
        twinnet.from_keras(make())
    assert (info.value.path, info.value.kind) == ("", "unsupported_layer")
    for word in words:
        assert word in info.value.message
    keras.backend.clear_session()


def test_spec_name_is_made_valid() -> None:
    assert spec_name("resnet50") == "resnet50"
    assert spec_name("my model-2") == "my_model_2"
    assert spec_name("3d") == "model_3d"


def test_regularizers_import_as_the_spec_writes_them() -> None:
    inp = keras.Input((6,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(10, 4, embeddings_regularizer="l2", name="embed")(inp)
    x = keras.layers.LSTM(3, recurrent_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.02), name="rnn")(x)
    out = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L1(0.3),
                             activity_regularizer=keras.regularizers.L2(1e-4), name="fc")(x)
    doc = assert_round_trip(keras.Model(inp, out, name="regularized"))
    assert doc["layers"][1]["embeddings_regularizer"] == {"l2": 0.01}  # Keras's "l2": a factor of 0.01
    assert doc["layers"][2]["recurrent_regularizer"] == {"l1": 0.01, "l2": 0.02}
    # Keras keeps L1's factor as a float32 (0.30000001192092896): written as the decimal that was given
    assert doc["layers"][3]["kernel_regularizer"] == {"l1": 0.3}
    assert doc["layers"][3]["activity_regularizer"] == {"l2": 0.0001}
    assert "bias_regularizer" not in doc["layers"][3]
    keras.backend.clear_session()


@pytest.mark.parametrize("name", ["conv1d_forecaster", "cifar10_weight_decay", "mnist_cnn", "imdb_lstm"])
def test_compile_settings_import(name: str) -> None:
    """A compiled model's optimizer, its arguments and schedule, loss and metrics become the spec's compile,
    written as the catalog writes them (arguments at Keras's defaults left out)."""
    doc = twinnet.from_keras(twinnet.build_model(name, seed=1))
    want = twinnet.expand(name)["compile"]
    assert twinnet.expand(doc)["compile"] == want
    assert "compile" not in twinnet.from_keras(twinnet.build_model(name, seed=1), compile=False)
    keras.backend.clear_session()


def test_compile_import_writes_the_schedule_and_non_default_arguments() -> None:
    doc = twinnet.from_keras(twinnet.build_model("cifar10_weight_decay", seed=1))
    assert doc["compile"] == {"optimizer": "adamw", "loss": "sparse_categorical_crossentropy",
                              "metrics": ["accuracy"], "weight_decay": 0.0001,
                              "learning_rate": {"schedule": "CosineDecay", "initial_learning_rate": 0.001,
                                                "decay_steps": 14080}}
    assert "compile" not in twinnet.from_keras(twinnet.build_model("lenet5", compile=False))
    keras.backend.clear_session()


def torch_compile_config(model: Any, module: str, cls: str, registered: str | None) -> Callable[[], Any]:
    """The model's compile configuration with its optimizer written as PyTorch's backend writes it."""
    config = model.get_compile_config()
    config["optimizer"] = {**config["optimizer"], "module": module, "class_name": cls, "registered_name": registered}
    return lambda: config


def test_a_backends_own_optimizer_imports_as_the_keras_optimizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyTorch's backend compiles with its own subclass of each optimizer (but Ftrl) and writes its module
    (tests/backends/test_compiled_models.py compiles on every backend): it stands for the Keras optimizer."""
    model = twinnet.build_model("lenet5", compile=False)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    want = twinnet.from_keras(model)["compile"]
    assert want == {"optimizer": "adam", "loss": "mse", "learning_rate": 0.01}
    module = "keras.src.backend.torch.optimizers.torch_adam"
    for registered in ("Adam", None):
        monkeypatch.setattr(model, "get_compile_config", torch_compile_config(model, module, "Adam", registered))
        assert twinnet.from_keras(model)["compile"] == want
    for cls, registered in [("Adam", "my_package>Adam"), ("SGD", "SGD")]:
        monkeypatch.setattr(model, "get_compile_config", torch_compile_config(model, module, cls, registered))
        with pytest.raises(twinnet.SpecError, match="optimizer"):
            twinnet.from_keras(model)
    monkeypatch.setattr(model, "get_compile_config",
                        torch_compile_config(model, "my_package.optimizers", "Adam", "Adam"))
    with pytest.raises(twinnet.SpecError, match="optimizer"):
        twinnet.from_keras(model)
    keras.backend.clear_session()


@pytest.mark.parametrize(("optimizer", "loss", "words"), [
    ("adam", keras.losses.MeanSquaredError(), ["loss = MeanSquaredError"]),
    (keras.optimizers.Adam(use_ema=True), "mse", ["use_ema = true"]),
    (keras.optimizers.Adafactor(), "mse", ["optimizer = Adafactor"]),
])
def test_compile_settings_a_spec_cannot_say_are_refused(optimizer: Any, loss: Any, words: list[str]) -> None:
    model = twinnet.build_model("lenet5", compile=False)
    model.compile(optimizer=optimizer, loss=loss)
    with pytest.raises(twinnet.SpecError) as info:
        twinnet.from_keras(model)
    assert (info.value.path, info.value.kind) == ("", "unsupported_setting")
    assert all(word in info.value.message for word in words) and "compile" in str(info.value.hint)
    assert "compile" not in twinnet.from_keras(model, compile=False)
    keras.backend.clear_session()
