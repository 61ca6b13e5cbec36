"""The lecture's worked examples: Keras reproduces the lecture's numbers, and so does NumPy by hand.

Every example is a catalog spec with fixed weights (``example_<name>``) and a file in
``shared_specs/examples/`` with the input and the expected output, which R's tests read too. Where the
arithmetic is exact in float32 (small integers, halves) the model must give the numbers exactly. Where
sigmoid and tanh come in (the LSTM, the GRU, a training step) Keras computes in float32, about 7
significant digits, and the hand computation in float64: there they agree within the file's tolerance,
1e-6 on values of size about 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support import ROOT

import twinnet
from twinnet import conv_output_size

EXAMPLES = sorted(p.stem for p in (ROOT / "shared_specs" / "examples").glob("*.json"))


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "shared_specs" / "examples" / f"{name}.json").read_text())


def arr(value: Any) -> np.ndarray:
    return np.array(value, dtype="float64")  # null -> NaN: a number the lecture does not give


def expected(name: str) -> dict[str, np.ndarray]:
    doc = example(name)
    outputs = twinnet.expand(doc["spec"])["outputs"]
    exp = doc["expected"] if isinstance(doc["expected"], dict) else {outputs[0]: doc["expected"]}
    return {k: arr(v) for k, v in exp.items()}


def predict(name: str) -> tuple[Any, dict[str, np.ndarray]]:
    """The example's model and its outputs on the example's input, by output name."""
    doc = example(name)
    model = twinnet.build_model(doc["spec"])
    got = model.predict(np.asarray(doc["input"], "float32"), verbose=0)
    got = got if isinstance(got, list) else [got]
    outputs = twinnet.expand(doc["spec"])["outputs"]
    return model, {n: np.asarray(y, "float64") for n, y in zip(outputs, got, strict=True)}


def assert_close(have: np.ndarray, want: np.ndarray, tolerance: float) -> None:
    """Equal where `want` gives a number: exactly when tolerance is 0."""
    assert have.shape == want.shape
    given_ = ~np.isnan(want)
    if tolerance == 0:
        assert np.array_equal(have[given_], want[given_]), f"model {have[given_]}, expected {want[given_]}"
    else:
        np.testing.assert_allclose(have[given_], want[given_], rtol=0, atol=tolerance)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


def correlate(x: np.ndarray, k: np.ndarray, strides: tuple[int, int] = (1, 1)) -> np.ndarray:
    """The lecture's convolution: slide k over x, multiply element by element, add up (no flip)."""
    kh, kw = k.shape
    rows = range(0, x.shape[0] - kh + 1, strides[0])
    cols = range(0, x.shape[1] - kw + 1, strides[1])
    return np.array([[np.sum(x[i:i + kh, j:j + kw] * k) for j in cols] for i in rows])


def windows(x: np.ndarray, size: int = 2) -> np.ndarray:
    """Non-overlapping size x size windows of a matrix, as [row, column, values]."""
    n, m = x.shape[0] // size, x.shape[1] // size
    return x[:n * size, :m * size].reshape(n, size, m, size).transpose(0, 2, 1, 3).reshape(n, m, -1)


# -- the catalog and the example files ------------------------------------------------------------
def test_every_worked_example_has_a_spec_and_a_file() -> None:
    tagged = sorted(r.name for r in twinnet.catalog() if "worked-example" in r.tags.split(", "))
    assert tagged == [f"example_{n}" for n in EXAMPLES] == [f"example_{n}" for n in twinnet.example_names()]
    assert len(EXAMPLES) == 11


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_file_fits_its_spec(name: str) -> None:
    doc = example(name)
    assert set(doc) <= {"spec", "lecture", "input", "expected", "expected_from", "tolerance", "train", "note",
                        "intermediate", "lecture_prints"}
    graph = twinnet.expand(doc["spec"])
    shapes = {layer["name"]: layer["output_shape"] for layer in graph["layers"]}
    assert list(np.shape(doc["input"]))[1:] == shapes[graph["inputs"][0]][1:]
    for out, want in expected(name).items():
        assert list(want.shape)[1:] == shapes[out][1:]
    assert doc.get("expected_from", "lecture") in ("lecture", "equations")
    # the numbers the lecture prints are exact in float32; tolerances only where exp and tanh come in
    assert doc.get("tolerance", 0) == (1e-6 if name in ("forward_backward", "lstm", "gru") else 0)


