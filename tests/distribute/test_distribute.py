"""Training beyond one device gives the model that one device gives (distribute_harness.py runs them).

Tolerances. On k replicas each replica computes the gradient of its share of a batch, and the shares'
gradients are summed: the same sums as on one device, in another order, so float32 rounding (about 1e-7
of each value) differs, step after step. After 2 epochs (18 steps) LeNet-5's weights (largest about 0.3)
were measured within 1.4e-7 of one device's on 2 and 4 replicas (2.5e-7 after 32 steps on 1,000 digits),
and JAX's two processes within 8.3e-8 of one: WEIGHT_TOLERANCE is 40 to 100 times that, small enough
that a step that weighs samples otherwise fails (a last batch of 50 shared unevenly by 4 replicas, each
share averaged alone, left the weights 4e-4 from one device's). The losses agree within LOSS_RTOL; the accuracy
differs by at most one sample. Under the same strategy, R and Python train the same bits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from distribute_harness import JAX_SAMPLES, REFUSED, TF_REPLICAS, TF_SAMPLES, Harness, bit_identical, largest_difference

from conftest import REPORT, require_r

WEIGHT_TOLERANCE = 1e-5
LOSS_RTOL = 1e-5
PREDICT_TOLERANCE = 1e-6  # a read model predicts on one device what the distributed model predicted


def same_history(a: dict[str, list[float]], b: dict[str, list[float]], samples: int) -> None:
    assert sorted(a) == sorted(b) == ["accuracy", "loss"]
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=LOSS_RTOL)
    assert np.max(np.abs(np.subtract(a["accuracy"], b["accuracy"]))) <= 1.0 / samples + 1e-7


@pytest.mark.parametrize("replicas", [k for k in TF_REPLICAS if k > 1])
def test_replicas_train_the_weights_of_one_device(harness: Harness, replicas: int) -> None:
    one, many = harness.runs["py.tf.1"], harness.runs[f"py.tf.{replicas}"]
    assert (one.result["replicas"], many.result["replicas"]) == (1, replicas)
    diff = largest_difference(one.weights(), many.weights())
    REPORT[f"python, tensorflow: 1 / {replicas} replicas"] = f"largest weight difference {diff:.3g}"
    assert diff <= WEIGHT_TOLERANCE
    same_history(one.history(), many.history(), TF_SAMPLES)
    assert many.history()["loss"][-1] < many.history()["loss"][0]  # and it learned


def test_two_and_four_replicas_agree(harness: Harness) -> None:
    diff = largest_difference(harness.runs["py.tf.2"].weights(), harness.runs["py.tf.4"].weights())
    REPORT["python, tensorflow: 2 / 4 replicas"] = f"largest weight difference {diff:.3g}"
    assert diff <= WEIGHT_TOLERANCE


@pytest.mark.parametrize("replicas", [k for k in TF_REPLICAS if k > 1])
def test_r_and_python_train_the_same_bits_under_the_same_strategy(harness: Harness, replicas: int) -> None:
    """On one device R trains Python's bits (tests/cross/test_training.py); here on 2 and 4 replicas."""
    require_r(harness)
    r, py = harness.runs[f"r.tf.{replicas}"], harness.runs[f"py.tf.{replicas}"]
    assert r.result["replicas"] == replicas
    same = bit_identical(r.weights(), py.weights())
    REPORT[f"R / python, tensorflow, {replicas} replicas"] = "bit-identical" if same else \
        f"largest weight difference {largest_difference(r.weights(), py.weights()):.3g}"
    diff = largest_difference(harness.runs["py.tf.1"].weights(), r.weights())
    REPORT[f"R, tensorflow: 1 (python's bits) / {replicas} replicas"] = f"largest weight difference {diff:.3g}"
    assert diff <= WEIGHT_TOLERANCE
    assert same
    assert r.history() == py.history()


