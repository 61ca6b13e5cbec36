"""Spec warnings across languages: R's spec_warnings() gives the same warnings as Python's, path, kind and
whole text (conditionMessage() and str()), for every catalog spec, every warning vector, generated specs
(tests/cross/test_fuzz.py's, with a loss) and mutations of them; and load_spec() signals them in R as it
warns of them in Python. R's spec_warnings() runs only R code (it reads, checks and expands the spec).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CONFORMANCE, load_module

import twinnet
from twinnet.registry import registry

ROOT = Path(__file__).resolve().parents[2]
FUZZ = load_module(ROOT / "tests" / "cross" / "test_fuzz.py", "twinnet_fuzz_strategies_advice")
CATALOG = [str(row.name) for row in twinnet.catalog()]
VECTORS = [p for p in sorted((CONFORMANCE / "warnings").glob("*.json")) if "warnings" in json.loads(p.read_text())]
ERRORS = [p for p in sorted((CONFORMANCE / "warnings").glob("*.json")) if "error" in json.loads(p.read_text())]
LOSSES = registry()["compile"]["losses"]

# R's warnings as JSON: spec_warnings() of the text in `spec_text`, and what load_spec() signals of it
R_WARNINGS = """local({
  data <- function(found) lapply(found, function(w) list(path = w$path, kind = w$kind, text = conditionMessage(w)))
  told <- list()
  withCallingHandlers(twinnet::load_spec(spec_text), twinnet_spec_warning = function(w) {
    told[[length(told) + 1L]] <<- w
    invokeRestart("muffleWarning")
  })
  list(data = data(twinnet::spec_warnings(spec_text)), told = data(told))
})"""


def python_warnings(text: str) -> list[dict[str, str]]:
    return [{"path": w.path, "kind": w.kind, "text": str(w)} for w in twinnet.spec_warnings(text)]


def r_warnings(r: Any, text: str) -> dict[str, list[dict[str, str]]]:
    r.assign("spec_text", r.ro.StrVector([text]))
    got: dict[str, list[dict[str, str]]] = r.json(R_WARNINGS)
    return got


def assert_same_warnings(r: Any, text: str) -> list[dict[str, str]]:
    want = python_warnings(text)
    got = r_warnings(r, text)
    assert got["data"] == want
    assert got["told"] == want
    return want


@pytest.mark.parametrize("name", CATALOG)
def test_catalog_warnings_agree(r: Any, name: str) -> None:
    text = (ROOT / "shared_specs" / "models" / f"{name}.json").read_text(encoding="utf-8")
    assert assert_same_warnings(r, text) == []


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector_warnings_agree(r: Any, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    found = assert_same_warnings(r, json.dumps(case["spec"]))
    assert [(w["path"], w["kind"]) for w in found] == [(w["path"], w["kind"]) for w in case["warnings"]]


@pytest.mark.parametrize("path", ERRORS, ids=[p.stem for p in ERRORS])
def test_allow_errors_agree(r: Any, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    r.assign("spec_text", r.ro.StrVector([json.dumps(case["spec"])]))
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec(json.dumps(case["spec"]))
    assert r.spec_error("twinnet::load_spec(spec_text)", message=True) == (e.value.path, e.value.kind,
                                                                           str(e.value))
    assert (e.value.path, e.value.kind, e.value.message) == tuple(case["error"][k] for k in ("path", "kind", "message"))


@st.composite
def specs_with_a_loss(draw: Any) -> str:
    """A generated valid spec, often with a compile loss (so that the loss's warnings are checked too)."""
    doc = draw(FUZZ.valid_specs())
    if draw(st.booleans()):
        doc["compile"] = {"optimizer": "adam", "loss": draw(st.sampled_from(LOSSES))}
    return json.dumps(doc)


@settings(FUZZ.SETTINGS)
@given(text=specs_with_a_loss())
def test_fuzz_generated_specs_warn_alike(r: Any, text: str) -> None:
    assert_same_warnings(r, text)


@settings(FUZZ.MUTATION_SETTINGS, max_examples=min(FUZZ.MUTATION_SETTINGS.max_examples, 120))
@given(case=FUZZ.mutants())
def test_fuzz_accepted_mutants_warn_alike(r: Any, case: tuple[str, str]) -> None:
    _, text = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", twinnet.SpecWarning)
        try:
            twinnet.load_spec(text)
        except twinnet.SpecError:
            return  # refused: test_fuzz.py checks that R refuses it alike
    assert_same_warnings(r, text)