def test_the_issues_numbers_are_in_the_files() -> None:
    """The lecture's numbers as the issue states them, against the shared files both languages read."""
    edge = expected("edge_detection")["feature_map"][0, :, :, 0]
    assert all(list(row) == [0, -1020, -1020, 0] for row in edge)
    assert expected("convolution_by_hand")["feature_map"][0, :, :, 0].tolist() == [[9, 32], [14, 26]]
    assert expected("padding_stride")["feature_map"][0, :, :, 0].tolist() == [[0, 8], [6, 8]]
    assert expected("multichannel_convolution")["feature_map"][0, 0, 0, 0] == 308 - 498 + 164 + 1 == -25
    assert expected("max_pooling")["max_pool"][0, :, :, 0].tolist() == [[8, 9], [9, 6]]
    assert expected("average_pooling")["average_pool"][0, :, :, 0].tolist() == [[5, 4.5], [6, 4.5]]
    assert expected("sum_pooling")["sum_pool"][0, :, :, 0].tolist() == [[20, 18], [24, 18]]
    printed = example("rnn")["lecture_prints"]
    assert arr(printed["hidden"]).ravel().tolist() == arr(printed["output"]).ravel().tolist() == [2, 6, 10, 14, 18]


# -- Keras gives the expected numbers --------------------------------------------------------------
@pytest.mark.parametrize("name", EXAMPLES)
def test_model_gives_the_expected_numbers(name: str) -> None:
    _, got = predict(name)
    tolerance = example(name).get("tolerance", 0)
    for out, want in expected(name).items():
        assert_close(got[out], want, tolerance)


# -- convolution, by hand --------------------------------------------------------------------------
def kernel_of(model: Any, layer: str) -> np.ndarray:
    """A one-filter Conv2D kernel as [channel, row, column] (Keras stores [row, column, channel, filter])."""
    return np.asarray(model.get_layer(layer).get_weights()[0], "float64")[..., 0].transpose(2, 0, 1)


def test_edge_detection_by_hand() -> None:
    model, got = predict("edge_detection")
    image = arr(example("edge_detection")["input"])[0, :, :, 0]
    sobel = kernel_of(model, "feature_map")[0]
    assert sobel.tolist() == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    fmap = correlate(image, sobel)
    assert fmap.shape == (conv_output_size(6, 3),) * 2 == (4, 4)
    want = expected("edge_detection")
    assert np.array_equal(fmap, want["feature_map"][0, :, :, 0])
    # the lecture's "after normalization": min-max scaling to 0..255
    scaled = (fmap - fmap.min()) / (fmap.max() - fmap.min()) * 255
    assert np.array_equal(scaled, want["normalized"][0, :, :, 0])
    assert np.array_equal(got["normalized"], want["normalized"])


def test_convolution_by_hand() -> None:
    model, _ = predict("convolution_by_hand")
    x = arr(example("convolution_by_hand")["input"])[0, :, :, 0]
    k = kernel_of(model, "feature_map")[0]
    assert k.tolist() == [[1, 1], [0, 1]]
    assert x[0:2, 0:2].ravel() @ k.ravel() == 1 * 1 + 7 * 1 + 11 * 0 + 1 * 1 == 9
    assert np.array_equal(correlate(x, k), expected("convolution_by_hand")["feature_map"][0, :, :, 0])


def test_padding_and_stride_by_hand() -> None:
    model, _ = predict("padding_stride")
    x = arr(example("padding_stride")["input"])[0, :, :, 0]
    padded = np.pad(x, 1)  # p = 1: a ring of zeros
    assert padded.shape == (5, 5)
    k = kernel_of(model, "feature_map")[0]
    out = correlate(padded, k, strides=(3, 2))
    assert out.shape == (conv_output_size(3, 2, p=1, s=3), conv_output_size(3, 2, p=1, s=2)) == (2, 2)
    assert np.array_equal(out, expected("padding_stride")["feature_map"][0, :, :, 0])


