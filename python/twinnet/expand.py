"""Expansion: a spec's blocks and repeats unrolled into the canonical flat graph.

Every layer gets a deterministic name, its inputs written out, every argument
with Keras's default where the spec left it out, its output shape and its
parameter count.  R's ``expand()`` gives the same JSON value.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError, spec_error_at, suggest
from .formatting import describe, format_count, int_text, py_repr
from .limits import HOW_TO_RAISE, MAX_BLOCK_DEPTH, get_limit
from .registry import FORMAT_VERSION, arg_schema, arg_validator, layer_types, registry, spec_pattern
from .shapes import infer
from .spec import Spec, load_spec

__all__ = ["expand"]

# A "$name" block parameter, the whole string ("$filters\n" is no parameter): spec_format.json.
PARAM_RE = spec_pattern("parameter")


def param_name(value: Any) -> str | None:
    """The parameter a "$name" value refers to, or None for any other value."""
    if isinstance(value, str) and PARAM_RE.match(value):
        return value[1:]
    return None


def param_uses(blocks: dict[str, Any], name: str,
               memo: dict[str, dict[str, list[tuple[str, str]]]] | None = None,
               stack: tuple[str, ...] = ()) -> dict[str, list[tuple[str, str]]]:
    """The layer arguments each parameter of block ``name`` stands for: (layer type, argument) pairs.

    A parameter stands for the arguments of the block's layers that are written "$parameter", and, where
    the block passes it on to a block it uses (``"args": {"k": "$parameter"}``), for what that block's
    parameter stands for. A parameter that stands for nothing has no effect on the model. Missing,
    recursive and too deeply nested blocks count as standing for nothing here: the expansion reports them.
    """
    memo = {} if memo is None else memo
    if name in memo:
        return memo[name]
    block = blocks[name]
    uses: dict[str, list[tuple[str, str]]] = {key: [] for key in block.get("params", {})}

    def add(key: str | None, found: list[tuple[str, str]]) -> None:
        if key in uses:
            uses[key] += [use for use in found if use not in uses[key]]

    for entry in block["layers"]:
        if "block" in entry:
            inner = entry["block"]
            if inner not in blocks or inner == name or inner in stack or len(stack) >= MAX_BLOCK_DEPTH:
                continue
            inner_uses = param_uses(blocks, inner, memo, (*stack, name))
            for key, value in entry.get("args", {}).items():
                add(param_name(value), inner_uses.get(key, []))
        else:
            for layer_type, arg, value in layer_arguments(entry):
                add(param_name(value), [(layer_type, arg)])
    memo[name] = uses
    return uses


def layer_arguments(entry: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(layer type, argument, value) of each argument a layer entry writes, a wrapped layer's included."""
    found = []
    for arg, spec in layer_types()[entry["type"]]["args"].items():
        if arg not in entry:
            continue
        if spec["kind"] == "layer":
            found += layer_arguments(entry[arg])
        else:
            found.append((entry["type"], arg, entry[arg]))
    return found


def invalid_value(layer_type: str, arg: str, value: Any, path: str) -> SpecError:
    """The error of a value that the argument's schema refuses."""
    found = f'"{value}"' if isinstance(value, str) else py_repr(value)
    return spec_error_at(path, "expected", expected=arg_schema(layer_type, arg)["description"], found=found)


def check_param_value(value: Any, uses: list[tuple[str, str]], path: str) -> None:
    """A block parameter's default or argument, checked as each layer argument it stands for."""
    for layer_type, arg in uses:
        if not arg_validator(layer_type, arg).is_valid(value):
            raise invalid_value(layer_type, arg, value, path)


@dataclass
class _Scope:
    """Names visible to one layer list: the top level or one repetition of a block."""

    prefix: str = ""
    params: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name -> (value, JSON pointer)
    input_ref: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # local name -> full name
    counters: dict[str, int] = field(default_factory=dict)

    def auto_name(self, base: str) -> str:
        self.counters[base] = self.counters.get(base, 0) + 1
        return f"{base}_{self.counters[base]}"


