"""Checking a spec document: its top level, format version, list lengths and JSON Schema (R: R/check.R)."""

from __future__ import annotations

from typing import Any

from .errors import HINTS, SpecError, hint_text, json_pointer, spec_error_at, suggest
from .formatting import cut_text, describe, format_count, int_text, or_list, py_str
from .limits import HOW_TO_RAISE, get_limit
from .registry import SUPPORTED_MAJOR, layer_types, schema, shared, spec_pattern, validator
from .schema import Failure, compile_schema

__all__ = ["check_list_lengths", "validate_document"]

# A JSON Schema type in a message ("expected an integer"): messages.json's type_words.
TYPE_WORDS: dict[str, str] = shared("messages.json")["type_words"]


def validate_document(doc: Any) -> dict[str, Any]:
    """Check the top level, the format version, then the JSON Schema; raise the first error."""
    if not isinstance(doc, dict):
        raise spec_error_at("", "not_an_object", found=describe(doc))
    if "format_version" not in doc:
        raise spec_error_at("/format_version", "no_format_version")
    version = doc["format_version"]
    if not isinstance(version, str) or not spec_pattern("format_version").match(version):
        raise spec_error_at("/format_version", "bad_format_version", found=describe(version))
    if version.split(".")[0].lstrip("0") != str(SUPPORTED_MAJOR):  # as text: the major may have 5,000 digits
        raise spec_error_at("/format_version", "unsupported_version", version=cut_text(version),
                            major=int_text(SUPPORTED_MAJOR))
    check_list_lengths(doc)
    failure = validator().first_error(doc)
    if failure is not None:
        raise _to_spec_error(failure)
    return doc


def check_list_lengths(doc: dict[str, Any]) -> None:
    """Refuse a layer list longer than max_layers before the schema validator reads it."""
    limit = get_limit("max_layers")
    lists: list[tuple[list[str], Any]] = [(["layers"], doc.get("layers"))]
    blocks = doc.get("blocks")
    if isinstance(blocks, dict):
        lists += [(["blocks", name, "layers"], block.get("layers")) for name, block in blocks.items()
                  if isinstance(block, dict)]
    for tokens, entries in lists:
        if isinstance(entries, list) and len(entries) > limit:
            raise spec_error_at(json_pointer([*tokens, int_text(limit)]), "too_many_layers",
                                HOW_TO_RAISE.format(name="max_layers"), count=format_count(len(entries)),
                                limit=format_count(int(limit)))


def _to_spec_error(f: Failure) -> SpecError:
    """The first schema error as a SpecError: path, kind, message and hint (R: to_spec_error())."""
    tokens = f.path()
    sch = f.schema if isinstance(f.schema, dict) else {}
    found = f.instance
    if f.keyword == "required":
        missing = str(f.key)
        if missing == "type" and tokens[-2:-1] == ["layers"]:
            return spec_error_at(json_pointer([*tokens, missing]), "missing_type")
        return spec_error_at(json_pointer([*tokens, missing]), "missing_field", field=missing)
    if f.keyword == "additionalProperties":
        allowed = list(sch.get("properties", {}))
        extra = str(f.key)
        layer_type = sch.get("properties", {}).get("type", {}).get("const")
        if layer_type and extra in ("name", "inputs", "weights", "allow"):  # only a wrapped layer has none of these
            return spec_error_at(json_pointer([*tokens, extra]), "wrapped_field", type=layer_type, name=extra)
        if layer_type:
            return _unknown_argument(json_pointer([*tokens, extra]), extra, layer_type, allowed, found)
        return spec_error_at(json_pointer([*tokens, extra]), "unknown_field",
                             _renamed(extra, allowed) or suggest(extra, allowed), name=extra)
    if f.keyword == "enum" and tokens and tokens[-1] == "type":
        if len(tokens) >= 2 and not str(tokens[-2]).isdigit() and isinstance(found, str) and found in layer_types():
            return spec_error_at(json_pointer(tokens), "not_wrappable", type=found, types=or_list(sch["enum"]))
        return _unknown_type(json_pointer(tokens), found, list(sch["enum"]))
    if f.keyword == "propertyNames":  # a key of a block, args or params object
        return spec_error_at(json_pointer([*tokens, str(f.key)]), "invalid_name", name=describe(f.key))
    desc = sch.get("description")
    if desc and not (tokens and tokens[0] == "blocks"):  # "$parameters" exist only inside blocks
        desc = desc.split(" (inside a block")[0]
    if not desc and f.keyword == "type":
        types = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        desc = " or ".join(TYPE_WORDS[t] for t in types)
    if desc:
        return spec_error_at(json_pointer(tokens), "expected", _value_hint(f.keyword, sch, found), expected=desc,
                             found=describe(found))
    return spec_error_at(json_pointer(tokens), "schema_keyword", found=describe(found), keyword=f.keyword)