def test_multichannel_convolution_by_hand() -> None:
    model, got = predict("multichannel_convolution")
    doc = example("multichannel_convolution")
    rgb = np.pad(arr(doc["input"])[0], ((1, 1), (1, 1), (0, 0)))  # padding "same": the zeros the lecture draws
    kernels = kernel_of(model, "feature_map")
    bias = model.get_layer("feature_map").get_weights()[1]
    sums = [float(np.sum(rgb[0:3, 0:3, c] * kernels[c])) for c in range(3)]
    assert sums == doc["intermediate"]["channel_sums"] == [308, -498, 164]
    assert bias.tolist() == [doc["intermediate"]["bias"]] == [1]
    assert sum(sums) + bias[0] == got["feature_map"][0, 0, 0, 0] == expected("multichannel_convolution")[
        "feature_map"][0, 0, 0, 0]
    # and everywhere else the model is the same convolution (the lecture works out the top-left only)
    full = sum(correlate(rgb[:, :, c], kernels[c]) for c in range(3)) + bias[0]
    assert np.array_equal(full, got["feature_map"][0, :, :, 0])


# -- pooling ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "output", "rule"), [
    ("max_pooling", "max_pool", np.max),
    ("average_pooling", "average_pool", np.mean),
    ("sum_pooling", "sum_pool", np.sum),
])
def test_pooling_by_hand(name: str, output: str, rule: Any) -> None:
    model, got = predict(name)
    x = arr(example(name)["input"])[0, :, :, 0]
    by_hand = rule(windows(x, 2), axis=-1)
    assert np.array_equal(by_hand, expected(name)[output][0, :, :, 0])
    assert np.array_equal(got[output][0, :, :, 0], by_hand)
    assert model.count_params() == 0  # pooling learns nothing


def test_sum_pooling_is_average_pooling_times_the_window() -> None:
    spec = twinnet.load_spec("example_sum_pooling").data
    assert [layer["type"] for layer in spec["layers"]] == ["Input", "AveragePooling2D", "Rescaling"]
    assert spec["layers"][2]["scale"] == 2 * 2
    assert np.array_equal(expected("sum_pooling")["sum_pool"], 4 * expected("average_pooling")["average_pool"])


