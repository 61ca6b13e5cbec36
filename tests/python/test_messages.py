"""messages.json's spec_errors and model_file_errors: every template is used by both languages, and only those are
(R: test-messages.R)."""

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


# messages.json's model_file_errors: the reasons (and messages) of the errors of reading a model file.
MODEL_FILE_ERRORS: dict[str, dict[str, str]] = {
    k: v for k, v in json.loads((ROOT / "shared_specs" / "messages.json").read_text(encoding="utf-8"))[
        "model_file_errors"].items() if k != "description"}
MODEL_FILE_KINDS = {"not_found", "not_a_keras_file", "malformed", "too_large", "no_safe_mode"}
# The functions that take an id of model_file_errors, and where: persist.py's and R/persist.R's.
MODEL_FILE_RAISERS: dict[str, Raiser] = {"model_file_text": (0, "error", None),
                                         "model_file_refusal": (1, "error", None)}
R_MODEL_FILE_CALL = re.compile(r"\bmodel_file_(text|refusal)\(")
R_MODEL_FILE_ID = re.compile(
    r"\bmodel_file_text\(\s*\"([a-z_0-9]+)\"|\bmodel_file_refusal\((?:[^,()]|\([^()]*\))+,\s*\"([a-z_0-9]+)\"")


def python_model_file_ids() -> tuple[set[str], list[str]]:
    """(the ids of model_file_errors that Python's code gives, calls whose id is no literal)."""
    used: set[str] = set()
    unresolved: list[str] = []
    for path in PY_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = _called_name(node)
            if name in MODEL_FILE_RAISERS:
                assert isinstance(node, ast.Call)
                ids = _literals(_id_argument(node, MODEL_FILE_RAISERS[name]))
                if ids is None:
                    unresolved.append(f"{path.name}:{node.lineno}")
                used.update(ids or [])
    return used, unresolved


def r_model_file_ids() -> tuple[set[str], int]:
    """(the ids of model_file_errors that R's code gives, how many calls give none as a literal);
    tests/testthat/test-messages.R walks R's calls themselves."""
    used: set[str] = set()
    calls = 0
    for path in R_SOURCES:
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        text = re.sub(r"\bmodel_file_(text|refusal) <- function\(", "", text)
        calls += len(R_MODEL_FILE_CALL.findall(text))
        found = R_MODEL_FILE_ID.findall(text)
        calls -= len(found)
        used.update(a or b for a, b in found)
    return used, calls


def test_every_model_file_error_is_used_by_both_languages_and_only_those() -> None:
    used, unresolved = python_model_file_ids()
    assert unresolved == [], "model_file_text() and model_file_refusal() take a literal id"
    assert used == set(MODEL_FILE_ERRORS), "Python"
    used_in_r, without_literal = r_model_file_ids()
    assert without_literal == 0, "R's model_file_text() and model_file_refusal() take a literal id"
    assert used_in_r == set(MODEL_FILE_ERRORS), "R"


@pytest.mark.parametrize("error_id", sorted(MODEL_FILE_ERRORS))
def test_each_model_file_template_is_well_formed_and_fills(error_id: str) -> None:
    from twinnet.persist import ModelFileError, model_file_refusal, model_file_text

    entry = MODEL_FILE_ERRORS[error_id]
    assert re.fullmatch(r"[a-z][a-z0-9_]*", error_id)
    assert set(entry) in ({"kind", "message"}, {"message"}), error_id
    assert entry.get("kind", "malformed") in MODEL_FILE_KINDS, error_id
    names = PLACEHOLDER.findall(entry["message"])
    assert all(re.fullmatch(r"[a-z_]+", name) for name in names), error_id
    assert "{" not in PLACEHOLDER.sub("", entry["message"]) and "}" not in PLACEHOLDER.sub("", entry["message"])
    fields = {n: f"<{n}>" for n in names}
    text = model_file_text(error_id, **fields)
    assert "{" not in text and all(f"<{n}>" in text for n in names)
    if "kind" in entry:
        e = model_file_refusal("m.keras", error_id, **fields)
        assert isinstance(e, ModelFileError) and (e.reason, e.kind) == (text, entry["kind"])
        assert str(e) == f"refused to load m.keras: {text}"
