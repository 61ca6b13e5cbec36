"""The layer registry and the JSON Schema, read from the package's copy of shared_specs/."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from .schema import Validator, compile_schema, ecma_pattern
from .tables import SPECS_DIR, shared

__all__ = ["FORMAT_VERSION", "SPECS_DIR", "SUPPORTED_MAJOR", "arg_schema", "arg_validator", "is_valid_document",
           "layer_types", "registry", "schema", "shared", "spec_pattern", "validator"]

_FORMAT = shared("spec_format.json")
SUPPORTED_MAJOR: int = _FORMAT["supported_major"]
FORMAT_VERSION: str = _FORMAT["format_version"]


@cache
def spec_pattern(name: str) -> re.Pattern[str]:
    """A pattern of spec_format.json ("name", "parameter", "reference", "format_version"), as JSON Schema reads it."""
    return ecma_pattern(_FORMAT["patterns"][name])


@cache
def registry() -> dict[str, Any]:
    """The allowlist: layer types, their arguments, kinds and Keras defaults."""
    return json.loads((SPECS_DIR / "layers.json").read_text(encoding="utf-8"))


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of spec format 1.x."""
    return json.loads((SPECS_DIR / "schema" / "twinnet-spec-v1.schema.json").read_text(encoding="utf-8"))


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
