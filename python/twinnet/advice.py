"""Spec warnings: a spec that is valid but probably wrong (R: R/advice.R).

A warning is computed from the expansion (shapes inferred, the compile block's loss), worded by
messages.json's ``spec_warnings`` and told about layer types and losses by advice.json, so that both
languages warn of the same spec with the same words. :func:`load_spec` warns (a :class:`SpecWarning`,
once per warning and call); :func:`spec_warnings` gives the warnings as data. A layer that means it
names the warning's kind in its ``allow`` list, and is not warned about.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from .errors import SpecMessage, fill_entry
from .formatting import format_shape, int_list_text, int_text
from .registry import layer_types
from .tables import shared

__all__ = ["SpecWarning", "spec_warning_at", "spec_warnings", "warn_spec"]

# What the warnings know of layer types and losses (shared_specs/advice.json, read by R/advice.R too).
ADVICE: dict[str, Any] = shared("advice.json")

Layer = dict[str, Any]
Found = tuple[Layer, str, dict[str, str]]  # the layer warned about, the warning's id, its fields


class SpecWarning(SpecMessage, UserWarning):
    """A spec that is valid but probably wrong.

    Attributes:
        path: a JSON Pointer (RFC 6901) to the layer concerned, as SpecError's ``path``.
        kind: the warning's kind, which a layer's ``allow`` list names to silence it.
        message: what looks wrong, and why.
        hint: what to do instead, or None.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpecWarning) and \
            (self.path, self.kind, self.message, self.hint) == (other.path, other.kind, other.message, other.hint)

    def __hash__(self) -> int:
        return hash((self.path, self.kind, self.message, self.hint))


def spec_warning_at(path: str, warning: str, **fields: str) -> SpecWarning:
    """The SpecWarning ``warning`` of messages.json's ``spec_warnings`` at ``path``, its placeholders filled
    with text the caller formatted (errors.py's fill_entry(); R: spec_warning_at())."""
    return SpecWarning(path, *fill_entry("spec_warnings", warning, fields))


def quoted(name: str) -> str:
    return f'"{name}"'


def activation_of(layer: Layer) -> str | None:
    """The activation a layer applies to what it outputs, or None where it applies no activation it names."""
    t = layer["type"]
    table = ADVICE["activation_layers"]
    if t in table and table[t] is not None:
        return str(table[t])
    if t in ADVICE["gated"]:
        return None
    wrapped = layer["config"].get("layer")
    if isinstance(wrapped, dict) and "type" in wrapped:  # a wrapper (TimeDistributed) outputs what it wraps
        return activation_of(wrapped)
    value = layer["config"].get("activation")
    return value if isinstance(value, str) else None


def nonlinear(activation: str | None) -> bool:
    return activation is not None and activation != "linear"


class _Graph:
    """The expansion's layers by name, who takes each layer's output, and the model's outputs."""

    def __init__(self, graph: dict[str, Any]):
        self.layers: list[Layer] = graph["layers"]
        self.by_name: dict[str, Layer] = {layer["name"]: layer for layer in self.layers}
        self.takers: dict[str, list[Layer]] = {layer["name"]: [] for layer in self.layers}
        for layer in self.layers:
            for name in layer["inputs"]:
                self.takers[name].append(layer)
        self.outputs: list[str] = list(graph["outputs"])
        self.loss: str | None = graph.get("compile", {}).get("loss")

    def back(self, layer: Layer) -> tuple[Layer, list[Layer]]:
        """The first layer at or before ``layer`` that is not one of advice.json's ``passes_values``, and the
        ones passed on the way (nearest first)."""
        passed: list[Layer] = []
        while layer["type"] in ADVICE["passes_values"] and len(layer["inputs"]) == 1:
            passed.append(layer)
            layer = self.by_name[layer["inputs"][0]]
        return layer, passed

    def first_taker(self, layer: Layer) -> Layer | None:
        """The first layer after ``layer`` that takes its values, looking through ``passes_values``; None where
        none does (the values only reach an output)."""
        todo = list(self.takers[layer["name"]])
        while todo:
            taker = todo.pop(0)
            if taker["type"] in ADVICE["passes_values"]:
                todo = self.takers[taker["name"]] + todo
            else:
                return taker
        return None


def _dense_on_feature_map(g: _Graph, layer: Layer) -> Iterator[Found]:
    if layer["type"] != "Dense":
        return
    shape = g.by_name[layer["inputs"][0]]["output_shape"]
    if len(shape) >= ADVICE["feature_map_rank"]:
        yield layer, "dense_on_feature_map", {"name": layer["name"], "shape": format_shape(shape),
                                              "rank": int_text(len(shape)),
                                              "output": format_shape(layer["output_shape"])}


def _window_drops_input(g: _Graph, layer: Layer) -> Iterator[Found]:
    rule = layer_types()[layer["type"]]["shape"]["rule"]
    size_arg = ADVICE["windows"].get(rule)
    c = layer["config"]
    if size_arg is None or c.get("padding") != "valid":
        return
    before = g.by_name[layer["inputs"][0]]
    shape = before["output_shape"]
    sizes, strides = c[size_arg], c["strides"]
    dilations = c.get("dilation_rate", [1] * len(sizes))
    pad_arg = ADVICE["padding"].get(layer_types()[before["type"]]["shape"]["rule"])
    # before and after of each axis, in order (one axis may be written flat, [before, after], as Keras does)
    pads = [v for pair in before["config"][pad_arg] for v in (pair if isinstance(pair, list) else [pair])] \
        if pad_arg is not None else []
    dropped = []
    for i, (k, s, d) in enumerate(zip(sizes, strides, dilations, strict=True)):
        n = shape[i + 1]
        if n is None:
            continue
        span = d * (k - 1) + 1
        # the values after the last window, less the zeros a padding layer just before added there; more of
        # them than the windows leave out between each other (a stride longer than the window) is a loss
        left = (n - span) % s - (pads[2 * i + 1] if pads else 0)
        if left > max(0, s - span):
            dropped.append(f"{int_text(left)} of {int_text(n)} along axis {int_text(i + 1)}")
    if dropped:
        # (a dilated window has strides 1, so it never leaves values out: the window is its size)
        yield layer, "window_drops_input", {"type": layer["type"], "name": layer["name"], "shape": format_shape(shape),
                                            "window": f"{size_arg} {int_list_text(sizes)}",
                                            "strides": int_list_text(strides), "dropped": " and ".join(dropped)}


