"""Reading a spec: a catalog name, a file, JSON text or a dict, to a JSON value (R: R/read.R).

What is refused here, in this order: the size of the text, a byte order mark, the nesting depth, the
JSON syntax, the escapes \\u0000 and lone surrogates, over-long keys and repeated keys.
"""

from __future__ import annotations

import copy
import json
import math
import re
import sys
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import SpecError, json_pointer, spec_error_at, suggest
from .formatting import cut_text, describe, format_count
from .limits import MAX_JSON_DEPTH, MAX_KEY_BYTES, MAX_SPEC_BYTES
from .registry import SPECS_DIR, spec_pattern

__all__ = ["catalog_names", "catalog_path", "check_escapes", "non_finite_path", "parse_json", "read_source",
           "text_depth", "value_depth"]

NAME_RE = spec_pattern("name")  # shared_specs/spec_format.json
# A JSON string literal; one left open runs to the end of the text (R: outside_strings()).
STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
BRACKETS_RE = re.compile(r"[\[{]+|[\]}]+")
# An escape in a JSON string: \uXXXX (group 1: the hex digits) or a backslash and one character.
ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.S)
# What a value given in Python may hold, for the "not_json_value" and "source_type" errors (R names its own).
JSON_VALUES = "a dict with string keys, a list, a string, a number, True, False or None"
CONTAINER = "a dict"


def catalog_names() -> list[str]:
    return sorted(p.stem for p in (SPECS_DIR / "models").glob("*.json"))


def catalog_path(name: str) -> Path:
    return SPECS_DIR / "models" / f"{name}.json"


def _is_file(path: Path) -> bool:
    """Whether path is a file; False for a name the system cannot even look up (too long, a NUL in it)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def looks_like_path(text: str) -> bool:
    """Whether a source that is no catalog name, file or JSON text was meant as a file (R: looks_like_path())."""
    return not NAME_RE.match(text) and ("/" in text or "\\" in text or text.lower().endswith(".json"))


def read_source(source: Any) -> tuple[Any, str]:
    """(the JSON value, where it came from) of what :func:`twinnet.load_spec` accepts, but a Spec (R: read_source())."""
    if isinstance(source, Mapping | list):
        _check_value(source)
        if isinstance(source, Mapping):
            return copy.deepcopy(dict(source)), "<dict>"
        return copy.deepcopy(source), "<list>"
    if isinstance(source, PathLike):
        if not _is_file(Path(source)):
            raise spec_error_at("", "no_file", file=cut_text(str(source), 60))
        return read_file(Path(source), str(Path(source)))
    if isinstance(source, str):
        text = source.strip()
        if text.lstrip("\ufeff").startswith(("{", "[")):  # JSON text (parse_json() refuses a byte order mark)
            return parse_json(source), "<json>"
        if NAME_RE.match(text) and _is_file(catalog_path(text)):
            return read_file(catalog_path(text), f"{text}.json")
        if _is_file(Path(source)):
            return read_file(Path(source), source)
        if looks_like_path(text):
            raise spec_error_at("", "no_spec_file", file=cut_text(text, 60))
        hint = suggest(text, catalog_names()) if NAME_RE.match(text) else None
        raise spec_error_at("", "not_a_source", hint, source=cut_text(source, 60))
    raise spec_error_at("", "source_type", container=CONTAINER, found=type(source).__name__)


def read_file(path: Path, shown: str) -> tuple[Any, str]:
    """The JSON value of a file and where it came from; its errors name it as ``shown`` (as the user wrote it)."""
    file = file_label(shown)
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise spec_error_at("", "file_too_large", file=file, bytes=format_count(MAX_SPEC_BYTES))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise spec_error_at("", "not_utf8", file=file, byte=str(e.start + 1)) from None
    return parse_json(text, file), str(path)


def file_label(path: str) -> str:
    """A file's path for a message: as written, or "..." and its last 57 characters when it is longer than 60
    (the end names the file; R: file_label())."""
    return path if len(path) <= 60 else "..." + path[-57:]


# -- JSON text -------------------------------------------------------------------------------------

def parse_json(text: str, file: str | None = None) -> Any:
    """Parse JSON text; errors give line and column, and repeated keys are refused.

    Checked in this order, as R does: the size, a byte order mark, the nesting depth, the syntax,
    repeated keys. The errors in the text of a file name it (``file``, from :func:`file_label`).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
        raise spec_error_at("", "spec_too_large", bytes=format_count(MAX_SPEC_BYTES))
    if text.startswith("\ufeff"):
        raise spec_error_at("", "json_bom", position=_in_file("line 1, column 1", file))
    if text_depth(text) > MAX_JSON_DEPTH:
        raise _too_deep(file)
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant,
                           parse_float=_finite_float, parse_int=_finite_int)
    except json.JSONDecodeError as e:  # where and what, in twinnet's words (the same as R's)
        from .jsontext import json_syntax_error  # the scan runs only on text the parser refused

        at, what = json_syntax_error(text) or (e.pos, e.msg)
        if at is None:
            raise _no_position(what, file) from None
        raise spec_error_at("", "json_syntax_at", position=_in_file(_position(text, at), file), what=what) from None
    except ValueError as e:  # NaN, Infinity, 1e400: Python's json reads them, R (and JSON) cannot
        raise _no_position(str(e), file) from None
    except RecursionError:  # not reached: text_depth() refused the text first
        raise _too_deep(file) from None
    check_escapes(text, file)
    _find_dup(value, [])
    return value


