"""Writing and reading models as .keras files, with Keras's safe mode always on (R: R/persist.R).

A .keras file is a zip archive of the model's config (``config.json``), its weights and some
metadata. Its config may name Python code: a lambda (``keras.layers.Lambda(lambda x: ...)``) or a
function or class from some module. Keras's safe mode refuses to run it; :func:`read_model` always
loads in safe mode, even after ``keras.config.enable_unsafe_deserialization()``, and turns the
refusal into an :class:`UnsafeModelError`. A Keras without the scope that keeps safe mode on gets
no file loaded at all.

A file is data from anywhere, so before Keras reads it :func:`read_model` checks, from the
archive's directory alone, that its members are not too large (``config.json`` and
``metadata.json`` at most ``MAX_SPEC_BYTES``, all of them together at most the limit
``max_model_bytes``); then it reads and parses ``config.json`` itself, with the bounds of a spec,
checks that it describes a Keras object, and estimates the weights of the model it describes
(from the layers' configs and the input shapes recorded in it, and, for a model of allowlisted
layers, from its expansion as a spec) against the limits ``max_params`` and ``max_layers``. What
fails is a :class:`ModelFileError`; R signals ``twinnet_model_file_error`` with the same reason.
"""

from __future__ import annotations

import importlib
import math
import os
import warnings
import zipfile
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import SpecError, fill_template, json_kind
from .limits import HOW_TO_RAISE, MAX_JSON_DEPTH, MAX_SPEC_BYTES, get_limit
from .schema import ecma_pattern
from .tables import shared

__all__ = ["ModelFileError", "UnsafeModelError", "load_model", "read_model", "save_model", "write_model"]

# What twinnet knows of a .keras file, shared with R: shared_specs/model_files.json.
_FILES = shared("model_files.json")
# What Keras says when safe mode refuses a file: a lambda, a non-modeling API, code it cannot
# locate among Keras's own objects; and the exceptions that mean Keras ran out of memory.
UNSAFE_PATTERN = ecma_pattern(_FILES["unsafe_pattern"])
UNSAFE_ERRORS: tuple[str, ...] = tuple(_FILES["unsafe_error_classes"])
OUT_OF_MEMORY_ERRORS: tuple[str, ...] = tuple(_FILES["out_of_memory_error_classes"])
# Exceptions that mean it only with certain words (JAX's runtime error: RESOURCE_EXHAUSTED), each with
# a pattern of those words, searched in the cause.
OUT_OF_MEMORY_MESSAGES = {kind: ecma_pattern(pattern) for kind, pattern in _FILES["out_of_memory_messages"].items()}

# Where Keras keeps the scope that forces safe mode (overriding enable_unsafe_deserialization()).
SAFE_MODE_MODULE: str = _FILES["safe_mode_module"]

CONFIG_MEMBER: str = _FILES["members"]["config"]
METADATA_MEMBER: str = _FILES["members"]["metadata"]
WEIGHTS_MEMBERS: tuple[str, ...] = tuple(_FILES["members"]["weights"])
MODEL_CLASSES: tuple[str, ...] = tuple(_FILES["model_classes"])

# The weights of a layer, estimated from its config and its input shape.
_WEIGHTS = _FILES["weights"]
CONV_RANK: dict[str, int] = _WEIGHTS["conv_rank"]
SEPARABLE_RANK: dict[str, int] = _WEIGHTS["separable_rank"]
DEPTHWISE_RANK: dict[str, int] = _WEIGHTS["depthwise_rank"]
RNN_GATES: dict[str, int] = _WEIGHTS["rnn_gates"]
RNN_SECOND_BIAS: dict[str, str] = _WEIGHTS["rnn_second_bias"]
NORM_VECTORS: dict[str, dict[str, Any]] = _WEIGHTS["norm_vectors"]
NO_WEIGHTS = frozenset(_WEIGHTS["no_weights"])
# Input shapes a layer's config may carry; Keras builds the layer for them.
SHAPE_KEYS: tuple[str, ...] = tuple(_FILES["shape_keys"])


def model_file_text(error: str, **fields: str) -> str:
    """The template ``error`` of messages.json's ``model_file_errors``, its placeholders filled with text
    the caller formatted (the same formatting in R). R: model_file_text()."""
    return fill_template(shared("messages.json")["model_file_errors"][error]["message"], fields)


