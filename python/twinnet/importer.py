"""Import: a Keras model made of allowlisted layers, written back as a spec document.

``from_keras(model)`` reads the model's configuration (``model.get_config()``: each layer's
class name, its ``get_config()`` and how the layers are wired), maps every layer to its
registry type, keeps the arguments the registry knows and writes only those that differ from
Keras's defaults. Anything a spec cannot express (a regularizer, a constraint,
``channels_first``, a custom activation, a layer outside the allowlist...) is refused with a
``SpecError`` of kind ``"unsupported_layer"`` that names the layer. Regularizers are Keras's L1, L2
and L1L2. A compiled model's optimizer (with its arguments and learning-rate schedule), loss and metrics
become the spec's ``compile``, where a spec can say them (else a ``SpecError`` of kind
``"unsupported_setting"``). R's ``from_keras()`` gives the same JSON value for the same model.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from .codegen import KERAS_REQUIRED, OPTIMIZER_CLASSES, _is_default
from .errors import SpecError, spec_error_at
from .formatting import first_line, int_text
from .read import NAME_RE
from .registry import FORMAT_VERSION, arg_validator, layer_types, registry, shared
from .schema import ecma_pattern
from .spec import load_spec

__all__ = ["from_keras"]

# What a spec may leave out (shared with R: shared_specs/importer.json): configuration entries outside
# the registry that hold Keras's default (NEUTRAL; any other value, and any entry not listed, is
# refused), initializers outside the registry (BatchNormalization's) that are the registry initializer
# NEUTRAL_INITIALIZERS names, and entries that NOT_NEEDED_WHEN_NULL matches when they are null.
_IMPORTER = shared("importer.json")
NEUTRAL: dict[str, Any] = _IMPORTER["neutral"]
NEUTRAL_INITIALIZERS: dict[str, str] = _IMPORTER["neutral_initializers"]
NOT_NEEDED_WHEN_NULL = ecma_pattern(_IMPORTER["not_needed_when_null"])
# A backend's own optimizer classes (PyTorch's), by the module Keras writes for them, and the
# keras.optimizers class each stands for: imported as that optimizer.
BACKEND_OPTIMIZERS: dict[str, str] = _IMPORTER["backend_optimizers"]


def _unsupported(layer: str, cls: str, error: str, **fields: str) -> SpecError:
    """The spec error ``error``: what layer ``layer`` of Keras class ``cls`` does that a spec cannot express."""
    return spec_error_at("", error, name=layer, keras_class=cls, **fields)


def _plain(value: Any) -> Any:
    """Keras's tuples as lists, all the way down."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _describe(value: Any) -> str:
    if isinstance(value, dict) and "class_name" in value:
        return str(value["class_name"])
    return json.dumps(value, separators=(",", ":"))


