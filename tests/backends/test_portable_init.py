"""Portable initial weights (twinnet.init, shared_specs/initializers.json): the same distribution as each
backend's own Keras initializer, the same bits on every backend (test_backends.py) and in R
(tests/cross/test_init_cross.py), and the rules of build_model(init="portable")."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from backend_harness import FIXED_INITIALIZERS as FIXED
from backend_harness import INIT_CASES as CASES
from backend_harness import REPORT, CrossRun

import twinnet
from twinnet.init import compute_fans, draw_initializer, portable_weights

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "shared_specs" / "initializers.json").read_text(encoding="utf-8"))

def portable(i: int) -> np.ndarray:
    init, shape = CASES[i]
    return draw_initializer(np.random.Generator(np.random.PCG64(500 + i)), init, shape)


def case_id(i: int) -> str:
    init, shape = CASES[i]
    extra = ",".join(f"{k}={v}" for k, v in init.get("config", {}).items())
    return f"{init['class_name']}({extra}){'x'.join(map(str, shape))}"


# -- the table ------------------------------------------------------------------------------------

def test_the_truncation_constant_is_the_truncated_normals_standard_deviation() -> None:
    b = TABLE["truncated_normal"]["bound"]
    mass = math.erf(b / math.sqrt(2))
    density = math.exp(-b * b / 2) / math.sqrt(2 * math.pi)
    assert b == 2.0  # Keras: "values more than two standard deviations from the mean are discarded and re-drawn"
    assert math.isclose(math.sqrt(1 - 2 * b * density / mass), TABLE["truncated_normal"]["stddev_correction"],
                        rel_tol=0, abs_tol=1e-15)


def test_the_table_knows_every_initializer_a_spec_may_name() -> None:
    registry = json.loads((ROOT / "shared_specs" / "layers.json").read_text(encoding="utf-8"))
    for name in registry["initializers"]:
        cls = keras.initializers.serialize(keras.initializers.get(name))["class_name"]
        assert cls in TABLE["classes"], name
    assert set(registry["initializer_classes"]) <= set(TABLE["classes"])
    for cls, entry in TABLE["classes"].items():  # Keras's arguments, with the table's defaults
        config = getattr(keras.initializers, cls)().get_config()
        config.pop("seed", None)
        assert config == {k: v for k, v in entry["args"].items() if k in config}, cls


def test_compute_fans_is_keras() -> None:
    from keras.src.initializers.random_initializers import compute_fans as keras_fans

    for shape in [(), (7,), (3, 5), (5, 5, 3, 8), (3, 3, 3, 4, 6)]:
        assert compute_fans(shape) == keras_fans(shape)
    assert compute_fans((16, 16, 512), [0, 1], [2]) == keras_fans((16, 16, 512), [0, 1], [2]) == (256, 512)


# -- the same distribution as each backend's Keras initializer --------------------------------------

@pytest.fixture(scope="session")
def keras_draws(cross: CrossRun) -> dict[str, dict[str, np.ndarray]]:
    out = {}
    for backend in cross.backends:
        with np.load(cross.work / f"draws.{backend}.npz") as held:
            out[backend] = {k: held[k] for k in held.files}
    return out


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical distributions."""
    a, b = np.sort(a.ravel()), np.sort(b.ravel())
    grid = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size -
                               np.searchsorted(b, grid, side="right") / b.size)))


def variance_error(x: np.ndarray) -> float:
    """The standard error of the sample variance: sqrt((m4 - var^2) / n)."""
    d = x.astype(np.float64) - x.mean()
    return math.sqrt(max(float(np.mean(d**4) - np.mean(d**2) ** 2), 0.0) / x.size)


@pytest.mark.parametrize("i", range(len(CASES)), ids=case_id)
def test_portable_draws_follow_kerass_distribution_on_every_backend(keras_draws: dict[str, dict[str, np.ndarray]],
                                                                     i: int) -> None:
    init, shape = CASES[i]
    mine = portable(i)
    assert mine.dtype == np.float32 and mine.shape == shape
    for backend, draws in keras_draws.items():
        theirs = draws[f"case{i}"]
        assert theirs.shape == shape, backend
        if init["class_name"] in FIXED:
            assert np.array_equal(mine, theirs), backend
            continue
        a, b = mine.astype(np.float64).ravel(), theirs.astype(np.float64).ravel()
        n = a.size
        ks = ks_statistic(a, b)
        critical = 1.95 * math.sqrt(2 / n)  # the two-sample KS test at the 0.1 % level
        mean_gap = abs(a.mean() - b.mean()) / math.sqrt(a.var() / n + b.var() / n)
        var_gap = abs(a.var() - b.var()) / math.hypot(variance_error(a), variance_error(b))
        REPORT[("portable vs Keras initializers", f"{case_id(i)} on {backend}")] = \
            f"KS {ks:.4f} (critical {critical:.4f}), mean {mean_gap:.1f} SE, variance {var_gap:.1f} SE"
        assert ks < critical, f"{backend}: KS statistic {ks:.4f} >= {critical:.4f}"
        assert mean_gap < 5, f"{backend}: means differ by {mean_gap:.1f} standard errors"
        assert var_gap < 5, f"{backend}: variances differ by {var_gap:.1f} standard errors"
        if init["class_name"] == "Orthogonal":
            gain = init.get("config", {}).get("gain", 1.0)
            for m in (mine, theirs):
                flat = m.reshape(-1, shape[-1]).astype(np.float64)
                gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
                assert np.allclose(gram, gain**2 * np.eye(gram.shape[0]), atol=1e-4), backend