# -- hints (shared_specs/hints.json; R: check.R's hints) -------------------------------------------

def _renamed(name: str, allowed: list[str]) -> str | None:
    """The hint for an old Keras name whose Keras 3 name is allowed here ("lr": "learning_rate"), or None."""
    for new in HINTS["old_arguments"].get(name, []):
        if new in allowed:
            return hint_text("old_argument", new=new)
    return None


def _unknown_argument(path: str, name: str, layer_type: str, allowed: list[str], layer: Any) -> SpecError:
    """An argument that the layer type does not take: an input shape written on the layer, an old Keras
    name, a Keras argument that twinnet does not support, or a misspelling."""
    if name in HINTS["input_arguments"]:
        value = layer.get(name) if isinstance(layer, dict) else None
        shape = describe(value) if name == "input_shape" and isinstance(value, list) else "[...]"
        return spec_error_at(path, "unknown_argument", hint_text("input_argument", shape=shape), name=name,
                             type=layer_type)
    renamed = _renamed(name, allowed)
    if renamed is None and name in HINTS["keras_arguments"].get(layer_type, []):
        return spec_error_at(path, "unsupported_argument", name=name, type=layer_type)
    return spec_error_at(path, "unknown_argument", renamed or suggest(name, allowed), name=name, type=layer_type)


def _unknown_type(path: str, found: Any, supported: list[str]) -> SpecError:
    """A layer type that is not in the allowlist: Keras's other or old name of a supported type, a Keras
    layer that twinnet does not support, or a misspelling; else the list of supported types (R: unknown_type())."""
    if not isinstance(found, str):  # not a name at all: the message says what it is
        return spec_error_at(path, "unknown_type", type=py_str(found))
    every = hint_text("supported_types", types=", ".join(layer_types()))
    low = found.lower()
    for table, hint in (("type_aliases", "type_alias"), ("old_types", "old_type")):
        new = next((v for k, v in HINTS[table].items() if k.lower() == low), None)
        if new in supported:
            return spec_error_at(path, "unknown_type", hint_text(hint, new=new), type=found)
    if not any(t.lower() == low for t in supported) and any(k.lower() == low for k in HINTS["keras_layers"]):
        return spec_error_at(path, "unsupported_type", every, type=found)
    return spec_error_at(path, "unknown_type", suggest(found, supported) or every, type=found)


def _value_hint(keyword: str, sch: dict[str, Any], found: Any) -> str | None:
    """A name close to a misspelt one ("Relu": "relu"), or how to write a list of one ("shape": 784)."""
    if isinstance(found, str):
        names = _enum_names(sch) if keyword in ("enum", "anyOf") else []
        close = suggest(found, names) if names else None
        if close is not None:
            return close
    if isinstance(found, str | int | float) and not isinstance(found, bool) and \
            compile_schema(sch, schema()).is_valid([found]):
        return hint_text("list_of_one", value=describe(found))
    return None


def _enum_names(sch: dict[str, Any]) -> list[str]:
    """The names a schema (or the options of its anyOf, or the definition it refers to) lists in enums."""
    if "$ref" in sch:
        sch = schema()["$defs"][sch["$ref"].split("/")[-1]]
    names = [v for v in sch.get("enum", []) if isinstance(v, str)]
    for option in sch.get("anyOf", []):
        if isinstance(option, dict):
            names += _enum_names(option)
    return names
