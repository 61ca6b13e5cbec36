"""to_code across languages: R writes the same text as Python, and the reticulate R code builds
in R a model equal to Python's build_model()."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import twinnet

CATALOG = [row.name for row in twinnet.catalog()]
LANGUAGES = ["python", "r", "r-reticulate"]


def layer_table(model: Any) -> list[tuple[Any, ...]]:
    rows = [(layer.name, type(layer).__name__, layer.get_config(), tuple(layer.output.shape), layer.count_params())
            for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return sorted(rows, key=lambda r: r[0])


def as_list(y: Any) -> list[np.ndarray]:
    return [np.asarray(v) for v in (y if isinstance(y, list | tuple) else [y])]


@pytest.mark.parametrize("name", CATALOG)
def test_r_writes_the_same_code(r: Any, name: str) -> None:
    for language in LANGUAGES:
        text = r(f'twinnet::to_code("{name}", "{language}")')[0]
        assert text == twinnet.to_code(name, language), language


@pytest.mark.parametrize("name", CATALOG)
def test_reticulate_code_builds_the_same_model(r: Any, handoff: types.ModuleType, name: str) -> None:
    r.assign("code", r.ro.StrVector([twinnet.to_code(name, "r-reticulate")]))
    r('env <- new.env(); eval(parse(text = code), envir = env); '
      'h <- reticulate::import("twinnet_handoff"); h$model <- env$model')
    got = handoff.model
    want = twinnet.build_model(name, seed=0)
    assert layer_table(got) == layer_table(want)
    assert [tuple(t.shape) for t in got.inputs] == [tuple(t.shape) for t in want.inputs]
    assert got.count_params() == want.count_params()
    for layer in want.layers:
        if type(layer).__name__ != "InputLayer":
            got.get_layer(layer.name).set_weights(layer.get_weights())
    rng = np.random.default_rng(0)
    xs = [rng.integers(0, 10, size=[1, *t.shape[1:]]).astype(str(t.dtype)) if "int" in str(t.dtype)
          else rng.normal(size=[1, *[1 if d is None else d for d in t.shape[1:]]]).astype("float32")
          for t in want.inputs]
    x = xs[0] if len(xs) == 1 else xs
    for u, v in zip(as_list(got(x, training=False)), as_list(want(x, training=False)), strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-5)


def test_keras3_tables_agree(r: Any) -> None:
    from twinnet.codegen import KERAS3_FUNCTIONS

    have = r.json("lapply(twinnet::keras3_functions(), as.list)")
    assert {k: sorted(v) for k, v in have.items()} == {k: sorted(v) for k, v in KERAS3_FUNCTIONS.items()}
