"""Where JSON text breaks the rules (RFC 8259), and what to fix, in twinnet's own words (R: R/jsontext.R).

parse_json() asks only after its parser has refused the text, so valid text costs nothing. The scan
reads the text once, token by token, and stops at the first error: the one a student fixes first.
R's scan finds the same error (at the same line and column, with the same words) by another road.
"""

from __future__ import annotations

import math
import re
import sys

from .tables import shared

__all__ = ["MESSAGES", "json_syntax_error"]

# The words of every error the scan reports, shared with R: shared_specs/messages.json. NaN, Infinity
# and a number too large for a float are reported as Python's json module meets them: "NaN is not
# JSON", "the number 1e400 is too large for a 64-bit float", without a position.
MESSAGES: dict[str, str] = shared("messages.json")["json_syntax"]

# One token at a time, after the whitespace before it. The alternatives are tried in order: a
# valid string; punctuation; the literals (taken as prefixes, as Python's json takes them: "nullx"
# is null, then x); a number as Python's json reads it (the longest prefix that is a JSON number);
# what starts like a number but is none; a word; any other character (a lone '"' is an unclosed
# or broken string). R: JSON_TOKEN_RE, the same alternatives over bytes.
NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
TOKEN_RE = re.compile(
    r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
    r"|[{}\[\]:,]"
    r"|true|false|null|NaN|Infinity|-Infinity"
    rf"|{NUMBER}"
    r"|[-+.][-+.0-9A-Za-z_]*"
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|[^ \t\n\r]"
)
WS_RE = re.compile(r"[ \t\n\r]*")
# More numbers after a number in an array (weights): read at once when none of them can be wrong.
NUMBER_RUN_RE = re.compile(rf"(?:[ \t\n\r]*,[ \t\n\r]*{NUMBER})+")
# Where a number may be too large for a float: an exponent of 3 digits or more, or 100 digits and more.
MAYBE_LARGE_RE = re.compile(r"[eE]\+?[0-9]{3}|[0-9]{100}")
# The valid part of a string's body (from just after its opening quote).
STRING_BODY_RE = re.compile(r'[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*')
NUMBER_TAIL = frozenset("-+.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
DIGITS = frozenset("0123456789")
WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
LITERAL_CASES = frozenset({"true", "false", "null", "none"})  # lower-cased: True, FALSE, None, NULL, ...
CURLY_QUOTES = frozenset("\u2018\u2019\u201c\u201d")
SPACES = frozenset("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\ufeff")
OWN = {"comment": "comment", "squote": "single_quote", "curly": "curly_quote", "ctrl": "control",
       "uspace": "space"}  # tokens that are wrong wherever they stand, with their own words
# Python's and R's words for the literals, with their own words ("JSON writes true, not True").
LITERAL_WORDS = {"True": "python_true", "False": "python_false", "None": "python_none", "TRUE": "r_true",
                 "FALSE": "r_false", "NULL": "r_null", "NA": "r_na"}
# Tokens that, standing where a ',' should, show that one is missing (a value or, in an object, a key).
COMMA_MISSING = {"element": frozenset({"{", "[", "string", "literal", "number"}), "member": frozenset({"string"})}
VALUE_START = frozenset({"{", "[", "string", "badstring", "literal", "number", "badnumber", "constant", "word",
                         "caseword"})
STRINGS = frozenset({"string", "badstring"})
# What may come in each state of the scan.
ALLOWED = {
    "value": VALUE_START,
    "value_or_close": VALUE_START | {"]"},
    "key": STRINGS,
    "key_or_close": STRINGS | {"}"},
    "colon": frozenset({":"}),
    "element": frozenset({",", "]"}),
    "member": frozenset({",", "}"}),
    "end": frozenset({"eof"}),
}
STATE_WORDS = {"value": "value", "value_or_close": "value", "key": "key", "key_or_close": "key",
               "colon": "colon", "element": "element", "member": "member", "end": "after_end"}


def json_syntax_error(text: str) -> tuple[int | None, str] | None:
    """The first error in JSON text: (0-based character offset, message), or None for valid JSON.

    The offset is None for NaN, Infinity, -Infinity and a number too large for a 64-bit float,
    reported, as Python's json meets them, without a position.
    """
    n = len(text)
    end = len(text.rstrip(" \t\n\r"))  # where the text ends, for an error at its end
    stack: list[str] = []  # the open arrays and objects, "[" or "{"
    prev, prev_key = "start", False
    prev_end = 0  # where the token before ends: where a missing comma goes
    pos = WS_RE.match(text).end()  # type: ignore[union-attr]  # always matches
    while True:
        if pos >= n:
            kind, token, at, after = "eof", "", end, n
        else:
            m = TOKEN_RE.match(text, pos)
            assert m is not None  # the last alternative takes any character but whitespace
            token, at, after = m.group(), pos, m.end()
            kind = _kind(token, text, after)
        state = _state(prev, prev_key, stack[-1] if stack else "")
        if kind not in ALLOWED[state]:
            if kind in COMMA_MISSING.get(state, ()):
                return prev_end, MESSAGES[f"comma_{state}"]
            return _misplaced(kind, state, prev, at)
        wrong = _wrong_token(kind, token, text, at, after)
        if wrong is not None:
            return wrong
        if kind == "eof":
            return None
        if kind in ("[", "{"):
            stack.append(kind)
        elif kind in ("]", "}"):
            stack.pop()
        if kind == "number" and stack and stack[-1] == "[":
            after = _number_run(text, after)
        prev, prev_key, prev_end = kind, kind == "string" and state in ("key", "key_or_close"), after
        pos = WS_RE.match(text, after).end()  # type: ignore[union-attr]


def _number_run(text: str, after: int) -> int:
    """Where the numbers that follow a number in an array end, when all are right; else after."""
    run = NUMBER_RUN_RE.match(text, after)
    if run is None or text[run.end():run.end() + 1] in NUMBER_TAIL or MAYBE_LARGE_RE.search(text, after, run.end()):
        return after
    return run.end()


def _kind(token: str, text: str, after: int) -> str:
    c = token[0]
    if c == '"':
        return "string" if len(token) > 1 else "badstring"
    if c in "{}[]:,":
        return c
    if token in ("true", "false", "null"):
        return "literal"
    if token in ("NaN", "Infinity", "-Infinity"):
        return "constant"
    if c in DIGITS or (c == "-" and len(token) > 1 and token[1] in DIGITS):
        return "number"
    if c in "-+.":
        return "badnumber"
    if c in WORD_START:
        return "caseword" if token.lower() in LITERAL_CASES or token == "NA" else "word"
    if c == "/" and text[after:after + 1] in ("/", "*"):
        return "comment"
    if c == "'":
        return "squote"
    if c in CURLY_QUOTES:
        return "curly"
    if c < " ":
        return "ctrl"
    if c in SPACES:
        return "uspace"
    return "other"


def _state(prev: str, prev_key: bool, container: str) -> str:
    """What may come after the token prev (prev_key: it was an object's key), inside container."""
    if prev in ("start", ":"):
        return "value"
    if prev == "[":
        return "value_or_close"
    if prev == "{":
        return "key_or_close"
    if prev == ",":
        return "value" if container == "[" else "key"
    if prev_key:
        return "colon"
    return {"[": "element", "{": "member"}.get(container, "end")


def _misplaced(kind: str, state: str, prev: str, at: int) -> tuple[int, str]:
    if kind in OWN:
        return at, MESSAGES[OWN[kind]]
    if kind == "eof" and state in ("element", "member"):
        return at, MESSAGES["unclosed"]
    if kind == "]" and state == "value" and prev == ",":
        return at, MESSAGES["trailing_array"]
    if kind == "}" and state == "key":
        return at, MESSAGES["trailing_object"]
    return at, MESSAGES[STATE_WORDS[state]]


def _wrong_token(kind: str, token: str, text: str, at: int, after: int) -> tuple[int | None, str] | None:
    """The error in a token that stands where it may (a broken string, NaN, 01, ...), or None."""
    if kind == "badstring":
        return _string_error(text, at)
    if kind == "number":
        if _too_large(token):
            return None, f"the number {_cut(token)} is too large for a 64-bit float"
        if text[after:after + 1] in NUMBER_TAIL:  # 01, 1., 1.5.2, 1e, 0x1F: JSON reads a number, then more
            return at, MESSAGES["number"]
        return None
    if kind == "badnumber":
        return at, MESSAGES["number"]
    if kind == "constant":
        return None, f"{token} is not JSON"
    if kind == "word":
        return at, MESSAGES["word"]
    if kind == "caseword":
        return at, MESSAGES[LITERAL_WORDS.get(token, "literal_case")]
    return None


def _string_error(text: str, at: int) -> tuple[int, str]:
    """The error in the string that opens at offset at (its valid part is followed by neither '"' nor more)."""
    bad = STRING_BODY_RE.match(text, at + 1).end()  # type: ignore[union-attr]  # always matches
    c = text[bad:bad + 1]
    if c == "" or (c == "\\" and bad + 1 == len(text)):
        return at, MESSAGES["string_open"]
    if c == "\\":
        return bad, MESSAGES["unicode" if text[bad + 1] == "u" else "escape"]
    if c in "\n\r":
        return at, MESSAGES["string_line"]
    return bad, MESSAGES["string_control"]


def _too_large(token: str) -> bool:
    """Whether a number literal is too large for a 64-bit float, as Python's json finds it."""
    if "." in token or "e" in token or "E" in token:
        return math.isinf(float(token))
    digits = token.lstrip("-")
    return len(digits) > 309 or int(digits) > sys.float_info.max


def _cut(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."