def model_file_refusal(label: str, error: str, detail: str | None = None, **fields: str) -> ModelFileError:
    """The ModelFileError of the file ``label`` whose reason is the entry ``error`` of messages.json's
    ``model_file_errors``, of the entry's kind, its placeholders filled. R: model_file_refusal()."""
    entry = shared("messages.json")["model_file_errors"][error]
    return ModelFileError(label, fill_template(entry["message"], fields), entry["kind"], detail)


class UnsafeModelError(ValueError):
    """A .keras file that Keras's safe mode refuses to load, because it carries or names code.

    Attributes:
        path: the file.
        reason: what Keras said.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(model_file_text("unsafe", path=path, reason=reason))

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnsafeModelError, (self.path, self.reason))


class ModelFileError(ValueError):
    """A .keras file that twinnet does not load: missing, not a .keras archive, malformed or too large.

    Attributes:
        path: the file (``"<bytes>"`` for :func:`twinnet.unserialize_model`).
        reason: what is wrong, in the same words as R's ``twinnet_model_file_error``.
        kind: ``"not_found"``, ``"not_a_keras_file"``, ``"malformed"``, ``"too_large"`` or ``"no_safe_mode"``.
        detail: more, in this language's words (how to raise a limit, where a parser stopped), or None.
    """

    def __init__(self, path: str, reason: str, kind: str = "malformed", detail: str | None = None):
        self.path = path
        self.reason = reason
        self.kind = kind
        self.detail = detail
        super().__init__(model_file_text("refused_detail", path=path, reason=reason, detail=detail) if detail
                         else model_file_text("refused", path=path, reason=reason))

    def __reduce__(self) -> tuple[Any, ...]:
        return (ModelFileError, (self.path, self.reason, self.kind, self.detail))


def _keras_file(path: str | PathLike[str]) -> Path:
    p = Path(path)
    if p.suffix != ".keras":
        raise ValueError(model_file_text("not_keras_name", found=repr(str(p))))
    return p


def write_model(model: Any, path: str | PathLike[str]) -> Path:
    """Write a Keras model (architecture, weights, compile settings) to a .keras file.

    Args:
        model: a Keras model, e.g. from :func:`twinnet.build_model`.
        path: the file to write; its name ends in ``.keras``. An existing file is replaced.

    Returns:
        The path, as a :class:`pathlib.Path`. R's ``read_model()`` reads the file, and the reverse.
    """
    p = _keras_file(path)
    model.save(p)
    return p


def read_model(path: str | PathLike[str]) -> Any:
    """Read a model from a .keras file, in Keras's safe mode, after checking what loading it costs.

    Args:
        path: a ``.keras`` file on this machine (not a URL, not a legacy ``.h5`` file).

    Returns:
        The Keras model.

    Raises:
        UnsafeModelError: the file carries a lambda or names code outside Keras; nothing of it ran.
        ModelFileError: there is no such file; it is not a .keras archive; its config is not JSON or
            describes no Keras object; it, or the model it describes, is too large (the limits
            ``max_model_bytes``, ``max_params``, ``max_layers``, see :func:`twinnet.set_limits`);
            Keras cannot load it; or this Keras cannot keep its safe mode on.
    """
    if not isinstance(path, str | PathLike):
        raise model_file_refusal(repr(path), "name_not_keras")
    return load_checked(Path(path), str(path))


def save_model(model: Any, path: str | PathLike[str]) -> Path:
    """Deprecated: the old name of :func:`write_model`."""
    warnings.warn("twinnet.save_model() is deprecated; use twinnet.write_model(), which does the same",
                  DeprecationWarning, stacklevel=2)
    return write_model(model, path)


def load_model(path: str | PathLike[str]) -> Any:
    """Deprecated: the old name of :func:`read_model`."""
    warnings.warn("twinnet.load_model() is deprecated; use twinnet.read_model(), which does the same",
                  DeprecationWarning, stacklevel=2)
    return read_model(path)


def load_checked(p: Path, label: str) -> Any:
    """Check the file ``p`` (named ``label`` in errors), then load it in Keras's safe mode."""
    if p.suffix != ".keras":
        raise model_file_refusal(label, "name_not_keras")
    try:
        found = p.is_file()
    except (OSError, ValueError):  # a name the system cannot even look up (too long, a NUL in it)
        found = False
    if not found:
        raise model_file_refusal(label, "no_such_file")
    if not os.access(p, os.R_OK):
        raise model_file_refusal(label, "no_permission")
    if not zipfile.is_zipfile(p):
        raise model_file_refusal(label, "not_zip")
    config = check_config(label, read_config(p, label))
    check_cost(label, config)
    import keras

    scope = safe_mode_scope(label)

    try:
        with scope:
            model = keras.models.load_model(p, safe_mode=True)
    except Exception as e:  # whatever Keras raises, the caller gets a twinnet error
        raise keras_failure(label, type(e).__name__, str(e)) from None
    compiled = config.get("compile_config")
    if isinstance(compiled, dict) and compiled:
        use_auto_jit_compile(model)
    return model


