"""to_code on hostile specs: generated code is data, never spliced text.

The corpus in tests/corpus/codegen (shared with R's tests) holds specs whose titles, descriptions,
names, parameter values and numbers once turned into code, and specs that must now be refused.
Every valid one is written in the three languages, its Python is checked statement by statement
(only the calls the generator makes) and run in a scratch directory by a worker process, which
must build the model expand() describes and make nothing else. A property test does the same for
generated specs with hostile titles, descriptions, names and values.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from codegen_hostile_specs import hostile_specs, loads
from codegen_models import written_names
from hypothesis import HealthCheck, assume, given, settings

import twinnet

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "codegen"
LANGUAGES = ("python", "r", "r-reticulate")
TIMEOUT = 120  # seconds for one program, Keras's first import included


def corpus(valid: bool) -> list[Any]:
    cases = [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in sorted(CORPUS.glob("*.json"))]
    return [pytest.param(case, id=name) for name, case in cases if ("error" not in case) == valid]


# -- the Python the generator may write -----------------------------------------------------------
ALLOWED_NODES = (ast.Module, ast.Import, ast.ImportFrom, ast.alias, ast.FunctionDef, ast.arguments, ast.arg,
                 ast.Return, ast.Assign, ast.Expr, ast.Call, ast.Attribute, ast.Name, ast.Load, ast.Store,
                 ast.Constant, ast.Tuple, ast.List, ast.Starred, ast.keyword, ast.BinOp, ast.Add, ast.UnaryOp,
                 ast.USub)
ROOTS = {"keras", "layers", "np", "model"}


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node


def check_python_shape(code: str) -> None:
    """The program holds only imports of Keras and NumPy, block functions, assignments and calls of
    Keras, of the model and of its own block functions: nothing else can run."""
    tree = ast.parse(code)
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    # variables that hold a layer (one with fixed weights and no name: `dense_1_layer = layers.Dense(...)`)
    held = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id == "layers" for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(tree):
        assert isinstance(node, ALLOWED_NODES), f"unexpected {type(node).__name__}: {ast.unparse(node)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [(getattr(node, "module", None), a.name, a.asname) for a in node.names]
            assert names in ([(None, "keras", None)], [("keras", "layers", None)], [(None, "numpy", "np")]), names
        elif isinstance(node, ast.Call):
            root = _root(node.func)
            assert isinstance(root, ast.Name), ast.unparse(node)
            direct = isinstance(node.func, ast.Name)
            assert (direct and root.id in functions | held) or (not direct and root.id in ROOTS | held), \
                ast.unparse(node)
        elif isinstance(node, ast.BinOp):  # name + "_conv": a layer's name inside a block
            assert isinstance(node.left, ast.Name) and node.left.id == "name", ast.unparse(node)
            assert isinstance(node.right, ast.Constant) and isinstance(node.right.value, str), ast.unparse(node)
        elif isinstance(node, ast.UnaryOp):
            assert isinstance(node.operand, ast.Constant), ast.unparse(node)


def check_comments(code: str) -> None:
    """Every line outside the code proper is a comment of one line."""
    for line in code.splitlines():
        assert "\r" not in line and "\x00" not in line
        if line.startswith("#"):
            assert line == "#" or line.startswith("# ")


# -- a worker that runs generated programs in a scratch directory ------------------------------------
WORKER = textwrap.dedent('''
    import contextlib, io, json, os, sys, traceback
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    out = sys.stdout
    for line in sys.stdin:
        code = json.loads(line)
        namespace = {"__name__": "__generated__"}
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, "<generated>", "exec"), namespace)
            model = namespace["model"]
            result = {"ok": True, "params": int(model.count_params()),
                      "layers": sorted(l.name for l in model.layers if type(l).__name__ != "InputLayer"),
                      "inputs": len(model.inputs)}
        except BaseException:
            result = {"ok": False, "error": traceback.format_exc()[-3000:]}
        keras.backend.clear_session()
        out.write(json.dumps(result) + "\\n")
        out.flush()
''')


class Worker:
    """One Python process, started once, that runs each program sent to it in its working directory."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER], cwd=scratch, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def run(self, code: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(code) + "\n")
        self.proc.stdin.flush()
        try:
            result: dict[str, Any] = json.loads(self.lines.get(timeout=TIMEOUT))
        except queue.Empty:
            self.close()
            pytest.fail(f"the generated program ran more than {TIMEOUT} s")
        return result

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(tmp_path_factory.mktemp("scratch"))
    yield w
    w.close()


def assert_builds_only_the_model(worker: Worker, spec: Any) -> None:
    code = twinnet.to_code(spec, "python")
    check_python_shape(code)
    result = worker.run(code)
    assert result["ok"], result.get("error")
    graph = twinnet.expand(spec)
    # as many layers; those the spec names named so (Keras names the others)
    assert len(result["layers"]) == sum(layer["type"] != "Input" for layer in graph["layers"])
    assert written_names(spec) - {n for n in graph["inputs"]} <= set(result["layers"])
    assert result["params"] == graph["params"]["total"]
    assert result["inputs"] == len(graph["inputs"])
    assert list(worker.scratch.iterdir()) == [], "the program made files"


# -- the corpus -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", corpus(valid=False))
def test_corpus_refused(case: dict[str, Any]) -> None:
    for call in (twinnet.load_spec, lambda s: twinnet.to_code(s, "r")):
        with pytest.raises(twinnet.SpecError) as info:
            call(case["spec"])
        assert (info.value.path, info.value.kind) == (case["error"]["path"], case["error"]["kind"])


@pytest.mark.parametrize("case", corpus(valid=True))
def test_corpus_written_as_data(case: dict[str, Any]) -> None:
    codes = {language: twinnet.to_code(case["spec"], language) for language in LANGUAGES}
    for language, code in codes.items():
        check_comments(code)
        for text in case.get("contains", {}).get(language, []):
            assert text in code, (language, text)
        for text in case.get("absent", []):
            assert text not in code, (language, text)
    check_python_shape(codes["python"])


@pytest.mark.parametrize("case", corpus(valid=True))
def test_corpus_python_runs(worker: Worker, case: dict[str, Any]) -> None:
    assert_builds_only_the_model(worker, case["spec"])


# -- generated hostile specs ------------------------------------------------------------------------
@settings(max_examples=30, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(spec=hostile_specs())
def test_generated_hostile_specs_run_as_written(worker: Worker, spec: dict[str, Any]) -> None:
    assume(loads(spec))  # a drawn name may clash with a generated one (duplicate_name): not the point here
    for language in LANGUAGES:
        check_comments(twinnet.to_code(spec, language))
    assert_builds_only_the_model(worker, spec)