def _no_position(what: str, file: str | None) -> SpecError:
    if file is None:
        return spec_error_at("", "json_syntax", what=what)
    return spec_error_at("", "file_json_syntax", file=file, what=what)


def _in_file(position: str, file: str | None) -> str:
    """A position in the text of a file: "line 3, column 5 of 'lenet.json'" (R: in_file())."""
    return position if file is None else f"{position} of '{file}'"


def _position(text: str, at: int) -> str:
    """"line L, column C" (1-based, columns in characters) of a 0-based character offset (R: json_position())."""
    line_start = text.rfind("\n", 0, at) + 1
    return f"line {text.count(chr(10), 0, at) + 1}, column {at - line_start + 1}"


# The words of these ValueErrors are jsontext.py's for the same numbers (R reports them from its scan).
def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {cut_text(text)} is too large for a 64-bit float")
    return value


def _finite_int(text: str) -> int:
    # 310 digits or more is beyond any float (and int() refuses more than 4,300 digits)
    if len(text.lstrip("-")) >= 310 or abs(value := int(text)) > sys.float_info.max:
        raise ValueError(f"the number {cut_text(text)} is too large for a 64-bit float")
    return value


def text_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text, counted outside strings, before parsing."""
    depth = deepest = 0
    for run in BRACKETS_RE.findall(STRING_RE.sub("", text)):
        if run[0] in "[{":
            depth += len(run)
            deepest = max(deepest, depth)
        else:
            depth -= len(run)
    return deepest


def _too_deep(file: str | None = None) -> SpecError:
    if file is None:
        return spec_error_at("", "json_too_deep", depth=str(MAX_JSON_DEPTH))
    return spec_error_at("", "file_json_too_deep", file=file, depth=str(MAX_JSON_DEPTH))


def check_escapes(text: str, file: str | None = None) -> None:
    """Refuse the escapes \\u0000 (NUL, which R's strings cannot hold) and a lone UTF-16 surrogate.

    JSON text only: every backslash in valid JSON starts an escape, so the escapes are read in order.
    """
    if "\\u" not in text:
        return
    pending: re.Match[str] | None = None  # a high surrogate waiting for its low half
    for m in ESCAPE_RE.finditer(text):
        code = int(m.group(1), 16) if m.group(1) else -1
        if pending is not None:
            if m.start() == pending.end() and 0xDC00 <= code <= 0xDFFF:
                pending = None
                continue
            _lone_surrogate(text, pending, file)
        if code == 0:
            raise spec_error_at("", "json_nul", position=_in_file(_position(text, m.start()), file))
        if 0xD800 <= code <= 0xDBFF:
            pending = m
        elif 0xDC00 <= code <= 0xDFFF:
            _lone_surrogate(text, m, file)
    if pending is not None:
        _lone_surrogate(text, pending, file)


def _lone_surrogate(text: str, m: re.Match[str], file: str | None) -> None:
    raise spec_error_at("", "json_surrogate", position=_in_file(_position(text, m.start()), file),
                        escape=m.group(0))


# -- keys ------------------------------------------------------------------------------------------

class _Dups(dict):
    """A JSON object that had repeated keys (the first repeat is kept in ``dup``)."""

    dup: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            out = _Dups(seen)
            out.dup = key
            return out
        seen[key] = value
    return seen


def _find_dup(value: Any, tokens: list[str | int]) -> None:
    """Refuse an over-long key, then a repeated key, depth first in document order (R: find_dup())."""
    if isinstance(value, dict):
        _check_key_lengths(value, tokens)
        if isinstance(value, _Dups):
            raise spec_error_at(json_pointer([*tokens, value.dup]), "duplicate_key", key=value.dup)
        for k, v in value.items():
            _find_dup(v, [*tokens, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _find_dup(v, [*tokens, i])


def _check_key_lengths(obj: dict[str, Any], tokens: list[str | int]) -> None:
    for key in obj:
        if not isinstance(key, str):  # a dict given in Python: json.dumps() would have made the key a string
            raise spec_error_at(json_pointer(tokens), "not_json_value", json_values=JSON_VALUES,
                                found=f"the key {key!r}")
        if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
            raise spec_error_at(json_pointer(tokens), "key_too_long", bytes=format_count(MAX_KEY_BYTES),
                                start=describe(key[:20]))


# -- values given in Python ------------------------------------------------------------------------

def _check_value(value: Any) -> None:
    """A dict or list: as R checks a list, its depth, then NaN and infinities, then its size as JSON text."""
    try:  # the fast way: JSON text, whose depth and size are quick to measure
        text: str | None = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except RecursionError:
        raise _too_deep() from None
    except (TypeError, ValueError):  # NaN or an infinity, or a value JSON cannot hold
        text = None
    if (text_depth(text) if text is not None else value_depth(value)) > MAX_JSON_DEPTH:
        raise _too_deep()
    if text is None:
        where = non_finite_path(value)
        if where is not None:
            raise spec_error_at(where, "not_finite")
        tokens, found = _first_non_json(value)
        raise spec_error_at(json_pointer(tokens), "not_json_value", json_values=JSON_VALUES, found=found)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: the same error as in JSON text
        check_escapes(json.dumps(value))
        raise
    if size > MAX_SPEC_BYTES:
        raise spec_error_at("", "spec_too_large", bytes=format_count(MAX_SPEC_BYTES))
    check_escapes(text)
    _find_dup(value, [])


def value_depth(value: Any) -> int:
    """How deeply lists and dicts nest in a value (without recursion: the value may be very deep)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, Mapping | list | tuple):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_JSON_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (v.values() if isinstance(v, Mapping) else v))
    return deepest


def non_finite_path(value: Any) -> str | None:
    """The JSON Pointer of the first number that is NaN or infinite, in document order, or None."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        v, tokens = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return json_pointer(tokens)
        if isinstance(v, Mapping):
            stack.extend((child, [*tokens, str(k)]) for k, child in reversed(list(v.items())))
        elif isinstance(v, list | tuple):
            stack.extend((child, [*tokens, i]) for i, child in reversed(list(enumerate(v))))
    return None


def _first_non_json(value: Any) -> tuple[list[str | int], str]:
    """The path and type of the first value (or key) in document order that JSON cannot hold."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        v, tokens = stack.pop()
        if isinstance(v, Mapping):
            for k in v:
                if not isinstance(k, str):
                    return tokens, f"the key {k!r} ({type(k).__name__}; keys are strings)"
            stack.extend((child, [*tokens, k]) for k, child in reversed(list(v.items())))
        elif isinstance(v, list | tuple):
            stack.extend((child, [*tokens, i]) for i, child in reversed(list(enumerate(v))))
        elif not (v is None or isinstance(v, bool | int | float | str)):
            return tokens, f"a {type(v).__module__}.{type(v).__qualname__}".replace("builtins.", "")
    return [], "a value JSON cannot hold"
