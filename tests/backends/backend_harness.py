"""The cross-backend harness's machinery: Keras backends in worker processes (worker.py), and the table
of how closely their outputs agree.

Keras fixes its backend per process, so each backend runs in its own subprocess with KERAS_BACKEND set;
the parent (this pytest process) writes inputs and reads results as files in one folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import twinnet

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from support import covering_catalog_specs, sample_inputs

WORKER = Path(__file__).resolve().parent / "worker.py"
R_TRAIN = Path(__file__).resolve().parent / "train.R"
BACKENDS = ("tensorflow", "jax", "torch")
REFERENCE = "tensorflow"  # its weights are copied into the others' models; its outputs are the reference
# The backends on which R trains too (train.R): on TensorFlow tests/cross/test_training.py does it.
R_BACKENDS = ("jax", "torch")
MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
SEED, PORTABLE_SEED = 11, 2024
WORKER_TIMEOUT = 900  # seconds for one worker process (all catalog specs on one backend)
MEMORY_BUDGET = 6 * 1024**3  # bytes a worker may keep resident at its peak

# How far two backends' outputs may differ for the same input with the same (copied) weights, in float32:
# the largest absolute difference divided by the largest absolute output of the pair (outputs range from
# softmax values of 0.001 to unbounded regressions). Each backend sums in its own order and with its own
# kernels (oneDNN or Eigen, XLA, ATen), so the outputs differ by rounding, more the deeper the network.
# Specs not listed: DEFAULT_TOLERANCE. The tests print the measured differences.
DEFAULT_TOLERANCE = 1e-5
TOLERANCES: dict[str, float] = {
    # recurrent networks: 30 steps, each rounding again what the last one rounded
    "stock_gru": 1e-4, "stock_lstm": 1e-4, "stock_simplernn": 1e-4, "imdb_lstm": 1e-4,
    # ImageNet networks: 8 to 50 layers of sums of up to 25,088 terms
    "alexnet": 1e-4, "alexnet_groups2": 1e-4, "googlenet": 1e-4, "resnet18": 1e-4, "resnet34": 1e-4,
    "resnet50": 1e-4, "vgg16": 1e-4, "vgg19": 1e-4,
    "yolov1": 1e-3,  # 24 convolutions and 2 dense layers on a 448 x 448 image
}

# Above GIANT parameters (VGG-16, VGG-19, YOLO v1: 138 to 272 million) a network is built on every backend
# for its facts (layers, configs, output shapes, counts) only, unless TWINNET_BACKEND_GIANTS=1: copying its
# weights, predicting and drawing its portable weights took the three 70 s on TensorFlow, 52 s on JAX and
# 44 s on PyTorch on the reference machine (0.5 to 1.1 GB of weights each), with workers of up to 4.9 GB;
# a smaller input does not help (their dense layers keep 38 to 70 million weights). Measured so, they
# agree like the others: the same portable weights, outputs within 5.4e-6 (relative).
GIANT = 100_000_000
# The .keras files are exchanged for the smallest specs up to FILE_LIMIT parameters that hold every type of
# layer of those specs (support.covering_catalog_specs(): 18 of the 30 up to FILE_LIMIT, every layer type of
# the catalog but LeakyReLU): a file's reading depends on the types of its layers, and reading one costs Keras
# 2 to 8 s on each of six backend pairs above FILE_LIMIT.
FILE_LIMIT = 5_000_000


# Initializers whose portable draws are compared with each backend's Keras initializer (test_portable_init.py):
# (the initializer as Keras serializes it, a shape). Each table class, the VarianceScaling variants, both
# branches of the orthogonal initializer; random ones have 65,536 values or more.
INIT_CASES: list[tuple[dict[str, Any], tuple[int, ...]]] = [
    ({"class_name": "GlorotUniform"}, (256, 512)),
    ({"class_name": "GlorotNormal"}, (256, 512)),
    ({"class_name": "HeUniform"}, (5, 5, 32, 64)),
    ({"class_name": "HeNormal"}, (5, 5, 32, 64)),
    ({"class_name": "LecunUniform"}, (512, 256)),
    ({"class_name": "LecunNormal"}, (512, 256)),
    ({"class_name": "VarianceScaling",
      "config": {"scale": 0.5, "mode": "fan_out", "distribution": "untruncated_normal"}}, (256, 512)),
    ({"class_name": "VarianceScaling",
      "config": {"scale": 3.0, "mode": "fan_avg", "distribution": "uniform", "input_axes": [0, 1],
                 "output_axes": [2]}}, (16, 16, 512)),
    ({"class_name": "VarianceScaling", "config": {"distribution": "normal"}}, (512, 256)),
    ({"class_name": "RandomUniform", "config": {"minval": -0.3, "maxval": 0.1}}, (131072,)),
    ({"class_name": "RandomNormal", "config": {"mean": 0.5, "stddev": 2.0}}, (131072,)),
    ({"class_name": "TruncatedNormal", "config": {"mean": 1.0, "stddev": 0.5}}, (131072,)),
    ({"class_name": "Orthogonal", "config": {"gain": 1.5}}, (256, 256)),
    ({"class_name": "Orthogonal"}, (32, 4, 512)),
    ({"class_name": "Zeros"}, (7, 5)),
    ({"class_name": "Ones"}, (7, 5)),
    ({"class_name": "Constant", "config": {"value": 0.3}}, (7, 5)),
    ({"class_name": "Identity", "config": {"gain": 2.0}}, (8, 12)),
]
FIXED_INITIALIZERS = {"Zeros", "Ones", "Constant", "Identity"}


# Training from the same portable initial weights (test_training_backends.py): LeNet-5 on 512 digits of
# the MNIST sample, the stacked LSTM of stock_lstm on 256 windows of noisy waves; a few epochs, no shuffling.
TRAINING_RUNS = [
    {"spec": "lenet5", "data": "train.lenet5.npz", "epochs": 3, "batch_size": 64},
    {"spec": "stock_lstm", "data": "train.stock_lstm.npz", "epochs": 3, "batch_size": 32},
]


def write_training_data(work: Path) -> None:
    """The data of TRAINING_RUNS: 512 MNIST digits padded to 32 x 32; 256 windows of 30 steps of 5 noisy
    waves, the target the next value of the first."""
    split = twinnet.mnist_split()
    np.savez(work / "train.lenet5.npz", x=twinnet.pad_digits(split.x_train[:512]).astype(np.float32),
             y=split.y_train[:512].astype(np.int32))
    rng = np.random.default_rng(7)
    steps = np.arange(31) * 0.2
    phase = rng.uniform(0, 2 * np.pi, size=(256, 1, 5))
    freq = np.array([1.0, 0.7, 1.3, 0.5, 2.0])
    waves = np.sin(steps[None, :, None] * freq + phase) + 0.05 * rng.normal(size=(256, 31, 5))
    np.savez(work / "train.stock_lstm.npz", x=waves[:, :30].astype(np.float32),
             y=waves[:, 30, :1].astype(np.float32))


# Figures the tests measure, which conftest.py's terminal summary prints: (section, row) -> text
REPORT: dict[tuple[str, str], str] = {}


def tolerance(name: str) -> float:
    return TOLERANCES.get(name, DEFAULT_TOLERANCE)


def missing_backend(backend: str) -> str | None:
    """Why a backend cannot run here (its Python package is not installed), or None."""
    if importlib.util.find_spec(MODULES[backend]) is None:
        return f"the Python package {MODULES[backend]!r} of the Keras backend {backend!r} is not installed"
    return None


def require_backend(backend: str) -> None:
    """Skip (fail under CI=true) when a backend is not installed."""
    import pytest

    why = missing_backend(backend)
    if why is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {why}", pytrace=False)
    pytest.skip(why)


@dataclass
class WorkerRun:
    backend: str
    task: str
    result: Any
    seconds: float
    peak_bytes: int


@dataclass
class WorkerFailure(Exception):
    backend: str
    task: str
    stderr: str
    code: int = 1
    runs: list[WorkerRun] = field(default_factory=list)

    def __str__(self) -> str:
        return f"the {self.task} worker on {self.backend} exited with {self.code}:\n{self.stderr[-4000:]}"


def run_worker(backend: str, task: str, work: Path, **args: Any) -> WorkerRun:
    """Run worker.py's ``task`` on ``backend`` in a subprocess; its result, wall time and peak memory."""
    job = work / f"job.{task}.{backend}.json"
    result = work / f"result.{task}.{backend}.json"
    job.write_text(json.dumps({"task": task, "dir": str(work), "result": str(result), **args}))
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    stderr = work / f"stderr.{task}.{backend}.txt"
    started = time.perf_counter()
    with stderr.open("w") as err:
        proc = subprocess.Popen([sys.executable, str(WORKER), str(job)], env=env, stdout=subprocess.DEVNULL,
                                stderr=err)
        timer = threading.Timer(WORKER_TIMEOUT, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            raise
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise WorkerFailure(backend, task, stderr.read_text(errors="replace"), proc.returncode)
    return WorkerRun(backend, task, json.loads(result.read_text())["result"], seconds, usage.ru_maxrss * 1024)


def read_outputs(path: Path) -> list[np.ndarray]:
    with np.load(path) as held:
        return [held[f"y{i}"] for i in range(len(held.files))]


def largest_difference(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """The largest absolute difference between two lists of outputs."""
    assert [x.shape for x in a] == [y.shape for y in b]
    return max((float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
                for x, y in zip(a, b, strict=True)), default=0.0)


def relative_difference(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """The largest absolute difference over the largest absolute output of either (0 when both are 0)."""
    scale = max((float(np.max(np.abs(x))) for x in [*a, *b] if x.size), default=0.0)
    diff = largest_difference(a, b)
    return diff / scale if scale > 0 else diff


@dataclass
class CrossRun:
    """What the workers wrote: facts per backend and spec, the folder of their files, and their costs."""

    work: Path
    specs: list[dict[str, Any]]
    backends: list[str]
    reference: str
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    trained: dict[str, dict[str, Any]] = field(default_factory=dict)
    r_trained: dict[str, dict[str, Any] | str] = field(default_factory=dict)
    runs: list[WorkerRun] = field(default_factory=list)

    def outputs(self, name: str, backend: str, source: str | None = None) -> list[np.ndarray]:
        """A backend's outputs for a spec: of its model with the copied weights, or of ``source``'s .keras file."""
        suffix = "y" if source is None else f"from_{source}.y"
        return read_outputs(self.work / f"{name}.{backend}.{suffix}.npz")


def catalog_cases(giants: bool | None = None) -> list[dict[str, Any]]:
    """Every catalog spec, each with whether the harness goes all the way ("full": weights copied across,
    outputs, portable weights; all but the giants unless ``giants``, by default the environment variable
    TWINNET_BACKEND_GIANTS=1) and whether its .keras files are exchanged ("files")."""
    if giants is None:
        giants = os.environ.get("TWINNET_BACKEND_GIANTS") == "1"
    exchanged = set(covering_catalog_specs(arguments=False, max_params=FILE_LIMIT))
    cases = []
    for row in twinnet.catalog():
        full = giants or twinnet.expand(row.name)["params"]["total"] <= GIANT
        cases.append({"name": row.name, "full": full, "files": full and row.name in exchanged})
    return cases


def parallel_jobs() -> int:
    """How many workers run at once: TWINNET_BACKEND_JOBS, else the machine's cores (at most 2)."""
    return max(1, int(os.environ.get("TWINNET_BACKEND_JOBS", min(2, os.cpu_count() or 1))))


def run_stage(work: Path, jobs: list[tuple[str, str, dict[str, Any]]],
              also: list[Callable[[], None]] | None = None) -> list[WorkerRun]:
    """Workers (backend, task, arguments) that do not depend on each other, and ``also`` (functions),
    parallel_jobs() at a time."""
    with ThreadPoolExecutor(max_workers=parallel_jobs()) as pool:
        futures = [pool.submit(run_worker, backend, task, work, **args) for backend, task, args in jobs]
        extra = [pool.submit(f) for f in also or []]
        for f in extra:
            f.result()
        return [f.result() for f in futures]


def run_r_script(script: Path, backend: str, work: Path, **job: Any) -> dict[str, Any] | str:
    """An R script of this folder on ``backend`` (``Rscript SCRIPT JOB.json``; the job: ``dir``, ``result``
    and ``job``'s entries): the result it wrote, with its ``seconds``, or why it did not run."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not on PATH"
    task = script.stem
    job_file = work / f"job.{task}.r.{backend}.json"
    result = work / f"result.{task}.r.{backend}.json"
    job_file.write_text(json.dumps({"dir": str(work), "result": str(result), **job}))
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "RETICULATE_PYTHON": sys.executable}
    started = time.perf_counter()
    try:
        res = subprocess.run([rscript, str(script), str(job_file)], capture_output=True, text=True, env=env,
                             timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"{script.name} on {backend} ran out of time ({WORKER_TIMEOUT} s)"
    if res.returncode != 0:
        if "there is no package called" in res.stderr:
            return "the R package twinnet is not installed"
        return f"{script.name} on {backend} failed:\n{res.stderr[-3000:]}"
    out: dict[str, Any] = json.loads(result.read_text())
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def run_r_training(backend: str, work: Path) -> dict[str, Any] | str:
    """tests/backends/train.R on ``backend``: R's result (as a worker's), or why it did not run."""
    return run_r_script(R_TRAIN, backend, work, runs=TRAINING_RUNS, seed=SEED)


def run_cross(work: Path, backends: list[str], specs: list[dict[str, Any]],
              runs: list[dict[str, Any]] | None = None, r_backends: list[str] | None = None) -> CrossRun:
    """Every spec on every backend, in three stages: the reference builds every spec and writes its
    weights; the other backends, side by side, copy them in and read the reference's files; then every
    backend reads the files of those that ran beside or after it. Each main worker also draws the
    initializers of INIT_CASES with Keras and trains ``runs``; beside the first stage, R trains them too
    (train.R) on each of ``r_backends``."""
    first = [REFERENCE] if REFERENCE in backends else backends[:1]
    rest = [b for b in backends if b not in first]
    run = CrossRun(work, specs, backends, first[0])
    for spec in specs:
        if spec["full"]:
            np.savez(work / f"{spec['name']}.x.npz", *sample_inputs(spec["name"]))  # arr_0, arr_1, ...: one per Input
    common = {"specs": specs, "seed": SEED, "portable_seed": PORTABLE_SEED, "reference": run.reference,
              "runs": runs or [], "draws": [{"initializer": init, "shape": list(shape),
                                             "random": init["class_name"] not in FIXED_INITIALIZERS}
                                            for init, shape in INIT_CASES]}
    def r_training(backend: str) -> Callable[[], None]:
        def go() -> None:
            run.r_trained[backend] = run_r_training(backend, work)
        return go

    stages = [[(b, "main", {**common, "read_from": []}) for b in first],
              [(b, "main", {**common, "read_from": first}) for b in rest]]
    for i, stage in enumerate(stages):  # R trains beside the reference (which uses about one core)
        for done in run_stage(work, stage, [r_training(b) for b in r_backends or []] if i == 0 else None):
            run.runs.append(done)
            run.facts[done.backend] = done.result["build"]
            run.loaded[done.backend] = done.result["loaded"]
            run.trained[done.backend] = done.result["trained"]
    reads = [(b, "read", {"specs": specs, "read_from": [o for o in rest if o != b]})
             for b in backends if any(o != b for o in rest) and any(s["files"] for s in specs)]
    for done in run_stage(work, reads):
        run.runs.append(done)
        for name, sources in done.result["loaded"].items():
            run.loaded[done.backend].setdefault(name, []).extend(sources)
    return run
