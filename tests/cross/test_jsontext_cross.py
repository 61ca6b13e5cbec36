"""Broken JSON text gives the same error in R and in Python: path, kind and message, with the same line,
column and words (jsontext.py, R/jsontext.R). The cases of tests/corpus/jsontext.json, the conformance
vectors written as text, and one-character corruptions of the catalog's specs (hypothesis, the same
cases each run; TWINNET_FUZZ_EXAMPLES=5000 runs that many fresh ones)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import CONFORMANCE

import twinnet
from twinnet.jsontext import MESSAGES
from twinnet.spec import catalog_names, parse_json

ROOT = Path(__file__).resolve().parents[2]
CORPUS = json.loads((ROOT / "tests" / "corpus" / "jsontext.json").read_text(encoding="utf-8"))["cases"]
TEXT_VECTORS = [pytest.param(case, id=f.stem) for f in sorted((CONFORMANCE / "invalid").glob("*.json"))
                if "text" in (case := json.loads(f.read_text(encoding="utf-8")))]
LONG_RUN = int(os.environ.get("TWINNET_FUZZ_EXAMPLES", "0"))  # as in test_fuzz.py: fresh cases, that many
SETTINGS = settings(max_examples=LONG_RUN or 200, deadline=None, database=None, derandomize=not LONG_RUN,
                    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def python_outcome(text: str, verb: str = "load_spec") -> tuple[str, ...] | None:
    """(path, kind, whole message) of the SpecError that load_spec() (or parse_json()) raises, or None."""
    try:
        twinnet.load_spec(text) if verb == "load_spec" else parse_json(text)
    except twinnet.SpecError as e:
        return (e.path, e.kind, str(e))
    return None


def r_outcome(r: Any, text: str, verb: str = "load_spec") -> tuple[str, ...] | None:
    r.assign("spec_text", text)
    return r.spec_error(f"twinnet:::{verb}(spec_text)", message=True)


def test_the_messages_are_the_same_words(r: Any) -> None:
    assert r.json("as.list(twinnet:::json_messages())") == MESSAGES


def test_corpus_gives_the_same_error(r: Any) -> None:
    """parse_json(): some cases are not specs (a number, a list), and some are JSON."""
    for case in CORPUS:
        got = python_outcome(case["text"], "parse_json")
        assert got == (None if case["message"] is None else
                       ("", "invalid_json", f"at (the whole spec): {case['message']}")), case
        assert r_outcome(r, case["text"], "parse_json") == got, case


@pytest.mark.parametrize("case", TEXT_VECTORS)
def test_conformance_texts_give_the_same_error(r: Any, case: dict[str, Any]) -> None:
    got = python_outcome(case["text"])
    assert got is not None and got[:2] == (case["error"]["path"], case["error"]["kind"])
    assert r_outcome(r, case["text"]) == got


TEXTS = {name: json.dumps(twinnet.load_spec(name).data) for name in catalog_names()}
# What a slip of the keyboard, an editor or a copy from a web page puts in JSON text.
ALPHABET = [*'{}[]:,"\\/*\'.-+eE019 \t\n\r\v\fanutNIx#', "\x01", "\u00e9", "\U0001F600", "\u00a0", "\u201c", "\u2019"]


@st.composite
def corruptions(draw: Any) -> str:
    """A catalog spec as JSON text with one character deleted, inserted or replaced."""
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    op = draw(st.sampled_from(["delete", "insert", "replace"]))
    i = draw(st.integers(0, len(text) - (op != "insert")))
    c = "" if op == "delete" else draw(st.sampled_from(ALPHABET))
    return text[:i] + c + text[i + (op != "insert"):]


@given(text=corruptions())
@SETTINGS
def test_corrupted_catalog_texts_give_the_same_error(r: Any, text: str) -> None:
    assert r_outcome(r, text) == python_outcome(text), text
