"""The runs of tests/distribute, each in its own process (worker.py, worker.R), and what they wrote.

TensorFlow fixes its logical devices once per process, JAX its processes, Keras its backend: so every run
is a fresh process. LeNet-5 trains for 2 epochs on the MNIST sample's first training digits with the same
seed: on TensorFlow on 1, 2 and 4 replicas (the CPU split into logical devices) in Python (4 through the
command line, `twinnet train`), and on 2 and 4 in R; on JAX in one process and in two processes joined on
127.0.0.1 (started from Python, and from R). The one-device TensorFlow run reads the .keras files that the
others saved and predicts with them, and writes the weights of each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
WORKER_PY, WORKER_R = HERE / "worker.py", HERE / "worker.R"
TIMEOUT = 300  # seconds for one run (a run of several processes: for all of them)

# One run's settings. TensorFlow: 520 digits in global batches of 64, so that the last batch of each
# epoch holds 8, which 2 and 4 replicas share evenly (2 each on 4). JAX across processes: 512 digits,
# every batch full, as Keras's sharding of a dataset across processes needs (twinnet checks it).
COMMON = {"spec": "lenet5", "epochs": 2, "batch_size": 64, "seed": 1}
TF_SAMPLES, JAX_SAMPLES = 520, 512
TF_REPLICAS = (1, 2, 4)
# Batches the replicas cannot share, and those they can: each run asks its language what check_batches()
# says of them, and the test compares the words of R and Python.
REFUSE = [{"samples": 1010, "batch_size": 64, "replicas": 4},  # a last batch of 50: 4 replicas cannot share it
          {"samples": 1000, "batch_size": 63, "replicas": 2},  # 63 is no multiple of 2
          {"samples": 1000, "batch_size": 64, "replicas": 2, "processes": 2},  # across processes: a partial batch
          {"samples": 1000, "batch_size": 64, "replicas": 4}]  # fine: a last batch of 40, 10 per replica
REFUSED = [True, True, True, False]


@dataclass
class Run:
    """One run: its name (language.backend.replicas[.process]), its job, and after it ran, its result."""

    name: str
    language: str
    backend: str
    job: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def weights(self) -> list[np.ndarray]:
        with np.load(self.job["weights"]) as held:
            return [held[f"arr_{i}"] for i in range(len(held.files))]

    def history(self) -> dict[str, list[float]]:
        return {k: [float(v) for v in vs] for k, vs in self.result["history"].items()}


@dataclass
class Harness:
    work: Path
    runs: dict[str, Run] = field(default_factory=dict)
    skipped_r: str | None = None  # why R did not run, or None

    def add(self, name: str, language: str, backend: str, **job: Any) -> Run:
        job = {**COMMON, "name": name, "refuse": REFUSE, "weights": str(self.work / f"{name}.npz"),
               "result": str(self.work / f"{name}.json"), **job}
        run = Run(name, language, backend, job)
        self.runs[name] = run
        return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def r_missing() -> str | None:
    """Why R cannot run the R half here (Rscript or the R package twinnet is missing), or None."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not on PATH"
    res = subprocess.run([rscript, "-e", "cat(nzchar(system.file(package = 'twinnet')))"], capture_output=True,
                         text=True, timeout=60)
    return None if res.stdout.strip() == "TRUE" else "the R package twinnet is not installed"


def start(run: Run) -> subprocess.Popen[bytes]:
    job = Path(run.job["result"]).with_suffix(".job.json")
    job.write_text(json.dumps(run.job))
    env = {**os.environ, "KERAS_BACKEND": run.backend, "TF_CPP_MIN_LOG_LEVEL": "3",
           "RETICULATE_PYTHON": sys.executable}
    env.pop("XLA_FLAGS", None)
    env.pop("CUDA_VISIBLE_DEVICES", None)
    if run.language == "cli":
        j = run.job
        cmd = [sys.executable, "-m", "twinnet", "train", j["spec"], "--replicas", str(j["replicas"]), "--samples",
               str(j["samples"]), "--epochs", str(j["epochs"]), "--batch-size", str(j["batch_size"]), "--seed",
               str(j["seed"]), "-o", j["save"], "--history", j["history"]]
    elif run.language == "py":
        cmd = [sys.executable, str(WORKER_PY), str(job)]
    else:
        cmd = [shutil.which("Rscript") or "Rscript", str(WORKER_R), str(job)]
    err = open(Path(run.job["result"]).with_suffix(".stderr.txt"), "w")  # noqa: SIM115 - closed with the process
    out = open(Path(run.job["result"]).with_suffix(".stdout.txt"), "w")  # noqa: SIM115
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=err)


