"""Compiled models on every backend: a backend's own optimizer classes import as the Keras optimizers
they stand for (PyTorch compiles with its own subclasses and writes their module); a .keras file's
jit_compile (what "auto" resolved to where it was written: True on JAX) gives way to what "auto" gives on
the backend that reads it (PyTorch would otherwise run torch.compile, 8 to 18 s per model); and JAX or PyTorch
running out of memory while loading a file is a ModelFileError of kind "too_large". In Python (worker.py's
"compiled" task) and, on JAX and PyTorch, in R (compiled.R).

Two stages: JAX and PyTorch compile and write a file; then every backend reads the files of the others
(and JAX and PyTorch a file of a model too large for any memory), in Python and in R.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from backend_harness import BACKENDS, R_BACKENDS, WorkerFailure, missing_backend, run_r_script, run_stage

from twinnet.codegen import OPTIMIZER_CLASSES

R_SCRIPT = Path(__file__).resolve().parent / "compiled.R"
WRITERS = ("jax", "torch")  # "auto" gives True on one, False on the other
OOM_BACKENDS = ["jax", "torch"]  # where only an error's words say that memory ran out


def run_r(backend: str, work: Path, **args: Any) -> dict[str, Any] | str:
    """compiled.R on ``backend``: R's result, or why it did not run."""
    return run_r_script(R_SCRIPT, backend, work, **args)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What each backend (and R on JAX and PyTorch) says: {"python": {backend: result}, "r": {...}}."""
    missing = {b: why for b in BACKENDS if (why := missing_backend(b))}
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {'; '.join(missing.values())}", pytrace=False)
        pytest.skip("; ".join(missing.values()))
    work = tmp_path_factory.mktemp("compiled")
    got: dict[str, Any] = {"work": work, "python": {}, "r": {}}
    try:
        for done in run_stage(work, [(b, "compiled", {"write": True}) for b in WRITERS]):
            got["python"][done.backend] = done.result
        jobs = {b: {"read_from": [o for o in WRITERS if o != b], "oom": b in OOM_BACKENDS} for b in BACKENDS}

        def r_run(backend: str) -> Any:
            def go() -> None:
                got["r"][backend] = run_r(backend, work, **jobs[backend])
            return go

        stage = [(b, "compiled", jobs[b]) for b in BACKENDS]
        for done in run_stage(work, stage, [r_run(b) for b in R_BACKENDS]):
            entry = got["python"].setdefault(done.backend, done.result)
            entry["read"], entry["oom"] = done.result["read"], done.result.get("oom")
    except WorkerFailure as e:
        pytest.fail(str(e), pytrace=False)
    return got


def r_result(compiled: dict[str, Any], backend: str) -> dict[str, Any]:
    got = compiled["r"].get(backend, "R did not run")
    if isinstance(got, dict):
        assert got["backend"] == backend
        result: dict[str, Any] = got["result"]
        return result
    if os.environ.get("CI") == "true" or "failed" in got:
        pytest.fail(got, pytrace=False)
    pytest.skip(got)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_optimizer_compiled_on_a_backend_imports(compiled: dict[str, Any], backend: str) -> None:
    """PyTorch writes its own optimizer classes' module (keras.src.backend.torch.optimizers...); each
    imports as the optimizer a spec names, on every backend."""
    imported = compiled["python"][backend]["imported"]
    for name in OPTIMIZER_CLASSES:
        assert imported[name]["spec"] == {"optimizer": name, "loss": "mse"}, (name, imported[name])
    if backend == "torch":  # what the test is about: Keras writes the backend's classes
        assert any(v["module"].startswith("keras.src.backend.torch.") for v in imported.values())


@pytest.mark.parametrize("backend", R_BACKENDS)
def test_every_optimizer_compiled_on_a_backend_imports_in_r(compiled: dict[str, Any], backend: str) -> None:
    imported = r_result(compiled, backend)["imported"]
    for name, cls in OPTIMIZER_CLASSES.items():
        assert imported[cls]["spec"] == {"optimizer": name, "loss": "mse"}, (cls, imported[cls])
    if backend == "torch":
        assert any(v["module"].startswith("keras.src.backend.torch.") for v in imported.values())


def test_the_files_carry_the_writers_jit_compile(compiled: dict[str, Any]) -> None:
    """What makes the next test mean something: JAX writes True, PyTorch False."""
    for backend, want in (("jax", True), ("torch", False)):
        assert compiled["python"][backend]["jit_compile"] is want
        with zipfile.ZipFile(compiled["work"] / f"compiled.{backend}.keras") as z:
            assert json.loads(z.read("config.json"))["compile_config"]["jit_compile"] is want


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_read_model_gets_the_readers_auto_jit_compile(compiled: dict[str, Any], backend: str) -> None:
    mine = compiled["python"][backend]
    assert mine["read"], backend
    for other, read in mine["read"].items():
        assert (read["jit_compile"], read["recorded"]) == (mine["jit_compile"], mine["jit_compile"]), other


@pytest.mark.parametrize("backend", R_BACKENDS)
def test_a_read_model_gets_the_readers_auto_jit_compile_in_r(compiled: dict[str, Any], backend: str) -> None:
    mine = r_result(compiled, backend)
    assert mine["jit_compile"] is compiled["python"][backend]["jit_compile"]
    assert mine["read"], backend
    for other, read in mine["read"].items():
        assert (read["jit_compile"], read["recorded"]) == (mine["jit_compile"], mine["jit_compile"]), other


# JAX raises its runtime error (XlaRuntimeError; from jaxlib 0.6 on JaxRuntimeError) for every failure of its
# runtime, PyTorch a RuntimeError: only their words say that memory ran out (model_files.json's
# out_of_memory_messages). TensorFlow raises ResourceExhaustedError, a class of its own.
OOM_REASON = {
    "jax": re.compile(r"^Keras ran out of memory loading it \((Xla|Jax)RuntimeError: RESOURCE_EXHAUSTED: "),
    "torch": re.compile(r"^Keras ran out of memory loading it \(RuntimeError: .*DefaultCPUAllocator: can't allocate"),
}


@pytest.mark.parametrize("backend", OOM_BACKENDS)
def test_running_out_of_memory_is_a_model_file_error(compiled: dict[str, Any], backend: str) -> None:
    oom = compiled["python"][backend]["oom"]
    assert oom["kind"] == "too_large" and OOM_REASON[backend].search(oom["reason"]), oom


@pytest.mark.parametrize("backend", OOM_BACKENDS)
def test_running_out_of_memory_is_a_model_file_error_in_r(compiled: dict[str, Any], backend: str) -> None:
    oom = r_result(compiled, backend)["oom"]
    assert oom["kind"] == "too_large" and OOM_REASON[backend].search(oom["reason"]), oom
    assert oom == compiled["python"][backend]["oom"]
