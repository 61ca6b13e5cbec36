"""to_code and from_keras: generated code and imported specs build models equal to build_model()."""

from __future__ import annotations

import re
from typing import Any

import keras
import numpy as np
import pytest

import twinnet
from twinnet.codegen import KERAS3_FUNCTIONS, KERAS3_LAYER_COMMON

CATALOG = [row.name for row in twinnet.catalog()]
IMAGENET = {"alexnet", "alexnet_groups2", "googlenet", "resnet18", "resnet34", "resnet50", "vgg16", "vgg19", "yolov1"}


def layer_table(model: Any) -> list[tuple[str, str, dict[str, Any], tuple[Any, ...], int]]:
    """(name, class, config, output shape, parameters) of each layer but the inputs, by name."""
    rows = [(layer.name, type(layer).__name__, layer.get_config(), tuple(layer.output.shape), layer.count_params())
            for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return sorted(rows, key=lambda r: r[0])


def assert_same_model(got: Any, want: Any) -> None:
    """Equal layers (classes, configs, shapes, counts) and equal outputs with want's weights."""
    assert layer_table(got) == layer_table(want)
    assert [tuple(t.shape) for t in got.inputs] == [tuple(t.shape) for t in want.inputs]
    assert got.count_params() == want.count_params()
    assert len(got.trainable_weights) == len(want.trainable_weights)
    for layer in want.layers:
        if type(layer).__name__ != "InputLayer":
            got.get_layer(layer.name).set_weights(layer.get_weights())
    rng = np.random.default_rng(0)
    xs = []
    for t in want.inputs:
        shape = [1 if d is None else d for d in t.shape]
        if "int" in str(t.dtype):
            xs.append(rng.integers(0, 10, size=shape).astype(str(t.dtype)))
        else:
            xs.append(rng.normal(size=shape).astype("float32"))
    x = xs[0] if len(xs) == 1 else xs
    a, b = got(x, training=False), want(x, training=False)
    for u, v in zip(a if isinstance(a, list | tuple) else [a], b if isinstance(b, list | tuple) else [b], strict=True):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-5, atol=1e-5)


def run_python(code: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<to_code>", "exec"), namespace)  # the code twinnet generated
    return namespace["model"]


@pytest.mark.parametrize("name", CATALOG)
def test_generated_python_builds_the_same_model(name: str) -> None:
    want = twinnet.build_model(name, seed=0)
    got = run_python(twinnet.to_code(name, "python"))
    assert_same_model(got, want)
    keras.backend.clear_session()


R_CALL = re.compile(r"\b((?:layer|keras|initializer|optimizer)_[a-z0-9_]+)\(")


@pytest.mark.parametrize("name", CATALOG)
def test_keras3_code_calls_only_tabled_functions(name: str) -> None:
    code = twinnet.to_code(name, "r")
    assert code.startswith("# ") and "library(keras3)" in code
    for fn in R_CALL.findall(code):
        assert fn in KERAS3_FUNCTIONS, fn
    for fn in KERAS3_FUNCTIONS:
        if fn.startswith("layer_"):
            assert "name" not in KERAS3_FUNCTIONS[fn] and KERAS3_LAYER_COMMON == ["name", "trainable"]


def test_to_code_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="language must be one of"):
        twinnet.to_code("lenet5", "julia")


def test_cli_code(capsys: pytest.CaptureFixture[str]) -> None:
    from twinnet.__main__ import main

    assert main(["code", "lenet5", "--language", "r"]) == 0
    assert capsys.readouterr().out == twinnet.to_code("lenet5", "r")
