"""Safety across languages: .keras files with code are refused by both read_model()s, hostile files with
the same reasons, model files cross over, and both languages enforce the same resource limits."""

from __future__ import annotations

import json
import types
import warnings
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from hostile_keras import hostile_files

import twinnet
from twinnet.errors import suggest
from twinnet.limits import DEFAULT_LIMITS, MAX_JSON_DEPTH, MAX_SPEC_BYTES

TINY = {"format_version": "1.0", "name": "tiny", "layers": [{"type": "Input", "shape": [3]},
                                                           {"type": "Dense", "units": 2}]}


def test_unsafe_lambda_file_is_refused_by_both_languages(r: Any, tmp_path: Path) -> None:
    flag = tmp_path / "the_lambda_ran"
    inputs = keras.Input((3,))
    code = eval(f"lambda x: (open({str(flag)!r}, 'w').close(), x * 2)[1]")
    model = keras.Model(inputs, keras.layers.Lambda(code)(inputs))
    path = tmp_path / "lambda.keras"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(path)
    flag.unlink()
    with pytest.raises(twinnet.UnsafeModelError):
        twinnet.read_model(path)
    r.assign("path", str(path))
    got = r('tryCatch({ twinnet::read_model(path); "loaded" }, '
            'twinnet_unsafe_model_error = function(e) c(class(e)[[1]], e$path))')
    assert list(got) == ["twinnet_unsafe_model_error", str(path)]
    assert not flag.exists()


def test_unsafe_free_files_cross_between_write_model_and_read_model(r: Any, handoff: types.ModuleType,
                                                                   tmp_path: Path) -> None:
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    handoff.x = x
    py_file, r_file = tmp_path / "python.keras", tmp_path / "r.keras"
    py_model = twinnet.build_model(TINY, seed=2)
    assert twinnet.write_model(py_model, py_file) == py_file
    r.assign("py_file", str(py_file))
    r.assign("r_file", str(r_file))
    r.assign("spec_text", json.dumps(TINY))
    r("""
      h <- reticulate::import("twinnet_handoff")
      h$y_loaded_in_r <- twinnet::read_model(py_file)$predict(h$x, verbose = 0L)
      stopifnot(identical(twinnet::write_model(twinnet::build_model(spec_text, seed = 3L), r_file), r_file))
    """)
    assert np.array_equal(np.asarray(handoff.y_loaded_in_r), py_model.predict(x, verbose=0))
    from_r = twinnet.read_model(r_file)
    assert [w.tobytes() for w in from_r.get_weights()] == \
        [w.tobytes() for w in twinnet.build_model(TINY, seed=3).get_weights()]


def test_unsafe_sizes_are_limited_alike(r: Any) -> None:
    assert r.json("twinnet:::default_limits()") == DEFAULT_LIMITS
    assert r('twinnet:::fixed_limit("max_json_depth")')[0] == MAX_JSON_DEPTH
    assert r('twinnet:::fixed_limit("max_spec_bytes")')[0] == MAX_SPEC_BYTES
    old = twinnet.set_limits(max_params=100_000)
    try:
        r("options(twinnet.max_params = 1e5)")
        r.assign("spec_text", "mnist_mlp")
        with pytest.raises(twinnet.SpecError) as e:
            twinnet.load_spec("mnist_mlp")
        assert r.spec_error("twinnet::load_spec(spec_text)") == (e.value.path, e.value.kind)
        assert e.value.kind == "too_large"
    finally:
        twinnet.set_limits(**old)
        r("options(twinnet.max_params = NULL)")