def spec_name(name: str) -> str:
    """A Keras model name made a valid spec name: other characters become "_", a letter first."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return text if NAME_RE.match(text) else f"model_{text}"


@cache
def _initializer_names() -> list[tuple[str, str, dict[str, Any]]]:
    """(registry name, Keras class, Keras config) of each initializer name Keras knows."""
    import keras

    out = []
    for name in registry()["initializers"]:
        try:
            ser = keras.initializers.serialize(keras.initializers.get(name))
        except (KeyError, ValueError, TypeError):  # Keras 3 cannot make "constant" without a value
            continue
        out.append((name, ser["class_name"], _plain(ser.get("config") or {})))
    return out


def _initializer(value: Any, default: Any) -> Any:
    """A serialized Keras initializer as the spec writes it (a name where one says it), or None."""
    if isinstance(value, str):
        return value if value in registry()["initializers"] else None
    if not isinstance(value, dict) or value.get("module") != "keras.initializers" or value.get("registered_name"):
        return None
    cls, config = value.get("class_name"), _plain(value.get("config") or {})
    names = [(n, c, cfg) for n, c, cfg in _initializer_names() if c == cls and cfg == config]
    if names:
        return next((n for n, _, _ in names if n == default), names[0][0])
    allowed = registry()["initializer_classes"].get(cls)
    if allowed is None or any(v is not None for k, v in config.items() if k not in allowed["args"]):
        return None
    return {"class_name": cls, "config": {k: v for k, v in config.items() if k in allowed["args"] and v is not None}}


def float32_decimal(value: float) -> float:
    """The shortest decimal that is the same float32 as ``value``: what Keras keeps as float32 (a learning
    rate, L1's factor) read back as written (0.0010000000474974513 -> 0.001; R: float32_decimal())."""
    import numpy as np

    return float(str(np.float32(value)))


_NOT_A_REGULARIZER = object()


def _regularizer(value: Any) -> Any:
    """A serialized Keras regularizer as the spec writes it ({"l2": 0.0001}), None for None, or _NOT_A_REGULARIZER."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("module") != "keras.regularizers" or value.get("registered_name"):
        return _NOT_A_REGULARIZER
    keys = {"L1": ["l1"], "L2": ["l2"], "L1L2": ["l1", "l2"]}.get(str(value.get("class_name")))
    config = value.get("config") or {}
    if keys is None or sorted(config) != keys or not all(isinstance(config[k], int | float) for k in keys):
        return _NOT_A_REGULARIZER
    if value["class_name"] == "L1":  # Keras's L1 keeps its factor as a float32
        return {"l1": float32_decimal(config["l1"])}
    return {k: config[k] for k in keys}


def _convert(name: str, cls: str, t: str, config: dict[str, Any]) -> dict[str, Any]:
    """The registry arguments of one layer, every one written out; refuses what a spec cannot say."""
    info = layer_types()[t]
    args: dict[str, Any] = {}
    if t == "Input":
        shape = config.get("batch_shape")
        if not isinstance(shape, list) or not shape or shape[0] is not None:
            raise _unsupported(name, cls, "import_batch_shape", value=_describe(shape))
        args["shape"] = shape[1:]
        args["dtype"] = config.get("dtype", "float32")
    for key, value in config.items():
        if key in ("name", "batch_shape") or key in args:
            continue
        if key == "dtype":  # a layer's dtype policy: only the default float32
            policy = value.get("config", {}).get("name") if isinstance(value, dict) else value
            if policy != "float32":
                raise _unsupported(name, cls, "import_dtype", value=_describe(policy))
            continue
        if key in info["args"]:
            kind = info["args"][key]["kind"]
            if kind == "layer":
                args[key] = _wrapped(name, cls, key, value, info["args"][key]["types"])
                continue
            if kind == "axis" and isinstance(value, list) and len(value) == 1:  # a built LayerNormalization's [-1]
                value = value[0]
            if kind == "initializer":
                converted = _initializer(value, info["args"][key].get("default"))
                if converted is None:
                    raise _unsupported(name, cls, "import_argument", key=key, value=_describe(value))
                value = converted
            if kind == "regularizer":
                value = _regularizer(value)
                if value is _NOT_A_REGULARIZER:
                    raise _unsupported(name, cls, "import_argument", key=key, value=_describe(config[key]))
            if not arg_validator(t, key).is_valid(value) or (kind == "activation" and not isinstance(value, str)):
                raise _unsupported(name, cls, "import_argument", key=key, value=_describe(value))
            args[key] = value
            continue
        if key in NEUTRAL_INITIALIZERS and _initializer(value, None) == NEUTRAL_INITIALIZERS[key]:
            continue
        if NOT_NEEDED_WHEN_NULL.search(key) and value is None:
            continue
        if key in NEUTRAL and value == NEUTRAL[key] and type(value) is type(NEUTRAL[key]):
            continue
        if key in _IMPORTER["any_value"].get(t, []) or _mirrors(t, key, value, config):
            continue
        raise _unsupported(name, cls, "import_argument", key=key, value=_describe(value))
    return args


def _wrapped(name: str, cls: str, key: str, value: Any, types: list[str]) -> dict[str, Any]:
    """A wrapper's layer as the spec writes it: its type and arguments, without its name."""
    if not isinstance(value, dict) or value.get("module") != "keras.layers" or value.get("class_name") not in types \
            or value.get("registered_name"):
        raise _unsupported(name, cls, "import_argument", key=key, value=_describe(value))
    t = str(value["class_name"])
    config = _plain(value.get("config") or {})
    for key, other in _IMPORTER["set_by_wrapper"].get(cls, {}).items():
        if key in config and config[key] == config.get(other):
            del config[key]
    return {"type": t, **_non_default(t, _convert(name, cls, t, config))}


def _mirrors(t: str, key: str, value: Any, config: dict[str, Any]) -> bool:
    """Whether entry ``key`` is the mirror that importer.json's "mirrored" allows (Bidirectional's backward layer)."""
    rule = _IMPORTER["mirrored"].get(t)
    other = config.get(rule["of"]) if rule is not None else None
    if rule is None or key != rule["key"] or not isinstance(value, dict) or not isinstance(other, dict):
        return False
    mine, theirs = _plain(value.get("config") or {}), _plain(other.get("config") or {})
    flip = rule["flipped"]
    same = {k: v for k, v in mine.items() if k not in ("name", flip)} == \
        {k: v for k, v in theirs.items() if k not in ("name", flip)}
    flipped = isinstance(mine.get(flip), bool) and isinstance(theirs.get(flip), bool) and mine[flip] != theirs[flip]
    return bool(same and flipped and value.get("class_name") == other.get("class_name"))


def _non_default(t: str, args: dict[str, Any]) -> dict[str, Any]:
    """Only the arguments that differ from Keras's defaults (and those Keras requires)."""
    entry = {"type": t, **args}
    info = layer_types()[t]["args"]
    return {arg: args[arg] for arg in info if arg in args  # in the registry's order
            and (arg in KERAS_REQUIRED.get(t, []) or not _is_default(entry, arg, info[arg], args[arg]))}


def _history(value: Any, name: str, cls: str) -> list[str]:
    """The names of the layers whose outputs a call's arguments are, in order."""
    if isinstance(value, list):
        return [n for v in value for n in _history(v, name, cls)]
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        layer, node, index = value["config"]["keras_history"]
        if node != 0 or index != 0:
            raise _unsupported(name, cls, "import_shared_output")
        return [str(layer)]
    raise _unsupported(name, cls, "import_call_argument", value=_describe(value))


def _inputs(entry: dict[str, Any], name: str, cls: str) -> list[str] | None:
    """The inputs of one layer of a functional model (None for a Sequential model's layers)."""
    if "inbound_nodes" not in entry:
        return None
    nodes = entry["inbound_nodes"]
    if cls == "InputLayer":
        return []
    if len(nodes) != 1:
        raise _unsupported(name, cls, "import_shared_layer", count=int_text(len(nodes)))
    node = _plain(nodes[0])
    for key, value in (node.get("kwargs") or {}).items():
        recorded = value is False or (value is True and cls in _IMPORTER["records_training"])
        if value is not None and not (key == "training" and recorded):  # what Keras records itself
            raise _unsupported(name, cls, "import_call_keyword", key=key, value=_describe(value))
    return _history(node.get("args", []), name, cls)


def _refs(value: Any) -> list[str]:
    """Layer names of Keras's input_layers/output_layers: [name, 0, 0] or a list of them."""
    value = _plain(value)
    if value and isinstance(value[0], str):
        return [value[0]]
    return [str(v[0]) for v in value]


def _refuse_setting(key: str, value: Any) -> SpecError:
    return spec_error_at("", "compile_import", key=key, value=_describe(value))


def _neutral(table: dict[str, Any], key: str, value: Any) -> bool:
    """Whether ``value`` is the neutral value ``table`` gives ``key`` (of the same JSON type)."""
    return key in table and value == table[key] and type(value) is type(table[key])


def _import_schedule(value: Any) -> dict[str, Any]:
    """A serialized learning-rate schedule as the spec writes it: its class and the arguments not at their default."""
    schedules = registry()["compile"]["schedules"]
    cls = value.get("class_name")
    if value.get("module") != "keras.optimizers.schedules" or cls not in schedules or value.get("registered_name"):
        raise _refuse_setting("learning_rate", value)
    args = schedules[cls]
    out: dict[str, Any] = {"schedule": cls}
    for key, setting in (value.get("config") or {}).items():
        if key == "name":
            continue
        if key not in args:
            raise _refuse_setting(f"learning_rate.{key}", setting)
        if args[key].get("required") or setting != args[key].get("default"):
            out[key] = setting
    return out


def _keras_optimizer(optimizer: dict[str, Any]) -> bool:
    """Whether a serialized optimizer is one of keras.optimizers: written as such (TensorFlow, JAX), or as
    the backend's own subclass that stands for it (PyTorch's, BACKEND_OPTIMIZERS), under its own name."""
    module, cls, registered = optimizer.get("module"), optimizer.get("class_name"), optimizer.get("registered_name")
    if module == "keras.optimizers":
        return not registered
    return isinstance(module, str) and BACKEND_OPTIMIZERS.get(module) == cls and registered in (None, cls)


def _import_compile(model: Any) -> dict[str, Any] | None:
    """A compiled model's compile configuration as a spec's compile (None for a model not compiled)."""
    config = json.loads(json.dumps(model.get_compile_config(), default=repr))
    if not config:
        return None
    table = registry()["compile"]
    optimizer = config.get("optimizer")
    names = {cls: name for name, cls in OPTIMIZER_CLASSES.items()}
    if not isinstance(optimizer, dict) or not _keras_optimizer(optimizer) or optimizer.get("class_name") not in names:
        raise _refuse_setting("optimizer", optimizer)
    opt = names[optimizer["class_name"]]
    defaults = table["optimizer_defaults"][opt]
    out: dict[str, Any] = {"optimizer": opt}
    loss, metrics = config.get("loss"), config.get("metrics")
    if not isinstance(loss, str) or loss not in table["losses"]:
        raise _refuse_setting("loss", loss)
    out["loss"] = loss
    if metrics is not None:
        if not isinstance(metrics, list) or not all(isinstance(m, str) and m in table["metrics"] for m in metrics):
            raise _refuse_setting("metrics", metrics)
        if metrics:
            out["metrics"] = metrics
    for key, value in (optimizer.get("config") or {}).items():
        if key == "name" or _neutral(table["import_optimizer_neutral"], key, value):
            continue
        if key not in defaults:
            raise _refuse_setting(key, value)
        if key == "learning_rate":
            value = _import_schedule(value) if isinstance(value, dict) else float32_decimal(value)
        if value != defaults[key]:
            out[key] = value
    for key, value in config.items():
        if key in ("optimizer", "loss", "metrics") or key in table["import_compile_ignored"]:
            continue
        if not _neutral(table["import_compile_neutral"], key, value):
            raise _refuse_setting(key, value)
    return out


def from_keras(model: Any, name: str | None = None, compile: bool = True) -> dict[str, Any]:
    """The spec of a Keras model made of allowlisted layers.

    Args:
        model: a functional or Sequential ``keras.Model``.
        name: the spec's name; by default the model's name, made a valid spec name.
        compile: write a compiled model's optimizer, loss and metrics as the spec's ``compile``;
            False leaves them out.

    Returns:
        A spec document (a dict) that :func:`twinnet.load_spec` accepts and that builds an equal
        model: the same layers, names, configs and parameter counts. Arguments equal to Keras's
        defaults are left out; ``inputs`` is written where a layer does not take the previous
        layer's output, ``outputs`` where the model's outputs are not just the last layer.

    Raises:
        SpecError: of kind ``"unsupported_layer"``, naming the layer and what a spec cannot
            express (a layer type outside the allowlist, a constraint, ``channels_first``...); of kind
            ``"unsupported_setting"`` for compile settings a spec cannot express (a loss object, a
            custom optimizer...).
    """
    try:
        config = model.get_config()
    except Exception as e:  # a subclassed model, or a layer without a config
        raise spec_error_at("", "import_no_config", reason=first_line(str(e)) or type(e).__name__) from None
    if not isinstance(config, dict) or "layers" not in config:
        raise spec_error_at("", "import_not_functional")
    counters: dict[str, int] = {}
    layers: list[dict[str, Any]] = []
    previous: str | None = None
    for entry in config["layers"]:
        cls = str(entry.get("class_name"))
        lname = str(entry.get("config", {}).get("name", entry.get("name")))
        t = "Input" if cls == "InputLayer" else cls
        if entry.get("module") != "keras.layers" or t not in layer_types() or cls == "Input":
            raise spec_error_at("", "import_not_allowed", name=lname, keras_class=cls)
        if not NAME_RE.match(lname):
            raise _unsupported(lname, cls, "import_name")
        args = _non_default(t, _convert(lname, cls, t, _plain(entry.get("config", {}))))
        out: dict[str, Any] = {"type": t}
        base = layer_types()[t]["auto_name"]
        if lname == f"{base}_{counters.get(base, 0) + 1}":  # the name the expansion gives it
            counters[base] = counters.get(base, 0) + 1
        else:
            out["name"] = lname
        inputs = _inputs(entry, lname, cls)
        if inputs is None and t == "Input" and layers:
            raise _unsupported(lname, cls, "import_input_after")
        if inputs and inputs != [previous]:
            out["inputs"] = inputs
        layers.append({**out, **args})
        previous = lname
    outputs = _refs(config["output_layers"]) if "output_layers" in config else [previous]
    doc: dict[str, Any] = {"format_version": FORMAT_VERSION,
                           "name": spec_name(str(model.name)) if name is None else name, "layers": layers}
    if outputs != [previous]:
        doc["outputs"] = outputs
    settings = _import_compile(model) if compile else None
    if settings is not None:
        doc["compile"] = settings
    load_spec(doc)
    return doc
