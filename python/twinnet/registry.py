"""The layer registry and the JSON Schema, read from the package's copy of shared_specs/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .schema import Validator, compile_schema

SPECS_DIR = Path(__file__).resolve().parent / "specs"
SUPPORTED_MAJOR = 1
FORMAT_VERSION = "1.0"


@cache
def registry() -> dict[str, Any]:
    """The allowlist: layer types, their arguments, kinds and Keras defaults."""
    return json.loads((SPECS_DIR / "layers.json").read_text(encoding="utf-8"))


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of spec format 1.x."""
    return json.loads((SPECS_DIR / "schema" / "twinnet-spec-v1.schema.json").read_text(encoding="utf-8"))


@cache
def shared(name: str) -> dict[str, Any]:
    """Another table of shared_specs/ (``keras3.json``, ``diagram.json``), as the packages hold it."""
    return json.loads((SPECS_DIR / name).read_text(encoding="utf-8"))


def layer_types() -> dict[str, Any]:
    return registry()["layers"]


@cache
def validator() -> Validator:
    """The spec schema, compiled: ``validator().first_error(doc)`` gives the first error or None."""
    return compile_schema(schema())


def is_valid_document(doc: Any) -> bool:
    """Whether a document passes the JSON Schema."""
    return validator().is_valid(doc)


@cache
def arg_validator(layer_type: str, arg: str) -> Validator:
    """A validator of one argument's literal value."""
    return compile_schema(arg_schema(layer_type, arg), schema())


def arg_schema(layer_type: str, arg: str) -> dict[str, Any]:
    """The schema of one argument's literal value (without the block-parameter alternative)."""
    prop = schema()["$defs"][f"layer_{layer_type}"]["properties"][arg]
    return {**prop["anyOf"][0], "description": prop["description"].split(" (inside a block")[0]}
