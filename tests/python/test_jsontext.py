"""Broken JSON text: where the first error is and what to fix, in twinnet's own words (jsontext.py).

The cases are in tests/corpus/jsontext.json, which R's tests read too (test-jsontext.R).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import twinnet
from twinnet.jsontext import MESSAGES, json_syntax_error
from twinnet.limits import MAX_SPEC_BYTES
from twinnet.read import _position, catalog_names, catalog_path, parse_json

ROOT = Path(__file__).resolve().parents[2]
CORPUS = json.loads((ROOT / "tests" / "corpus" / "jsontext.json").read_text(encoding="utf-8"))["cases"]
# The later-line variant of a case: its text as a value, two lines down, after non-ASCII characters
# (one of them outside the Basic Multilingual Plane) on the lines before it and on its own line.
PREFIX = '{"t\u00edtle": "na\u00efve \u2603",\n "\u043a\u043b\u044e\u0447": [1, "\u5024"],\n "\u00fc\U0001F600": '
WHERE = re.compile(r"invalid JSON at line (\d+), column (\d+): (.*)", re.S)
NO_POSITION = re.compile(r"invalid JSON: (NaN is not JSON|-?Infinity is not JSON|"
                         r"the number \S+ is too large for a 64-bit float)")


def outcome(text: str) -> str | None:
    try:
        parse_json(text)
    except twinnet.SpecError as e:
        assert (e.path, e.kind) == ("", "invalid_json"), e
        return e.message
    return None


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: f"{c['class']}:{c['text'][-30:]!r}")
def test_corpus_gives_the_recorded_message(case: dict[str, Any]) -> None:
    assert outcome(case["text"]) == case["message"]


def test_corpus_messages_are_twinnets_words() -> None:
    """Each message names its class's words (or NaN, Infinity, a number too large) and a position."""
    for case in CORPUS:
        message, cls = case["message"], case["class"]
        if cls == "valid":
            assert message is None
        elif cls == "bom":
            assert message == "invalid JSON at line 1, column 1: Unexpected UTF-8 BOM"
        elif cls in ("nan", "infinity", "too_large"):
            assert NO_POSITION.fullmatch(message), case
        else:
            m = WHERE.fullmatch(message)
            assert m is not None and m.group(3) == MESSAGES[cls], case


def test_every_message_is_in_the_corpus() -> None:
    classes = {case["class"] for case in CORPUS}
    assert set(MESSAGES) <= classes
    assert {"nan", "infinity", "too_large", "valid"} <= classes


def test_later_lines_count_columns_in_characters() -> None:
    """The variant two lines down reports the same error, its column moved by the characters before it."""
    by_text = {case["text"]: case["message"] for case in CORPUS}
    shift = len(PREFIX.split("\n")[-1])  # characters, not bytes: 😀 is one
    checked = 0
    for case in CORPUS:
        if not case["text"].startswith(PREFIX) or case["message"] is None:
            continue
        inner = case["text"][len(PREFIX):]
        plain = by_text.get(inner, by_text.get(inner[:-1]))  # with or without the closing brace
        assert plain is not None or inner.endswith("\n"), case
        if plain is None:
            continue
        m, m_plain = WHERE.fullmatch(case["message"]), WHERE.fullmatch(plain)
        if m_plain is None:
            assert case["message"] == plain
            continue
        assert m is not None
        line, column = int(m_plain.group(1)), int(m_plain.group(2))
        assert (int(m.group(1)), int(m.group(2)), m.group(3)) == (
            line + 2, column + shift if line == 1 else column, m_plain.group(3)), case
        checked += 1
    assert checked >= 60


def test_offsets_are_characters() -> None:
    text = '{"\u00e9\U0001F600": [1,, 2]}'
    at, message = json_syntax_error(text) or (None, "")
    assert (at, message) == (text.index(",,") + 1, "expected a value")
    assert at is not None and _position(text, at) == "line 1, column 11"


