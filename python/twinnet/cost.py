"""What each layer costs: multiply-accumulates, connections, activations, parameter bytes; and memory (R: R/cost.R).

Counted per sample from the expanded graph (output shapes and configs), without Keras. Each layer type of
the registry names its cost rule and the rule's data (``"cost": {"rule": "recurrent", "gates": 4}`` in
shared_specs/layers.json; README.md's "Cost"). A rule is a function of the layer, the shapes of its inputs
and its output shape (without the batch axis) and that data as keyword arguments, found by name in RULES.
It gives the layer's multiply-accumulates (MACs) and connections per time step and the steps: 1 for a
layer that is not recurrent, None for a recurrent layer over a sequence whose length varies (counted as
one step, as the limits count a length that varies as 1).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import spec_error_at
from .expand import spec_graph
from .formatting import format_bytes, format_count, format_shape
from .registry import layer_types, registry
from .spec import Spec, load_spec

__all__ = ["RULES", "Cost", "CostRow", "Memory", "cost", "format_cost", "layer_costs", "optimizer_slots"]

Shape = list[int | None]
Layer = dict[str, Any]
Counts = tuple[int, int, int | None]  # (MACs per step, connections per step, steps)

MAX_EXACT = 2**53  # R counts in doubles: every count must stay below 2^53, where both languages are exact


def _values(shape: Shape) -> int:
    """The values of a shape without the batch axis; a length that varies counts 1."""
    return math.prod(1 if v is None else v for v in shape)


def _bias(layer: Layer) -> int:
    return 1 if layer["config"]["use_bias"] else 0


def _last(shape: Shape) -> int:
    """The last axis of an input, which the shape rules have checked is known."""
    last = shape[-1]
    assert last is not None
    return last


def _none(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    return 0, 0, 1


def _conv(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    c = layer["config"]
    fan_in = math.prod(c["kernel_size"]) * (_last(shapes[0]) // c["groups"])
    units = _values(out)
    return units * fan_in, units * (fan_in + _bias(layer)), 1


def _dense(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    fan_in = _last(shapes[0])
    units = _values(out)
    return units * fan_in, units * (fan_in + _bias(layer)), 1


def _window(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    return 0, _values(out) * math.prod(layer["config"]["pool_size"]), 1


def _global_window(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    return 0, _values(out) * _values(shapes[0][:-1]), 1


def _merge(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    return 0, _values(out) * len(shapes), 1


def _recurrent(layer: Layer, shapes: list[Shape], out: Shape, gates: int, double_bias_if: str | None = None) -> Counts:
    c, x = layer["config"], shapes[0]
    units = gates * c["units"]  # one unit per gate and state value
    biases = 0
    if c["use_bias"]:  # GRU's reset_after: an input and a recurrent bias
        biases = 2 if double_bias_if is not None and c[double_bias_if] else 1
    fan_in = _last(x) + c["units"]  # this step's features and the last step's state
    return units * fan_in, units * (fan_in + biases), x[0]


def _conv_transpose(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    """Each input value is multiplied by the kernel into every filter; each output value adds its bias."""
    c = layer["config"]
    macs = _values(shapes[0]) * math.prod(c["kernel_size"]) * c["filters"]
    return macs, macs + _values(out) * _bias(layer), 1


def _depthwise(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    """Each output value sees one input channel's window."""
    k = math.prod(layer["config"]["kernel_size"])
    return _values(out) * k, _values(out) * (k + _bias(layer)), 1


