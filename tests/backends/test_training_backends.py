"""Training on every backend from the same portable initial weights: LeNet-5 on the MNIST sample and a
stacked LSTM on a small sequence set, a few epochs without shuffling. Across backends the weights drift
apart by rounding (each backend sums in its own order): the largest difference is printed and held under
a loose bound. Within one backend, R (tests/backends/train.R) and Python train bit-identical weights."""

from __future__ import annotations

import os
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from backend_harness import R_BACKENDS, REPORT, TRAINING_RUNS, CrossRun, require_backend

# The largest absolute difference allowed between two backends' weights after training (loose: it
# catches a backend that trains something else, not rounding; the measured values are printed).
BOUNDS = {"lenet5": 1e-3, "stock_lstm": 1e-3}


def weights(path: Path) -> list[np.ndarray]:
    with np.load(path) as held:
        return [held[f"arr_{i}"] for i in range(len(held.files))]


@pytest.mark.parametrize("spec", [r["spec"] for r in TRAINING_RUNS])
def test_training_across_backends(cross: CrossRun, spec: str) -> None:
    work, results, backends = cross.work, cross.trained, cross.backends
    worst = 0.0
    for a, b in combinations(backends, 2):
        wa, wb = weights(work / f"train.{spec}.{a}.npz"), weights(work / f"train.{spec}.{b}.npz")
        diff = max(float(np.max(np.abs(x - y))) for x, y in zip(wa, wb, strict=True))
        loss_a, loss_b = results[a][spec]["loss"], results[b][spec]["loss"]
        REPORT[("training: largest weight difference", f"{spec}: {a} / {b}")] = \
            f"{diff:.3g} after {len(loss_a)} epochs (final loss {loss_a[-1]:.6f} / {loss_b[-1]:.6f})"
        print(f"{spec}: {a} / {b}: largest weight difference {diff:.3g}")
        worst = max(worst, diff)
    assert worst < BOUNDS[spec]
    for backend in backends:  # and it learned something
        loss = results[backend][spec]["loss"]
        assert loss[-1] < loss[0], backend


def r_result(cross: CrossRun, backend: str) -> dict[str, Any]:
    """R's training on ``backend`` (run beside the harness's last stage), or a skip (a failure under CI=true)
    where R or the R package is missing."""
    got = cross.r_trained.get(backend, "R did not run")
    if isinstance(got, dict):
        return got
    if os.environ.get("CI") == "true" or "failed" in got:
        pytest.fail(got, pytrace=False)
    pytest.skip(got)


# R links the system's BLAS (libblas.so.3), which R loads before Python starts; PyTorch's library exports
# the sgemm_ of the BLAS it carries, and the dynamic linker would bind torch's calls to the first sgemm_ it
# loaded: R's (1.2e-7 to 1.9e-7 apart after training). twinnet's R package loads PyTorch's library bound to
# its own symbols first (bind_torch_blas() in inst/python/twinnet_bridge.py), so every backend is exact.


@pytest.mark.parametrize("backend", R_BACKENDS)
def test_r_and_python_train_the_same_weights(cross: CrossRun, backend: str) -> None:
    """Bit for bit on every backend. On TensorFlow, tests/cross/test_training.py also trains in R and in
    Python in one process."""
    require_backend(backend)
    r = r_result(cross, backend)
    assert r["backend"] == backend
    for run in TRAINING_RUNS:
        spec = run["spec"]
        mine = weights(cross.work / f"train.{spec}.{backend}.npz")
        theirs = weights(cross.work / f"train.{spec}.r.{backend}.npz")
        assert [w.dtype for w in theirs] == [w.dtype for w in mine]
        pairs = list(zip(theirs, mine, strict=True))
        diff = max(float(np.max(np.abs(a - b))) for a, b in pairs)
        same = all(a.tobytes() == b.tobytes() for a, b in pairs)
        REPORT[("training: R and Python on one backend", f"{spec} on {backend}")] = \
            "bit-identical" if same else f"largest weight difference {diff:.3g}"
        assert same, f"{spec} on {backend}: R and Python weights differ by up to {diff:.3g}"
        assert [float(v) for v in r["result"][spec]["loss"]] == cross.trained[backend][spec]["loss"]