def run_together(runs: list[Run]) -> None:
    """Start ``runs`` at once (the processes of one JAX cluster) and wait for all; a failure names its stderr."""
    started = time.perf_counter()
    procs = [start(r) for r in runs]
    deadline = started + TIMEOUT
    try:
        for proc in procs:
            proc.wait(timeout=max(1.0, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        pass
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for run, proc in zip(runs, procs, strict=True):
        run.seconds = round(time.perf_counter() - started, 1)
        stderr = Path(run.job["result"]).with_suffix(".stderr.txt").read_text(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"the run {run.name} exited with {proc.returncode}:\n{stderr[-4000:]}")
        if run.language == "cli":  # what the command line printed and wrote
            said = Path(run.job["result"]).with_suffix(".stdout.txt").read_text()
            found = re.search(r"(\d+) epochs? on (\d+) replicas? in ([\d.]+) s", said)
            assert found is not None, said
            run.result = {"said": said, "replicas": int(found.group(2)), "seconds": float(found.group(3)),
                          "history": json.loads(Path(run.job["history"]).read_text())}
        else:
            run.result = json.loads(Path(run.job["result"]).read_text())


def run_all(work: Path, with_r: bool) -> Harness:
    """Every run, two processes at a time (the machines that run `make test` have 2 cores)."""
    h = Harness(work)
    tf = {"samples": TF_SAMPLES, "shuffle": True}
    early = [h.add("py.tf.2", "py", "tensorflow", replicas=2, save=str(work / "py.tf.2.keras"), **tf),
             h.add("py.tf.4", "cli", "tensorflow", replicas=4, save=str(work / "py.tf.4.keras"),
                   history=str(work / "py.tf.4.history.json"), **tf)]
    early[1].job["weights"] = early[1].job["save"] + ".weights.npz"  # the one-device run writes them
    if with_r:  # R on one device trains Python's bits (tests/cross/test_training.py)
        early += [h.add(f"r.tf.{k}", "r", "tensorflow", replicas=k, save=str(work / f"r.tf.{k}.keras"), **tf)
                  for k in TF_REPLICAS if k > 1]
    jax = {"samples": JAX_SAMPLES, "shuffle": False, "replicas": 1}
    early.append(h.add("py.jax.1", "py", "jax", **jax))
    # the one-device run reads the files that the distributed runs saved, so it runs last
    last = h.add("py.tf.1", "py", "tensorflow", replicas=1, read=[r.job["save"] for r in early if r.job.get("save")],
                 **tf)
    clusters = []
    for language in ("py", "r") if with_r else ("py",):
        port = free_port()
        clusters.append([h.add(f"{language}.jax.2.{i}", language, "jax", coordinator=f"127.0.0.1:{port}",
                               num_processes=2, process_id=i, **jax) for i in range(2)])
    def clustered() -> None:
        for cluster in clusters:
            run_together(cluster)

    # most of a run's first seconds go to loading TensorFlow, JAX and R: the clusters run beside the others
    with ThreadPoolExecutor(max_workers=2) as pool, ThreadPoolExecutor(max_workers=1) as side:
        beside = side.submit(clustered)
        for f in [pool.submit(run_together, [r]) for r in early]:
            f.result()
        beside.result()
    run_together([last])
    return h


def largest_difference(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    assert [x.shape for x in a] == [y.shape for y in b]
    return max(float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) for x, y in zip(a, b, strict=True))


def bit_identical(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    """Float32 weights equal to the bit; R's float64 copies are converted back to float32 first (exactly)."""
    return all(x.astype(np.float32).tobytes() == y.astype(np.float32).tobytes() for x, y in zip(a, b, strict=True))
