"""write_model and read_model: .keras files, checked, then loaded in Keras's safe mode."""

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
from hostile_keras import craft as craft_archive
from hostile_keras import good_parts, hostile_files
from support import catalog_model

import twinnet
from twinnet import persist
from twinnet.limits import DEFAULT_LIMITS

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


@pytest.fixture(autouse=True)
def default_limits() -> Iterator[None]:
    old = twinnet.set_limits(**DEFAULT_LIMITS)
    yield
    twinnet.set_limits(**old)


@pytest.fixture
def safe_mode_restored() -> Iterator[None]:
    from keras.src.backend.common import global_state

    before = global_state.get_global_attribute("safe_mode_saving")
    yield
    global_state.set_global_attribute("safe_mode_saving", before)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = twinnet.build_model(TINY, seed=3)
    path = twinnet.write_model(model, tmp_path / "tiny.keras")
    assert path == tmp_path / "tiny.keras" and path.is_file()
    loaded = twinnet.read_model(str(path))
    x = np.ones((2, 3), dtype="float32")
    assert np.array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [w.tobytes() for w in loaded.get_weights()] == [w.tobytes() for w in model.get_weights()]


def test_a_lambda_with_code_is_refused_and_never_runs(tmp_path: Path) -> None:
    flag = tmp_path / "the_lambda_ran"
    path = save_unsafe(lambda_model(flag), tmp_path / "lambda.keras")
    flag.unlink()  # building the model ran the lambda once
    with pytest.raises(twinnet.UnsafeModelError) as e:
        twinnet.read_model(path)
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
        twinnet.read_model(path)
    assert not flag.exists()


def craft(tmp_path: Path, name: str, activation: Any) -> Path:
    """A .keras file whose Dense layer's activation is replaced by ``activation``."""
    good = twinnet.write_model(twinnet.build_model(TINY), tmp_path / "good.keras")
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
        twinnet.read_model(craft(tmp_path, name, activation))


def test_read_model_wants_a_local_keras_file(tmp_path: Path) -> None:
    with pytest.raises(twinnet.ModelFileError, match=r"ends in \.keras") as e:
        twinnet.read_model(tmp_path / "model.h5")
    assert e.value.kind == "not_a_keras_file"
    with pytest.raises(twinnet.ModelFileError, match=r"ends in \.keras"):
        twinnet.read_model(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ends in \.keras"):
        twinnet.write_model(twinnet.build_model(TINY), tmp_path / "model.json")
    with pytest.raises(twinnet.ModelFileError, match="there is no such file") as e:
        twinnet.read_model(tmp_path / "missing.keras")
    assert (e.value.kind, e.value.path) == ("not_found", str(tmp_path / "missing.keras"))
    (tmp_path / "folder.keras").mkdir()
    with pytest.raises(twinnet.ModelFileError, match="there is no such file"):
        twinnet.read_model(tmp_path / "folder.keras")


def test_the_old_names_still_work_and_say_the_new_ones(tmp_path: Path) -> None:
    model = twinnet.build_model(TINY, seed=3)
    with pytest.warns(DeprecationWarning, match=r"use twinnet\.write_model\(\)"):
        path = twinnet.save_model(model, tmp_path / "old.keras")
    with pytest.warns(DeprecationWarning, match=r"use twinnet\.read_model\(\)"):
        loaded = twinnet.load_model(path)
    assert [w.tobytes() for w in loaded.get_weights()] == [w.tobytes() for w in model.get_weights()]
    assert "save_model" not in twinnet.__all__ and "load_model" not in twinnet.__all__


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, str]]:
    return hostile_files(tmp_path_factory.mktemp("hostile"))


