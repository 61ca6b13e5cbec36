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


@pytest.fixture(scope="module")
def r_drawn(r: Any, light: types.ModuleType) -> list[np.ndarray]:
    """What R draws for each of INIT_CASES, case i from PCG64(77 + i), in one call into R."""
    r.assign("init_json", json.dumps([init for init, _ in INIT_CASES]))
    r.assign("shapes_json", json.dumps([list(shape) for _, shape in INIT_CASES]))
    r("""
      h <- reticulate::import("twinnet_handoff")
      np <- reticulate::import("numpy", convert = FALSE)
      inits <- jsonlite::parse_json(init_json, simplifyVector = FALSE)
      shapes <- lapply(jsonlite::parse_json(shapes_json, simplifyVector = FALSE), function(s) as.integer(unlist(s)))
      h$all_drawn <- lapply(seq_along(inits), function(i) {
        rng <- np$random$Generator(np$random$PCG64(76L + i))
        twinnet:::draw_initializer(np, rng, inits[[i]], shapes[[i]])
      })
    """)
    drawn = [np.asarray(d) for d in light.all_drawn]
    del light.all_drawn
    return drawn


@pytest.mark.parametrize("i", range(len(INIT_CASES)))
def test_each_initializer_draws_the_same_bits(r_drawn: list[np.ndarray], i: int) -> None:
    init, shape = INIT_CASES[i]
    mine = draw_initializer(np.random.Generator(np.random.PCG64(77 + i)), init, shape)
    assert same_bits([r_drawn[i]], [mine])


DRAWN = [n for n in CATALOG if twinnet.expand(n)["params"]["total"] <= DRAW_LIMIT]  # 31 specs, 18M parameters


@pytest.fixture(scope="module")
def portable_models(r: Any, light: types.ModuleType) -> dict[str, tuple[Any, dict[str, list[np.ndarray]]]]:
    """DRAWN's models, built once in Python, with the portable weights Python draws for each; R then sets its
    own portable weights in every model, in one call into R."""
    models = {name: twinnet.build_model(name, compile=False) for name in DRAWN}
    want = {name: portable_weights(model, seed=31) for name, model in models.items()}
    light.models = list(models.values())
    r("""
      h <- reticulate::import("twinnet_handoff", convert = FALSE)
      for (m in reticulate::py_to_r(h$models)) twinnet::set_portable_weights(m, seed = 31L)
    """)
    del light.models
    return {name: (models[name], want[name]) for name in DRAWN}


@pytest.mark.parametrize("name", DRAWN)
def test_r_draws_the_portable_weights_python_draws(portable_models: dict[str, Any], name: str) -> None:
    model, want = portable_models[name]
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
