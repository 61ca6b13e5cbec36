"""Comparing a model built from to_code()'s program with build_model()'s (tests/python and tests/cross).

The program names only the layers the spec names (twinnet.codegen.written_name); Keras names the others
its own way. So the layers are compared in order (both programs build them in the same order): the same
classes, configs (every "name" in them left aside), output shapes and parameters; and every layer the spec
names has that name in both.
"""

from __future__ import annotations

from typing import Any

import twinnet
from twinnet.codegen import written_name


def entry_at(doc: Any, pointer: str) -> Any:
    """The value at a JSON Pointer ("/blocks/b/layers/1")."""
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    return doc


def written_names(spec: Any) -> set[str]:
    """The expanded names of the layers whose names the generated code writes."""
    s = twinnet.load_spec(spec)
    return {layer["name"] for layer in twinnet.expand(s)["layers"]
            if written_name(entry_at(s.data, layer["source"]))}


def without_names(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [without_names(v) for v in value]
    return value


def layers_of(model: Any) -> list[Any]:
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def layer_rows(model: Any) -> list[tuple[Any, ...]]:
    """(class, config without names, output shape, parameters) of each layer but the inputs, in order."""
    return [(type(layer).__name__, without_names(layer.get_config()), tuple(layer.output.shape),
             layer.count_params()) for layer in layers_of(model)]


def assert_same_layers(got: Any, want: Any, spec: Any) -> None:
    """Equal layers in order, the names the spec gives kept; then got takes want's weights, layer by layer."""
    assert layer_rows(got) == layer_rows(want)
    named = written_names(spec)
    assert named <= {layer.name for layer in layers_of(want)} | {t.name for t in want.inputs}
    pairs = list(zip(layers_of(got), layers_of(want), strict=True))
    assert [g.name for g, w in pairs if w.name in named] == [w.name for g, w in pairs if w.name in named]
    assert got.name == want.name
    for g, w in pairs:  # variable to variable: no NumPy copies (YOLO's largest kernel is 0.8 GB)
        for u, v in zip(g.weights, w.weights, strict=True):
            u.assign(v.value)