HOSTILE_NAMES = ["zip_bomb", "empty", "blank", "list", "list_of_models", "string", "not_json", "not_utf8", "deep",
                 "repeated_key", "no_class", "no_layers", "bad_layer", "many_layers", "huge_dense",
                 "huge_dense_recorded", "huge_dense_flowing", "huge_dense_unshaped", "keras_refuses",
                 "metadata_bomb", "no_config", "no_weights", "damaged", "not_zip"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_files_are_refused_with_what_is_wrong(hostile: dict[str, tuple[Path, str, str]], name: str) -> None:
    path, kind, reason = hostile[name]
    with pytest.raises(twinnet.ModelFileError) as e:
        twinnet.read_model(path)
    assert not isinstance(e.value, twinnet.UnsafeModelError)
    assert (e.value.kind, e.value.reason) == (kind, reason)
    assert e.value.path == str(path)
    assert str(e.value).startswith(f"refused to load {path}: {reason}")
    assert "Python code" not in str(e.value)


def test_hostile_files_cover_every_case(hostile: dict[str, tuple[Path, str, str]]) -> None:
    assert sorted(hostile) == sorted(HOSTILE_NAMES)


def test_too_large_says_how_to_raise_the_limit(hostile: dict[str, tuple[Path, str, str]]) -> None:
    with pytest.raises(twinnet.ModelFileError) as e:
        twinnet.read_model(hostile["huge_dense"][0])
    assert e.value.detail == "raise it with twinnet.set_limits(max_params=...)"
    assert str(e.value).endswith("; raise it with twinnet.set_limits(max_params=...)")


def test_the_limits_apply_to_the_model_a_file_describes(tmp_path: Path) -> None:
    path = twinnet.write_model(twinnet.build_model(TINY, seed=1), tmp_path / "tiny.keras")
    twinnet.set_limits(max_params=5)
    with pytest.raises(twinnet.ModelFileError) as e:
        twinnet.read_model(path)
    assert (e.value.kind, e.value.reason) == (
        "too_large", "layer 'dense_1' (Dense) brings the model it describes to about 8 parameters, above the "
                     "limit of 5")
    twinnet.set_limits(max_params=8)
    assert twinnet.read_model(path).count_params() == 8


def test_the_members_of_an_archive_are_bounded_together(tmp_path: Path) -> None:
    parts = good_parts(tmp_path)
    path = craft_archive(tmp_path / "assets.keras", parts, assets__vocabulary_txt=b"word\n" * 300_000)
    assert twinnet.read_model(path).count_params() == 8
    twinnet.set_limits(max_model_bytes=1_000_000)
    total = sum(len(d) for d in parts.values()) + 1_500_000
    with pytest.raises(twinnet.ModelFileError) as e:
        twinnet.read_model(path)
    assert (e.value.kind, e.value.reason) == (
        "too_large", f"its members add up to {total:,} bytes uncompressed ({total:,} compressed), more than the "
                     "limit of 1,000,000 bytes")
    assert e.value.detail == "raise it with twinnet.set_limits(max_model_bytes=...)"


@pytest.mark.parametrize("name", [row.name for row in twinnet.catalog()])
def test_catalog_size_models_pass_the_estimate(name: str) -> None:
    """The estimate of a model's parameters from its config: at least the model's, and within 1 % (exact but
    for layers whose weights its tables do not know, such as cifar10_augmented's augmentation)."""
    model = catalog_model(name)  # build_model(name, seed=0), compiled, shared; read only
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(model)))
    estimate = persist._Estimate(name)
    estimate.walk(config, [])
    assert estimate.total >= model.count_params()
    assert estimate.total <= 1.01 * model.count_params()
    assert estimate.unshaped is None and persist.check_imported(name, config)


def test_the_estimate_counts_the_vectors_a_normalization_keeps() -> None:
    """gamma and beta only where the config keeps them, the moving statistics, BatchNormalization's renorm
    statistics; LayerNormalization's deprecated rms_scaling (gamma without beta) is bounded from above."""
    x = keras.Input((6, 5))
    layers = [keras.layers.BatchNormalization(center=False), keras.layers.BatchNormalization(scale=False),
              keras.layers.BatchNormalization(renorm=True), keras.layers.BatchNormalization(axis=1, center=False,
                                                                                            scale=False),
              keras.layers.LayerNormalization(center=False), keras.layers.LayerNormalization(scale=False)]
    y = x
    for layer in layers:
        y = layer(y)
    exact = keras.Model(x, y)
    with pytest.warns(UserWarning, match="rms_scaling"):
        rms = keras.layers.LayerNormalization(rms_scaling=True)
    bounded = keras.Model(x, rms(x))
    for model, over in ((exact, 0), (bounded, 10)):  # rms_scaling: gamma alone (5); counted as gamma, beta and rms
        estimate = persist._Estimate("normalizations")
        estimate.walk(json.loads(json.dumps(keras.saving.serialize_keras_object(model))), [])
        assert estimate.total == model.count_params() + over


def test_safe_mode_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = twinnet.write_model(twinnet.build_model(TINY, seed=1), tmp_path / "tiny.keras")
    monkeypatch.setattr(persist, "SAFE_MODE_MODULE", "keras.src.saving.no_such_module")
    with pytest.raises(twinnet.ModelFileError) as e:
        twinnet.read_model(path)
    assert e.value.kind == "no_safe_mode"
    assert e.value.reason == ("this Keras has no keras.src.saving.no_such_module.SafeModeScope, which keeps its "
                              "safe mode on, so twinnet loads no model file with it")


