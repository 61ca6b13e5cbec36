"""The package's copy of shared_specs/: where it lies, and a table of it as a dict (R: specs_path())."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["SPECS_DIR", "shared"]

SPECS_DIR = Path(__file__).resolve().parent / "specs"


@cache
def shared(name: str) -> dict[str, Any]:
    """A table of shared_specs/ (``limits.json``, ``handout/handout.json``), as the packages hold it."""
    return json.loads((SPECS_DIR / name).read_text(encoding="utf-8"))
