"""Shared helpers of the Python tests (the conformance vectors)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "shared_specs" / "conformance"


def vectors(kind: str) -> list[Any]:
    files = sorted((CONFORMANCE / kind).glob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=f.stem) for f in files]


def reference_validator() -> Any:
    """jsonschema's validator of the spec schema: the reference that twinnet's own checker is tested against.

    JSON Schema patterns are ECMA-262 expressions, in which ``$`` matches only at the very end;
    Python's ``re`` also matches it before a final newline, so the patterns' final ``$`` is given
    to jsonschema as ``\\Z``.
    """
    import jsonschema

    text = (ROOT / "shared_specs" / "schema" / "twinnet-spec-v1.schema.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text.replace('$"', '\\\\Z"')))


def load_module(path: Path, name: str) -> ModuleType:
    """A test file's module, loaded from its path under a name of its own (to share its strategies)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
