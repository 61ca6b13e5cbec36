"""Values as messages write them, the same text in R (R: R/formatting.R).

Counts with thousands separators, shapes as Python prints a tuple, JSON values as Python's
``repr()``/``str()`` or as JSON cut to a width. A JSON integer beyond R's integers (2^31 - 1) is a
double in R, so it is written as the float R reads it as: both languages then write the same text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["R_INTEGER_MAX", "as_r_reads", "cut_text", "describe", "first_line", "format_bytes", "format_compact",
           "format_count", "format_shape", "format_significant", "format_tuples", "int_text", "py_repr", "py_str"]

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


def format_bytes(n: float) -> str:
    """A size in bytes with a binary unit and one decimal: 512 -> "512 B", 1536 -> "1.5 KiB" (R: format_bytes())."""
    units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
    if n < 1024:
        return f"{int_text(n)} B"
    value, unit = n / 1024, units[0]
    for next_unit in units[1:]:
        if value < 1024:
            break
        value, unit = value / 1024, next_unit
    return f"{value:.1f} {unit}"


def format_compact(n: float) -> str:
    """A count in three significant digits and a unit of thousands: 850 -> "850", 117600 -> "118K", 1234567 ->
    "1.23M", 3857973248 -> "3.86G" (R: format_compact()).

    The value in the unit is the correctly rounded quotient ``n / 1000**k`` and printf's ``%.3g`` of it, so both
    languages write the same text; a value that rounds up to 1000 moves on to the next unit (999,999 -> "1M").
    """
    if n < 1000:
        return int_text(n)
    text = ""
    for power, unit in enumerate(("K", "M", "G", "T", "P"), start=1):
        value = f"{n / 1000**power:.3g}"
        text = value + unit
        if float(value) < 1000:
            break
    return text


def format_significant(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, never in scientific notation: 3.857973248 -> "3.86",
    0.00041652 -> "0.000417", 15.47 -> "15.5", 0 -> "0"; a number of more whole digits keeps them all
    (12345.6 -> "12346")."""
    if x == 0:
        return "0"
    exponent = int(f"{x:.{digits - 1}e}".split("e")[1])  # after rounding: 0.0009996 -> 1.00e-03
    return f"{x:.{max(0, digits - 1 - exponent)}f}"


def int_text(n: float) -> str:
    """A whole number as Python's str() writes an int, never in scientific notation (R: int_text())."""
    return str(int(n))


def int_list_text(values: Iterable[int]) -> str:
    """Whole numbers as Python prints a list of ints: "[2, 3, -1]" (R: int_list_text())."""
    return "[" + ", ".join(int_text(v) for v in values) + "]"


def or_list(names: Sequence[str]) -> str:
    """Names joined for a sentence: "A", "A or B", "A, B or C" (R: or_list())."""
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def format_shape(shape: Iterable[int | None]) -> str:
    """An output shape as Python prints a tuple: [None, 28, 28, 6] -> "(None, 28, 28, 6)" (R: format_shape())."""
    return "(" + ", ".join("None" if v is None else int_text(v) for v in shape) + ")"


def format_tuples(shapes: Sequence[Sequence[int]]) -> str:
    """Shapes as Python prints a list of tuples: "[(5, 5, 1, 6), (6,)]" (R: format_tuples())."""
    return repr([tuple(int(v) for v in s) for s in shapes])