def _activation_twice(g: _Graph, layer: Layer) -> Iterator[Found]:
    if layer["type"] not in ADVICE["activation_layers"] or not nonlinear(activation_of(layer)):
        return
    source, _ = g.back(g.by_name[layer["inputs"][0]])
    previous = activation_of(source)
    if nonlinear(previous):
        assert previous is not None
        yield layer, "activation_twice", {"type": layer["type"], "name": layer["name"],
                                          "activation": quoted(str(activation_of(layer))), "source": source["name"],
                                          "previous": quoted(previous)}


def _softmax_hidden(g: _Graph, layer: Layer) -> Iterator[Found]:
    if activation_of(layer) != "softmax" or layer["name"] in g.outputs:
        return
    taker = g.first_taker(layer)
    if taker is not None and taker["type"] not in ADVICE["activation_layers"]:
        yield layer, "softmax_hidden", {"type": layer["type"], "name": layer["name"], "next": taker["name"]}


def _dropout_after_output(g: _Graph, layer: Layer) -> Iterator[Found]:
    if layer["name"] not in g.outputs:
        return
    current, passed = layer, []
    while True:  # back through the layers that pass values on or only apply an activation
        current, more = g.back(current)
        passed += more
        if current["type"] not in ADVICE["activation_layers"]:
            break
        passed.append(current)
        current = g.by_name[current["inputs"][0]]
    for dropout in reversed(passed):
        if dropout["type"] == "Dropout":
            yield dropout, "dropout_after_output", {"name": dropout["name"], "last": current["name"]}


def _loss_output(g: _Graph, layer: Layer) -> Iterator[Found]:
    wants = ADVICE["losses"].get(g.loss)
    if layer["name"] not in g.outputs or wants is None:
        return
    loss = quoted(str(g.loss))
    source, _ = g.back(layer)
    activation = activation_of(source)
    if "activations" in wants and activation is not None and activation not in wants["activations"]:
        expected = " or ".join(quoted(a) for a in wants["activations"])
        yield source, "loss_output_activation", {"type": source["type"], "name": source["name"],
                                                 "activation": quoted(activation), "loss": loss, "expected": expected}
    units = layer["output_shape"][-1]
    if "min_units" in wants and units is not None and units < wants["min_units"]:
        yield layer, "loss_output_units", {"name": layer["name"], "shape": format_shape(layer["output_shape"]),
                                           "units": int_text(units), "loss": loss, "min": int_text(wants["min_units"])}


# The checks, each run on every layer in the expansion's order (a layer's warnings in this order).
CHECKS = (_dense_on_feature_map, _window_drops_input, _activation_twice, _softmax_hidden, _dropout_after_output,
          _loss_output)


def entry_at(doc: dict[str, Any], pointer: str) -> Any:
    """The value at a JSON Pointer of the spec document (a layer's ``source``)."""
    value: Any = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def graph_warnings(doc: dict[str, Any], graph: dict[str, Any]) -> list[SpecWarning]:
    """The warnings of an expansion, in layer order; one per layer of the spec and kind (a layer of a block
    that is used many times is warned about once), none that the layer's ``allow`` list names."""
    g = _Graph(graph)
    found: list[tuple[int, int, SpecWarning]] = []
    order = {layer["name"]: i for i, layer in enumerate(g.layers)}
    for layer in g.layers:
        for rank, check in enumerate(CHECKS):
            for at, warning, fields in check(g, layer):
                found.append((order[at["name"]], rank, spec_warning_at(at["source"], warning, **fields)))
    out: list[SpecWarning] = []
    seen: set[tuple[str, str]] = set()
    for _, _, w in sorted(found, key=lambda f: (f[0], f[1])):
        allowed = entry_at(doc, w.path).get("allow", [])
        if (w.path, w.kind) in seen or w.kind in allowed:
            continue
        seen.add((w.path, w.kind))
        out.append(w)
    return out


def spec_warnings(source: Any) -> list[SpecWarning]:
    """The warnings of a spec that is valid but probably wrong, as data (R: spec_warnings()).

    Args:
        source: anything :func:`twinnet.load_spec` accepts.

    Returns:
        A list of :class:`SpecWarning`, each with ``path``, ``kind``, ``message`` and ``hint``, in the
        order of the layers; empty when nothing looks wrong. Nothing is warned while they are computed.
    """
    from .expand import spec_graph
    from .spec import Spec, load_spec

    if isinstance(source, Spec):
        spec = source
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SpecWarning)
            spec = load_spec(source)
    return graph_warnings(spec.data, spec_graph(spec))


def _caller_level() -> int:
    """The stacklevel of the first frame outside twinnet, so that a warning names the user's line."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here + os.sep):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def warn_spec(doc: dict[str, Any], graph: dict[str, Any]) -> None:
    """Warn (:class:`SpecWarning`) of each warning of a spec just loaded."""
    found = graph_warnings(doc, graph)
    if found:
        level = _caller_level()
        for w in found:
            warnings.warn(w, stacklevel=level)