def test_keras_running_out_of_memory_is_a_model_file_error() -> None:
    err = persist.keras_failure("m.keras", "ResourceExhaustedError", "OOM when allocating tensor with shape[1000000]")
    assert isinstance(err, twinnet.ModelFileError) and err.kind == "too_large"
    assert err.reason.startswith("Keras ran out of memory loading it (ResourceExhaustedError: OOM")


def test_jax_running_out_of_memory_is_a_model_file_error() -> None:
    """JAX raises one runtime error for every failure; its words say when memory ran out (as JAX's CPU
    backend words it; tests/backends/test_compiled_models.py makes JAX run out)."""
    err = persist.keras_failure("m.keras", "XlaRuntimeError",
                                "RESOURCE_EXHAUSTED: Out of memory allocating 40000000000000 bytes.")
    assert isinstance(err, twinnet.ModelFileError) and err.kind == "too_large"
    assert err.reason == ("Keras ran out of memory loading it (XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory "
                          "allocating 40000000000000 bytes.)")
    assert persist.keras_failure("m.keras", "JaxRuntimeError", "RESOURCE_EXHAUSTED: Out of memory").kind == "too_large"
    assert persist.keras_failure("m.keras", "XlaRuntimeError", "INTERNAL: RESOURCE_EXHAUSTED").kind == "malformed"
    assert persist.keras_failure("m.keras", "ValueError", "RESOURCE_EXHAUSTED: no").kind == "malformed"
    # PyTorch's CPU allocator, as it words it (test_compiled_models.py makes PyTorch run out too)
    torch_oom = ("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you "
                 "tried to allocate 40000000000000 bytes. Error code 12 (Cannot allocate memory)")
    assert persist.keras_failure("m.keras", "RuntimeError", torch_oom).kind == "too_large"
    assert persist.keras_failure("m.keras", "RuntimeError", "Expected all tensors on one device").kind == "malformed"


def test_a_read_model_compiles_with_this_backends_auto_jit_compile(tmp_path: Path) -> None:
    """A file carries the jit_compile that "auto" resolved to where it was written (JAX writes True); the
    model read here gets what "auto" gives on this backend, as a model compiled here does."""
    model = twinnet.build_model(TINY, seed=1)
    here = keras.models.clone_model(model)
    here.compile(optimizer="adam", loss="mse")
    model.compile(optimizer="adam", loss="mse", jit_compile=not here.jit_compile)
    model.optimizer.build(model.trainable_variables)  # as Keras builds it when it compiles a model it reads
    path = twinnet.write_model(model, tmp_path / "elsewhere.keras")
    with zipfile.ZipFile(path) as z:
        assert json.loads(z.read("config.json"))["compile_config"]["jit_compile"] is (not here.jit_compile)
    read = twinnet.read_model(path)
    assert read.jit_compile is here.jit_compile
    assert read.get_compile_config()["jit_compile"] is here.jit_compile
    again = twinnet.read_model(twinnet.write_model(read, tmp_path / "again.keras"))
    assert again.jit_compile is here.jit_compile
    plain = twinnet.read_model(twinnet.write_model(twinnet.build_model(TINY, seed=1), tmp_path / "plain.keras"))
    assert not plain.compiled
    keras.backend.clear_session()


def test_bytes_go_through_the_same_checks(hostile: dict[str, tuple[Path, str, str]]) -> None:
    model = twinnet.build_model(TINY, seed=4)
    again = twinnet.unserialize_model(twinnet.serialize_model(model))
    assert [w.tobytes() for w in again.get_weights()] == [w.tobytes() for w in model.get_weights()]
    for name in ("zip_bomb", "list", "huge_dense"):
        path, kind, reason = hostile[name]
        with pytest.raises(twinnet.ModelFileError) as e:
            twinnet.unserialize_model(path.read_bytes())
        assert (e.value.path, e.value.kind, e.value.reason) == ("<bytes>", kind, reason)
    with pytest.raises(TypeError, match="takes the bytes"):
        twinnet.unserialize_model(10**12)  # type: ignore[arg-type]


def test_model_file_error_pickles() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(twinnet.ModelFileError("m.keras", "too large", "too_large", "raise it")))
    assert (err.path, err.reason, err.kind, err.detail) == ("m.keras", "too large", "too_large", "raise it")
    assert str(err) == "refused to load m.keras: too large; raise it"


def test_unsafe_model_error_pickles() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(twinnet.UnsafeModelError("m.keras", "a lambda")))
    assert (err.path, err.reason) == ("m.keras", "a lambda")
