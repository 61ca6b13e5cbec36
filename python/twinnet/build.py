"""Building an ordinary Keras model from the expanded graph."""

from __future__ import annotations

import json
from typing import Any

from .errors import spec_error_at
from .expand import expand_compile, spec_graph
from .formatting import first_line, format_tuples
from .init import INIT_MODES, set_portable_weights
from .registry import layer_types, shared
from .spec import Spec, load_spec

__all__ = ["FIT_ATTRIBUTE", "build_model", "compile_model", "make_regularizer"]

# The attribute of a model built from a spec with a "fit" section: its expanded settings as JSON text,
# which fit_model() reads (R's build_model() sets the same attribute, so either language's fit_model() finds it).
FIT_ATTRIBUTE = "twinnet_fit"

# Keras's optimizer class of each optimizer name (shared_specs/codegen.json).
OPTIMIZER_CLASSES: dict[str, str] = shared("codegen.json")["optimizer_classes"]


def make_regularizer(keras: Any, value: dict[str, float] | None) -> Any:
    """A spec's regularizer as Keras's object: {"l1": a} L1, {"l2": b} L2, both L1L2 (R: make_regularizer())."""
    if value is None:
        return None
    if "l1" in value and "l2" in value:
        return keras.regularizers.L1L2(l1=value["l1"], l2=value["l2"])
    if "l1" in value:
        return keras.regularizers.L1(l1=value["l1"])
    return keras.regularizers.L2(l2=value["l2"])


def _make_layer(keras: Any, layer: dict[str, Any]) -> Any:
    """The Keras layer of an expanded layer (a wrapper's layer made first; R: make_layer())."""
    config = dict(layer["config"])
    if layer["type"] == "Input":
        return keras.Input(shape=tuple(config["shape"]), dtype=config["dtype"], name=layer["name"])
    args = layer_types()[layer["type"]]["args"]
    for key in config:
        if args[key]["kind"] == "regularizer":
            config[key] = make_regularizer(keras, config[key])
        elif args[key]["kind"] == "layer":
            config[key] = _make_layer(keras, config[key])
    cls = getattr(keras.layers, layer["type"])
    return cls(name=layer["name"], **config)


def _set_weights(model: Any, graph: dict[str, Any]) -> None:
    import numpy as np

    for layer in graph["layers"]:
        if "weights" not in layer:
            continue
        target = model.get_layer(layer["name"])
        want = [tuple(w.shape) for w in target.get_weights()]
        try:
            arrays = [np.asarray(w, dtype="float32") for w in layer["weights"]]
        except (ValueError, TypeError):
            raise spec_error_at(layer["source"] + "/weights", "weights_not_rectangular", name=layer["name"]) from None
        have = [a.shape for a in arrays]
        if want != have:
            raise spec_error_at(layer["source"] + "/weights", "weight_shapes", name=layer["name"],
                                want=format_tuples(want), have=format_tuples(have))
        target.set_weights(arrays)


def make_optimizer(keras: Any, settings: dict[str, Any]) -> Any:
    """The optimizer of expanded ``compile`` settings: its class with every argument that is not null,
    the learning rate a number or a schedule object (R: make_optimizer())."""
    args: dict[str, Any] = {}
    for key, value in settings.items():
        if key in ("optimizer", "loss", "metrics") or value is None:
            continue
        if key == "learning_rate" and isinstance(value, dict):
            schedule = getattr(keras.optimizers.schedules, value["schedule"])
            value = schedule(**{k: v for k, v in value.items() if k != "schedule" and v is not None})
        args[key] = value
    return getattr(keras.optimizers, OPTIMIZER_CLASSES[settings["optimizer"]])(**args)


