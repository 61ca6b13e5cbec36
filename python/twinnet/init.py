"""Portable initial weights: the same bits on every Keras backend and in both languages (R: R/init.R).

Keras draws initial weights with its backend's own random numbers, so one seed gives different
weights on TensorFlow, JAX and PyTorch. ``build_model(spec, seed, init="portable")`` draws them with
NumPy instead: one ``Generator(PCG64(seed))`` for the whole model, each weight from the initializer
that its layer's Keras config names, as ``shared_specs/initializers.json`` describes. R's
``set_portable_weights()`` makes the same NumPy calls in the same order through reticulate, so the
weights are bit-identical in R and Python too. That holds for one NumPy on one machine: NumPy does not
promise the same random stream across its versions, and its QR decomposition (the orthogonal
initializer's) may round differently on another processor.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .tables import shared

__all__ = ["INIT_MODES", "compute_fans", "draw_initializer", "portable_weights", "set_portable_weights"]

# The values of build_model()'s ``init``: Keras's own initializers, or NumPy's portable draws.
INIT_MODES = ("keras", "portable")


def _table() -> dict[str, Any]:
    return shared("initializers.json")


def compute_fans(shape: tuple[int, ...], input_axes: list[int] | None = None,
                 output_axes: list[int] | None = None) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight's shape, as Keras's ``compute_fans`` (R: compute_fans())."""
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], mean: float, stddev: float) -> np.ndarray:
    """A standard normal redrawn, in index order, where its absolute value is not below the bound; scaled."""
    bound = float(_table()["truncated_normal"]["bound"])
    z = rng.standard_normal(math.prod(shape))
    bad = np.flatnonzero(np.greater_equal(np.abs(z), bound))
    while bad.size > 0:
        z[bad] = rng.standard_normal(bad.size)
        bad = bad[np.greater_equal(np.abs(z[bad]), bound)]
    return np.add(np.multiply(z, stddev), mean).reshape(shape)


def _variance_scaling(rng: np.random.Generator, shape: tuple[int, ...], args: dict[str, Any]) -> np.ndarray:
    fan_in, fan_out = compute_fans(shape, args["input_axes"], args["output_axes"])
    scale = float(args["scale"])
    if args["mode"] == "fan_in":
        scale = scale / max(1.0, fan_in)
    elif args["mode"] == "fan_out":
        scale = scale / max(1.0, fan_out)
    elif args["mode"] == "fan_avg":
        scale = scale / max(1.0, (fan_in + fan_out) / 2.0)
    else:
        raise ValueError(f"VarianceScaling's mode is fan_in, fan_out or fan_avg, not {args['mode']!r}")
    distribution = str(args["distribution"]).lower()
    distribution = _table()["distribution_aliases"].get(distribution, distribution)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * scale)
        return rng.uniform(-limit, limit, shape)
    if distribution == "untruncated_normal":
        return rng.normal(0.0, math.sqrt(scale), shape)
    if distribution == "truncated_normal":
        return _truncated_normal(rng, shape, 0.0, math.sqrt(scale) / _table()["truncated_normal"]["stddev_correction"])
    raise ValueError(f"VarianceScaling's distribution is uniform, truncated_normal or untruncated_normal, "
                     f"not {args['distribution']!r}")


