"""Shared helpers of the Python tests (the conformance vectors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "shared_specs" / "conformance"


def vectors(kind: str) -> list[Any]:
    files = sorted((CONFORMANCE / kind).glob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=f.stem) for f in files]