# -- the output-size rule --------------------------------------------------------------------------
def test_conv_output_size_examples() -> None:
    assert conv_output_size(6, 3) == 4                       # the Sobel example
    assert conv_output_size(6, 3, p=1) == 6                  # padding 1 keeps 6x6
    assert conv_output_size(32, 5) == 28                     # LeNet-5's C1
    assert conv_output_size(28, 2, s=2) == 14                # LeNet-5's S2
    assert conv_output_size(32, 3, s=2, padding="same") == 16
    assert conv_output_size(7, 3, s=2, padding="same") == 4  # ceil(7 / 2)
    assert conv_output_size(np.int64(5), 1) == 5


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((2, 3), {}, "larger than the padded input"),
    ((0, 1), {}, "n must be >= 1"),
    ((5, 3), {"s": 0}, "s must be >= 1"),
    ((5, 3), {"p": -1}, "p must be >= 0"),
    ((5, 3), {"p": 1, "padding": "same"}, "leave p at 0"),
    ((5, 3), {"padding": "full"}, 'must be "valid" or "same"'),
])
def test_conv_output_size_refuses(args: tuple[int, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv_output_size(*args, **kwargs)
    with pytest.raises(TypeError):
        conv_output_size(5.0, 3)  # type: ignore[arg-type]


axis = st.tuples(st.integers(1, 30), st.integers(1, 7), st.integers(0, 3), st.integers(1, 4))  # n, k, p, s


@settings(max_examples=60, deadline=None, database=None)  # no .hypothesis folder in the repository
@given(rows=axis, cols=axis)
def test_conv_output_size_is_what_keras_builds(rows: tuple[int, int, int, int],
                                              cols: tuple[int, int, int, int]) -> None:
    (n, k, p, s), (n2, k2, p2, s2) = rows, cols
    assume(n + 2 * p >= k and n2 + 2 * p2 >= k2)
    x = keras.Input((n, n2, 1))
    padded = keras.layers.ZeroPadding2D(((p, p), (p2, p2)))(x)
    valid = keras.layers.Conv2D(1, (k, k2), strides=(s, s2))(padded)
    same = keras.layers.Conv2D(1, (k, k2), strides=(s, s2), padding="same")(x)
    assert tuple(valid.shape[1:3]) == (conv_output_size(n, k, p, s), conv_output_size(n2, k2, p2, s2))
    assert tuple(same.shape[1:3]) == (conv_output_size(n, k, s=s, padding="same"),
                                      conv_output_size(n2, k2, s=s2, padding="same"))
    pooled = keras.layers.MaxPooling2D((k, k2), strides=(s, s2), padding="same")(x)
    assert tuple(pooled.shape[1:3]) == tuple(same.shape[1:3])
    if n >= k and n2 >= k2:
        pooled = keras.layers.AveragePooling2D((k, k2), strides=(s, s2))(x)
        assert tuple(pooled.shape[1:3]) == (conv_output_size(n, k, s=s), conv_output_size(n2, k2, s=s2))


# -- forward and backward propagation ----------------------------------------------------------------
def one_step_by_hand(x: np.ndarray, f: np.ndarray, w: np.ndarray, b: np.ndarray, y: float,
                     lr: float) -> dict[str, Any]:
    """The lecture's five steps forward, its chain rule backward, and one step of gradient descent.

    The loss is E = (O - y)^2, Keras's mean_squared_error for one sample with one output.
    """
    z1 = correlate(x, f)                      # Z1 = X * f
    a1 = sigmoid(z1)                          # A1 = sigmoid(Z1)
    a = a1.ravel()                            # Flatten, row by row as Keras does
    z2 = w[:, 0] @ a + b[0]                   # Z2 = W^T A1 + b
    o = sigmoid(z2)                           # O = sigmoid(Z2)
    loss = (o - y) ** 2
    de_do = 2 * (o - y)                       # dE/dO
    de_dz2 = de_do * o * (1 - o)              # dE/dO * dO/dZ2
    de_dw = (a * de_dz2)[:, None]             # ... * dZ2/dW = A1
    de_db = np.array([de_dz2])                # ... * dZ2/db = 1
    de_da1 = (w[:, 0] * de_dz2).reshape(a1.shape)   # ... * dZ2/dA1 = W
    de_dz1 = de_da1 * a1 * (1 - a1)           # ... * dA1/dZ1
    de_df = correlate(x, de_dz1)              # ... * dZ1/df: each filter weight meets the inputs it multiplied
    return {"output": o, "loss": loss, "f": f - lr * de_df, "W": w - lr * de_dw, "b": b - lr * de_db}


def test_one_gradient_descent_step_by_hand_equals_keras() -> None:
    doc = example("forward_backward")
    spec = twinnet.load_spec(doc["spec"])
    settings_ = spec.data["compile"]
    assert (settings_["optimizer"], settings_["loss"]) == ("sgd", "mean_squared_error")
    model = twinnet.build_model(spec)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=settings_["learning_rate"]),
                  loss="mean_squared_error")
    kernel, (w, b) = model.get_layer("z1").get_weights()[0], model.get_layer("z2").get_weights()
    x = arr(doc["input"])
    target = arr(doc["train"]["target"])
    hand = one_step_by_hand(x[0, :, :, 0], kernel[:, :, 0, 0].astype("float64"), w.astype("float64"),
                            b.astype("float64"), float(target[0, 0]), settings_["learning_rate"])

    tol = doc["tolerance"]
    assert model.predict(x.astype("float32"), verbose=0)[0, 0] == pytest.approx(hand["output"], abs=tol)
    loss = model.train_on_batch(x.astype("float32"), target.astype("float32"))
    assert loss == pytest.approx(hand["loss"], abs=tol)
    new_kernel, (new_w, new_b) = model.get_layer("z1").get_weights()[0], model.get_layer("z2").get_weights()
    np.testing.assert_allclose(new_kernel[:, :, 0, 0], hand["f"], rtol=0, atol=tol)
    np.testing.assert_allclose(new_w, hand["W"], rtol=0, atol=tol)
    np.testing.assert_allclose(new_b, hand["b"], rtol=0, atol=tol)
    assert not np.allclose(new_kernel, kernel, atol=1e-3), "the step should move the filter"
    # and the hand computation is what the shared file states
    train = doc["train"]
    assert hand["output"] == pytest.approx(doc["expected"][0][0], abs=tol)
    assert hand["loss"] == pytest.approx(train["loss"], abs=tol)
    np.testing.assert_allclose(hand["f"], arr(train["weights"]["z1"][0])[:, :, 0, 0], rtol=0, atol=tol)
    np.testing.assert_allclose(hand["W"], arr(train["weights"]["z2"][0]), rtol=0, atol=tol)
    np.testing.assert_allclose(hand["b"], arr(train["weights"]["z2"][1]), rtol=0, atol=tol)


