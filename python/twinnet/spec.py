"""Loading a spec: from a catalog name, a file, JSON text or a dict, to a validated document."""

from __future__ import annotations

import copy
import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import SpecError, json_pointer, suggest
from .limits import HOW_TO_RAISE, MAX_JSON_DEPTH, MAX_KEY_BYTES, MAX_SPEC_BYTES, get_limit
from .registry import SPECS_DIR, SUPPORTED_MAJOR, shared, spec_pattern, validator
from .schema import Failure

__all__ = ["Spec", "catalog_names", "catalog_path", "load_spec", "validate_document"]

NAME_RE = spec_pattern("name")  # shared_specs/spec_format.json
# A JSON string literal; one left open runs to the end of the text (R: outside_strings()).
STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
BRACKETS_RE = re.compile(r"[\[{]+|[\]}]+")
# An escape in a JSON string: \uXXXX (group 1: the hex digits) or a backslash and one character.
ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.S)


@dataclass(frozen=True, repr=False)
class Spec:
    """A validated spec document.

    Attributes:
        data: the JSON value as written (a dict).
        origin: where it came from (a catalog file, a file, ``"<json>"``, ``"<dict>"``).
        graph: the expansion :func:`load_spec` made when it checked the document (read-only;
            :func:`twinnet.expand` gives a fresh copy), with the limits it was made under.
    """

    data: dict[str, Any]
    origin: str = field(default="<dict>", compare=False)
    graph: dict[str, Any] | None = field(default=None, compare=False)
    graph_limits: tuple[float, ...] | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def title(self) -> str:
        return str(self.data.get("title", self.data["name"]))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.data, indent=indent)

    def __repr__(self) -> str:
        from .expand import spec_graph  # local: expansion imports this module

        g = spec_graph(self)
        return (f"<twinnet spec '{self.name}': {len(g['layers'])} layers, "
                f"{g['params']['total']:,} parameters>")


def catalog_names() -> list[str]:
    return sorted(p.stem for p in (SPECS_DIR / "models").glob("*.json"))