class _Expander:
    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        self.blocks: dict[str, Any] = doc.get("blocks", {})
        self.layers: list[dict[str, Any]] = []
        self.shapes: dict[str, list[int | None]] = {}
        self.full_names: set[str] = set()
        self.total_params = 0
        self.sizes: dict[str, int] = {}  # block name -> layers one use of it unrolls to
        self.uses: dict[str, dict[str, list[tuple[str, str]]]] = {}  # see param_uses()
        self.checked_defaults: set[str] = set()  # blocks whose parameter defaults passed check_param_value()
        self.limits = {name: get_limit(name) for name in ("max_params", "max_activation", "max_layers")}

    # -- resource limits ----------------------------------------------------
    def too_large(self, path: str, error: str, limit_name: str, **fields: str) -> SpecError:
        """The spec error ``error`` of a limit crossed, its hint how to raise the limit."""
        return spec_error_at(path, error, HOW_TO_RAISE.format(name=limit_name),
                             limit=format_count(int(self.limits[limit_name])), **fields)

    def check_layer(self, layer: dict[str, Any], shape: list[int | None], path: str) -> None:
        """One more layer: the layer count, its output size per sample and the running parameter count."""
        label = {"name": layer["name"], "type": layer["type"]}
        if len(self.layers) + 1 > self.limits["max_layers"]:
            raise self.too_large(path, "layer_count_limit", "max_layers", number=format_count(len(self.layers) + 1),
                                 **label)
        values = math.prod(1 if v is None else v for v in shape)
        if values > self.limits["max_activation"]:
            raise self.too_large(path, "activation_limit", "max_activation", values=format_count(values), **label)
        self.total_params += layer["params"]
        if self.total_params > self.limits["max_params"]:
            raise self.too_large(path, "params_limit", "max_params", params=format_count(self.total_params), **label)

    def block_size(self, name: str, stack: list[str]) -> int:
        """How many layers one use of block ``name`` unrolls to, counted before unrolling it.

        A repeat that alone unrolls to more than max_layers is refused where it is written. Blocks
        that are missing or use themselves count 0 here: the expansion reports them.
        """
        if name in self.sizes:
            return self.sizes[name]
        if name not in self.blocks or name in stack or len(stack) > MAX_BLOCK_DEPTH:
            return 0
        size = 0
        for i, entry in enumerate(self.blocks[name]["layers"]):
            if "block" not in entry:
                size += 1
                continue
            inner = self.block_size(entry["block"], [*stack, name])
            repeat = int(entry.get("repeat", 1))
            if "repeat" in entry and repeat * inner > self.limits["max_layers"]:
                raise self.too_large(f"/blocks/{name}/layers/{i}/repeat", "repeat_limit", "max_layers",
                                     block=entry["block"], times=format_count(repeat),
                                     layers=format_count(repeat * inner))
            size += repeat * inner
        self.sizes[name] = size
        return size

    # -- references ---------------------------------------------------------
    def resolve(self, ref: str, scope: _Scope, path: str) -> str:
        if ref == "@input":
            if scope.input_ref is None:
                raise spec_error_at(path, "input_outside_block")
            return scope.input_ref
        if ref in scope.names:
            return scope.names[ref]
        raise self.unknown_reference(ref, scope, path)

    def unknown_reference(self, ref: str, scope: _Scope, path: str) -> SpecError:
        """Why ``ref`` names no earlier layer of the scope: it is the layer itself, a later layer, a layer on
        the other side of a block's edge, or no layer at all (R: unknown_reference())."""
        tokens = path.split("/")  # /layers/3/inputs/0, /blocks/b/layers/2/inputs/0 or /outputs/0
        if tokens[-2] == "inputs":
            entries = self.doc["layers"] if tokens[1] == "layers" else self.blocks[tokens[2]]["layers"]
            at = int(tokens[-3])

            def base(entry: dict[str, Any]) -> str:  # what an unnamed entry's name counts
                return str(entry["block"]) if "block" in entry else str(layer_types()[entry["type"]]["auto_name"])

            this = entries[at]
            if ref == (this["name"] if "name" in this else f"{base(this)}_{scope.counters[base(this)]}"):
                return spec_error_at(path, "reference_self", name=ref)
            counters = dict(scope.counters)  # the later entries' names, as the expansion will count them
            for entry in entries[at + 1:]:
                if "name" in entry:
                    name = str(entry["name"])
                else:
                    counters[base(entry)] = counters.get(base(entry), 0) + 1
                    name = f"{base(entry)}_{counters[base(entry)]}"
                rest = ref[len(name) + 1:] if ref.startswith(name + "_") else ""  # a repetition: "stage1_2"
                repeat = entry.get("repeat", 1)
                repetition = repeat > 1 and rest.isascii() and rest.isdigit() and rest[0] != "0" and \
                    len(rest) <= 15 and int(rest) <= repeat
                if ref == name or repetition:
                    return spec_error_at(path, "reference_later", name=ref)
        if scope.prefix + ref in self.full_names:
            return spec_error_at(path, "reference_into_block", name=ref)
        if scope.prefix and ref in self.full_names:
            return spec_error_at(path, "reference_out_of_block", name=ref)
        return spec_error_at(path, "unknown_reference", suggest(ref, scope.names), name=ref)

    def param(self, value: Any, scope: _Scope, path: str) -> tuple[Any, str]:
        """Substitute a "$name" block parameter; return (value, pointer of where it was written)."""
        key = param_name(value)
        if key is None:
            return value, path
        if key not in scope.params:
            raise spec_error_at(path, "unknown_parameter" if scope.prefix else "parameter_outside_block",
                                suggest(key, scope.params), value=value)
        return scope.params[key]

    def claim(self, local: str, scope: _Scope, path: str) -> str:
        full = scope.prefix + local
        if local in scope.names or full in self.full_names:
            raise spec_error_at(path, "duplicate_name", name=full)
        self.full_names.add(full)
        return full

    # -- entries ------------------------------------------------------------
    def expand_list(self, entries: list[dict[str, Any]], scope: _Scope, list_path: str, stack: list[str]) -> str:
        previous = scope.input_ref
        for i, entry in enumerate(entries):
            path = f"{list_path}/{i}"
            if "block" in entry:
                previous = self.expand_block(entry, scope, path, previous, stack)
            else:
                previous = self.expand_layer(entry, scope, path, previous)
        assert previous is not None
        return previous

    def inputs_of(self, entry: dict[str, Any], scope: _Scope, path: str, previous: str | None) -> list[str]:
        if "inputs" in entry:
            return [self.resolve(r, scope, f"{path}/inputs/{j}") for j, r in enumerate(entry["inputs"])]
        if previous is None:
            raise spec_error_at(path, "first_not_input")
        return [previous]

    def expand_layer(self, entry: dict[str, Any], scope: _Scope, path: str, previous: str | None) -> str:
        t = entry["type"]
        info = layer_types()[t]
        local = entry.get("name") or scope.auto_name(info["auto_name"])
        full = self.claim(local, scope, f"{path}/name" if "name" in entry else path)
        if t == "Input":
            if "inputs" in entry:
                raise spec_error_at(f"{path}/inputs", "input_with_inputs")
            inputs: list[str] = []
        else:
            inputs = self.inputs_of(entry, scope, path, previous)
        low, high = info["arity"]
        if len(inputs) < low or (high is not None and len(inputs) > high):
            raise spec_error_at(f"{path}/inputs", "input_count_min" if high is None else "input_count", type=t,
                                want=int_text(low), found=int_text(len(inputs)))
        config = self.arguments(entry, scope, path, full)
        layer: dict[str, Any] = {"name": full, "type": t, "inputs": inputs, "config": config, "source": path}
        if "weights" in entry:
            check_weights(entry["weights"], f"{path}/weights")
            layer["weights"] = entry["weights"]
        shape, trainable, frozen = infer(layer, [self.shapes[n] for n in inputs])
        layer["output_shape"] = [None, *shape]
        layer["params"] = trainable + frozen
        layer["trainable_params"] = trainable
        self.check_layer(layer, shape, path)
        self.shapes[full] = shape
        self.layers.append(layer)
        scope.names[local] = full
        return full

    def arguments(self, entry: dict[str, Any], scope: _Scope, path: str, name: str) -> dict[str, Any]:
        """Every argument of a layer entry, Keras's default where it is left out, in canonical form. A wrapped
        layer becomes {"type", "name", "config"}, named after its wrapper ("bilstm_lstm")."""
        t = entry["type"]
        config: dict[str, Any] = {}
        for arg, spec in layer_types()[t]["args"].items():
            if spec["kind"] == "layer":  # required, and never a parameter (the schema says so)
                inner = entry[arg]
                inner_name = f"{name}_{layer_types()[inner['type']]['auto_name']}"
                config[arg] = {"type": inner["type"], "name": inner_name,
                               "config": self.arguments(inner, scope, f"{path}/{arg}", inner_name)}
                continue
            if arg in entry:
                value, where = self.param(entry[arg], scope, f"{path}/{arg}")
            else:
                value, where = spec.get("default"), f"{path}/{arg}"
            if value is None and "null_means" in spec:
                value = config[spec["null_means"]]
            config[arg] = canonical(t, arg, spec, value, where)
        for arg, spec in layer_types()[t]["args"].items():
            if spec["kind"] == "layer" and config["trainable"] is False:
                # a frozen wrapper's layer is frozen: Keras freezes it only when trainable is set after the
                # wrapper is made (given to the wrapper's constructor, the wrapped layer would still train)
                config[arg]["config"]["trainable"] = False
        return config

    def expand_block(self, entry: dict[str, Any], scope: _Scope, path: str, previous: str | None,
                     stack: list[str]) -> str:
        name = entry["block"]
        if name not in self.blocks:
            raise spec_error_at(f"{path}/block", "unknown_block", suggest(name, self.blocks), name=name)
        if name in stack:
            raise spec_error_at(f"{path}/block", "recursive_block", name=name, chain=" -> ".join(stack))
        if len(stack) >= MAX_BLOCK_DEPTH:
            raise spec_error_at(f"{path}/block", "blocks_too_deep", depth=int_text(MAX_BLOCK_DEPTH))
        block = self.blocks[name]
        defaults = block.get("params", {})
        # every argument and default is checked as the layer arguments it stands for, whether or not
        # it is substituted (a default that every use overrides is checked too)
        uses = param_uses(self.blocks, name, self.uses)
        params: dict[str, tuple[Any, str]] = {}
        for key, value in entry.get("args", {}).items():
            if key not in defaults:
                raise spec_error_at(f"{path}/args/{key}", "unknown_block_argument", suggest(key, defaults), name=key,
                                    block=name)
            params[key] = self.param(value, scope, f"{path}/args/{key}")
            if param_name(value) is None:  # a "$name" passed on was checked where its value is written
                check_param_value(value, uses[key], f"{path}/args/{key}")
        for key, value in defaults.items():
            if key not in params:
                if value is None:
                    raise spec_error_at(f"{path}/args/{key}", "missing_block_argument", block=name, name=key)
                params[key] = (value, f"/blocks/{name}/params/{key}")
            if value is not None and name not in self.checked_defaults:
                check_param_value(value, uses[key], f"/blocks/{name}/params/{key}")
        self.checked_defaults.add(name)
        local = entry.get("name") or scope.auto_name(name)
        if "inputs" in entry:
            if len(entry["inputs"]) != 1:
                raise spec_error_at(f"{path}/inputs", "block_inputs")
            current = self.resolve(entry["inputs"][0], scope, f"{path}/inputs/0")
        elif previous is None:
            raise spec_error_at(path, "first_not_input")
        else:
            current = previous
        repeat = int(entry.get("repeat", 1))
        where = f"{path}/name" if "name" in entry else path
        if local in scope.names:
            raise spec_error_at(where, "duplicate_name", name=scope.prefix + local)
        size = self.block_size(name, stack)
        if len(self.layers) + repeat * size > self.limits["max_layers"]:
            layers = format_count(len(self.layers) + repeat * size)
            if "repeat" in entry:
                raise self.too_large(f"{path}/repeat", "block_repeat_limit", "max_layers", block=name,
                                     times=format_count(repeat), layers=layers)
            raise self.too_large(path, "block_limit", "max_layers", block=name, layers=layers)
        for r in range(1, repeat + 1):
            rep = local if repeat == 1 else f"{local}_{r}"
            child = _Scope(prefix=f"{scope.prefix}{rep}_", params=params, input_ref=current)
            current = self.expand_list(block["layers"], child, f"/blocks/{name}/layers", [*stack, name])
            if repeat > 1:
                scope.names[rep] = current
        scope.names[local] = current
        return current