# Each kind of layer the estimate of a model file counts exactly, with and without a bias, grouped, with
# GRU's second bias and without it, and normalizations without gamma or beta
BIASES = {
    "format_version": "1.0", "name": "biases", "outputs": ["image_out", "sequence_out"],
    "layers": [
        {"type": "Input", "name": "image", "shape": [8, 8, 4]},
        {"type": "Conv2D", "filters": 6, "kernel_size": 3, "groups": 2, "use_bias": False},
        {"type": "Conv2D", "filters": 6, "kernel_size": 1},
        {"type": "BatchNormalization", "center": False},
        {"type": "DepthwiseConv2D", "kernel_size": 3, "depth_multiplier": 2},
        {"type": "BatchNormalization", "axis": 1, "scale": False, "center": False},
        {"type": "LayerNormalization", "scale": False},
        {"type": "SeparableConv2D", "filters": 4, "kernel_size": 3, "use_bias": False},
        {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "name": "image_out", "units": 3, "use_bias": False},
        {"type": "Input", "name": "sequence", "shape": [5, 3]},
        {"type": "SimpleRNN", "units": 4, "return_sequences": True, "use_bias": False},
        {"type": "LSTM", "units": 3, "return_sequences": True},
        {"type": "LayerNormalization", "center": False},
        {"type": "GRU", "units": 2, "return_sequences": True, "reset_after": False},
        {"type": "GRU", "units": 2},
        {"type": "Dense", "name": "sequence_out", "units": 1},
    ],
}


def test_the_parameter_estimate_of_a_file_is_exact_and_the_same_in_both_languages(r: Any) -> None:
    """read_model()'s estimate of a model file's parameters, before Keras builds anything (an upper bound,
    exact for the layers it knows): R's is Python's, and both are the model's count."""
    from twinnet.persist import _Estimate

    model = twinnet.build_model(BIASES, seed=0, compile=False)
    text = json.dumps(keras.saving.serialize_keras_object(model))
    estimate = _Estimate("biases")
    estimate.walk(json.loads(text), [])
    assert estimate.total == model.count_params()
    r.assign("config_text", text)
    got = r("st <- twinnet:::new_estimate('biases'); "
            "twinnet:::estimate_walk(st, twinnet:::parse_json(config_text), list()); st$total")[0]
    assert got == estimate.total


def test_hostile_files_are_refused_alike(r: Any, tmp_path: Path) -> None:
    files = hostile_files(tmp_path)
    assert len(files) > 20
    for name, (path, kind, reason) in files.items():
        with pytest.raises(twinnet.ModelFileError) as e:
            twinnet.read_model(path)
        assert (e.value.kind, e.value.reason) == (kind, reason), name
    # R reads every file in one call
    r.assign("paths", r.ro.StrVector([str(path) for path, _, _ in files.values()]))
    got = list(r('unlist(lapply(paths, function(path) tryCatch({ twinnet::read_model(path); c("loaded", "", "") }, '
                 'twinnet_model_file_error = function(e) c(class(e)[[1]], e$kind, e$reason), '
                 'error = function(e) c(class(e)[[1]], "", conditionMessage(e)))))'))
    assert len(got) == 3 * len(files)
    for i, (name, (_, kind, reason)) in enumerate(files.items()):
        assert got[3 * i:3 * i + 3] == ["twinnet_model_file_error", kind, reason], name


def test_did_you_mean_is_the_same_and_bounded_in_both_languages(r: Any) -> None:
    names = [f"layer_{i:05d}_conv" for i in range(5000)]
    cases = [("kernal_size", ["kernel_size", "kernel_initializer", "filters", "strides"]),
             ("adma", ["adam", "sgd", "rmsprop", "adamw"]),
             ("Dens", ["Dense", "Dropout", "Conv2D"]),
             ("layer_04321_cnov", names),
             ("layer_00007_conv_", names),
             ("zzzzzz", names),
             ("x" * 10_000, names),
             ("layer_1", ["y" * 100_000, "layer_2"])]
    for word, candidates in cases:
        r.assign("word", word)
        r.assign("candidates", r.ro.StrVector(candidates))
        got = r("h <- twinnet:::suggest(word, candidates); if (is.null(h)) NA_character_ else h")[0]
        want = suggest(word, candidates)
        assert (None if got is r.ro.NA_Character else str(got)) == want, word[:20]
    assert suggest("layer_04321_cnov", names) == "did you mean 'layer_04321_conv'?"
