"""Safety across languages: .keras files with code are refused by both load_model()s, model files
cross over, and both languages enforce the same resource limits."""

from __future__ import annotations

import json
import types
import warnings
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import twinnet
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
        twinnet.load_model(path)
    r.assign("path", str(path))
    got = r('tryCatch({ twinnet::load_model(path); "loaded" }, '
            'twinnet_unsafe_model_error = function(e) c(class(e)[[1]], e$path))')
    assert list(got) == ["twinnet_unsafe_model_error", str(path)]
    assert not flag.exists()


def test_unsafe_free_files_cross_between_save_model_and_load_model(r: Any, handoff: types.ModuleType,
                                                                   tmp_path: Path) -> None:
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    handoff.x = x
    py_file, r_file = tmp_path / "python.keras", tmp_path / "r.keras"
    py_model = twinnet.build_model(TINY, seed=2)
    assert twinnet.save_model(py_model, py_file) == py_file
    r.assign("py_file", str(py_file))
    r.assign("r_file", str(r_file))
    r.assign("spec_text", json.dumps(TINY))
    r("""
      h <- reticulate::import("twinnet_handoff")
      h$y_loaded_in_r <- twinnet::load_model(py_file)$predict(h$x, verbose = 0L)
      stopifnot(identical(twinnet::save_model(twinnet::build_model(spec_text, seed = 3L), r_file), r_file))
    """)
    assert np.array_equal(np.asarray(handoff.y_loaded_in_r), py_model.predict(x, verbose=0))
    from_r = twinnet.load_model(r_file)
    assert [w.tobytes() for w in from_r.get_weights()] == \
        [w.tobytes() for w in twinnet.build_model(TINY, seed=3).get_weights()]


def test_unsafe_sizes_are_limited_alike(r: Any) -> None:
    assert r.json("twinnet:::DEFAULT_LIMITS") == DEFAULT_LIMITS
    assert r("twinnet:::MAX_JSON_DEPTH")[0] == MAX_JSON_DEPTH
    assert r("twinnet:::MAX_SPEC_BYTES")[0] == MAX_SPEC_BYTES
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
