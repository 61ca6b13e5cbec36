"""Training on every backend from the same portable initial weights: LeNet-5 on the MNIST sample and a
stacked LSTM on a small sequence set, a few epochs without shuffling. Across backends the weights drift
apart by rounding (each backend sums in its own order): the largest difference is printed and held under
a loose bound. Within one backend, R (tests/backends/train.R) and Python train bit-identical weights on
JAX, and within rounding on PyTorch (R_TOLERANCE says why)."""

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
# the sgemm_ of the MKL it carries, and the dynamic linker binds torch's calls to the first sgemm_ it
# loaded: R's. So in R, PyTorch multiplies matrices with the system's BLAS, and rounds differently from
# PyTorch in Python (convolutions, which go through oneDNN, agree to the bit). TensorFlow and JAX do not
# call sgemm_: there R and Python train the same bits.
R_TOLERANCE = {"tensorflow": 0.0, "jax": 0.0, "torch": 1e-5}


@pytest.mark.parametrize("backend", R_BACKENDS)
def test_r_and_python_train_the_same_weights(cross: CrossRun, backend: str) -> None:
    """Bit for bit where the backend does not call BLAS (R_TOLERANCE). On TensorFlow,
    tests/cross/test_training.py trains in R and in Python in one process."""
    require_backend(backend)
    r = r_result(cross, backend)
    assert r["backend"] == backend
    limit = R_TOLERANCE[backend]
    for run in TRAINING_RUNS:
        spec = run["spec"]
        mine = weights(cross.work / f"train.{spec}.{backend}.npz")
        theirs = weights(cross.work / f"train.{spec}.r.{backend}.npz")
        assert [w.dtype for w in theirs] == [w.dtype for w in mine]
        pairs = list(zip(theirs, mine, strict=True))
        diff = max(float(np.max(np.abs(a - b))) for a, b in pairs)
        same = all(a.tobytes() == b.tobytes() for a, b in pairs)
        REPORT[("training: R and Python on one backend", f"{spec} on {backend}")] = \
            "bit-identical" if same else f"largest weight difference {diff:.3g} (tolerance {limit:g})"
        r_loss = [float(v) for v in r["result"][spec]["loss"]]
        if limit == 0.0:
            assert same, f"{spec}: largest difference {diff}"
            assert r_loss == cross.trained[backend][spec]["loss"]
        else:
            assert diff <= limit, f"{spec}: largest difference {diff}"
            assert np.allclose(r_loss, cross.trained[backend][spec]["loss"], rtol=1e-5)
