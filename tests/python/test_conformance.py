"""The conformance vectors of shared_specs/conformance/, which testthat runs too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import CONFORMANCE, reference_validator, vectors

import twinnet
from twinnet.registry import is_valid_document


def test_there_are_enough_vectors() -> None:
    assert len(list((CONFORMANCE / "valid").glob("*.json"))) >= 10
    assert len(list((CONFORMANCE / "invalid").glob("*.json"))) >= 10


@pytest.mark.parametrize("case", vectors("valid"))
def test_valid_expands_as_recorded(case: dict[str, Any]) -> None:
    assert twinnet.expand(case["spec"]) == case["expanded"]


@pytest.mark.parametrize("case", vectors("invalid"))
def test_invalid_gives_recorded_error(case: dict[str, Any]) -> None:
    source = case["text"] if "text" in case else case["spec"]
    with pytest.raises(twinnet.SpecError) as e:
        if case.get("stage") == "build":
            twinnet.build_model(twinnet.load_spec(source))
        else:
            twinnet.load_spec(source)
    assert (e.value.path, e.value.kind) == (case["error"]["path"], case["error"]["kind"]), str(e.value)
    assert e.value.message
    if "message" in case["error"]:  # the vector pins the words
        assert e.value.message == case["error"]["message"], str(e.value)
    if "hint" in case["error"]:  # null: no hint
        assert e.value.hint == case["error"]["hint"], str(e.value)


def _document(case: dict[str, Any]) -> Any:
    if "spec" in case:
        return case["spec"]
    try:
        return json.loads(case["text"])
    except ValueError:  # not JSON: refused before the schema
        return None


OBJECTS = [p for p in vectors("valid") + vectors("invalid") if isinstance(_document(p.values[0]), dict)]


@pytest.mark.parametrize("case", OBJECTS)
def test_schema_check_agrees_with_jsonschema(case: dict[str, Any]) -> None:
    """twinnet's own schema checker accepts exactly what jsonschema accepts."""
    doc = _document(case)
    assert is_valid_document(doc) == reference_validator().is_valid(doc)
