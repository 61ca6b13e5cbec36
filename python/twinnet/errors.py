"""The one error a bad spec raises."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .limits import SUGGEST_MAX_CANDIDATES, SUGGEST_MAX_LENGTH
from .tables import shared

__all__ = ["HINTS", "SpecError", "hint_text", "json_kind", "json_pointer", "meaning", "spec_error_at", "suggest"]

# What a hint knows: the words of hints found at run time, the meanings of argument names, Keras's old
# and other names (shared_specs/hints.json, read by R/errors.R too).
HINTS: dict[str, Any] = shared("hints.json")
MEANINGS: tuple[str, ...] = tuple(HINTS["meanings"])


class SpecMessage(Exception):
    """What a spec error and a spec warning have: a path, a kind, a message and a hint, written
    "at <path>: <message>; <hint>"."""

    def __init__(self, path: str, message: str, kind: str = "invalid_value", hint: str | None = None):
        self.path = path
        self.kind = kind
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.path if self.path else "(the whole spec)"
        text = f"at {where}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text

    def __reduce__(self):  # keep path/kind/hint when pickled
        return (type(self), (self.path, self.message, self.kind, self.hint))


class SpecError(SpecMessage, ValueError):
    """A spec that cannot be loaded, expanded or built.

    Attributes:
        path: a JSON Pointer (RFC 6901) to the offending value, "" for the whole document.
        kind: a short machine-readable category, the same in R and Python.
        message: what was expected and what was found.
        hint: a suggestion ("did you mean 'kernel_size'?") or None.
    """


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill_template(template: str, fields: dict[str, str]) -> str:
    """``template`` with each ``{field}`` replaced by its text; every placeholder is given and every field used."""
    wanted = set(_PLACEHOLDER.findall(template))
    if wanted != set(fields):
        raise AssertionError(f"the template {template!r} takes {sorted(wanted)}, given {sorted(fields)}")
    return _PLACEHOLDER.sub(lambda m: fields[m.group(1)], template)


def fill_entry(table: str, name: str, fields: dict[str, str],
               hint: str | None = None) -> tuple[str, str, str | None]:
    """The entry ``name`` of messages.json's ``table`` (``spec_errors``, ``spec_warnings``) as (message, kind,
    hint), its placeholders filled with ``fields``: text the caller formatted (the same formatting in R).
    ``hint`` replaces the table's hint (a "did you mean" found at run time); the table's hint takes the
    fields its placeholders name. R: fill_entry()."""
    entry = shared("messages.json")[table][name]
    for value in fields.values():
        if not isinstance(value, str):
            raise AssertionError(f"the fields of '{name}' are text, found {value!r}")
    in_message = set(_PLACEHOLDER.findall(entry["message"]))
    message = fill_template(entry["message"], {k: v for k, v in fields.items() if k in in_message})
    used = in_message
    if hint is None and "hint" in entry:
        in_hint = set(_PLACEHOLDER.findall(entry["hint"]))
        hint = fill_template(entry["hint"], {k: v for k, v in fields.items() if k in in_hint})
        used = used | in_hint
    unused = set(fields) - used
    if unused:
        raise AssertionError(f"'{name}' has no placeholder for {sorted(unused)}")
    return message, entry["kind"], hint


def spec_error_at(path: str, error: str, hint: str | None = None, **fields: str) -> SpecError:
    """The SpecError ``error`` of messages.json's ``spec_errors`` at ``path``, its placeholders filled
    (fill_entry()). ``hint`` replaces the table's hint (a "did you mean" found at run time)."""
    return SpecError(path, *fill_entry("spec_errors", error, fields, hint))


def hint_text(hint: str, **fields: str) -> str:
    """The hint ``hint`` of hints.json's ``hints``, its placeholders filled with text the caller formatted."""
    return fill_template(HINTS["hints"][hint], fields)


def json_kind(value: object) -> str:
    """What a JSON value is, for messages: "an object", "an array", "a string", "a number", "true or false", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def json_pointer(tokens: Iterable[str | int]) -> str:
    """Join path tokens into a JSON Pointer, escaping "~" and "/" as RFC 6901 requires."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


# "Did you mean" looks at most SUGGEST_MAX_CANDIDATES candidates, and at words and candidates at most
# SUGGEST_MAX_LENGTH long, so that a hint costs little whatever the spec holds (limits.json).


def _distance_within(a: str, b: str, k: int) -> int:
    """The Levenshtein distance of a and b when it is at most k, else k + 1 (only a band of the table)."""
    if abs(len(a) - len(b)) > k:
        return k + 1
    over = k + 1
    prev = [j if j <= k else over for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        lo, hi = max(1, i - k), min(len(b), i + k)
        cur = [over] * (len(b) + 1)
        cur[0] = i if i <= k else over
        best = cur[0]
        ca = a[i - 1]
        for j in range(lo, hi + 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != b[j - 1]))
            cur[j] = v if v <= k else over
            if v < best:
                best = v
        if best > k:  # every way on is longer than k already
            return over
        prev = cur
    return prev[len(b)]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def suggest_pool(word: str, candidates: Iterable[str]) -> tuple[str, int, list[str]]:
    """The lower-cased word, the edit limit and the candidates worth measuring, in code point order.

    A candidate is worth measuring when it is at most SUGGEST_MAX_LENGTH characters long and its
    length is within the limit of the word's. Of more than SUGGEST_MAX_CANDIDATES of those, the
    ones that share the longest beginning with the word count (ties in code point order).
    """
    low = word.lower()
    limit = max(2, len(low) // 3)  # "adma" -> "adam" is 2 edits
    if len(low) > SUGGEST_MAX_LENGTH:
        return low, limit, []
    pool = [c for c in sorted(set(candidates))
            if len(c.lower()) <= SUGGEST_MAX_LENGTH and abs(len(c.lower()) - len(low)) <= limit]
    if len(pool) > SUGGEST_MAX_CANDIDATES:
        ranked = sorted(pool, key=lambda c: -_common_prefix(low, c.lower()))  # stable: code point order in a tie
        pool = sorted(ranked[:SUGGEST_MAX_CANDIDATES])
    return low, limit, pool


def meaning(word: str) -> str | None:
    """What a name says it holds: the first of hints.json's meanings that its last word is, within a fifth
    of the meaning's length in edits ("kernel_regulariser": "regularizer"), or that it ends with; else None.
    """
    low = word.lower()
    last = low.rsplit("_", 1)[-1]
    for m in MEANINGS:
        if low.endswith(m) or _distance_within(last, m, len(m) // 5) <= len(m) // 5:
            return m
    return None


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """A "did you mean" hint: the closest candidate within a third of the word's length (at least 2 edits).

    A word that has a :func:`meaning` is matched only with candidates of the same meaning, so that
    "kernel_regularizer" never gets "kernel_initializer". Ties go to the first candidate in code point
    order. Bounded: see :func:`suggest_pool`.
    """
    low, limit, pool = suggest_pool(word, candidates)
    wanted = meaning(low) if pool else None
    if wanted is not None:
        pool = [c for c in pool if meaning(c) == wanted]
    best: str | None = None
    k = limit
    for cand in pool:
        d = _distance_within(low, cand.lower(), k)
        if d <= k:
            best, k = cand, d - 1
            if k < 0:
                break
    return hint_text("did_you_mean", name=best) if best is not None else None