FLOAT32_MAX = 3.4028234663852886e38  # the largest float32: a larger weight would silently become infinite


def check_weights(weights: list[Any], path: str) -> None:
    """Fixed weights are arrays of numbers, nested lists in C order (shapes are checked when built)."""
    stack: list[tuple[Any, str]] = [(weights, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, list):
            stack.extend((v, f"{where}/{i}") for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise spec_error_at(where, "weight_not_number", found=describe(value))
        elif abs(value) > FLOAT32_MAX:
            raise spec_error_at(where, "weight_too_large", max=py_repr(FLOAT32_MAX), found=describe(value))


def canonical(layer_type: str, arg: str, spec: dict[str, Any], value: Any, path: str) -> Any:
    """Check one argument against its kind and write it in canonical form."""
    if not arg_validator(layer_type, arg).is_valid(value):
        raise invalid_value(layer_type, arg, value, path)
    kind = spec["kind"]
    if kind == "int" or kind == "axis":
        return int(value)
    if kind == "ints":
        return [int(v) for v in value] if isinstance(value, list) else [int(value)] * spec["n"]
    if kind == "float":
        return None if value is None else float(value)
    if kind == "shape":
        return [None if v is None else int(v) for v in value]
    if kind == "target_shape":
        return [int(v) for v in value]
    if kind == "pairs" and spec["n"] == 1:  # one axis: Keras's flat [before, after]
        return [int(v) for v in value] if isinstance(value, list) else [int(value)] * 2
    if kind == "pairs":  # per axis, [before, after]
        if isinstance(value, list):
            if isinstance(value[0], list):
                return [[int(v) for v in pair] for pair in value]
            return [[int(v)] * 2 for v in value]
        return [[int(value)] * 2 for _ in range(spec["n"])]
    if kind == "initializer" and isinstance(value, dict):
        return {"class_name": value["class_name"], "config": dict(value.get("config", {}))}
    if kind == "regularizer" and isinstance(value, dict):  # {"l1": ..., "l2": ...}: L1, L2 or L1L2
        return {key: float(value[key]) for key in ("l1", "l2") if key in value}
    if kind == "factor" and value is not None:  # f is the range [-f, f] (0.0 - f: no negative zero)
        return [float(v) for v in value] if isinstance(value, list) else [0.0 - float(value), float(value)]
    return value


def expand_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Expand a document that has passed the schema (the semantic checks happen here)."""
    ex = _Expander(doc)
    top = _Scope()
    last = ex.expand_list(doc["layers"], top, "/layers", [])
    if "outputs" in doc:
        outputs = [ex.resolve(r, top, f"/outputs/{j}") for j, r in enumerate(doc["outputs"])]
    else:
        outputs = [last]
    check_connected(ex.layers, outputs)
    inputs = [layer["name"] for layer in ex.layers if layer["type"] == "Input"]
    trainable = sum(layer["trainable_params"] for layer in ex.layers)
    total = sum(layer["params"] for layer in ex.layers)
    graph = {
        "format_version": FORMAT_VERSION,
        "name": doc["name"],
        "inputs": inputs,
        "outputs": outputs,
        "layers": ex.layers,
        "params": {"total": total, "trainable": trainable, "non_trainable": total - trainable},
    }
    check_expect(doc, graph)
    if "compile" in doc:
        graph["compile"] = expand_compile(doc["compile"])
    if "fit" in doc:
        graph["fit"] = expand_fit(doc["fit"])
        check_plateau(doc)
    return graph


def check_connected(layers: list[dict[str, Any]], outputs: list[str]) -> None:
    """Every layer must lead to an output (Keras would silently drop one that does not)."""
    needed = set(outputs)
    for layer in reversed(layers):
        if layer["name"] in needed:
            needed.update(layer["inputs"])
    for layer in layers:
        if layer["name"] not in needed:
            raise spec_error_at(layer["source"], "disconnected", name=layer["name"])


def check_expect(doc: dict[str, Any], graph: dict[str, Any]) -> None:
    """Compare the spec's ``expect`` block with what the expansion computed."""
    expect = doc.get("expect", {})
    for key, have in graph["params"].items():
        want = expect.get("params", {}).get(key)
        if want is not None and want != have:
            raise spec_error_at(f"/expect/params/{key}", "expect_params", want=format_count(want),
                                which=key.replace("_", "-"), have=format_count(have))
    if "output_shape" in expect:
        shapes = [next(layer["output_shape"] for layer in graph["layers"] if layer["name"] == o)
                  for o in graph["outputs"]]
        have = shapes[0] if len(shapes) == 1 else shapes
        if expect["output_shape"] != have:
            raise spec_error_at("/expect/output_shape", "expect_output_shape", want=py_repr(expect["output_shape"]),
                                have=py_repr(have))
    if "macs" in expect or "connections" in expect:
        check_expect_cost(expect, graph)


def check_expect_cost(expect: dict[str, Any], graph: dict[str, Any]) -> None:
    """Compare published figures (``expect.macs``, ``expect.connections``) with the model's cost (cost.py)."""
    from .cost import layer_costs  # local: cost.py imports this module

    rows = {row.name: row for row in layer_costs(graph)}
    for i, entry in enumerate(expect.get("connections", {}).get("layers", [])):
        for j, name in enumerate(entry["layers"]):
            if name not in rows:
                raise spec_error_at(f"/expect/connections/layers/{i}/layers/{j}", "expect_unknown_layer",
                                    suggest(name, rows), name=name)
        have = sum(rows[name].connections for name in entry["layers"])
        if have != entry["value"]:
            what = f"{entry['name']} (" + ", ".join(f"'{name}'" for name in entry["layers"]) + ")"
            raise spec_error_at(f"/expect/connections/layers/{i}/value", "expect_connections",
                                want=format_count(entry["value"]), what=what,
                                source=expect["connections"]["source"], have=format_count(have))
    if "macs" in expect:
        want, have = expect["macs"], sum(row.macs for row in rows.values())
        if abs(have - want["value"]) > want["tolerance"]:
            raise spec_error_at("/expect/macs/value", "expect_macs", want=format_count(want["value"]),
                                tolerance=format_count(want["tolerance"]), source=want["source"],
                                have=format_count(have))


def setting_value(arg: dict[str, Any], value: Any) -> Any:
    """A compile or fit setting that the schema has checked, in canonical form (as canonical() writes arguments)."""
    kind = arg["kind"]
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "steps":
        return [int(v) for v in value]
    if kind == "rates":
        return [float(v) for v in value]
    return value


def typed_settings(table: dict[str, Any], key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A schedule or callback (its class named in ``key``) with every argument, Keras's default where not given."""
    args = table[entry[key]]
    return {key: entry[key], **{name: setting_value(arg, entry.get(name, arg.get("default")))
                                for name, arg in args.items()}}


def expand_compile(settings: dict[str, Any]) -> dict[str, Any]:
    """A spec's ``compile`` with every argument of its optimizer written out (layers.json's compile tables).

    Refuses an argument the optimizer does not take, null where the optimizer needs a number, more than
    one way of clipping gradients, and a PiecewiseConstantDecay whose boundaries and values do not fit.
    """
    table = registry()["compile"]
    optimizer = settings["optimizer"]
    defaults: dict[str, Any] = table["optimizer_defaults"][optimizer]
    for name in settings:
        if name not in ("optimizer", "loss", "metrics") and name not in defaults:
            takers = [o for o, args in table["optimizer_defaults"].items() if name in args]
            raise spec_error_at(f"/compile/{name}", "compile_optimizer_argument", optimizer=optimizer, name=name,
                                optimizers=", ".join(takers))
    out: dict[str, Any] = {"optimizer": optimizer, "loss": settings["loss"],
                           "metrics": list(settings.get("metrics", []))}
    for name, default in defaults.items():
        value = settings.get(name, default)
        if value is None and default is not None:
            raise spec_error_at(f"/compile/{name}", "compile_argument_null", optimizer=optimizer, name=name)
        if name == "learning_rate":
            out[name] = expand_schedule(value) if isinstance(value, dict) else float(value)
        else:
            out[name] = setting_value(table["optimizer_arguments"][name], value)
    clipping = [name for name in settings if name in ("clipnorm", "clipvalue", "global_clipnorm")
                and settings[name] is not None]
    if len(clipping) > 1:
        raise spec_error_at(f"/compile/{clipping[1]}", "compile_clipping", name=clipping[1], other=clipping[0])
    return out


def expand_schedule(schedule: dict[str, Any]) -> dict[str, Any]:
    """A learning-rate schedule with every argument written out; a PiecewiseConstantDecay's lists checked."""
    if schedule["schedule"] == "PiecewiseConstantDecay":
        boundaries, values = schedule["boundaries"], schedule["values"]
        for i in range(1, len(boundaries)):
            if boundaries[i] <= boundaries[i - 1]:
                raise spec_error_at(f"/compile/learning_rate/boundaries/{i}", "compile_schedule_boundaries",
                                    value=int_text(boundaries[i]), previous=int_text(boundaries[i - 1]))
        if len(values) != len(boundaries) + 1:
            raise spec_error_at("/compile/learning_rate/values", "compile_schedule_values",
                                boundaries=int_text(len(boundaries)), values=int_text(len(values)))
    return typed_settings(registry()["compile"]["schedules"], "schedule", schedule)


def expand_fit(settings: dict[str, Any]) -> dict[str, Any]:
    """A spec's ``fit`` with every setting and every argument of each callback written out (layers.json's "fit")."""
    table = registry()["fit"]
    out = {name: setting_value(arg, settings.get(name, arg["default"])) for name, arg in table["settings"].items()}
    out["callbacks"] = [typed_settings(table["callbacks"], "callback", c) for c in settings.get("callbacks", [])]
    return out


def check_plateau(doc: dict[str, Any]) -> None:
    """ReduceLROnPlateau sets the optimizer's learning rate, which Keras cannot do where a schedule gives it."""
    schedule = doc.get("compile", {}).get("learning_rate")
    if not isinstance(schedule, dict):
        return
    for i, callback in enumerate(doc["fit"].get("callbacks", [])):
        if callback["callback"] == "ReduceLROnPlateau":
            raise spec_error_at(f"/fit/callbacks/{i}", "fit_plateau_schedule", schedule=schedule["schedule"])


def expand(source: Any) -> dict[str, Any]:
    """The canonical flat graph of a spec.

    Args:
        source: anything :func:`load_spec` accepts.

    Returns:
        A JSON-ready dict: ``format_version``, ``name``, ``inputs``, ``outputs``, ``params``
        and ``layers``, each layer with ``name``, ``type``, ``inputs``, ``config`` (every
        argument written out), ``source`` (a JSON Pointer into the spec), ``output_shape``,
        ``params`` and ``trainable_params``; and where the spec has them, ``compile`` and ``fit``
        with every optimizer, schedule and callback argument written out.
    """
    spec = source if isinstance(source, Spec) else load_spec(source)
    graph = spec_graph(spec)
    return copy.deepcopy(graph) if graph is spec.graph else graph


def expansion_limits() -> tuple[float, ...]:
    """The limits an expansion depends on, as they are now."""
    return tuple(get_limit(name) for name in ("max_params", "max_activation", "max_layers"))


def spec_graph(spec: Spec) -> dict[str, Any]:
    """The expansion a spec carries (read-only), or a new one where the limits have changed since it was made."""
    if spec.graph is not None and spec.graph_limits == expansion_limits():
        return spec.graph
    return expand_document(spec.data)
