"""Import: a Keras model made of allowlisted layers, written back as a spec document.

``from_keras(model)`` reads the model's configuration (``model.get_config()``: each layer's
class name, its ``get_config()`` and how the layers are wired), maps every layer to its
registry type, keeps the arguments the registry knows and writes only those that differ from
Keras's defaults. Anything a spec cannot express (a regularizer, a constraint,
``channels_first``, a custom activation, a layer outside the allowlist...) is refused with a
``SpecError`` of kind ``"unsupported_layer"`` that names the layer. R's ``from_keras()`` gives
the same JSON value for the same model.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from .codegen import KERAS_REQUIRED, _is_default
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
            if kind == "initializer":
                converted = _initializer(value, info["args"][key].get("default"))
                if converted is None:
                    raise _unsupported(name, cls, "import_argument", key=key, value=_describe(value))
                value = converted
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
        raise _unsupported(name, cls, "import_argument", key=key, value=_describe(value))
    return args


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
        if value is not None and not (key == "training" and value is False):  # Keras records training=False
            raise _unsupported(name, cls, "import_call_keyword", key=key, value=_describe(value))
    return _history(node.get("args", []), name, cls)


def _refs(value: Any) -> list[str]:
    """Layer names of Keras's input_layers/output_layers: [name, 0, 0] or a list of them."""
    value = _plain(value)
    if value and isinstance(value[0], str):
        return [value[0]]
    return [str(v[0]) for v in value]


def from_keras(model: Any, name: str | None = None) -> dict[str, Any]:
    """The spec of a Keras model made of allowlisted layers.

    Args:
        model: a functional or Sequential ``keras.Model``.
        name: the spec's name; by default the model's name, made a valid spec name.

    Returns:
        A spec document (a dict) that :func:`twinnet.load_spec` accepts and that builds an equal
        model: the same layers, names, configs and parameter counts. Arguments equal to Keras's
        defaults are left out; ``inputs`` is written where a layer does not take the previous
        layer's output, ``outputs`` where the model's outputs are not just the last layer.

    Raises:
        SpecError: of kind ``"unsupported_layer"``, naming the layer and what a spec cannot
            express (a layer type outside the allowlist, a regularizer, ``channels_first``...).
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
    load_spec(doc)
    return doc
