"""save_model and load_model: .keras files, always loaded in Keras's safe mode."""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import twinnet

TINY = {"format_version": "1.0", "name": "tiny", "layers": [{"type": "Input", "shape": [3]},
                                                           {"type": "Dense", "units": 2}]}


def lambda_model(flag: Path) -> Any:
    """A model whose Lambda layer carries code that leaves a file behind when it runs."""
    code = eval(f"lambda x: (open({str(flag)!r}, 'w').close(), x * 2)[1]")  # the path is a constant of the code
    inputs = keras.Input((3,))
    outputs = keras.layers.Lambda(code)(inputs)
    return keras.Model(inputs, outputs)


def save_unsafe(model: Any, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns that a lambda is unsafe to save
        model.save(path)
    return path


@pytest.fixture
def safe_mode_restored() -> Iterator[None]:
    from keras.src.backend.common import global_state

    before = global_state.get_global_attribute("safe_mode_saving")
    yield
    global_state.set_global_attribute("safe_mode_saving", before)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = twinnet.build_model(TINY, seed=3)
    path = twinnet.save_model(model, tmp_path / "tiny.keras")
    assert path == tmp_path / "tiny.keras" and path.is_file()
    loaded = twinnet.load_model(str(path))
    x = np.ones((2, 3), dtype="float32")
    assert np.array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [w.tobytes() for w in loaded.get_weights()] == [w.tobytes() for w in model.get_weights()]


def test_a_lambda_with_code_is_refused_and_never_runs(tmp_path: Path) -> None:
    flag = tmp_path / "the_lambda_ran"
    path = save_unsafe(lambda_model(flag), tmp_path / "lambda.keras")
    flag.unlink()  # building the model ran the lambda once
    with pytest.raises(twinnet.UnsafeModelError) as e:
        twinnet.load_model(path)
    assert isinstance(e.value, ValueError) and not isinstance(e.value, twinnet.SpecError)
    assert e.value.path == str(path)
    assert "lambda" in e.value.reason and "safe_mode" in e.value.reason
    assert str(e.value).startswith(f"refused to load {path}: the model file carries Python code")
    assert not flag.exists()
    # the file really carries code that runs: Keras outside safe mode runs it
    keras.models.load_model(path, safe_mode=False)
    assert flag.exists()


def test_safe_mode_stays_on_after_enable_unsafe_deserialization(tmp_path: Path, safe_mode_restored: None) -> None:
    flag = tmp_path / "the_lambda_ran"
    path = save_unsafe(lambda_model(flag), tmp_path / "lambda.keras")
    flag.unlink()
    keras.config.enable_unsafe_deserialization()
    with pytest.raises(twinnet.UnsafeModelError):
        twinnet.load_model(path)
    assert not flag.exists()


def craft(tmp_path: Path, name: str, activation: Any) -> Path:
    """A .keras file whose Dense layer's activation is replaced by ``activation``."""
    good = twinnet.save_model(twinnet.build_model(TINY), tmp_path / "good.keras")
    with zipfile.ZipFile(good) as z:
        files = {n: z.read(n) for n in z.namelist()}
    config = json.loads(files["config.json"])
    dense = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")
    dense["config"]["activation"] = activation
    files["config.json"] = json.dumps(config).encode()
    path = tmp_path / f"{name}.keras"
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    return path


@pytest.mark.parametrize(("name", "activation", "reason"), [
    ("os_system", {"module": "os", "class_name": "function", "config": "system", "registered_name": "function"},
     "Could not locate function 'system'"),
    ("builtins_eval", {"module": "builtins", "class_name": "function", "config": "eval",
                       "registered_name": "function"}, "Could not locate function 'eval'"),
    ("keras_load_model", {"module": "keras.models", "class_name": "function", "config": "load_model",
                          "registered_name": "function"}, "Non-modeling APIs are disallowed"),
    ("lambda_activation", {"module": None, "class_name": "__lambda__", "config": {"value": ["", None, None]},
                           "registered_name": None}, "deserialization of a Python lambda"),
])
def test_crafted_files_naming_code_are_refused(tmp_path: Path, name: str, activation: Any, reason: str) -> None:
    with pytest.raises(twinnet.UnsafeModelError, match=reason):
        twinnet.load_model(craft(tmp_path, name, activation))


def test_load_model_wants_a_local_keras_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"ends in \.keras"):
        twinnet.load_model(tmp_path / "model.h5")
    with pytest.raises(ValueError, match=r"ends in \.keras"):
        twinnet.save_model(twinnet.build_model(TINY), tmp_path / "model.json")
    with pytest.raises(FileNotFoundError, match="no model file"):
        twinnet.load_model(tmp_path / "missing.keras")
    (tmp_path / "text.keras").write_text("not a zip archive")
    with pytest.raises(ValueError, match=r"not a \.keras file") as e:
        twinnet.load_model(tmp_path / "text.keras")
    assert not isinstance(e.value, twinnet.UnsafeModelError)


def test_unsafe_model_error_pickles() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(twinnet.UnsafeModelError("m.keras", "a lambda")))
    assert (err.path, err.reason) == ("m.keras", "a lambda")
