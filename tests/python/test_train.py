"""Training settings from the spec."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import twinnet


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