def compile_model(model: Any, settings: dict[str, Any] | Spec) -> Any:
    """Compile ``model`` with a spec's ``compile`` settings.

    Args:
        model: a Keras model, e.g. from :func:`build_model` with ``compile=False``.
        settings: a spec's ``compile`` block (optimizer, loss, metrics, learning_rate as a number or a
            schedule, and the optimizer's arguments such as momentum or weight_decay), or a :class:`Spec`.
            Arguments left out take Keras's defaults.

    Returns:
        The model, compiled.
    """
    import keras

    block = settings.data.get("compile") if isinstance(settings, Spec) else settings
    if not block or "optimizer" not in block or "loss" not in block:
        raise ValueError("the spec has no `compile` settings (an optimizer and a loss)")
    full = expand_compile(block)
    model.compile(optimizer=make_optimizer(keras, full), loss=full["loss"], metrics=list(full["metrics"]))
    return model


def build_model(spec: Any, seed: int | None = None, compile: bool = True, init: str = "keras",
                distribution: Any = None) -> Any:
    """Build the Keras model a spec describes.

    Args:
        spec: anything :func:`twinnet.load_spec` accepts.
        seed: when given, ``keras.utils.set_random_seed(seed)`` runs first, so the
            initial weights are the same on every build, in Python and in R.
        compile: compile the model with the spec's ``compile`` settings, when it has them.
        init: ``"keras"``: the layers' Keras initializers draw the initial weights, with the
            backend's own random numbers (so TensorFlow, JAX and PyTorch draw different weights
            for one seed); ``"portable"``: NumPy draws them from the same initializers' settings
            (:func:`twinnet.init.set_portable_weights`), bit-identical on every backend and in R.
            Fixed ``weights`` in the spec win either way.
        distribution: None (one device), a number of replicas, or a distribution from
            :func:`twinnet.distribute.make_distribution` (TensorFlow: a ``tf.distribute`` strategy; JAX: a
            ``keras.distribution.Distribution``, which also becomes Keras's global one): the model is built
            in its scope, so that ``fit()`` trains it on those replicas. See :mod:`twinnet.distribute`.

    Returns:
        A ``keras.Model`` (functional), named after the spec. When the spec has ``fit`` settings,
        the model carries them for :func:`twinnet.fit_model` (as JSON text in its ``twinnet_fit``
        attribute).
    """
    if init not in INIT_MODES:
        raise ValueError(f"init is one of {', '.join(map(repr, INIT_MODES))}, not {init!r}")
    if distribution is not None:  # the same model, built in the distribution's scope
        from .distribute import in_scope

        return in_scope(distribution, lambda: build_model(spec, seed, compile, init))
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    graph = spec_graph(spec)
    import keras  # imported here: loading twinnet stays fast

    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    tensors: dict[str, Any] = {}
    for layer in graph["layers"]:
        args = [tensors[n] for n in layer["inputs"]]
        try:
            obj = _make_layer(keras, layer)
            tensors[layer["name"]] = obj(args if len(args) > 1 else args[0]) if args else obj
        except Exception as e:  # what Keras refuses that the checks let through (R catches every error too)
            raise spec_error_at(layer["source"], "keras_refused", name=layer["name"], type=layer["type"],
                                reason=first_line(str(e)) or type(e).__name__) from None
    ins = [tensors[n] for n in graph["inputs"]]
    outs = [tensors[n] for n in graph["outputs"]]
    model = keras.Model(inputs=ins[0] if len(ins) == 1 else ins,
                        outputs=outs[0] if len(outs) == 1 else outs, name=graph["name"])
    if init == "portable":
        set_portable_weights(model, seed)
    _set_weights(model, graph)
    have = model.count_params()
    if have != graph["params"]["total"]:  # the shape rules and Keras disagree: a twinnet bug
        raise AssertionError(f"twinnet computed {graph['params']['total']} parameters, Keras built {have}")
    if compile and "compile" in graph:
        compile_model(model, graph["compile"])
    if "fit" in graph:
        setattr(model, FIT_ATTRIBUTE, json.dumps(graph["fit"]))
    return model