# -- the RNN ---------------------------------------------------------------------------------------
def test_rnn_by_hand() -> None:
    model, got = predict("rnn")
    doc = example("rnn")
    (u,), (w,) = (np.ravel(v) for v in model.get_layer("hidden").get_weights())
    (v,) = np.ravel(model.get_layer("output").get_weights()[0])
    assert (u, w, v) == (1, 1, 1)
    xs = arr(doc["input"]).ravel()
    h, hidden, outputs = 0.0, [], []
    for x in xs:
        h = max(0.0, u * x + w * h)           # h(t) = ReLU(U x(t) + W h(t-1))
        hidden.append(h)
        outputs.append(max(0.0, v * h))       # o(t) = ReLU(V h(t))
    want = expected("rnn")
    assert hidden == want["hidden"].ravel().tolist() == got["hidden"].ravel().tolist() == [2, 6, 12, 20, 30]
    assert outputs == want["output"].ravel().tolist() == got["output"].ravel().tolist()


def test_rnn_lecture_slip() -> None:
    """The lecture's first two steps follow its equations; its 10, 14, 18 are x(t) + x(t-1)."""
    doc = example("rnn")
    xs = arr(doc["input"]).ravel()
    printed = arr(doc["lecture_prints"]["hidden"]).ravel()
    _, got = predict("rnn")
    model = got["hidden"].ravel()
    assert np.array_equal(printed[:2], model[:2])
    assert np.array_equal(printed[1:], xs[1:] + xs[:-1])   # the previous input, not the previous state
    assert np.all(printed[2:] != model[2:])


# -- LSTM and GRU ----------------------------------------------------------------------------------
def gates(kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray, names: str) -> dict[str, tuple[Any, ...]]:
    """Keras keeps one block of `units` columns per gate, side by side; split them by name."""
    u = recurrent.shape[0]
    return {g: (kernel[:, j * u:(j + 1) * u], recurrent[:, j * u:(j + 1) * u], bias[..., j * u:(j + 1) * u])
            for j, g in enumerate(names)}


def lstm_by_hand(xs: np.ndarray, weights: list[np.ndarray], order: str = "ifco") -> np.ndarray:
    """The lecture's LSTM equations. Keras's gate order is i (the lecture's update gate), f, c, o."""
    g = gates(*(w.astype("float64") for w in weights), names=order)
    u = weights[1].shape[0]
    a, c, out = np.zeros(u), np.zeros(u), []
    for x in xs:
        pre = {gate: x @ k + a @ r + b for gate, (k, r, b) in g.items()}  # W_gate [a(t-1), x(t)] + b_gate
        update, forget, candidate, output = sigmoid(pre["i"]), sigmoid(pre["f"]), np.tanh(pre["c"]), sigmoid(pre["o"])
        c = forget * c + update * candidate
        a = output * np.tanh(c)
        out.append(a)
    return np.array(out)


def test_lstm_equations_by_hand_equal_keras() -> None:
    model, got = predict("lstm")
    doc = example("lstm")
    weights = model.get_layer("lstm").get_weights()
    assert [w.shape for w in weights] == [(1, 8), (2, 8), (8,)]  # kernel (x), recurrent kernel (a), bias
    xs = arr(doc["input"])[0]
    hand = lstm_by_hand(xs, weights)
    tol = doc["tolerance"]
    np.testing.assert_allclose(got["lstm"][0], hand, rtol=0, atol=tol)
    np.testing.assert_allclose(expected("lstm")["lstm"][0], hand, rtol=0, atol=tol)
    # the order matters: reading the blocks as f, i, c, o (or i, f, o, c) gives other numbers
    for wrong in ("fico", "ifoc"):
        assert np.max(np.abs(lstm_by_hand(xs, weights, wrong) - hand)) > 1e-2