def _orthogonal(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    if len(shape) < 2:
        raise ValueError(f"the orthogonal initializer needs a weight of two axes or more, not the shape {shape}")
    rows, cols = math.prod(shape[:-1]), shape[-1]
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = np.multiply(q, np.sign(np.diag(r)))
    if rows < cols:
        q = np.transpose(q)
    return np.multiply(gain, np.reshape(q, shape))


def draw_initializer(rng: np.random.Generator, initializer: dict[str, Any], shape: tuple[int, ...]) -> np.ndarray:
    """A float32 array of ``shape`` drawn from ``rng`` for an initializer as Keras serializes it
    (``{"class_name": "GlorotUniform", "config": {...}}``), by shared_specs/initializers.json's rule.

    Raises:
        ValueError: an initializer the table does not know, or an argument it does not take.
    """
    shape = tuple(int(d) for d in shape)
    cls = initializer.get("class_name")
    entry = _table()["classes"].get(cls)
    if entry is None:
        raise ValueError(f"portable initial weights know no initializer {cls!r}; "
                         f"known: {', '.join(_table()['classes'])}")
    args = dict(entry["args"])
    for key, value in (initializer.get("config") or {}).items():
        if key == "seed":
            continue  # one seed, build_model()'s, draws every weight
        if key not in args:
            raise ValueError(f"portable initial weights do not know the argument {key!r} of {cls}")
        args[key] = value
    draw = entry["draw"]
    if draw == "constant":
        out = np.full(shape, args["value"], dtype=np.float64)
    elif draw == "uniform":
        out = rng.uniform(args["minval"], args["maxval"], shape)
    elif draw == "normal":
        out = rng.normal(args["mean"], args["stddev"], shape)
    elif draw == "truncated_normal":
        out = _truncated_normal(rng, shape, args["mean"], args["stddev"])
    elif draw == "variance_scaling":
        out = _variance_scaling(rng, shape, args)
    elif draw == "orthogonal":
        out = _orthogonal(rng, shape, args["gain"])
    elif draw == "identity":
        if len(shape) != 2:
            raise ValueError(f"the identity initializer needs a matrix, not the shape {shape}")
        out = np.multiply(args["gain"], np.eye(shape[0], shape[1]))
    else:
        raise ValueError(f"initializers.json names an unknown draw {draw!r} for {cls}")
    return np.asarray(out).astype(_table()["dtype"])


def _initializer_key(layer_type: str, weight: str) -> str:
    own = _table()["layer_weight_initializers"].get(layer_type, {})
    return own.get(weight) or _table()["weight_initializers"].get(weight, f"{weight}_initializer")


def _draw_weight(rng: np.random.Generator, layer_type: str, config: dict[str, Any], weight: str,
                 shape: tuple[int, ...]) -> np.ndarray:
    split = _table()["split_weights"].get(layer_type)
    if split is not None and split["weight"] == weight and config.get(split["when"]):
        unit = int(config[split["unit"]])
        parts = [draw_initializer(rng, config[p["initializer"]] if "initializer" in p else p, (p["units"] * unit,))
                 for p in split["parts"]]
        return np.concatenate(parts).reshape(shape)
    key = _initializer_key(layer_type, weight)
    if not isinstance(config.get(key), dict):
        raise ValueError(f"portable initial weights: the {layer_type} layer '{config.get('name')}' has a weight "
                         f"'{weight}' without an initializer ({key}) in its config")
    return draw_initializer(rng, config[key], shape)


def _layer_draws(model: Any, seed: int | None) -> Iterator[tuple[Any, list[np.ndarray]]]:
    """Each layer with weights, in the model's order, and its weights drawn in their order (one at a time:
    the largest networks' weights are a gigabyte)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    for layer in model.layers:
        if not layer.weights:
            continue
        yield layer, [_draw_weight(rng, type(owner).__name__, owner.get_config(), w.name, tuple(w.shape))
                      for owner in _weight_owners(layer) for w in owner.weights]


def _weight_owners(layer: Any) -> list[Any]:
    """The layers whose weights ``layer`` has, in their order: itself, or a wrapper's layers."""
    attributes = _table()["wrappers"].get(type(layer).__name__)
    if attributes is None:
        return [layer]
    return [owner for name in attributes for owner in _weight_owners(getattr(layer, name))]


def portable_weights(model: Any, seed: int | None = None) -> dict[str, list[np.ndarray]]:
    """The portable initial weights of a Keras model, drawn but not set (R: portable_weights()).

    Args:
        model: a Keras model, e.g. from :func:`twinnet.build_model`.
        seed: the seed of the one ``numpy.random.Generator(PCG64(seed))`` that draws every weight;
            None draws from fresh entropy (not reproducible).

    Returns:
        For each layer with weights, in the model's order, its name and its weights as
        ``layer.get_weights()`` lists them (float32 arrays).
    """
    return {layer.name: arrays for layer, arrays in _layer_draws(model, seed)}


def set_portable_weights(model: Any, seed: int | None = None) -> Any:
    """Set every weight of ``model`` to its portable initial value (:func:`portable_weights`); returns the model.

    ``build_model(spec, seed, init="portable")`` calls it, then sets the spec's fixed ``weights``.
    """
    for layer, arrays in _layer_draws(model, seed):
        layer.set_weights(arrays)
    return model
