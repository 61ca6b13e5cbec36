"""The layer registry and the JSON Schema, read from the package's copy of shared_specs/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

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
def validator() -> Any:
    """A JSON Schema validator for whole specs (jsonschema is imported on first use)."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema())


@cache
def fast_validators() -> tuple[Any, dict[str, Any]]:
    """The schema split for speed: the document without its layers, and one validator per layer type.

    A layer is valid under the whole schema exactly when it is an object whose ``type`` is in the
    registry and it passes that type's definition (the other types' ``if`` branches never apply),
    so checking each layer against its own type's definition accepts the same documents as the
    whole schema, without trying every type's ``if`` on every layer.
    """
    import jsonschema

    whole = schema()
    skeleton = {**whole, "$defs": {**whole["$defs"], "layer": {"type": "object"}}}
    per_type = {t: jsonschema.Draft202012Validator({"$id": whole["$id"], "$defs": whole["$defs"],
                                                    "$ref": f"#/$defs/layer_{t}"})
                for t in layer_types()}
    return jsonschema.Draft202012Validator(skeleton), per_type


def is_valid_document(doc: dict[str, Any]) -> bool:
    """Whether a document passes the JSON Schema; the same answer as ``validator().is_valid``, faster."""
    skeleton, per_type = fast_validators()
    if not skeleton.is_valid(doc):
        return False
    lists = [doc["layers"], *(block["layers"] for block in doc.get("blocks", {}).values())]
    for entry in (e for entries in lists for e in entries):
        if "block" in entry:  # a block use: the skeleton checked it
            continue
        check = per_type.get(entry["type"]) if isinstance(entry.get("type"), str) else None
        if check is None or not check.is_valid(entry):
            return False
    return True


@cache
def arg_validator(layer_type: str, arg: str) -> Any:
    """A validator of one argument's literal value."""
    import jsonschema

    return jsonschema.Draft202012Validator(arg_schema(layer_type, arg))


def arg_schema(layer_type: str, arg: str) -> dict[str, Any]:
    """The schema of one argument's literal value (without the block-parameter alternative)."""
    prop = schema()["$defs"][f"layer_{layer_type}"]["properties"][arg]
    return {**prop["anyOf"][0], "description": prop["description"].split(" (inside a block")[0]}
