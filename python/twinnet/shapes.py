"""Output shapes and parameter counts of each layer, computed from its config without Keras.

Shapes leave out the batch axis; ``None`` is a length that varies.  A shape that
collapses (a kernel larger than its input) is a SpecError found before Keras runs.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import SpecError

Shape = list[int | None]


def _conv_len(n: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    if n is None:
        return None
    if padding in ("same", "causal"):
        return math.ceil(n / s)
    span = d * (k - 1) + 1
    return (n - span) // s + 1 if n >= span else 0


def _collapse(layer: dict[str, Any], shape: Shape, out: Shape) -> SpecError:
    what = "it crops more than its input has" if layer["type"].startswith("Cropping") else \
        "its window is larger than its input"
    return SpecError(layer["source"],
                     f"layer '{layer['name']}' ({layer['type']}) maps input shape {_fmt(shape)} "
                     f"to {_fmt(out)}: {what}", "shape_collapse")


def _fmt(shape: Shape) -> str:
    return "(" + ", ".join("None" if v is None else str(v) for v in [None, *shape]) + ")"


def _rank_error(layer: dict[str, Any], shape: Shape, want: int) -> SpecError:
    return SpecError(layer["source"],
                     f"layer '{layer['name']}' ({layer['type']}) needs an input of rank {want + 1} "
                     f"(batch included), found {_fmt(shape)}", "shape_mismatch")


def _weights(layer: dict[str, Any], count: int, frozen: int = 0) -> tuple[int, int]:
    """(trainable, non-trainable) for a layer with ``count`` weights, ``frozen`` always untrainable."""
    if not layer["config"]["trainable"]:
        return 0, count
    return count - frozen, frozen


def infer(layer: dict[str, Any], shapes: list[Shape]) -> tuple[Shape, int, int]:
    """Return (output shape, trainable params, non-trainable params) of one expanded layer."""
    t, c = layer["type"], layer["config"]
    if t == "Input":
        return list(c["shape"]), 0, 0
    x = shapes[0]
    if t in ("Conv1D", "Conv2D"):
        r = 1 if t == "Conv1D" else 2
        if len(x) != r + 1:
            raise _rank_error(layer, x, r + 1)
        ch = x[-1]
        if ch is None:
            raise SpecError(layer["source"], f"layer '{layer['name']}' needs a known number of channels",
                            "shape_mismatch")
        g = c["groups"]
        if ch % g or c["filters"] % g:
            raise SpecError(layer["source"] + "/groups",
                            f"groups = {g} must divide both the input channels ({ch}) and filters "
                            f"({c['filters']})", "invalid_value")
        if max(c["strides"]) > 1 and max(c["dilation_rate"]) > 1:
            raise SpecError(layer["source"] + "/dilation_rate",
                            "Keras cannot combine strides > 1 with dilation_rate > 1 in one convolution",
                            "invalid_value")
        out = [_conv_len(x[i], c["kernel_size"][i], c["strides"][i], c["dilation_rate"][i], c["padding"])
               for i in range(r)] + [c["filters"]]
        if 0 in out:
            raise _collapse(layer, x, out)
        n = math.prod(c["kernel_size"]) * (ch // g) * c["filters"] + (c["filters"] if c["use_bias"] else 0)
        return (out, *_weights(layer, n))
    if t in ("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D"):
        r = 1 if t.endswith("1D") else 2
        if len(x) != r + 1:
            raise _rank_error(layer, x, r + 1)
        out = [_conv_len(x[i], c["pool_size"][i], c["strides"][i], 1, c["padding"]) for i in range(r)] + [x[-1]]
        if 0 in out:
            raise _collapse(layer, x, out)
        return out, 0, 0
    if t.startswith("Global"):
        r = 1 if t.endswith("1D") else 2
        if len(x) != r + 1:
            raise _rank_error(layer, x, r + 1)
        kept: Shape = [1] * r if c["keepdims"] else []
        return [*kept, x[-1]], 0, 0
    if t == "ZeroPadding2D":
        if len(x) != 3:
            raise _rank_error(layer, x, 3)
        out = [None if n is None else n + a + b for n, (a, b) in zip(x, c["padding"], strict=False)]
        return [*out, x[2]], 0, 0
    if t == "Cropping3D":
        if len(x) != 4:
            raise _rank_error(layer, x, 4)
        out = [None if n is None else n - a - b for n, (a, b) in zip(x, c["cropping"], strict=False)]
        if any(v is not None and v < 1 for v in out):
            raise _collapse(layer, x, [*out, x[3]])
        return [*out, x[3]], 0, 0
    if t == "Flatten":
        known = [v for v in x if v is not None]
        return [math.prod(known) if len(known) == len(x) else None], 0, 0
    if t == "Dense":
        if x[-1] is None:
            raise SpecError(layer["source"], f"layer '{layer['name']}' needs a known last axis", "shape_mismatch")
        n = x[-1] * c["units"] + (c["units"] if c["use_bias"] else 0)
        return ([*x[:-1], c["units"]], *_weights(layer, n))
    if t == "Softmax" and not -(len(x) + 1) <= c["axis"] <= len(x):  # Keras would fail only when it predicts
        raise SpecError(layer["source"] + "/axis", f"axis {c['axis']} is not an axis of {_fmt(x)}", "invalid_value")
    if t in ("Dropout", "Activation", "ReLU", "LeakyReLU", "Softmax", "Rescaling"):
        return list(x), 0, 0
    if t == "BatchNormalization":
        axis = c["axis"] if c["axis"] >= 0 else len(x) + 1 + c["axis"]
        if not 1 <= axis <= len(x) or x[axis - 1] is None:
            raise SpecError(layer["source"] + "/axis", f"axis {c['axis']} is not a known axis of {_fmt(x)}",
                            "invalid_value")
        ch = x[axis - 1]
        learned = ch * (int(c["center"]) + int(c["scale"]))
        trainable, frozen = _weights(layer, learned + 2 * ch, 2 * ch)
        return list(x), trainable, frozen
    if t == "Add":
        if any(s != x for s in shapes):
            raise SpecError(layer["source"] + "/inputs",
                            f"layer '{layer['name']}' (Add) needs inputs of one shape, found "
                            + ", ".join(_fmt(s) for s in shapes), "shape_mismatch")
        return list(x), 0, 0
    if t == "Concatenate":
        axis = c["axis"] if c["axis"] >= 0 else len(x) + 1 + c["axis"]
        ok = 1 <= axis <= len(x) and all(len(s) == len(x) for s in shapes)
        if ok:
            rest = [[v for i, v in enumerate(s) if i != axis - 1] for s in shapes]
            ok = all(r == rest[0] for r in rest)
        if not ok:
            raise SpecError(layer["source"] + "/inputs",
                            f"layer '{layer['name']}' (Concatenate) cannot join "
                            + ", ".join(_fmt(s) for s in shapes) + f" on axis {c['axis']}", "shape_mismatch")
        sizes = [s[axis - 1] for s in shapes]
        out = list(x)
        out[axis - 1] = None if None in sizes else sum(sizes)
        return out, 0, 0
    if t == "Reshape":
        target = list(c["target_shape"])
        size = None if None in x else math.prod(x)  # type: ignore[arg-type]
        known = math.prod(v for v in target if v != -1)
        if target.count(-1) > 1:
            raise SpecError(layer["source"] + "/target_shape", "at most one length may be -1", "invalid_value")
        if size is None:  # a length that varies: Keras leaves the -1 unknown
            return [None if v == -1 else v for v in target], 0, 0
        if -1 in target:
            if size % known:
                raise SpecError(layer["source"] + "/target_shape",
                                f"cannot reshape {_fmt(x)} to {target}", "shape_mismatch")
            target[target.index(-1)] = size // known
        elif known != size:
            raise SpecError(layer["source"] + "/target_shape",
                            f"cannot reshape {_fmt(x)} ({size} values) to {target} ({known} values)",
                            "shape_mismatch")
        return target, 0, 0
    if t == "Embedding":
        n = c["input_dim"] * c["output_dim"]
        return ([*list(x), c["output_dim"]], *_weights(layer, n))
    if t in ("SimpleRNN", "LSTM", "GRU"):
        if len(x) != 2 or x[-1] is None:
            raise _rank_error(layer, x, 2)
        u, f = c["units"], x[-1]
        gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[t]
        bias = 0
        if c["use_bias"]:
            bias = gates * u * (2 if t == "GRU" and c["reset_after"] else 1)
        n = gates * u * (f + u) + bias
        out = [x[0], u] if c["return_sequences"] else [u]
        return (out, *_weights(layer, n))
    raise AssertionError(f"no shape rule for {t}")  # the registry and this module disagree
