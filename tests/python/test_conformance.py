"""The conformance vectors of shared_specs/conformance/, which testthat runs too."""

from __future__ import annotations

from typing import Any

import pytest
from support import CONFORMANCE, vectors

import twinnet


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
