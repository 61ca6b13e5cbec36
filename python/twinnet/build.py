"""Building an ordinary Keras model from the expanded graph."""

from __future__ import annotations

from typing import Any

from .errors import spec_error_at
from .expand import spec_graph
from .formatting import first_line, format_tuples
from .spec import Spec, load_spec

__all__ = ["build_model", "compile_model"]


def _make_layer(keras: Any, layer: dict[str, Any]) -> Any:
    config = dict(layer["config"])
    if layer["type"] == "Input":
        return keras.Input(shape=tuple(config["shape"]), dtype=config["dtype"], name=layer["name"])
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


def compile_model(model: Any, settings: dict[str, Any]) -> Any:
    """Compile ``model`` with a spec's ``compile`` settings (optimizer, loss, metrics, learning_rate)."""
    import keras

    optimizer: dict[str, Any] = {"class_name": settings["optimizer"], "config": {}}
    if "learning_rate" in settings:
        optimizer["config"]["learning_rate"] = float(settings["learning_rate"])
    model.compile(optimizer=keras.optimizers.get(optimizer), loss=settings["loss"],
                  metrics=list(settings.get("metrics", [])))
    return model


def build_model(spec: Any, seed: int | None = None, compile: bool = True) -> Any:
    """Build the Keras model a spec describes.

    Args:
        spec: anything :func:`twinnet.load_spec` accepts.
        seed: when given, ``keras.utils.set_random_seed(seed)`` runs first, so the
            initial weights are the same on every build, in Python and in R.
        compile: compile the model with the spec's ``compile`` settings, when it has them.

    Returns:
        A ``keras.Model`` (functional), named after the spec.
    """
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
    _set_weights(model, graph)
    have = model.count_params()
    if have != graph["params"]["total"]:  # the shape rules and Keras disagree: a twinnet bug
        raise AssertionError(f"twinnet computed {graph['params']['total']} parameters, Keras built {have}")
    if compile and "compile" in spec.data:
        compile_model(model, spec.data["compile"])
    return model
