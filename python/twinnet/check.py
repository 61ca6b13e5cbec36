"""Checking a spec document: its top level, format version, list lengths and JSON Schema (R: R/check.R)."""

from __future__ import annotations

from typing import Any

from .errors import SpecError, json_pointer, spec_error_at, suggest
from .formatting import cut_text, describe, format_count, int_text, py_str
from .limits import HOW_TO_RAISE, get_limit
from .registry import SUPPORTED_MAJOR, shared, spec_pattern, validator
from .schema import Failure

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
        if layer_type:
            return spec_error_at(json_pointer([*tokens, extra]), "unknown_argument", suggest(extra, allowed),
                                 name=extra, type=layer_type)
        return spec_error_at(json_pointer([*tokens, extra]), "unknown_field", suggest(extra, allowed), name=extra)
    if f.keyword == "enum" and tokens and tokens[-1] == "type":
        return spec_error_at(json_pointer(tokens), "unknown_type",
                             suggest(found, sch["enum"]) if isinstance(found, str) else None, type=py_str(found))
    if f.keyword == "propertyNames":  # a key of a block, args or params object
        return spec_error_at(json_pointer([*tokens, str(f.key)]), "invalid_name", name=describe(f.key))
    desc = sch.get("description")
    if desc and not (tokens and tokens[0] == "blocks"):  # "$parameters" exist only inside blocks
        desc = desc.split(" (inside a block")[0]
    if not desc and f.keyword == "type":
        types = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        desc = " or ".join(TYPE_WORDS[t] for t in types)
    if desc:
        hint = suggest(found, sch["enum"]) if f.keyword == "enum" and isinstance(found, str) else None
        return spec_error_at(json_pointer(tokens), "expected", hint, expected=desc, found=describe(found))
    return spec_error_at(json_pointer(tokens), "schema_keyword", found=describe(found), keyword=f.keyword)
