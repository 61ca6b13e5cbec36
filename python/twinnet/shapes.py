"""Output shapes and parameter counts of each layer, computed from its config without Keras.

Shapes leave out the batch axis; ``None`` is a length that varies.  A shape that
collapses (a kernel larger than its input) is a SpecError found before Keras runs.

Each layer type of the registry names its shape rule and the rule's data
(``"shape": {"rule": "conv", "rank": 2}`` in shared_specs/layers.json; README.md's
"Shape rules"). A rule is a function of the layer, the shapes of its inputs and that
data as keyword arguments, found by name in RULES; R/shapes.R has the same rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .errors import SpecError, spec_error_at
from .formatting import format_shape, int_list_text
from .registry import layer_types

__all__ = ["RULES", "infer"]

Shape = list[int | None]
Layer = dict[str, Any]
Result = tuple[Shape, int, int]  # (output shape, trainable params, non-trainable params)


def _conv_len(n: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    if n is None:
        return None
    if padding in ("same", "causal"):
        return math.ceil(n / s)
    span = d * (k - 1) + 1
    return (n - span) // s + 1 if n >= span else 0


def _shape_text(shape: Shape) -> str:
    """A shape with the batch axis in front, "(None, 28, 28, 6)"."""
    return format_shape([None, *shape])


def _named(layer: Layer) -> dict[str, str]:
    return {"name": layer["name"], "type": layer["type"]}


def _need_rank(layer: Layer, shape: Shape, rank: int) -> None:
    """A shape_rank error unless the input has ``rank`` axes besides the batch."""
    if len(shape) != rank:
        raise _rank_error(layer, shape, rank)


def _rank_error(layer: Layer, shape: Shape, rank: int) -> SpecError:
    return spec_error_at(layer["source"], "shape_rank", **_named(layer), rank=str(rank + 1),
                         shape=_shape_text(shape))


def _collapse(layer: Layer, shape: Shape, out: Shape, error: str = "shape_collapse") -> SpecError:
    return spec_error_at(layer["source"], error, **_named(layer), shape=_shape_text(shape), output=_shape_text(out))


def _weights(layer: Layer, count: int, frozen: int = 0) -> tuple[int, int]:
    """(trainable, non-trainable) for a layer with ``count`` weights, ``frozen`` always untrainable."""
    if not layer["config"]["trainable"]:
        return 0, count
    return count - frozen, frozen


def _axis(axis: int, shape: Shape) -> int:
    """A Keras axis (negative from the end, the batch axis 0) as a position in ``shape`` counted from 1."""
    return axis if axis >= 0 else len(shape) + 1 + axis


def _input(layer: Layer, shapes: list[Shape]) -> Result:
    return list(layer["config"]["shape"]), 0, 0


def _conv(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    c, x = layer["config"], shapes[0]
    _need_rank(layer, x, rank + 1)
    ch = x[-1]
    if ch is None:
        raise spec_error_at(layer["source"], "shape_channels", name=layer["name"])
    g = c["groups"]
    if ch % g or c["filters"] % g:
        raise spec_error_at(layer["source"] + "/groups", "shape_groups", groups=str(g), channels=str(ch),
                            filters=str(c["filters"]))
    if max(c["strides"]) > 1 and max(c["dilation_rate"]) > 1:
        raise spec_error_at(layer["source"] + "/dilation_rate", "shape_strides_dilation")
    out = [_conv_len(x[i], c["kernel_size"][i], c["strides"][i], c["dilation_rate"][i], c["padding"])
           for i in range(rank)] + [c["filters"]]
    if 0 in out:
        raise _collapse(layer, x, out)
    n = math.prod(c["kernel_size"]) * (ch // g) * c["filters"] + (c["filters"] if c["use_bias"] else 0)
    return (out, *_weights(layer, n))


def _window_checks(layer: Layer, x: Shape, rank: int) -> int:
    """The checks of a convolution's input and of its strides with dilation; returns the input channels."""
    _need_rank(layer, x, rank + 1)
    ch = x[-1]
    if ch is None:
        raise spec_error_at(layer["source"], "shape_channels", name=layer["name"])
    c = layer["config"]
    if max(c["strides"]) > 1 and max(c["dilation_rate"]) > 1:
        raise spec_error_at(layer["source"] + "/dilation_rate", "shape_strides_dilation")
    return ch