def gru_by_hand(xs: np.ndarray, weights: list[np.ndarray], reset_after: bool, order: str = "zrh",
                flip_z: bool = True) -> np.ndarray:
    """The lecture's GRU equations, with Keras's weights (gate order z, r, h).

    Keras's update gate is the lecture's 1 - z. With reset_after (Keras's default) r multiplies the
    recurrent part after the matrix product, which then has its own bias (the bias's second row).
    """
    kernel, recurrent, bias = (w.astype("float64") for w in weights)
    u = recurrent.shape[0]
    bias_x, bias_h = (bias[0], bias[1]) if reset_after else (bias, np.zeros(3 * u))
    gx, gh = gates(kernel, recurrent, bias_x, order), gates(kernel, recurrent, bias_h, order)
    h, out = np.zeros(u), []
    for x in xs:
        from_x = {gate: x @ k + b for gate, (k, _, b) in gx.items()}
        z_keras = sigmoid(from_x["z"] + h @ gh["z"][1] + gh["z"][2])
        r = sigmoid(from_x["r"] + h @ gh["r"][1] + gh["r"][2])
        _, u_h, b_h = gh["h"]
        # reset_after: tanh(x Wx + bx + r * (h Uh + bh)); before: tanh(W [r * h, x] + b), as the lecture
        recurrent_part = r * (h @ u_h + b_h) if reset_after else (r * h) @ u_h
        candidate = np.tanh(from_x["h"] + recurrent_part)
        z = 1 - z_keras if flip_z else z_keras                   # the lecture's update gate
        h = (1 - z) * h + z * candidate                          # h(t) = (1 - z) h(t-1) + z h~
        out.append(h)
    return np.array(out)


def test_gru_equations_by_hand_equal_keras() -> None:
    model, got = predict("gru")
    doc = example("gru")
    xs = arr(doc["input"])[0]
    tol = doc["tolerance"]
    before, after = (model.get_layer(n).get_weights() for n in ("reset_before", "reset_after"))
    # reset_after = true needs a second row of biases, for the recurrent part
    assert [w.shape for w in before] == [(1, 6), (2, 6), (6,)]
    assert [w.shape for w in after] == [(1, 6), (2, 6), (2, 6)]
    for name, weights, reset_after in (("reset_before", before, False), ("reset_after", after, True)):
        hand = gru_by_hand(xs, weights, reset_after)
        np.testing.assert_allclose(got[name][0], hand, rtol=0, atol=tol)
        np.testing.assert_allclose(expected("gru")[name][0], hand, rtol=0, atol=tol)
        assert np.max(np.abs(gru_by_hand(xs, weights, reset_after, order="rzh") - hand)) > 1e-2
    # the same weights (the recurrent biases are zero): only where r acts differs, and it shows
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[2], after[2][0]) and not after[2][1].any()
    assert np.max(np.abs(got["reset_after"] - got["reset_before"])) > 1e-3
    # the lecture's z is Keras's 1 - z: Keras's z put in the lecture's update rule gives other numbers
    unflipped = gru_by_hand(xs, before, False, flip_z=False)
    assert np.max(np.abs(unflipped - got["reset_before"][0])) > 1e-2


# -- the examples command --------------------------------------------------------------------------
def test_run_examples_agrees_everywhere() -> None:
    rows = twinnet.run_examples()
    assert {r.example for r in rows} == set(EXAMPLES) | {"lenet5_c3_connections"}
    assert all(r.agrees for r in rows), [(r.example, r.what, r.difference) for r in rows if not r.agrees]
    assert len(rows) == 19  # 14 outputs, the loss and three weights after the training step, C3's connections
    edge = next(r for r in rows if r.example == "edge_detection" and r.what == "output 'feature_map'")
    assert (edge.expected_from, edge.tolerance, edge.difference) == ("lecture", 0, 0)


def test_format_examples_puts_the_lecture_beside_the_model() -> None:
    text = twinnet.format_examples(twinnet.run_examples(["convolution_by_hand", "multichannel_convolution"]))
    lines = text.splitlines()
    assert lines[0] == "Worked example: a 3x3 input and a 2x2 kernel, by hand [convolution_by_hand]"
    assert "  output 'feature_map': equal, exactly" in lines
    assert "    [9, 32]       [9, 32]" in lines
    assert any(line.startswith("    [-25, ?, ?, ?, ?]   [-25, ") for line in lines)
    assert lines[-1] == "2 worked examples, 2 comparisons: all equal"


def test_cli_examples() -> None:
    res = subprocess.run([sys.executable, "-m", "twinnet", "examples", "rnn", "sum_pooling"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "    by hand              the model\n    [2, 6, 12, 20, 30]   [2, 6, 12, 20, 30]" in res.stdout
    assert "    [20, 18]      [20, 18]" in res.stdout
    # an unknown name is refused before TensorFlow loads (5 s)
    code = ("import sys; from twinnet.__main__ import main; status = main(['examples', 'rnnn']); "
            "print(status, 'tensorflow' in sys.modules)")
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert bad.stdout.split() == ["2", "False"], (bad.stdout, bad.stderr)
    assert "did you mean 'rnn'?" in bad.stderr and "Traceback" not in bad.stderr