def test_numbers_without_a_position() -> None:
    assert json_syntax_error("[NaN]") == (None, "NaN is not JSON")
    assert json_syntax_error("[1, -Infinity]") == (None, "-Infinity is not JSON")
    assert json_syntax_error("[" + "7" * 30 + "e300]") == (None, "the number 77777777777777777... is too large "
                                                                  "for a 64-bit float")


@pytest.mark.parametrize("name", catalog_names())
def test_catalog_texts_are_json(name: str) -> None:
    text = catalog_path(name).read_text(encoding="utf-8")
    assert json_syntax_error(text) is None
    data = json.loads(text)
    for indent in (None, 2):
        assert json_syntax_error(json.dumps(data, indent=indent)) is None
        assert json_syntax_error(json.dumps(data, indent=indent, ensure_ascii=False)) is None


def test_valid_json_of_every_kind() -> None:
    for text in ['{}', '[]', '""', '0', '-0.0e-0', 'true', ' null ', '{"a": [1, {"b": [true, false, null]}]}',
                 '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \u00e9 \x7f"', '[1,2,3]',
                 '\n\t\r [1E5, 1e+5, 1E-5, 123456789012345678901234567890]', "[" * 64 + "]" * 64]:
        assert json_syntax_error(text) is None, text


def test_large_texts() -> None:
    """Read once, in time proportional to the text: specs up to MAX_SPEC_BYTES (10 MB) are allowed."""
    weights = json.dumps([[(i * j) % 97 / 7 for j in range(500)] for i in range(1000)])  # 8.7 MB
    assert 0.8 * MAX_SPEC_BYTES < len(weights) < MAX_SPEC_BYTES
    assert json_syntax_error(weights) is None
    assert json_syntax_error(weights[:-2] + ",]") == (len(weights) - 1, MESSAGES["trailing_array"])
    assert json_syntax_error(weights[:-2] + ", 1e999]") == (None, "the number 1e999 is too large for a 64-bit float")
    escapes = '["' + "\\n\\u00e9" * 200_000 + '"'
    assert json_syntax_error(escapes) == (len(escapes), MESSAGES["unclosed"])
    assert json_syntax_error(escapes[:-1]) == (1, MESSAGES["string_open"])
    deep = "[" * 64 + "1" + "]" * 63
    assert json_syntax_error(deep) == (len(deep), MESSAGES["unclosed"])


def _strict(text: str) -> bool:
    """Whether Python's json reads the text as JSON: no NaN, no infinity, no number beyond a float."""
    def no(_: str) -> Any:
        raise ValueError

    def finite(s: str) -> float:
        if len(s.lstrip("-")) > 309 and not re.search(r"[.eE]", s):
            raise ValueError
        value = float(s) if re.search(r"[.eE]", s) else int(s)
        if abs(value) > 1.7976931348623157e308:
            raise ValueError
        return float(value)

    try:
        json.loads(text, parse_constant=no, parse_float=finite, parse_int=finite)
    except ValueError:  # json.JSONDecodeError too
        return False
    return True


ALPHABET = [*'{}[]:,"\\/*\'.-+eE019 \t\n\r\v\f\x01anutNIx', "\u00e9", "\U0001F600", "\u00a0", "\u201c"]


@st.composite
def corruptions(draw: Any) -> str:
    text = json.dumps(json.loads(catalog_path(draw(st.sampled_from(catalog_names()))).read_text("utf-8")),
                      indent=draw(st.sampled_from([None, 1])), ensure_ascii=False)
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(["delete", "insert", "replace"]))
        i = draw(st.integers(0, len(text) - (op != "insert")))
        c = "" if op == "delete" else draw(st.sampled_from(ALPHABET))
        text = text[:i] + c + text[i + (op != "insert"):]
    return text


@given(text=corruptions())
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_the_scan_accepts_what_json_accepts(text: str) -> None:
    """The scan finds an error exactly when Python's json (refusing NaN and infinities) refuses the text."""
    assert (json_syntax_error(text) is None) == _strict(text), text
