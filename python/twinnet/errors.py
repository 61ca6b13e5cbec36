"""The one error a bad spec raises."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SpecError", "json_pointer", "suggest"]


class SpecError(ValueError):
    """A spec that cannot be loaded, expanded or built.

    Attributes:
        path: a JSON Pointer (RFC 6901) to the offending value, "" for the whole document.
        kind: a short machine-readable category, the same in R and Python.
        message: what was expected and what was found.
        hint: a suggestion ("did you mean 'kernel_size'?") or None.
    """

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
        return (SpecError, (self.path, self.message, self.kind, self.hint))


def json_pointer(tokens: Iterable[str | int]) -> str:
    """Join path tokens into a JSON Pointer, escaping "~" and "/" as RFC 6901 requires."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """A "did you mean" hint: the closest candidate within a third of the word's length (at least 2 edits)."""
    best: tuple[int, str] | None = None
    limit = max(2, len(word) // 3)  # "adma" -> "adam" is 2 edits
    for cand in sorted(set(candidates)):
        d = _levenshtein(word.lower(), cand.lower())
        if d <= limit and (best is None or d < best[0]):
            best = (d, cand)
    return f"did you mean '{best[1]}'?" if best else None