def test_truncated_draws_stay_within_two_standard_deviations() -> None:
    """TruncatedNormal's stddev is the normal's before truncation; VarianceScaling's is the draws' own."""
    correction = TABLE["truncated_normal"]["stddev_correction"]
    i = next(i for i, (init, _) in enumerate(CASES) if init["class_name"] == "TruncatedNormal")
    config = CASES[i][0]["config"]
    x = portable(i).astype(np.float64)
    assert np.max(np.abs(x - config["mean"])) < 2 * config["stddev"] + 1e-6
    assert abs(x.std() - correction * config["stddev"]) < 0.01 * config["stddev"]
    i = next(i for i, (init, _) in enumerate(CASES) if init["class_name"] == "HeNormal")
    shape = CASES[i][1]
    want = math.sqrt(2 / compute_fans(shape)[0])
    x = portable(i).astype(np.float64)
    assert np.max(np.abs(x)) < 2 * want / correction
    assert abs(x.std() - want) < 0.01 * want


# -- build_model(init = "portable") ---------------------------------------------------------------

def weights_of(model: Any) -> list[np.ndarray]:
    return [np.asarray(w) for w in model.get_weights()]


def test_build_model_portable_sets_the_portable_weights() -> None:
    model = twinnet.build_model("lenet5", seed=3, init="portable")
    drawn = [w for arrays in portable_weights(model, seed=3).values() for w in arrays]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(weights_of(model), drawn, strict=True))
    again = twinnet.build_model("lenet5", seed=3, init="portable")
    assert all(a.tobytes() == b.tobytes() for a, b in zip(weights_of(model), weights_of(again), strict=True))
    other = twinnet.build_model("lenet5", seed=4, init="portable")
    assert not np.array_equal(weights_of(model)[0], weights_of(other)[0])
    keras_init = twinnet.build_model("lenet5", seed=3)
    assert not np.array_equal(weights_of(model)[0], weights_of(keras_init)[0])
    with pytest.raises(ValueError, match="init is one of"):
        twinnet.build_model("lenet5", init="numpy")


def test_lstm_bias_and_recurrent_kernel() -> None:
    """LSTM's bias as Keras makes it with unit_forget_bias (ones for the forget gate); orthogonal recurrent
    kernels (rows: units < columns: 4 * units, so the rows are orthonormal)."""
    model = twinnet.build_model("stock_lstm", seed=5, init="portable")
    for layer in model.layers:
        if type(layer).__name__ != "LSTM":
            continue
        kernel, recurrent, bias = (np.asarray(w) for w in layer.get_weights())
        u = layer.units
        assert np.array_equal(bias, np.concatenate([np.zeros(u), np.ones(u), np.zeros(2 * u)]).astype(np.float32))
        assert np.allclose(recurrent @ recurrent.T, np.eye(u), atol=1e-5)
        limit = math.sqrt(6 / (kernel.shape[0] + kernel.shape[1]))  # glorot_uniform
        assert np.max(np.abs(kernel)) <= limit


def test_fixed_weights_win() -> None:
    spec = {"format_version": "1.0", "name": "fixed",
            "layers": [{"type": "Input", "shape": [3]},
                       {"type": "Dense", "name": "drawn", "units": 2},
                       {"type": "Dense", "name": "given", "units": 1, "weights": [[[1], [2]], [0.5]]}]}
    model = twinnet.build_model(spec, seed=9, init="portable")
    drawn = portable_weights(model, seed=9)
    assert [w.tolist() for w in model.get_layer("given").get_weights()] == [[[1.0], [2.0]], [0.5]]
    assert all(a.tobytes() == b.tobytes() for a, b in
               zip(weights_of(model.get_layer("drawn")), drawn["drawn"], strict=True))


def test_unknown_initializers_are_refused() -> None:
    rng = np.random.Generator(np.random.PCG64(0))
    with pytest.raises(ValueError, match="know no initializer 'STFT'"):
        draw_initializer(rng, {"class_name": "STFT", "config": {}}, (4, 4))
    with pytest.raises(ValueError, match="argument 'scal'"):
        draw_initializer(rng, {"class_name": "VarianceScaling", "config": {"scal": 2.0}}, (4, 4))
    with pytest.raises(ValueError, match="two axes"):
        draw_initializer(rng, {"class_name": "Orthogonal", "config": {}}, (4,))