def test_r_two_and_four_replicas_agree(harness: Harness) -> None:
    require_r(harness)
    diff = largest_difference(harness.runs["r.tf.2"].weights(), harness.runs["r.tf.4"].weights())
    REPORT["R, tensorflow: 2 / 4 replicas"] = f"largest weight difference {diff:.3g}"
    assert diff <= WEIGHT_TOLERANCE


@pytest.mark.parametrize("name", ["py.tf.2", "r.tf.2", "r.tf.4"])
def test_a_model_saved_after_distributed_training_predicts_on_one_device(harness: Harness, name: str) -> None:
    if name.startswith("r."):
        require_r(harness)
    saved = harness.runs[name].job["save"]
    before = np.load(saved + ".npy")
    after = np.load(saved + ".read.py.tf.1.npy")
    assert after.shape == before.shape == (200, 10)
    diff = float(np.max(np.abs(after - before)))
    REPORT[f"{name}.keras read on one device"] = f"largest prediction difference {diff:.3g}"
    assert diff <= PREDICT_TOLERANCE


def test_two_jax_processes_train_the_weights_of_one(harness: Harness) -> None:
    one, p0, p1 = (harness.runs[n] for n in ("py.jax.1", "py.jax.2.0", "py.jax.2.1"))
    assert (one.result["processes"], p0.result["processes"], p1.result["processes"]) == (1, 2, 2)
    assert p0.result["replicas"] == 2
    assert bit_identical(p0.weights(), p1.weights())  # each process holds the same (replicated) weights
    diff = largest_difference(one.weights(), p0.weights())
    REPORT["python, jax: 1 / 2 processes"] = f"largest weight difference {diff:.3g}"
    assert diff <= WEIGHT_TOLERANCE
    same_history(one.history(), p0.history(), JAX_SAMPLES)


def test_jax_processes_started_from_r(harness: Harness) -> None:
    require_r(harness)
    r0, r1, py0 = (harness.runs[n] for n in ("r.jax.2.0", "r.jax.2.1", "py.jax.2.0"))
    assert (r0.result["processes"], r0.result["replicas"]) == (2, 2)
    assert bit_identical(r0.weights(), r1.weights())
    diff = largest_difference(harness.runs["py.jax.1"].weights(), r0.weights())
    REPORT["R, jax: 1 (python's) / 2 processes"] = f"largest weight difference {diff:.3g}"
    same = bit_identical(r0.weights(), py0.weights())
    REPORT["R / python, jax, 2 processes"] = "bit-identical" if same else \
        f"largest weight difference {largest_difference(r0.weights(), py0.weights()):.3g}"
    assert same
    assert r0.history() == py0.history()


def test_batches_the_replicas_cannot_share_are_refused_alike(harness: Harness) -> None:
    """Every run (R and Python, TensorFlow and JAX) says the same of the same batches."""
    said = {name: run.result["refusals"] for name, run in harness.runs.items() if "refusals" in run.result}
    first = said["py.tf.1"]
    assert [bool(text) for text in first] == REFUSED
    assert "leave out 2 samples (train on 1008)" in first[0].lower()
    for name, texts in said.items():
        assert texts == first, name


def test_the_command_line_trains_on_k_replicas(harness: Harness) -> None:
    """``twinnet train SPEC --replicas K`` (the run py.tf.4): it says what it did and writes the model."""
    run = harness.runs["py.tf.4"]
    assert "lenet5: 2 epochs on 4 replicas" in run.result["said"]
    assert Path(run.job["save"]).exists()


def test_the_command_line_refuses_batches_the_replicas_cannot_share() -> None:
    """Before anything starts (no TensorFlow): exit status 2 and the message."""
    res = subprocess.run([sys.executable, "-m", "twinnet", "train", "lenet5", "--replicas", "3", "--samples", "256",
                          "--epochs", "1", "--batch-size", "64"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    assert res.returncode == 2
    assert res.stderr.strip() == "twinnet: a global batch of 64 samples cannot be shared evenly by 3 replicas: " \
        "choose a batch size that is a multiple of 3"