def _separable(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    """A depthwise convolution (per input channel and multiplier) then a pointwise one (1 x 1, to the filters);
    connections count both steps' multiplications and the bias."""
    c = layer["config"]
    positions = _values(out[:-1])
    depth = _last(shapes[0]) * c["depth_multiplier"]
    macs = positions * depth * math.prod(c["kernel_size"]) + positions * depth * c["filters"]
    return macs, macs + _values(out) * _bias(layer), 1


def _wrapped(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    """The wrapped layer's counts on the shapes it sees (layers.json gives the rule of its type)."""
    inner = layer["config"]["layer"]
    data = dict(layer_types()[inner["type"]]["cost"])
    return RULES[data.pop("rule")]({**layer, "type": inner["type"], "config": inner["config"]}, shapes, out, **data)


def _time_distributed(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    """The wrapped layer once per time step (the input's first axis), as a recurrent layer counts."""
    macs, connections, _ = _wrapped(layer, [shapes[0][1:]], out[1:])
    return macs, connections, shapes[0][0]


def _bidirectional(layer: Layer, shapes: list[Shape], out: Shape) -> Counts:
    """Two recurrent layers, forwards and backwards, per time step; merging them is not counted."""
    inner_out = out if layer["config"]["merge_mode"] != "concat" else [*out[:-1], _last(out) // 2]
    macs, connections, steps = _wrapped(layer, shapes, inner_out)
    return 2 * macs, 2 * connections, steps


# The cost rules by name; a rule's keyword arguments are the data its registry entries give.
RULES: dict[str, Callable[..., Counts]] = {
    "none": _none,
    "conv": _conv,
    "dense": _dense,
    "window": _window,
    "global_window": _global_window,
    "merge": _merge,
    "recurrent": _recurrent,
    "conv_transpose": _conv_transpose,
    "depthwise": _depthwise,
    "separable": _separable,
    "time_distributed": _time_distributed,
    "bidirectional": _bidirectional,
}


@dataclass(frozen=True)
class CostRow:
    """What one layer costs per sample.

    ``steps`` is the time steps a recurrent layer runs (its totals are the per-step counts times the
    steps), None for a sequence whose length varies (counted as one step), 1 for any other layer.
    ``activations`` is the values the layer outputs (a length that varies counts 1); ``param_bytes`` its
    parameters' bytes (float32: 4 each).
    """

    name: str
    type: str
    rule: str
    output_shape: list[int | None]
    steps: int | None
    macs_per_step: int
    macs: int
    connections_per_step: int
    connections: int
    activations: int
    params: int
    trainable_params: int
    param_bytes: int


@dataclass(frozen=True)
class Memory:
    """An estimate in bytes, for one batch: parameters, their gradients, optimizer slots, activations."""

    parameters: int
    gradients: int
    optimizer_slots: int
    activations: int

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer_slots + self.activations


@dataclass(frozen=True, repr=False)
class Cost:
    """The cost table of a spec: one :class:`CostRow` per layer, totals, and memory at a batch size.

    ``inference`` counts the parameters and the most layer outputs alive at once; ``training`` the
    parameters, a gradient and the optimizer's slots per trainable parameter, and every layer's output
    kept for the backward pass. ``str()`` gives the table that R's ``print(cost(spec))`` prints.
    """

    spec: str
    batch_size: int
    optimizer: str  # the spec's compile optimizer, or Keras's default when the spec has none
    optimizer_from_spec: bool
    optimizer_slots: int  # values kept per trainable parameter
    dtype: str
    value_bytes: int
    rows: list[CostRow]
    inference: Memory
    training: Memory

    def total(self, column: str) -> int:
        """The sum of a column over the layers: "macs", "connections", "activations", "params", "param_bytes"."""
        return sum(int(getattr(r, column)) for r in self.rows)

    macs = property(lambda self: self.total("macs"), doc="multiply-accumulates per sample, in total")
    connections = property(lambda self: self.total("connections"), doc="connections per sample, in total")
    activations = property(lambda self: self.total("activations"), doc="output values per sample, in total")
    params = property(lambda self: self.total("params"), doc="parameters, in total")
    param_bytes = property(lambda self: self.total("param_bytes"), doc="bytes of the parameters, in total")

    def row(self, name: str) -> CostRow:
        """The row of layer ``name``."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def __str__(self) -> str:
        return format_cost(self)

    def __repr__(self) -> str:
        return (f"<twinnet cost '{self.spec}': {len(self.rows)} layers, {format_count(self.macs)} MACs per sample, "
                f"training at batch size {self.batch_size} about {format_bytes(self.training.total)}>")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython shows the table
        printer.text(repr(self) if cycle else str(self))


def _check_exact(layer: Layer, what: str, total: int) -> None:
    """A spec error where the running total of the model's ``what`` reaches 2^53."""
    if total >= MAX_EXACT:
        raise spec_error_at(layer["source"], "cost_too_large", name=layer["name"], type=layer["type"], what=what,
                            count=format_count(total))


def layer_costs(graph: dict[str, Any]) -> list[CostRow]:
    """One :class:`CostRow` per layer of an expanded graph (:func:`twinnet.expand`), its type's cost rule."""
    types = layer_types()
    value_bytes = _value_bytes(registry()["cost"]["dtype"])
    shapes: dict[str, Shape] = {}
    rows: list[CostRow] = []
    macs_total = connections_total = 0
    for layer in graph["layers"]:
        out = list(layer["output_shape"][1:])
        data = dict(types[layer["type"]]["cost"])
        rule = data.pop("rule")
        macs, connections, steps = RULES[rule](layer, [shapes[n] for n in layer["inputs"]], out, **data)
        shapes[layer["name"]] = out
        times = 1 if steps is None else steps
        row = CostRow(layer["name"], layer["type"], rule, list(layer["output_shape"]), steps, macs, macs * times,
                      connections, connections * times, _values(out), layer["params"], layer["trainable_params"],
                      layer["params"] * value_bytes)
        macs_total += row.macs
        connections_total += row.connections
        _check_exact(layer, "multiply-accumulates", macs_total)
        _check_exact(layer, "connections", connections_total)
        rows.append(row)
    return rows


def _value_bytes(dtype: str) -> int:
    return int(registry()["cost"]["bytes"][dtype])


def _output_bytes(graph: dict[str, Any], rows: list[CostRow]) -> list[int]:
    """Each layer's output bytes per sample: floatx, an Input in its own dtype."""
    floatx = _value_bytes(registry()["cost"]["dtype"])
    return [r.activations * (_value_bytes(layer["config"]["dtype"]) if layer["type"] == "Input" else floatx)
            for layer, r in zip(graph["layers"], rows, strict=True)]


def _peak_alive(graph: dict[str, Any], sizes: list[int]) -> int:
    """The most bytes of layer outputs alive at once when the layers run in order: an output lives from
    its layer until the last layer that takes it, a model output to the end."""
    layers = graph["layers"]
    last_use: dict[str, int] = {}
    for i, layer in enumerate(layers):
        for name in layer["inputs"]:
            last_use[name] = i
    outputs = set(graph["outputs"])
    index = {layer["name"]: i for i, layer in enumerate(layers)}
    alive = peak = 0
    for i, layer in enumerate(layers):
        alive += sizes[i]
        peak = max(peak, alive)
        for name in dict.fromkeys(layer["inputs"]):
            if last_use[name] == i and name not in outputs:
                alive -= sizes[index[name]]
    return peak


def optimizer_slots(optimizer: str, settings: dict[str, Any]) -> int:
    """The values ``optimizer`` keeps per trainable parameter with a compile's ``settings`` (layers.json's
    compile.optimizer_slots): its slots, and one more for each of its extra_slot_if arguments that is true
    or above 0 (sgd's momentum, adam's amsgrad, ...)."""
    entry = registry()["compile"]["optimizer_slots"][optimizer]

    def on(value: Any) -> bool:
        return value is True or (isinstance(value, int | float) and not isinstance(value, bool) and value > 0)

    return int(entry["slots"]) + sum(on(settings.get(name)) for name in entry["extra_slot_if"])


def cost(spec: Any, batch_size: int | None = None) -> Cost:
    """What a spec's model costs, per layer and in total, and the memory it needs.

    Args:
        spec: anything :func:`twinnet.load_spec` accepts.
        batch_size: the batch of the memory estimate (default 32, as Keras's ``fit()``).

    Returns:
        A :class:`Cost`: per layer, the multiply-accumulates (MACs) and connections per sample (recurrent
        layers: per time step and over the sequence), output values and parameter bytes; memory for
        inference and for training with the spec's optimizer. ``print()`` shows the table that R's
        ``cost()`` prints. No Keras is needed.
    """
    settings = registry()["cost"]
    if batch_size is None:
        batch_size = int(settings["batch_size"])
    if isinstance(batch_size, bool) or not hasattr(batch_size, "__index__") or operator.index(batch_size) < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, found {batch_size!r}")
    batch_size = operator.index(batch_size)
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    graph = spec_graph(spec)
    rows = layer_costs(graph)
    compile_ = graph.get("compile", spec.data.get("compile"))  # the expansion writes the optimizer's arguments out
    optimizer = compile_["optimizer"] if compile_ else settings["optimizer"]
    slots = optimizer_slots(optimizer, compile_ or {})
    value_bytes = _value_bytes(settings["dtype"])
    params = sum(r.params for r in rows) * value_bytes
    trainable = sum(r.trainable_params for r in rows) * value_bytes
    sizes = _output_bytes(graph, rows)
    inference = Memory(params, 0, 0, batch_size * _peak_alive(graph, sizes))
    training = Memory(params, trainable, slots * trainable, batch_size * sum(sizes))
    if training.total >= MAX_EXACT:
        raise ValueError(f"the memory at batch size {batch_size} ({format_count(training.total)} bytes) is beyond "
                         "what both languages count exactly (2^53): choose a smaller batch size")
    return Cost(graph["name"], batch_size, optimizer, bool(compile_), slots, settings["dtype"], value_bytes, rows,
                inference, training)


def _table(rows: list[list[str]], right: list[bool]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right, strict=True)).rstrip()
            for row in rows]


def format_cost(c: Cost) -> str:
    """The cost table as text, the same as R's ``format(cost(spec))`` (joined by newlines)."""
    stepped = registry()["cost"]["stepped_rules"]  # rules that count per time step
    recurrent = any(r.rule in stepped for r in c.rows)
    head = ["layer", "type", "output shape"]
    head += ["steps", "MACs a step", "connections a step"] if recurrent else []
    head += ["MACs", "connections", "activations", "params", "param bytes"]
    lines = [head]
    for r in c.rows:
        cells = [r.name, r.type, format_shape(r.output_shape)]
        if recurrent:
            if r.rule in stepped:
                cells += ["varies" if r.steps is None else format_count(r.steps), format_count(r.macs_per_step),
                          format_count(r.connections_per_step)]
            else:
                cells += ["", "", ""]
        cells += [format_count(v) for v in (r.macs, r.connections, r.activations, r.params, r.param_bytes)]
        lines.append(cells)
    total = ["total", "", ""] + (["", "", ""] if recurrent else [])
    lines.append(total + [format_count(v) for v in (c.macs, c.connections, c.activations, c.params, c.param_bytes)])
    right = [False] * 3 + [True] * (len(head) - 3)
    settings = registry()["cost"]
    out = [f"Cost of '{c.spec}' per sample", *_table(lines, right), settings["legend"],
           f"parameters and activations in {c.dtype}, {format_count(c.value_bytes)} bytes a value"]
    where = "the spec's" if c.optimizer_from_spec else "Keras's default,"
    memory = [[f"memory at batch size {format_count(c.batch_size)}", "inference", "training"]]
    slots = f"optimizer slots ({where} {c.optimizer}: {format_count(c.optimizer_slots)} a parameter)"
    for label, key in (("parameters", "parameters"), ("gradients", "gradients"), (slots, "optimizer_slots"),
                       ("activations", "activations")):
        memory.append([f"  {label}", format_bytes(getattr(c.inference, key)), format_bytes(getattr(c.training, key))])
    memory.append(["  total", format_bytes(c.inference.total), format_bytes(c.training.total)])
    out += ["", *_table(memory, [False, True, True]), *settings["memory_leaves_out"]]
    return "\n".join(out)