def _transpose_len(n: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    """Keras's length after a transposed convolution (keras/src/backend/common/backend_utils.py)."""
    if n is None:
        return None
    if padding == "same":
        return n * s
    span = d * (k - 1) + 1
    return (n - 1) * s + max(span, s)


def _conv_transpose(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    c, x = layer["config"], shapes[0]
    ch = _window_checks(layer, x, rank)
    out = [_transpose_len(x[i], c["kernel_size"][i], c["strides"][i], c["dilation_rate"][i], c["padding"])
           for i in range(rank)] + [c["filters"]]
    n = math.prod(c["kernel_size"]) * ch * c["filters"] + (c["filters"] if c["use_bias"] else 0)
    return (out, *_weights(layer, n))


def _depthwise_out(layer: Layer, x: Shape, rank: int, channels: int) -> Shape:
    c = layer["config"]
    out = [_conv_len(x[i], c["kernel_size"][i], c["strides"][i], c["dilation_rate"][i], c["padding"])
           for i in range(rank)] + [channels]
    if 0 in out:
        raise _collapse(layer, x, out)
    return out


def _depthwise(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    c, x = layer["config"], shapes[0]
    ch = _window_checks(layer, x, rank)
    depth = ch * c["depth_multiplier"]
    n = math.prod(c["kernel_size"]) * depth + (depth if c["use_bias"] else 0)
    return (_depthwise_out(layer, x, rank, depth), *_weights(layer, n))


def _separable(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    c, x = layer["config"], shapes[0]
    ch = _window_checks(layer, x, rank)
    depth = ch * c["depth_multiplier"]
    n = math.prod(c["kernel_size"]) * depth + depth * c["filters"] + (c["filters"] if c["use_bias"] else 0)
    return (_depthwise_out(layer, x, rank, c["filters"]), *_weights(layer, n))


def _upsample(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    x = shapes[0]
    _need_rank(layer, x, rank + 1)
    size = layer["config"]["size"]
    return [*(None if n is None else n * k for n, k in zip(x[:rank], size, strict=True)), x[rank]], 0, 0


def _crop_to(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    """RandomCrop: the first two axes become height and width (an input smaller than that is resized)."""
    c, x = layer["config"], shapes[0]
    _need_rank(layer, x, rank + 1)
    return [c["height"], c["width"], x[rank]], 0, 0


def _inner(layer: Layer) -> Layer:
    """The layer a wrapper holds, as infer() takes a layer (its path the wrapper's "layer")."""
    inner = layer["config"]["layer"]
    return {"name": layer["name"], "type": inner["type"], "config": inner["config"],
            "source": layer["source"] + "/layer"}


def _wrapped(layer: Layer, trainable: int, frozen: int) -> tuple[int, int]:
    """A wrapper's weights are its layer's; a wrapper that is not trainable freezes them all."""
    return _weights(layer, trainable + frozen, frozen)


def _time_distributed(layer: Layer, shapes: list[Shape]) -> Result:
    x = shapes[0]
    if len(x) < 2:
        raise _rank_error(layer, x, 2)
    out, trainable, frozen = infer(_inner(layer), [x[1:]])
    return ([x[0], *out], *_wrapped(layer, trainable, frozen))


def _bidirectional(layer: Layer, shapes: list[Shape]) -> Result:
    out, trainable, frozen = infer(_inner(layer), shapes)
    if layer["config"]["merge_mode"] == "concat":
        out = [*out[:-1], 2 * out[-1]]  # type: ignore[operator]
    return (list(out), *_wrapped(layer, 2 * trainable, 2 * frozen))


def _pool(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    c, x = layer["config"], shapes[0]
    _need_rank(layer, x, rank + 1)
    out = [_conv_len(x[i], c["pool_size"][i], c["strides"][i], 1, c["padding"]) for i in range(rank)] + [x[-1]]
    if 0 in out:
        raise _collapse(layer, x, out)
    return out, 0, 0


def _global_pool(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    x = shapes[0]
    _need_rank(layer, x, rank + 1)
    kept: Shape = [1] * rank if layer["config"]["keepdims"] else []
    return [*kept, x[-1]], 0, 0


def _pairs(value: list[Any], rank: int) -> list[list[int]]:
    """[before, after] per axis: one axis is written as Keras writes it, a flat [before, after]."""
    return [value] if rank == 1 else value


def _pad(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    x = shapes[0]
    _need_rank(layer, x, rank + 1)
    pairs = _pairs(layer["config"]["padding"], rank)
    out = [None if n is None else n + a + b for n, (a, b) in zip(x[:rank], pairs, strict=True)]
    return [*out, x[rank]], 0, 0


def _crop(layer: Layer, shapes: list[Shape], rank: int) -> Result:
    x = shapes[0]
    _need_rank(layer, x, rank + 1)
    pairs = _pairs(layer["config"]["cropping"], rank)
    out = [None if n is None else n - a - b for n, (a, b) in zip(x[:rank], pairs, strict=True)]
    if any(v is not None and v < 1 for v in out):
        raise _collapse(layer, x, [*out, x[rank]], "shape_cropped_away")
    return [*out, x[rank]], 0, 0


def _flatten(layer: Layer, shapes: list[Shape]) -> Result:
    x = shapes[0]
    known = [v for v in x if v is not None]
    return [math.prod(known) if len(known) == len(x) else None], 0, 0


def _dense(layer: Layer, shapes: list[Shape]) -> Result:
    c, x = layer["config"], shapes[0]
    if x[-1] is None:
        raise spec_error_at(layer["source"], "shape_last_axis", name=layer["name"])
    n = x[-1] * c["units"] + (c["units"] if c["use_bias"] else 0)
    return ([*x[:-1], c["units"]], *_weights(layer, n))


def _same(layer: Layer, shapes: list[Shape]) -> Result:
    return list(shapes[0]), 0, 0


def _same_axis(layer: Layer, shapes: list[Shape]) -> Result:
    axis, x = layer["config"]["axis"], shapes[0]
    if not -(len(x) + 1) <= axis <= len(x):  # Keras would fail only when it predicts
        raise spec_error_at(layer["source"] + "/axis", "shape_axis", axis=str(axis), shape=_shape_text(x))
    return list(x), 0, 0


def _normalization(layer: Layer, shapes: list[Shape], moving_stats: bool) -> Result:
    c, x = layer["config"], shapes[0]
    axis = _axis(c["axis"], x)
    ch = x[axis - 1] if 1 <= axis <= len(x) else None
    if ch is None:
        raise spec_error_at(layer["source"] + "/axis", "shape_known_axis", axis=str(c["axis"]), shape=_shape_text(x))
    learned = ch * (int(c["center"]) + int(c["scale"]))
    moving = 2 * ch if moving_stats else 0  # the moving mean and variance, never trained
    trainable, frozen = _weights(layer, learned + moving, moving)
    return list(x), trainable, frozen


def _elementwise(layer: Layer, shapes: list[Shape]) -> Result:
    x = shapes[0]
    if any(s != x for s in shapes):
        raise spec_error_at(layer["source"] + "/inputs", "shape_elementwise", **_named(layer),
                            shapes=", ".join(_shape_text(s) for s in shapes))
    return list(x), 0, 0


def _concatenate(layer: Layer, shapes: list[Shape]) -> Result:
    c, x = layer["config"], shapes[0]
    axis = _axis(c["axis"], x)
    ok = 1 <= axis <= len(x) and all(len(s) == len(x) for s in shapes)
    if ok:
        rest = [[v for i, v in enumerate(s) if i != axis - 1] for s in shapes]
        ok = all(r == rest[0] for r in rest)
    if not ok:
        raise spec_error_at(layer["source"] + "/inputs", "shape_concatenate", **_named(layer),
                            shapes=", ".join(_shape_text(s) for s in shapes), axis=str(c["axis"]))
    sizes = [s[axis - 1] for s in shapes]
    known = [v for v in sizes if v is not None]
    out = list(x)
    out[axis - 1] = sum(known) if len(known) == len(sizes) else None
    return out, 0, 0


def _reshape(layer: Layer, shapes: list[Shape]) -> Result:
    x, path = shapes[0], layer["source"] + "/target_shape"
    target = list(layer["config"]["target_shape"])
    size = None if None in x else math.prod(x)  # type: ignore[arg-type]
    known = math.prod(v for v in target if v != -1)
    if target.count(-1) > 1:
        raise spec_error_at(path, "shape_reshape_unknowns")
    if size is None:  # a length that varies: Keras leaves the -1 unknown
        return [None if v == -1 else v for v in target], 0, 0
    if -1 in target:
        if size % known:
            raise spec_error_at(path, "shape_reshape_divide", shape=_shape_text(x), target=int_list_text(target))
        target[target.index(-1)] = size // known
    elif known != size:
        raise spec_error_at(path, "shape_reshape_size", shape=_shape_text(x), size=str(size),
                            target=int_list_text(target), count=str(known))
    return target, 0, 0


def _embedding(layer: Layer, shapes: list[Shape]) -> Result:
    c = layer["config"]
    return ([*shapes[0], c["output_dim"]], *_weights(layer, c["input_dim"] * c["output_dim"]))


def _recurrent(layer: Layer, shapes: list[Shape], gates: int, double_bias_if: str | None = None) -> Result:
    c, x = layer["config"], shapes[0]
    if len(x) != 2 or x[-1] is None:
        raise _rank_error(layer, x, 2)
    u, f = c["units"], x[-1]
    bias = 0
    if c["use_bias"]:  # GRU's reset_after: an input and a recurrent bias
        bias = gates * u * (2 if double_bias_if is not None and c[double_bias_if] else 1)
    n = gates * u * (f + u) + bias
    out = [x[0], u] if c["return_sequences"] else [u]
    return (out, *_weights(layer, n))


# The shape rules by name; a rule's keyword arguments are the data its registry entries give.
RULES: dict[str, Callable[..., Result]] = {
    "input": _input,
    "conv": _conv,
    "pool": _pool,
    "global_pool": _global_pool,
    "pad": _pad,
    "crop": _crop,
    "flatten": _flatten,
    "dense": _dense,
    "same": _same,
    "same_axis": _same_axis,
    "normalization": _normalization,
    "elementwise": _elementwise,
    "concatenate": _concatenate,
    "reshape": _reshape,
    "embedding": _embedding,
    "recurrent": _recurrent,
    "conv_transpose": _conv_transpose,
    "depthwise": _depthwise,
    "separable": _separable,
    "upsample": _upsample,
    "crop_to": _crop_to,
    "time_distributed": _time_distributed,
    "bidirectional": _bidirectional,
}


def infer(layer: Layer, shapes: list[Shape]) -> Result:
    """Return (output shape, trainable params, non-trainable params) of one expanded layer: its type's rule."""
    data = dict(layer_types()[layer["type"]]["shape"])
    return RULES[data.pop("rule")](layer, shapes, **data)