def use_auto_jit_compile(model: Any) -> None:
    """Give a model that Keras compiled as it loaded it the jit_compile that Keras's "auto" gives it here.

    A .keras file's compile configuration holds the jit_compile that "auto" resolved to on the backend
    that wrote it (True on JAX; False on PyTorch and on TensorFlow without an accelerator), and Keras
    compiles the loaded model with it: on PyTorch a file from JAX would then run torch.compile, 8 to 18 s
    before the first prediction. The model gets, and its compile configuration records, what a model
    compiled with "auto" on this backend gets (Keras's own rule; a Keras without it keeps the file's).
    """
    resolve = getattr(model, "_resolve_auto_jit_compile", None)
    if not getattr(model, "compiled", False) or resolve is None:
        return
    model.jit_compile = bool(resolve())
    recorded = getattr(getattr(model, "_compile_config", None), "config", None)
    if isinstance(recorded, dict) and "jit_compile" in recorded:
        recorded["jit_compile"] = model.jit_compile


def keras_failure(label: str, kind: str, message: str) -> Exception:
    """The twinnet error for an exception of class ``kind`` that Keras raised while loading."""
    reason = refusal_reason(message)
    if kind in UNSAFE_ERRORS and UNSAFE_PATTERN.search(reason):
        return UnsafeModelError(label, reason)
    if kind in OUT_OF_MEMORY_ERRORS or (kind in OUT_OF_MEMORY_MESSAGES and OUT_OF_MEMORY_MESSAGES[kind].search(reason)):
        return model_file_refusal(label, "keras_out_of_memory", exception=kind, cause=reason)
    return model_file_refusal(label, "keras_cannot_load", exception=kind, cause=reason)


def refusal_reason(message: str) -> str:
    """The cause in a Keras loading error: Keras wraps it in "... Exception encountered: <cause>"."""
    cause = message.rsplit("Exception encountered: ", 1)[-1].strip()
    return cause.splitlines()[0] if cause else ""


def safe_mode_scope(label: str, module: str | None = None) -> Any:
    """Keras's scope that forces safe mode; a ModelFileError where this Keras has none (fail closed)."""
    module = module or SAFE_MODE_MODULE
    try:
        scope = importlib.import_module(module).SafeModeScope
    except (ImportError, AttributeError):
        raise model_file_refusal(label, "no_safe_mode", module=module) from None
    return scope(True)


# -- the archive ----------------------------------------------------------------------------------

def _count(n: float) -> str:
    return f"{int(n):,}" if math.isfinite(n) else "infinitely many"


