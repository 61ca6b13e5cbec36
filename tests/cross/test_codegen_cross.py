"""to_code across languages: R writes the same text as Python, and the reticulate R code builds
in R a model equal to Python's build_model(); the same for the hostile corpus (tests/corpus/codegen)
and generated hostile specs, and the same number texts for any double."""

from __future__ import annotations

import json
import random
import struct
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from codegen_models import assert_same_layers
from hypothesis import HealthCheck, assume, given, settings
from support import covering_catalog_specs, forward, load_module, outputs_of

import twinnet
from twinnet.codegen import Identifiers, number_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "corpus" / "codegen").glob("*.json"))


HOSTILE = load_module(ROOT / "tests" / "python" / "codegen_hostile_specs.py", "codegen_hostile_specs")

CATALOG = [row.name for row in twinnet.catalog()]
LANGUAGES = ["python", "r", "r-reticulate"]


@pytest.mark.parametrize("name", CATALOG)
def test_r_writes_the_same_code(r: Any, name: str) -> None:
    for language in LANGUAGES:
        text = r(f'twinnet::to_code("{name}", "{language}")')[0]
        assert text == twinnet.to_code(name, language), language


# The reticulate code runs in R for the smallest catalog specs up to 100M parameters that hold every form of
# layer (its type and which arguments it writes) of those specs: 30 of 39. The code is written layer by layer,
# so the others hold nothing that these do not run; test_r_writes_the_same_code checks every spec's text is
# Python's, and tests/python builds every spec's Python code (VGG's and YOLO's builds cost seconds and a gigabyte).
RUN_IN_R = covering_catalog_specs(arguments=True, max_params=100_000_000)


@pytest.mark.parametrize("name", RUN_IN_R)
def test_reticulate_code_builds_the_same_model(r: Any, handoff: types.ModuleType, name: str) -> None:
    r.assign("code", r.ro.StrVector([twinnet.to_code(name, "r-reticulate")]))
    r('env <- new.env(); eval(parse(text = code), envir = env); '
      'h <- reticulate::import("twinnet_handoff"); h$model <- env$model; rm(list = ls())')
    got = handoff.model
    want = twinnet.build_model(name, seed=0)
    assert_same_layers(got, want, name)  # in order, the names the spec gives; got takes want's weights
    assert [tuple(t.shape) for t in got.inputs] == [tuple(t.shape) for t in want.inputs]
    assert got.count_params() == want.count_params()
    rng = np.random.default_rng(0)
    xs = [rng.integers(0, 10, size=[1, *t.shape[1:]]).astype(str(t.dtype)) if "int" in str(t.dtype)
          else rng.normal(size=[1, *[1 if d is None else d for d in t.shape[1:]]]).astype("float32")
          for t in want.inputs]
    x = xs[0] if len(xs) == 1 else xs
    for u, v in zip(outputs_of(forward(got, x)), outputs_of(forward(want, x)), strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-5)


# -- hostile specs and numbers ------------------------------------------------------------------------
def r_to_code(r: Any, text: str, language: str) -> str:
    r.assign("spec_text", r.ro.StrVector([text]))
    return str(r(f'twinnet::to_code(spec_text, "{language}")')[0])


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_r_writes_the_same_code_for_the_hostile_corpus(r: Any, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(case["spec"])
    if "error" in case:
        r.assign("spec_text", r.ro.StrVector([text]))
        want = (case["error"]["path"], case["error"]["kind"])
        assert r.spec_error('twinnet::to_code(spec_text, "r")') == want
        return
    for language in LANGUAGES:
        assert r_to_code(r, text, language) == twinnet.to_code(text, language), language


@settings(max_examples=15, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(spec=HOSTILE.hostile_specs())
def test_r_writes_the_same_code_for_generated_hostile_specs(r: Any, spec: dict[str, Any]) -> None:
    text = json.dumps(spec)
    assume("\\u0000" not in text)  # R's strings cannot hold NUL
    assume(HOSTILE.loads(spec))
    for language in LANGUAGES:
        assert r_to_code(r, text, language) == twinnet.to_code(text, language), language


def _doubles() -> list[float]:
    rng = random.Random(20240611)
    xs = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(20000)]
    xs = [x for x in xs if np.isfinite(x)]
    xs += [2.0 ** k for k in range(-1074, 1024)] + [-(2.0 ** k) for k in range(-1074, 1024, 7)]
    xs += [k * 5e-324 for k in range(1, 200)] + [float(10 ** k) for k in range(-20, 25)]
    xs += [float(f"1e{k}") for k in range(-324, 309)] + [0.1 * k for k in range(100)] + [0.0, -0.0]
    return xs


def test_r_writes_doubles_as_python_does(r: Any) -> None:
    xs = _doubles()
    r.assign("xs", r.ro.FloatVector(xs))
    got = list(r("twinnet:::number_text(xs)"))
    want = [number_text(x) for x in xs]
    bad = [(x, g, w) for x, g, w in zip(xs, got, want, strict=True) if g != w]
    assert not bad, bad[:10]
    r.assign("xs", r.ro.FloatVector([x for x in xs if x == int(x) and abs(x) < 2.0 ** 80]))
    got = list(r('twinnet:::number_text(xs, "integer")'))
    assert got == [number_text(x, "integer") for x in xs if x == int(x) and abs(x) < 2.0 ** 80]


def test_r_renames_names_as_python_does(r: Any) -> None:
    names = ["lambda", "b", "conv", "NA_integer_", "a_", "a\n", "a\n", "a__", "model", "x_", "x", "print", "T",
             "layer_dense", "keras", "function", "None", "in", "1st"]
    ids = Identifiers({"b", "x__"})
    r.assign("names", r.ro.StrVector(names))
    got = list(r('ids <- twinnet:::new_identifiers(c("b", "x__")); '
                 "vapply(names, function(n) twinnet:::identifier(ids, n), '', USE.NAMES = FALSE)"))
    assert got == [ids(n) for n in names]