def catalog_path(name: str) -> Path:
    return SPECS_DIR / "models" / f"{name}.json"


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
            raise SpecError(json_pointer([*tokens, value.dup]),
                            f"the key '{value.dup}' appears twice in one object", "duplicate_key")
        for k, v in value.items():
            _find_dup(v, [*tokens, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _find_dup(v, [*tokens, i])


def _check_key_lengths(obj: dict[str, Any], tokens: list[str | int]) -> None:
    for key in obj:
        if not isinstance(key, str):  # a dict given in Python: json.dumps() would have made the key a string
            raise SpecError(json_pointer(tokens), f"expected a JSON value (a dict with string keys, a list, a "
                            f"string, a number, True, False or None), found the key {key!r}", "wrong_type")
        if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
            raise SpecError(json_pointer(tokens), f"a key is longer than {MAX_KEY_BYTES:,} bytes "
                            f"(it begins {describe(key[:20])})", "too_large")


def check_escapes(text: str) -> None:
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
            _lone_surrogate(text, pending)
        if code == 0:
            raise SpecError("", f"invalid JSON at {_position(text, m.start())}: a string holds \\u0000 (NUL), "
                            "which twinnet does not accept", "invalid_json")
        if 0xD800 <= code <= 0xDBFF:
            pending = m
        elif 0xDC00 <= code <= 0xDFFF:
            _lone_surrogate(text, m)
    if pending is not None:
        _lone_surrogate(text, pending)


def _lone_surrogate(text: str, m: re.Match[str]) -> None:
    raise SpecError("", f"invalid JSON at {_position(text, m.start())}: {m.group(0)} is half of a UTF-16 "
                    "surrogate pair, not a character", "invalid_json")


def _position(text: str, at: int) -> str:
    """"line L, column C" (1-based, columns in characters) of a 0-based character offset."""
    line_start = text.rfind("\n", 0, at) + 1
    return f"line {text.count(chr(10), 0, at) + 1}, column {at - line_start + 1}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {_cut(text)} is too large for a 64-bit float")
    return value


def _finite_int(text: str) -> int:
    # 310 digits or more is beyond any float (and int() refuses more than 4,300 digits)
    if len(text.lstrip("-")) >= 310 or abs(value := int(text)) > sys.float_info.max:
        raise ValueError(f"the number {_cut(text)} is too large for a 64-bit float")
    return value


def _cut(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _is_file(path: Path) -> bool:
    """Whether path is a file; False for a name the system cannot even look up (too long, a NUL in it)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


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


def _too_deep() -> SpecError:
    return SpecError("", f"the JSON nests arrays and objects more than {MAX_JSON_DEPTH} levels deep", "too_deep")


def parse_json(text: str) -> Any:
    """Parse JSON text; errors give line and column, and repeated keys are refused.

    Checked in this order, as R does: the size, a byte order mark, the nesting depth, the syntax,
    repeated keys.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
        raise SpecError("", f"the spec is larger than {MAX_SPEC_BYTES:,} bytes", "too_large")
    if text.startswith("\ufeff"):
        raise SpecError("", "invalid JSON at line 1, column 1: Unexpected UTF-8 BOM", "invalid_json")
    if text_depth(text) > MAX_JSON_DEPTH:
        raise _too_deep()
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant,
                           parse_float=_finite_float, parse_int=_finite_int)
    except json.JSONDecodeError as e:  # where and what, in twinnet's words (the same as R's)
        from .jsontext import json_syntax_error  # the scan runs only on text the parser refused

        at, what = json_syntax_error(text) or (e.pos, e.msg)
        where = "" if at is None else f" at {_position(text, at)}"
        raise SpecError("", f"invalid JSON{where}: {what}", "invalid_json") from None
    except ValueError as e:  # NaN, Infinity, 1e400: Python's json reads them, R (and JSON) cannot
        raise SpecError("", f"invalid JSON: {e}", "invalid_json") from None
    except RecursionError:  # not reached: text_depth() refused the text first
        raise _too_deep() from None
    check_escapes(text)
    _find_dup(value, [])
    return value


def _read_source(source: Any) -> tuple[Any, str]:
    if isinstance(source, Spec):
        return copy.deepcopy(source.data), source.origin
    if isinstance(source, Mapping | list):
        _check_value(source)
        if isinstance(source, Mapping):
            return copy.deepcopy(dict(source)), "<dict>"
        return copy.deepcopy(source), "<list>"
    if isinstance(source, PathLike):
        if not _is_file(Path(source)):
            raise SpecError("", f"there is no file '{_cut(str(source), 60)}'", "not_found")
        return _read_file(Path(source))
    if isinstance(source, str):
        text = source.strip()
        if text.lstrip("\ufeff").startswith(("{", "[")):  # JSON text (parse_json() refuses a byte order mark)
            return parse_json(source), "<json>"
        if NAME_RE.match(text) and _is_file(catalog_path(text)):
            return _read_file(catalog_path(text))
        if _is_file(Path(source)):
            return _read_file(Path(source))
        hint = suggest(text, catalog_names()) if NAME_RE.match(text) else None
        raise SpecError("", f"'{_cut(source, 60)}' is not a catalog name (see catalog()), a file or JSON text",
                        "not_found", hint)
    raise SpecError("", "expected a catalog name, a file path, JSON text or a dict, "
                        f"found {type(source).__name__}", "wrong_type")


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
            raise SpecError(where, "expected a finite number, found NaN or an infinity (JSON has neither)",
                            "invalid_value")
        tokens, found = _first_non_json(value)
        raise SpecError(json_pointer(tokens), f"expected a JSON value (a dict with string keys, a list, a string, "
                        f"a number, True, False or None), found {found}", "wrong_type")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: the same error as in JSON text
        check_escapes(json.dumps(value))
        raise
    if size > MAX_SPEC_BYTES:
        raise SpecError("", f"the spec is larger than {MAX_SPEC_BYTES:,} bytes", "too_large")
    check_escapes(text)
    _find_dup(value, [])


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


def _read_file(path: Path) -> tuple[Any, str]:
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise SpecError("", f"the file is larger than {MAX_SPEC_BYTES:,} bytes", "too_large")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise SpecError("", f"invalid JSON: the file is not UTF-8 text (byte {e.start + 1} is not)",
                        "invalid_json") from None
    return parse_json(text), str(path)


def describe(value: Any) -> str:
    """A value for a message: JSON, cut to 40 characters (R: describe()).

    An integer beyond R's integers (2^31 - 1) is written as the float R reads it as, so that both
    languages write the same text; only the first 64 values of a large array or object are read.
    """
    text = json.dumps(_as_r_reads(value, [64]))
    return text if len(text) <= 40 else text[:37] + "..."


def _as_r_reads(value: Any, budget: list[int] | None = None) -> Any:
    """value with each integer beyond R's integers as a float; with a budget, only that many values read."""
    if budget is not None:
        budget[0] -= 1
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > R_INTEGER_MAX:
        return float(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if budget is not None and budget[0] <= 0:
                break
            out[k] = _as_r_reads(v, budget)
        return out
    if isinstance(value, list):
        items = value if budget is None else value[:max(budget[0], 0)]
        return [_as_r_reads(v, budget) for v in items]
    return value


R_INTEGER_MAX = 2**31 - 1  # JSON integers beyond it are doubles in R


TYPE_WORDS: dict[str, str] = shared("messages.json")["type_words"]


def _to_spec_error(f: Failure) -> SpecError:
    """The first schema error as a SpecError: path, kind, message and hint (R: to_spec_error())."""
    tokens = f.path()
    sch = f.schema if isinstance(f.schema, dict) else {}
    found = f.instance
    if f.keyword == "required":
        missing = str(f.key)
        if missing == "type" and tokens[-2:-1] == ["layers"]:
            msg = 'a layer needs a "type" (a Keras layer class) or a "block"'
        else:
            msg = f"the required field '{missing}' is missing"
        return SpecError(json_pointer([*tokens, missing]), msg, "missing")
    if f.keyword == "additionalProperties":
        allowed = list(sch.get("properties", {}))
        extra = str(f.key)
        layer_type = sch.get("properties", {}).get("type", {}).get("const")
        if layer_type:
            return SpecError(json_pointer([*tokens, extra]), f"'{extra}' is not an argument of {layer_type}",
                             "unknown_argument", suggest(extra, allowed))
        return SpecError(json_pointer([*tokens, extra]), f"'{extra}' is not a known field here",
                         "unknown_field", suggest(extra, allowed))
    if f.keyword == "enum" and tokens and tokens[-1] == "type":
        return SpecError(json_pointer(tokens), f"'{py_str(found)}' is not a supported layer type",
                         "unknown_type", suggest(found, sch["enum"]) if isinstance(found, str) else None)
    if f.keyword == "propertyNames":  # a key of a block, args or params object
        return SpecError(json_pointer([*tokens, str(f.key)]), f"the name {describe(f.key)} must be letters, "
                         "digits and underscores, starting with a letter", "invalid_name")
    desc = sch.get("description")
    if desc and not (tokens and tokens[0] == "blocks"):  # "$parameters" exist only inside blocks
        desc = desc.split(" (inside a block")[0]
    if not desc and f.keyword == "type":
        types = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        desc = " or ".join(TYPE_WORDS[t] for t in types)
    if desc:
        hint = suggest(found, sch["enum"]) if f.keyword == "enum" and isinstance(found, str) else None
        return SpecError(json_pointer(tokens), f"expected {desc}, found {describe(found)}", "invalid_value", hint)
    return SpecError(json_pointer(tokens), f"the value {describe(found)} fails the schema's '{f.keyword}'",
                     "invalid_value")


def py_str(value: Any) -> str:
    """Python's str() of a JSON value, integers beyond R's written as R reads them (R: py_str())."""
    return value if isinstance(value, str) else repr(_as_r_reads(value))


def validate_document(doc: Any) -> dict[str, Any]:
    """Check the top level, the format version, then the JSON Schema; raise the first error."""
    if not isinstance(doc, dict):
        raise SpecError("", f"a spec is a JSON object, found {describe(doc)}", "wrong_type")
    if "format_version" not in doc:
        raise SpecError("/format_version", 'the required field \'format_version\' is missing (use "1.0")', "missing")
    version = doc["format_version"]
    if not isinstance(version, str) or not spec_pattern("format_version").match(version):
        raise SpecError("/format_version", f'expected a version string such as "1.0", found {describe(version)}',
                        "invalid_value")
    if version.split(".")[0].lstrip("0") != str(SUPPORTED_MAJOR):  # as text: the major may have 5,000 digits
        raise SpecError("/format_version", f"format_version {_cut(version)} is not supported; "
                        f"this twinnet reads format {SUPPORTED_MAJOR}.x", "unsupported_version")
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
            raise SpecError(json_pointer([*tokens, int(limit)]), f"{len(entries):,} layers are more than the "
                            f"limit of {int(limit):,} layers in a model", "too_large",
                            HOW_TO_RAISE.format(name="max_layers"))


def load_spec(source: Any) -> Spec:
    """Load and validate a spec.

    Args:
        source: a catalog name (``"lenet5"``), a path to a ``.json`` file, JSON text,
            a dict, or a :class:`Spec`.

    Returns:
        A :class:`Spec` whose document passed the JSON Schema and the semantic checks.

    Raises:
        SpecError: with ``path`` (a JSON Pointer) and a message saying what was expected.
    """
    doc, origin = _read_source(source)
    validate_document(doc)
    from .expand import expand_document, expansion_limits  # the semantic checks live with the expansion

    limits = expansion_limits()
    return Spec(doc, origin, expand_document(doc), limits)