def read_config(p: Path, label: str) -> str:
    """The text of the archive's config.json, after checking the sizes of its members."""
    try:
        with zipfile.ZipFile(p) as z:
            members = [(i.filename, i.file_size, i.compress_size) for i in z.infolist()]
            check_members(label, members)
            with z.open(CONFIG_MEMBER) as f:
                data = f.read(MAX_SPEC_BYTES + 1)
    except ModelFileError:
        raise
    except Exception as e:  # a damaged archive: zipfile raises many kinds of errors
        raise model_file_refusal(label, "unreadable_zip", problem=f"{type(e).__name__}: {e}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise model_file_refusal(label, "not_utf8", member=CONFIG_MEMBER) from None


def check_members(label: str, members: list[tuple[str, int, int]]) -> None:
    """Refuse an archive by its directory: (name, uncompressed size, compressed size) of each member."""
    names = [name for name, _, _ in members]
    if CONFIG_MEMBER not in names:
        raise model_file_refusal(label, "no_config", member=CONFIG_MEMBER)
    for name, size, packed in members:
        if name in (CONFIG_MEMBER, METADATA_MEMBER) and size > MAX_SPEC_BYTES:
            raise model_file_refusal(label, "member_too_large", member=name, size=f"{size:,}", packed=f"{packed:,}",
                                     max=f"{MAX_SPEC_BYTES:,}")
    total = sum(size for _, size, _ in members)
    limit = get_limit("max_model_bytes")
    if total > limit:
        packed = sum(p for _, _, p in members)
        raise model_file_refusal(label, "members_too_large", HOW_TO_RAISE.format(name="max_model_bytes"),
                                 size=f"{total:,}", packed=f"{packed:,}", limit=_count(limit))
    if not any(name in names for name in WEIGHTS_MEMBERS):
        raise model_file_refusal(label, "no_weights", first=WEIGHTS_MEMBERS[0], second=WEIGHTS_MEMBERS[1])


def check_config(label: str, text: str) -> dict[str, Any]:
    """The parsed config.json, refused unless it describes a Keras object of bounded size."""
    from .read import parse_json

    try:
        config = parse_json(text)
    except SpecError as e:
        if e.kind == "too_deep":
            raise model_file_refusal(label, "config_too_deep", member=CONFIG_MEMBER,
                                     depth=str(MAX_JSON_DEPTH)) from None
        if e.kind == "duplicate_key":
            raise model_file_refusal(label, "config_duplicate_key", e.message, member=CONFIG_MEMBER) from None
        raise model_file_refusal(label, "config_not_json", e.message, member=CONFIG_MEMBER) from None
    if not isinstance(config, dict):
        raise model_file_refusal(label, "config_not_object", member=CONFIG_MEMBER, found=json_kind(config))
    cls, inner = config.get("class_name"), config.get("config")
    if not isinstance(cls, str) or not isinstance(inner, dict):
        raise model_file_refusal(label, "config_not_keras", member=CONFIG_MEMBER)
    if cls in MODEL_CLASSES:
        layers = inner.get("layers")
        if not isinstance(layers, list):
            raise model_file_refusal(label, "model_without_layers", member=CONFIG_MEMBER, cls=cls)
        for i, entry in enumerate(layers):
            if not (isinstance(entry, dict) and isinstance(entry.get("class_name"), str)
                    and isinstance(entry.get("config"), dict)):
                raise model_file_refusal(label, "layer_not_object", index=str(i), member=CONFIG_MEMBER)
    return config


# -- what the model costs ---------------------------------------------------------------------------

def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _dim(v: Any) -> float:
    """A size from a config: a number of at least 1, rounded down; anything else counts as 1."""
    return float(math.floor(v)) if _is_number(v) and v >= 1 else 1.0


def _is_shape(v: Any) -> bool:
    return isinstance(v, list) and len(v) > 0 and all(x is None or _is_number(x) for x in v)


def _first_shape(v: Any) -> list[Any] | None:
    """The first shape (a list of numbers and nulls) in a value, depth first."""
    if _is_shape(v):
        return list(v)
    children = v if isinstance(v, list) else list(v.values()) if isinstance(v, dict) else []
    for child in children:
        found = _first_shape(child)
        if found is not None:
            return found
    return None


def _first_tensor_shape(v: Any) -> list[Any] | None:
    """The shape of the first Keras tensor that a layer's inbound node records, depth first."""
    if isinstance(v, dict):
        c = v.get("config")
        if v.get("class_name") == "__keras_tensor__" and isinstance(c, dict) and _is_shape(c.get("shape")):
            return list(c["shape"])
        children = list(v.values())
    elif isinstance(v, list):
        children = v
    else:
        return None
    for child in children:
        found = _first_tensor_shape(child)
        if found is not None:
            return found
    return None


def input_shapes(obj: dict[str, Any]) -> list[list[Any]]:
    """The input shapes an object of a config records: its build_config, its inbound nodes, its config."""
    out = []
    build = obj.get("build_config")
    if isinstance(build, dict):
        found = _first_shape(build.get("input_shape"))
        if found is not None:
            out.append(found)
    nodes = obj.get("inbound_nodes")
    if isinstance(nodes, list):
        for node in nodes:
            found = _first_tensor_shape(node)
            if found is not None:
                out.append(found)
    c = obj["config"]
    for key in SHAPE_KEYS:
        found = _first_shape(c.get(key))
        if found is not None:
            out.append(found)
    if obj["class_name"] != "Embedding" and _is_number(c.get("input_dim")):
        out.append([c["input_dim"]])
    return out


def _feature(shape: list[Any] | None, c: dict[str, Any]) -> float:
    """The size of the axis a layer's weights grow with: the channels, the last axis unless channels_first."""
    if not shape:
        return 1.0
    i = 1 if c.get("data_format") == "channels_first" and len(shape) >= 2 else len(shape) - 1
    return _dim(shape[i])


def _kernel(size: Any, rank: int) -> float:
    k = 1.0
    if _is_number(size):
        for _ in range(rank):
            k = k * _dim(size)
    elif isinstance(size, list):
        for v in size:
            k = k * _dim(v)
    return k


def _axis_size(shape: list[Any] | None, axis: Any) -> float:
    if not shape:
        return 1.0
    axes = axis if isinstance(axis, list) else [axis] if axis is not None else [-1]
    size = 1.0
    for a in axes:
        if _is_number(a) and a == math.floor(a):
            i = int(a) if a >= 0 else len(shape) + int(a)
            if 0 <= i < len(shape):
                size = size * _dim(shape[i])
    return size


def _layer_like(obj: dict[str, Any]) -> bool:
    """Whether an object of a config is a Keras layer (or may be one): its module says so, or it has none."""
    module = obj.get("module")
    return not obj["class_name"].startswith("__") and (
        module is None or (isinstance(module, str) and module.startswith(("keras.layers", "keras.src.layers"))))


def _bias_size(c: dict[str, Any], size: float) -> float:
    """A layer's bias: ``size`` values, none where its config says ``"use_bias": false``."""
    return 0.0 if c.get("use_bias") is False else size


def _norm_vectors(c: dict[str, Any], rule: dict[str, Any]) -> int:
    """How many vectors of the normalized axis's size a normalization keeps (model_files.json's norm_vectors):
    gamma and beta unless the config says ``false``, the statistics, and more for a key it sets to ``true``."""
    return (rule["always"] + sum(c.get(key) is not False for key in rule["unless_false"])
            + sum(n for key, n in rule["when_true"].items() if c.get(key) is True))


def layer_weights(obj: dict[str, Any], shape: list[Any] | None) -> float:
    """The weights of one object of a config whose input has ``shape``: exact for known layer types (an upper
    bound for a LayerNormalization with the deprecated rms_scaling), else the product of the two largest sizes
    in its config and its input's last axis."""
    cls, c = obj["class_name"], obj["config"]
    f = _feature(shape, c)
    if cls == "Dense":
        u = _dim(c.get("units"))
        return f * u + _bias_size(c, u)
    if cls in CONV_RANK:
        n, groups = _dim(c.get("filters")), _dim(c.get("groups"))
        per_group = f / groups if f % groups == 0 else f  # channels that don't split: Keras refuses the layer
        return _kernel(c.get("kernel_size"), CONV_RANK[cls]) * per_group * n + _bias_size(c, n)
    if cls in SEPARABLE_RANK:
        n, m = _dim(c.get("filters")), _dim(c.get("depth_multiplier"))
        return _kernel(c.get("kernel_size"), SEPARABLE_RANK[cls]) * f * m + f * m * n + _bias_size(c, n)
    if cls in DEPTHWISE_RANK:
        m = _dim(c.get("depth_multiplier"))
        return _kernel(c.get("kernel_size"), DEPTHWISE_RANK[cls]) * f * m + _bias_size(c, f * m)
    if cls == "Embedding":
        return _dim(c.get("input_dim")) * _dim(c.get("output_dim"))
    if cls in RNN_GATES:
        u, gates = _dim(c.get("units")), RNN_GATES[cls]
        biases = 2 if cls in RNN_SECOND_BIAS and c.get(RNN_SECOND_BIAS[cls]) is not False else 1
        return gates * (f * u + u * u) + _bias_size(c, biases * gates * u)
    if cls in NORM_VECTORS:
        return _norm_vectors(c, NORM_VECTORS[cls]) * _axis_size(shape, c.get("axis", -1))
    if cls in NO_WEIGHTS or not _layer_like(obj):
        return 0.0
    sizes = [f]
    for key, v in c.items():
        if "seed" in key.lower():
            continue
        if _is_number(v):
            sizes.append(_dim(v))
        elif _is_shape(v):
            sizes.extend(_dim(x) for x in v)
    sizes.sort(reverse=True)
    return sizes[0] * (sizes[1] if len(sizes) > 1 else 1.0)


class _Estimate:
    """A walk through a config, depth first in document order, adding up the weights of each object."""

    def __init__(self, label: str):
        self.label = label
        self.total = 0.0
        self.layers = 0
        self.max_params = get_limit("max_params")
        self.max_layers = get_limit("max_layers")
        self.unshaped: dict[str, Any] | None = None  # the first layer that records no input shape

    def walk(self, value: Any, context: list[list[Any]], entry: bool = False) -> None:
        if isinstance(value, list):
            for v in value:
                self.walk(v, context)
            return
        if not isinstance(value, dict):
            return
        layers = value.get("layers")
        if isinstance(layers, list):
            self.layers += len(layers)
            if self.layers > self.max_layers:
                raise model_file_refusal(self.label, "too_many_layers", HOW_TO_RAISE.format(name="max_layers"),
                                         member=CONFIG_MEMBER, count=f"{self.layers:,}", limit=_count(self.max_layers))
        cls, c = value.get("class_name"), value.get("config")
        if isinstance(cls, str) and isinstance(c, dict):
            if entry and self.unshaped is None and _needs_shape(value) and not _built_shape(value):
                self.unshaped = value
            context = input_shapes(value) or context
            weights = max(layer_weights(value, s) for s in context) if context else layer_weights(value, None)
            self.add(value, weights)
            backward = c.get("backward_layer")
            if cls == "Bidirectional" and isinstance(c.get("layer"), dict) and not isinstance(backward, dict):
                self.walk(c["layer"], context)  # Keras makes the backward layer as a copy of the forward one
        for key, v in value.items():
            if key == "layers" and isinstance(v, list):
                for item in v:
                    self.walk(item, context, entry=True)
            else:
                self.walk(v, context)

    def add(self, obj: dict[str, Any], weights: float) -> None:
        self.total = self.total + weights
        if self.total > self.max_params:
            raise model_file_refusal(self.label, "too_many_params", HOW_TO_RAISE.format(name="max_params"),
                                     name=_name(obj), cls=obj["class_name"], count=_count(self.total),
                                     limit=_count(self.max_params))


def _name(obj: dict[str, Any]) -> str:
    name = obj["config"].get("name")
    return name if isinstance(name, str) else "?"


def _needs_shape(obj: dict[str, Any]) -> bool:
    """Whether building a layer may allocate weights that grow with its input: its type has such weights,
    or is one twinnet does not know."""
    cls = obj["class_name"]
    if cls in ("Embedding", "InputLayer") or cls in NO_WEIGHTS:
        return False
    return cls in ("Dense", *CONV_RANK, *SEPARABLE_RANK, *DEPTHWISE_RANK, *RNN_GATES, *NORM_VECTORS) or _layer_like(obj)


def _built_shape(obj: dict[str, Any]) -> bool:
    """Whether a layer records the input shape Keras built it for (Keras builds it so before anything else)."""
    build = obj.get("build_config")
    return isinstance(build, dict) and _first_shape(build.get("input_shape")) is not None


class _ConfigHolder:
    """What twinnet.from_keras() reads of a model: its name and its config."""

    name = "imported"

    def __init__(self, config: dict[str, Any]):
        self._config = config

    def get_config(self) -> dict[str, Any]:
        return self._config


def check_imported(label: str, config: dict[str, Any]) -> bool:
    """For a model of allowlisted layers, the limits of a spec on its expansion (exact shapes and counts).

    Returns whether the model is one a spec can express.
    """
    if config["class_name"] not in MODEL_CLASSES:
        return False
    from .importer import from_keras

    try:
        from_keras(_ConfigHolder(config["config"]), name="imported", compile=False)
    except SpecError as e:
        if e.kind == "too_large":
            raise model_file_refusal(label, "spec_too_large", e.hint, message=e.message) from None
        return False
    except Exception:  # not a model a spec can express: the estimate stands
        return False
    return True


def check_cost(label: str, config: dict[str, Any]) -> None:
    """Refuse a config whose model would cost more than the limits, before Keras allocates any of it.

    The estimate walks every object of the config; a model of allowlisted layers is also expanded as
    a spec. Keras builds a layer first for the input shape its build_config records, and a layer
    without one for the shape that reaches it: a layer with weights that records none is refused
    unless the model is one a spec can express, whose shapes the expansion computes.
    """
    estimate = _Estimate(label)
    estimate.walk(config, [])
    imported = check_imported(label, config)
    if estimate.unshaped is not None and not imported:
        obj = estimate.unshaped
        raise model_file_refusal(label, "no_input_shape", name=_name(obj), cls=obj["class_name"])
