"""messages.json's spec_errors: every template is used by both languages, and only those are (R: test-messages.R)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from twinnet.errors import SpecError, spec_error_at

ROOT = Path(__file__).resolve().parents[2]
TABLE: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "shared_specs" / "messages.json").read_text(encoding="utf-8"))["spec_errors"]
PY_SOURCES = sorted((ROOT / "python" / "twinnet").glob("*.py"))
R_SOURCES = sorted((ROOT / "R").glob("*.R"))
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
QUOTED = re.compile(r"\"([a-z_0-9]+)\"|'([a-z_0-9]+)'")


def languages(entry: dict[str, Any]) -> set[str]:
    return set(entry.get("languages", ["python", "r"]))


def documented_kinds() -> set[str]:
    """The kinds shared_specs/README.md lists under "Errors"."""
    text = (ROOT / "shared_specs" / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"Kinds: (.*?)\.\n", text, re.S)
    assert listed is not None, "README.md lists the kinds after 'Kinds:'"
    return set(re.findall(r"`([a-z_]+)`", listed.group(1)))


def python_strings() -> set[str]:
    """Every string constant in the Python package's code (docstrings and comments do no harm: ids are ids)."""
    return {node.value for path in PY_SOURCES for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def r_strings() -> set[str]:
    """Every quoted word in the R package's code, comment lines left out."""
    return {a or b for path in R_SOURCES for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#") for a, b in QUOTED.findall(line)}


def _called_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


Raiser = tuple[int, str, ast.expr | None]  # where a raiser takes the id: position, keyword, default


def _id_argument(call: ast.Call, raiser: Raiser) -> ast.expr | None:
    position, keyword, default = raiser
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else default


def _literals(node: ast.expr | None) -> list[str] | None:
    """The ids an argument can be: a string, or either branch of a conditional of strings; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def python_raised_ids() -> tuple[dict[str, list[str]], list[str]]:
    """(id -> where Python raises it, calls whose id is no literal), through spec_error_at() and its helpers.

    A helper is a function that passes one of its own parameters on as the id (``too_large(path, error, ...)``);
    its callers must then give a literal id in that place.
    """
    trees = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in PY_SOURCES}
    raisers: dict[str, Raiser] = {"spec_error_at": (1, "error", None)}
    passing: set[int] = set()  # the calls in helpers that pass the helper's parameter on
    changed = True
    while changed:  # helpers of helpers
        changed = False
        for tree in trees.values():
            for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
                params = [a.arg for a in fn.args.args]
                for call in [n for n in ast.walk(fn) if _called_name(n) in raisers]:
                    assert isinstance(call, ast.Call)
                    arg = _id_argument(call, raisers[str(_called_name(call))])
                    if isinstance(arg, ast.Name) and arg.id in params and id(call) not in passing:
                        passing.add(id(call))
                        at = params.index(arg.id)
                        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults,
                                            strict=True))
                        offset = 1 if params[0] in ("self", "cls") else 0
                        raisers[fn.name] = (at - offset, arg.id, defaults.get(arg.id))
                        changed = True
    used: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for name, tree in trees.items():
        for call in [n for n in ast.walk(tree) if _called_name(n) in raisers and id(n) not in passing]:
            assert isinstance(call, ast.Call)
            ids = _literals(_id_argument(call, raisers[str(_called_name(call))]))
            if ids is None:
                unresolved.append(f"{name}:{call.lineno}")
            for error_id in ids or []:
                used.setdefault(error_id, []).append(f"{name}:{call.lineno}")
    return used, unresolved


def test_every_id_is_used_in_the_code_of_both_languages() -> None:
    in_python, in_r = python_strings(), r_strings()
    for error_id, entry in TABLE.items():
        assert ("python" in languages(entry)) == (error_id in in_python), f"{error_id}: Python"
        assert ("r" in languages(entry)) == (error_id in in_r), f"{error_id}: R"


def test_python_raises_only_the_table_s_ids() -> None:
    used, unresolved = python_raised_ids()
    assert unresolved == [], "spec_error_at() and its helpers take a literal id"
    assert {i: w for i, w in used.items() if i not in TABLE} == {}
    assert len(used) > 50  # the walk found the calls


def test_templates_are_well_formed() -> None:
    kinds = documented_kinds()
    for error_id, entry in TABLE.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", error_id)
        assert set(entry) <= {"kind", "message", "hint", "languages"}, error_id
        assert entry["kind"] in kinds, f"{error_id}: the kind {entry['kind']!r} is not in README.md's list"
        assert languages(entry) <= {"python", "r"} and languages(entry), error_id
        for text in [entry["message"], entry.get("hint", "x")]:
            assert isinstance(text, str) and text, error_id
            assert all(re.fullmatch(r"[a-z_]+", name) for name in PLACEHOLDER.findall(text)), error_id
            assert "{" not in PLACEHOLDER.sub("", text) and "}" not in PLACEHOLDER.sub("", text), error_id


@pytest.mark.parametrize("error_id", sorted(TABLE))
def test_each_template_fills(error_id: str) -> None:
    entry = TABLE[error_id]
    names = set(PLACEHOLDER.findall(entry["message"] + entry.get("hint", "")))
    e = spec_error_at("/layers/1", error_id, **{n: f"<{n}>" for n in names})
    assert isinstance(e, SpecError) and (e.path, e.kind) == ("/layers/1", entry["kind"])
    assert "{" not in e.message and all(f"<{n}>" in str(e) for n in names)
