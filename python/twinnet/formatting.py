"""Values as messages write them, the same text in R (R: R/formatting.R).

Counts with thousands separators, shapes as Python prints a tuple, JSON values as Python's
``repr()``/``str()`` or as JSON cut to a width. A JSON integer beyond R's integers (2^31 - 1) is a
double in R, so it is written as the float R reads it as: both languages then write the same text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["R_INTEGER_MAX", "as_r_reads", "cut_text", "describe", "first_line", "format_count", "format_shape",
           "format_tuples", "int_text", "py_repr", "py_str"]

R_INTEGER_MAX = 2**31 - 1  # JSON integers beyond it are doubles in R


def as_r_reads(value: Any, budget: list[int] | None = None) -> Any:
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
            out[k] = as_r_reads(v, budget)
        return out
    if isinstance(value, list):
        items = value if budget is None else value[:max(budget[0], 0)]
        return [as_r_reads(v, budget) for v in items]
    return value


def describe(value: Any) -> str:
    """A value for a message: JSON, cut to 40 characters (R: describe()).

    Only the first 64 values of a large array or object are read.
    """
    return cut_text(json.dumps(as_r_reads(value, [64])), 40)


def py_repr(value: Any) -> str:
    """Python's repr() of a JSON value: None, True, 'text', [1, 2], {'k': 1.0} (R: py_repr())."""
    return repr(as_r_reads(value))


def py_str(value: Any) -> str:
    """Python's str() of a JSON value: a string as it is, anything else as :func:`py_repr` (R: py_str())."""
    return value if isinstance(value, str) else py_repr(value)


def cut_text(text: str, width: int = 20) -> str:
    """The text, or its first ``width - 3`` characters and "..." when it is longer than ``width``."""
    return text if len(text) <= width else text[:width - 3] + "..."


def first_line(text: str) -> str:
    """The first line of a text that is not blank, stripped; "" if there is none (R: first_line())."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def format_count(n: float) -> str:
    """61706 -> "61,706" (f"{n:,}"); a whole float is written as an integer, as R writes it (R: format_count())."""
    if isinstance(n, float) and n.is_integer():
        return f"{int(n):,}"
    return f"{n:,}"


def int_text(n: float) -> str:
    """A whole number as Python's str() writes an int, never in scientific notation (R: int_text())."""
    return str(int(n))


def int_list_text(values: Iterable[int]) -> str:
    """Whole numbers as Python prints a list of ints: "[2, 3, -1]" (R: int_list_text())."""
    return "[" + ", ".join(int_text(v) for v in values) + "]"


def format_shape(shape: Iterable[int | None]) -> str:
    """An output shape as Python prints a tuple: [None, 28, 28, 6] -> "(None, 28, 28, 6)" (R: format_shape())."""
    return "(" + ", ".join("None" if v is None else int_text(v) for v in shape) + ")"


def format_tuples(shapes: Sequence[Sequence[int]]) -> str:
    """Shapes as Python prints a list of tuples: "[(5, 5, 1, 6), (6,)]" (R: format_tuples())."""
    return repr([tuple(int(v) for v in s) for s in shapes])
