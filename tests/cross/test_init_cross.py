"""Portable initial weights are the same bits in R and in Python: R makes the same NumPy calls in the
same order (R/init.R, python/twinnet/init.py). Each initializer case of the cross-backend harness is
drawn in both languages; each catalog spec's model, built once in Python, gets its portable weights
drawn by R and by Python; and build_model(init = "portable") builds the same weights in both."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import twinnet
from twinnet.init import draw_initializer, portable_weights

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends"))
from backend_harness import INIT_CASES  # the initializer cases of tests/backends

# Above this many parameters a model is left out here: Python builds it and both languages draw every
# weight (VGG and YOLO: 0.5 to 1.1 GB each time); its layer types are all in the smaller networks.
DRAW_LIMIT = 10_000_000
CATALOG = [row.name for row in twinnet.catalog()]


@pytest.fixture(scope="module")
def light(r: Any) -> Iterator[types.ModuleType]:
    """The handoff module, emptied after each test but Keras's and R's memory freed once, at the end: the
    models here are small, and a full release costs 0.65 s (conftest.py's handoff fixture)."""
    module = sys.modules["twinnet_handoff"]
    yield module
    r.release(module)


@pytest.fixture
def handoff(light: types.ModuleType) -> Iterator[types.ModuleType]:
    yield light
    for name in [n for n in vars(light) if not n.startswith("__")]:
        delattr(light, name)


def same_bits(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(
        x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes() for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("i", range(len(INIT_CASES)))
def test_each_initializer_draws_the_same_bits(r: Any, handoff: types.ModuleType, i: int) -> None:
    init, shape = INIT_CASES[i]
    mine = draw_initializer(np.random.Generator(np.random.PCG64(77 + i)), init, shape)
    r.assign("init_json", json.dumps(init))
    r(f"""
      h <- reticulate::import("twinnet_handoff")
      np <- reticulate::import("numpy", convert = FALSE)
      rng <- np$random$Generator(np$random$PCG64({77 + i}L))
      init <- jsonlite::parse_json(init_json, simplifyVector = FALSE)
      h$drawn <- twinnet:::draw_initializer(np, rng, init, c({", ".join(f"{d}L" for d in shape)}))
    """)
    assert same_bits([np.asarray(handoff.drawn)], [mine])


@pytest.mark.parametrize("name", [n for n in CATALOG if twinnet.expand(n)["params"]["total"] <= DRAW_LIMIT])
def test_r_draws_the_portable_weights_python_draws(r: Any, handoff: types.ModuleType, name: str) -> None:
    model = twinnet.build_model(name, compile=False)
    want = portable_weights(model, seed=31)
    handoff.model = model
    r("""
      h <- reticulate::import("twinnet_handoff", convert = FALSE)
      twinnet::set_portable_weights(h$model, seed = 31L)
    """)
    drawn = [np.asarray(w) for layer in model.layers for w in layer.get_weights() if layer.name in want]
    assert same_bits(drawn, [w for arrays in want.values() for w in arrays])


@pytest.mark.parametrize("name", ["lenet5", "stock_lstm"])
def test_build_model_portable_is_the_same_in_both(r: Any, handoff: types.ModuleType, name: str) -> None:
    r(f"""
      h <- reticulate::import("twinnet_handoff")
      m <- twinnet::build_model("{name}", seed = 8L, init = "portable")
      h$r_model <- m
      h$r_drawn <- twinnet::portable_weights(m, seed = 8L)
    """)
    model = twinnet.build_model(name, seed=8, init="portable")
    mine = [np.asarray(w) for w in model.get_weights()]
    assert same_bits([np.asarray(w) for w in handoff.r_model.get_weights()], mine)
    # R's portable_weights() gives R arrays (doubles): back in float32 they are the same bits
    r_drawn = [np.asarray(w, dtype=np.float32) for ws in dict(handoff.r_drawn).values() for w in ws]
    assert same_bits(r_drawn, mine)
