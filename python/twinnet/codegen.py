"""Code generation: a spec written out as the Keras code a student would write.

``to_code(spec, language)`` gives Python Keras (``"python"``), R in keras3 style (``"r"``) or
R on plain reticulate (``"r-reticulate"``). R's ``to_code()`` gives the same text, byte for
byte. Blocks become functions called once per use and repetition; every layer is named as
:func:`twinnet.expand` names it, so the code builds a model equal to :func:`twinnet.build_model`.
Only arguments that differ from Keras's defaults are written.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from .errors import SpecError
from .expand import canonical, expand_document
from .registry import layer_types, shared
from .spec import Spec, load_spec

__all__ = ["KERAS3_FUNCTIONS", "LANGUAGES", "to_code"]

LANGUAGES = ("python", "r", "r-reticulate")

# The keras3 (R) functions the generated "r" code calls, with the argument names it may pass,
# and the keras3 function of each layer type: one table for both packages, shared_specs/keras3.json.
_KERAS3 = shared("keras3.json")
KERAS3_FUNCTIONS: dict[str, list[str]] = _KERAS3["functions"]
# Every keras3 layer function also takes these through `...`.
KERAS3_LAYER_COMMON: list[str] = _KERAS3["layer_common"]
R_LAYER_FUNCTIONS: dict[str, str] = _KERAS3["layer_functions"]

OPTIMIZER_CLASSES = {
    "sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
    "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam", "ftrl": "Ftrl", "lion": "Lion",
}

# Arguments Keras requires although the registry gives them a default: always written.
KERAS_REQUIRED = {"AveragePooling1D": ["pool_size"], "AveragePooling2D": ["pool_size"]}

# Names a variable may not take, in either language (they get a trailing "_").
RESERVED = {
    "x", "inputs", "name", "model", "keras", "layers", "np",
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    "FALSE", "TRUE", "NULL", "NA", "NaN", "Inf", "function", "repeat", "next",
}
PARAM_RE = re.compile(r"^\$([A-Za-z][A-Za-z0-9_]*)$")


def snake(class_name: str) -> str:
    """GlorotUniform -> glorot_uniform."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def variable(name: str) -> str:
    return f"{name}_" if name in RESERVED else name


class _Writer:
    """Renders values and calls in one of the three languages."""

    def __init__(self, language: str):
        self.lang = language
        self.py = language == "python"
        self.k3 = language == "r"
        self.indent = "    " if self.py else "  "
        self.assign = " = " if self.py else " <- "

    # -- values ---------------------------------------------------------------
    def value(self, v: Any, params: bool = False) -> str:
        """A JSON value (or a "$param" reference, when params) as a literal of the language."""
        if params and isinstance(v, str) and PARAM_RE.match(v):
            return variable(v[1:])
        if v is None:
            return "None" if self.py else "NULL"
        if isinstance(v, bool):
            return ("True" if v else "False") if self.py else ("TRUE" if v else "FALSE")
        if isinstance(v, int):
            return f"{v}L" if self.lang == "r-reticulate" else str(v)
        if isinstance(v, float):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, dict):
            return self.initializer(v, params)
        items = [self.value(e, params) for e in v]
        if self.py:
            return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
        scalars = all(not isinstance(e, list | dict) for e in v)
        if self.k3 and scalars:
            return "c(" + ", ".join("NA" if e is None else self.value(e, params) for e in v) + ")"
        if not self.k3 and scalars and len(v) > 1 and all(isinstance(e, int) and not isinstance(e, bool) for e in v):
            return "c(" + ", ".join(items) + ")"
        return "list(" + ", ".join(items) + ")"

    def initializer(self, v: dict[str, Any], params: bool) -> str:
        args = [self.kwarg(k, self.value(a, params)) for k, a in v.get("config", {}).items()]
        cls = v["class_name"]
        fn = (f"keras.initializers.{cls}" if self.py else f"initializer_{snake(cls)}" if self.k3
              else f"keras$initializers${cls}")
        return f"{fn}({', '.join(args)})"

    def kwarg(self, key: str, text: str) -> str:
        return f"{key}={text}" if self.py else f"{key} = {text}"

    def name_expr(self, local: str, in_block: bool) -> str:
        if not in_block:
            return json.dumps(local)
        return f'f"{{name}}_{local}"' if self.py else f'paste0(name, "_{local}")'

    def vector(self, items: list[str]) -> str:
        """A list of expressions: [a, b] in Python, list(a, b) in R."""
        return "[" + ", ".join(items) + "]" if self.py else "list(" + ", ".join(items) + ")"

    # -- layers ---------------------------------------------------------------
    def layer_args(self, entry: dict[str, Any], in_block: bool, local: str) -> list[str]:
        info = layer_types()[entry["type"]]
        out = []
        for arg, spec in info["args"].items():
            if arg not in entry:
                if arg in KERAS_REQUIRED.get(entry["type"], []):
                    out.append(self.kwarg(arg, self.value(spec["default"])))
                continue
            v = entry[arg]
            required = arg in KERAS_REQUIRED.get(entry["type"], [])
            if not required and not (isinstance(v, str) and PARAM_RE.match(v)) and _is_default(entry, arg, spec, v):
                continue
            out.append(self.kwarg(arg, self.value(v, params=in_block)))
        out.append(self.kwarg("name", self.name_expr(local, in_block)))
        return out

    def layer_call(self, entry: dict[str, Any], args: list[str]) -> str:
        """The layer object (Python, reticulate) or the keras3 function name with its arguments."""
        t = entry["type"]
        if self.py:
            return f"layers.{t}({', '.join(args)})"
        if self.k3:
            return f"{R_LAYER_FUNCTIONS[t]}({', '.join(args)})"
        return f"keras$layers${t}({', '.join(args)})"

    def input_call(self, entry: dict[str, Any], local: str, in_block: bool) -> str:
        args = [self.kwarg("shape", self.value(entry["shape"]))]
        if entry.get("dtype", "float32") != "float32":
            args.append(self.kwarg("dtype", self.value(entry["dtype"])))
        args.append(self.kwarg("name", self.name_expr(local, in_block)))
        fn = "keras.Input" if self.py else "keras_input" if self.k3 else "keras$Input"
        return f"{fn}({', '.join(args)})"

    def apply(self, entry: dict[str, Any], args: list[str], inputs: list[str]) -> str:
        """A layer applied to its input variables (the functional API)."""
        arg = inputs[0] if len(inputs) == 1 else self.vector(inputs)
        if self.k3:
            if len(inputs) == 1:
                return f"{arg} |> {self.layer_call(entry, args)}"
            return f"{R_LAYER_FUNCTIONS[entry['type']]}({', '.join([arg, *args])})"
        return f"{self.layer_call(entry, args)}({arg})"


def _is_default(entry: dict[str, Any], arg: str, spec: dict[str, Any], value: Any) -> bool:
    """Whether a literal argument equals Keras's default (for strides: the pool size)."""
    t = entry["type"]
    default = spec.get("default")
    if "null_means" in spec:
        if value is None:
            return True
        other = entry.get(spec["null_means"], layer_types()[t]["args"][spec["null_means"]].get("default"))
        if isinstance(other, str):
            return False
        default = other
    if spec.get("required"):
        return False
    try:
        return bool(canonical(t, arg, spec, value, "") == canonical(t, arg, spec, default, ""))
    except SpecError:
        return False


class _Generator:
    def __init__(self, doc: dict[str, Any], graph: dict[str, Any], language: str):
        self.doc = doc
        self.graph = graph
        self.w = _Writer(language)
        self.blocks: dict[str, Any] = doc.get("blocks", {})
        self.sequential = _is_chain(graph)
        self.lines: list[str] = []

    # -- blocks -----------------------------------------------------------------
    def used_blocks(self) -> list[str]:
        seen: set[str] = set()

        def visit(entries: list[dict[str, Any]]) -> None:
            for e in entries:
                if "block" in e and e["block"] not in seen:
                    seen.add(e["block"])
                    visit(self.blocks[e["block"]]["layers"])

        visit(self.doc["layers"])
        return [b for b in self.blocks if b in seen]

    def signature(self, block: str) -> list[str]:
        params = self.blocks[block].get("params", {})
        required = [variable(k) for k, v in params.items() if v is None]
        optional = [self.w.kwarg(variable(k), self.w.value(v)) for k, v in params.items() if v is not None]
        return [*required, *optional]

    def block_call_args(self, entry: dict[str, Any], name: str, in_block: bool) -> list[str]:
        order = list(self.blocks[entry["block"]].get("params", {}))
        args = entry.get("args", {})
        return [name] + [self.w.kwarg(variable(k), self.w.value(args[k], params=in_block)) for k in order if k in args]

    def use_names(self, entry: dict[str, Any], local: str, in_block: bool) -> list[tuple[str, str]]:
        """(local name, name expression) of each repetition of a block use."""
        repeat = int(entry.get("repeat", 1))
        reps = [local] if repeat == 1 else [f"{local}_{r}" for r in range(1, repeat + 1)]
        return [(rep, self.w.name_expr(rep, in_block)) for rep in reps]

    def write_block(self, block: str) -> None:
        w, ind = self.w, self.w.indent
        info = self.blocks[block]
        if "description" in info:
            self.lines.append(f"# {info['description']}")
        sig = self.signature(block)
        if self.sequential:
            self.write_sequential_block(block, sig)
        else:
            refs = _explicit_refs(info["layers"])
            first = "inputs" if "@input" in refs else "x"
            head = ", ".join([first, "name", *sig])
            self.lines.append(f"def {block}({head}):" if w.py else f"{block} <- function({head}) {{")
            body, last = self.functional_body(info["layers"], first, refs, in_block=True)
            self.lines += [ind + line for line in body]
            self.lines.append(f"{ind}return {last}" if w.py else f"{ind}{last}")
            if not w.py:
                self.lines.append("}")
        self.lines.append("")

    def write_sequential_block(self, block: str, sig: list[str]) -> None:
        w, ind = self.w, self.w.indent
        items = self.sequential_items(self.blocks[block]["layers"], in_block=True)
        if w.py:
            self.lines.append(f"def {block}({', '.join(['name', *sig])}):")
            self.lines.append(f"{ind}return [")
            self.lines += [f"{ind}{ind}{item}," for item in items]
            self.lines.append(f"{ind}]")
            return
        self.lines.append(f"{block} <- function({', '.join(['model', 'name', *sig])}) {{")
        if w.k3:
            self.lines.append(f"{ind}model |>")
            self.lines += [f"{ind}{ind}{item}" + (" |>" if i < len(items) - 1 else "") for i, item in enumerate(items)]
        else:
            self.lines += [f"{ind}{item}" for item in items]
            self.lines.append(f"{ind}invisible(model)")
        self.lines.append("}")

    # -- sequential ---------------------------------------------------------------
    def sequential_items(self, entries: list[dict[str, Any]], in_block: bool) -> list[str]:
        """One item per layer or block call: list elements (Python), pipe stages (keras3), model$add (reticulate)."""
        w = self.w
        counters: dict[str, int] = {}
        items = []
        for entry in entries:
            if "block" in entry:
                local = entry.get("name") or _auto(counters, entry["block"])
                for _rep, expr in self.use_names(entry, local, in_block):
                    args = self.block_call_args(entry, expr, in_block)
                    if w.py:
                        items.append(f"*{entry['block']}({', '.join(args)})")
                    elif w.k3:
                        items.append(f"{entry['block']}({', '.join(args)})")
                    else:
                        items.append(f"{entry['block']}({', '.join(['model', *args])})")
                continue
            local = entry.get("name") or _auto(counters, layer_types()[entry["type"]]["auto_name"])
            if entry["type"] == "Input":
                continue
            call = w.layer_call(entry, w.layer_args(entry, in_block, local))
            items.append(f"model$add({call})" if w.lang == "r-reticulate" else call)
        return items

    def write_sequential(self) -> None:
        w, ind = self.w, self.w.indent
        first = self.doc["layers"][0]
        local = first.get("name") or "input_1"
        items = self.sequential_items(self.doc["layers"], in_block=False)
        name = json.dumps(self.doc["name"])
        if w.py:
            self.lines.append("model = keras.Sequential([")
            self.lines.append(f"{ind}{w.input_call(first, local, False)},")
            self.lines += [f"{ind}{item}," for item in items]
            self.lines.append(f"], name={name})")
        elif w.k3:
            args = [w.kwarg("input_shape", w.value(first["shape"]))]
            if first.get("dtype", "float32") != "float32":
                args.append(w.kwarg("input_dtype", w.value(first["dtype"])))
            args += [w.kwarg("input_name", json.dumps(local)), w.kwarg("name", name)]
            self.lines.append(f"model <- keras_model_sequential({', '.join(args)}) |>")
            self.lines += [f"{ind}{item}" + (" |>" if i < len(items) - 1 else "") for i, item in enumerate(items)]
        else:
            self.lines.append(f"model <- keras$Sequential(name = {name})")
            self.lines.append(f"model$add({w.input_call(first, local, False)})")
            self.lines += items

    # -- functional -----------------------------------------------------------------
    def functional_body(self, entries: list[dict[str, Any]], first: str | None, refs: set[str],
                        in_block: bool) -> tuple[list[str], str]:
        """The statements of a layer list, and the variable that holds its last output."""
        w = self.w
        counters: dict[str, int] = {}
        var_of: dict[str, str] = {}
        if first is not None:
            var_of["@input"] = first
        prev = first
        lines = []

        def inputs_of(entry: dict[str, Any]) -> list[str]:
            if "inputs" in entry:
                return [var_of[r] for r in entry["inputs"]]
            assert prev is not None
            return [prev]

        for entry in entries:
            if "block" in entry:
                local = entry.get("name") or _auto(counters, entry["block"])
                src = inputs_of(entry)[0]
                reps = self.use_names(entry, local, in_block)
                for i, (rep, expr) in enumerate(reps):
                    last = i == len(reps) - 1
                    out = variable(rep) if rep in refs else variable(local) if last and local in refs else "x"
                    args = [src, *self.block_call_args(entry, expr, in_block)]
                    lines.append(f"{out}{w.assign}{entry['block']}({', '.join(args)})")
                    var_of[rep] = out
                    src = out
                var_of[local] = src
                prev = src
                continue
            local = entry.get("name") or _auto(counters, layer_types()[entry["type"]]["auto_name"])
            if entry["type"] == "Input":
                out = variable(local)
                lines.append(f"{out}{w.assign}{w.input_call(entry, local, in_block)}")
            else:
                out = variable(local) if local in refs else "x"
                lines.append(f"{out}{w.assign}{w.apply(entry, w.layer_args(entry, in_block, local), inputs_of(entry))}")
            var_of[local] = out
            prev = out
        self.var_of = var_of
        assert prev is not None
        return lines, prev

    def write_functional(self) -> None:
        w = self.w
        refs = _explicit_refs(self.doc["layers"]) | set(self.doc.get("outputs", []))
        body, last = self.functional_body(self.doc["layers"], None, refs, in_block=False)
        self.lines += body
        ins = [self.var_of[n] for n in self.graph["inputs"]]  # top-level Inputs keep their names
        outs = [self.var_of[o] for o in self.doc["outputs"]] if "outputs" in self.doc else [last]
        args = [w.kwarg("inputs", ins[0] if len(ins) == 1 else w.vector(ins)),
                w.kwarg("outputs", outs[0] if len(outs) == 1 else w.vector(outs)),
                w.kwarg("name", json.dumps(self.doc["name"]))]
        fn = "keras.Model" if w.py else "keras_model" if w.k3 else "keras$Model"
        self.lines.append(f"model{w.assign}{fn}({', '.join(args)})")
        for layer in self.graph["layers"]:
            if "weights" in layer:
                self.lines.append(self.weights_line(layer["name"], layer["weights"]))

    def weights_line(self, name: str, weights: list[Any]) -> str:
        w = self.w
        arrays = []
        for arr in weights:
            shape, flat = _shape_and_values(arr)
            values = ", ".join(str(v) if isinstance(v, int) else repr(v) for v in flat)
            if w.py:
                text = f'np.array([{values}], dtype="float32")'
                arrays.append(text if len(shape) == 1 else f"{text}.reshape{tuple(shape)}")
            elif len(shape) == 1:
                arrays.append(f"array(c({values}))")
            else:
                fn = "array_reshape" if w.k3 else "reticulate::array_reshape"
                arrays.append(f"{fn}(c({values}), c({', '.join(str(s) for s in shape)}))")
        target = json.dumps(name)
        if w.py:
            return f"model.get_layer({target}).set_weights({w.vector(arrays)})"
        if w.k3:
            return f"set_weights(get_layer(model, {target}), {w.vector(arrays)})"
        return f"model$get_layer({target})$set_weights({w.vector(arrays)})"

    # -- the whole program ---------------------------------------------------------
    def compile_line(self) -> str | None:
        settings = self.doc.get("compile")
        if settings is None:
            return None
        w = self.w
        opt = settings["optimizer"]
        if "learning_rate" in settings:
            lr = w.kwarg("learning_rate", w.value(float(settings["learning_rate"])))
            opt_text = (f"keras.optimizers.{OPTIMIZER_CLASSES[opt]}({lr})" if w.py else f"optimizer_{opt}({lr})"
                        if w.k3 else f"keras$optimizers${OPTIMIZER_CLASSES[opt]}({lr})")
        else:
            opt_text = json.dumps(opt)
        args = [w.kwarg("optimizer", opt_text), w.kwarg("loss", json.dumps(settings["loss"]))]
        metrics = [json.dumps(m) for m in settings.get("metrics", [])]
        if metrics:
            several = "c(" + ", ".join(metrics) + ")"
            text = (metrics[0] if len(metrics) == 1 else several) if w.k3 else w.vector(metrics)
            args.append(w.kwarg("metrics", text))
        if w.py:
            return f"model.compile({', '.join(args)})"
        if w.k3:
            return f"model |> compile({', '.join(args)})"
        return f"model$compile({', '.join(args)})"

    def program(self) -> str:
        w = self.w
        title = self.doc.get("title", self.doc["name"])
        self.lines.append(f"# {title}: the twinnet spec '{self.doc['name']}' as {_LANGUAGE_WORDS[w.lang]}")
        weights = any("weights" in layer for layer in self.graph["layers"])
        if w.py:
            self.lines += ["import keras", "from keras import layers"]
            if weights:
                self.lines.append("import numpy as np")
        elif w.k3:
            self.lines.append("library(keras3)")
        else:
            self.lines.append('keras <- reticulate::import("keras")')
        self.lines.append("")
        for block in self.used_blocks():
            self.write_block(block)
        if self.sequential:
            self.write_sequential()
        else:
            self.write_functional()
        line = self.compile_line()
        if line is not None:
            self.lines.append(line)
        return "\n".join(self.lines) + "\n"


_LANGUAGE_WORDS = {"python": "Python Keras code", "r": "R code (keras3)", "r-reticulate": "R code (reticulate)"}


def _auto(counters: dict[str, int], base: str) -> str:
    counters[base] = counters.get(base, 0) + 1
    return f"{base}_{counters[base]}"


def _explicit_refs(entries: list[dict[str, Any]]) -> set[str]:
    return {r for e in entries for r in e.get("inputs", [])}


def _shape_and_values(arr: Any) -> tuple[list[int], list[Any]]:
    if not isinstance(arr, list):
        return [], [arr]
    shape = [len(arr)]
    flat: list[Any] = []
    inner: list[int] = []
    for e in arr:
        inner, values = _shape_and_values(e)
        flat += values
    return shape + inner, flat


def _is_chain(graph: dict[str, Any]) -> bool:
    """One input, one output, each layer taking the one before it, and no fixed weights."""
    layers = graph["layers"]
    if len(graph["inputs"]) != 1 or len(graph["outputs"]) != 1 or layers[0]["type"] != "Input":
        return False
    if graph["outputs"][0] != layers[-1]["name"]:
        return False
    for before, layer in itertools.pairwise(layers):
        if layer["inputs"] != [before["name"]] or "weights" in layer:
            return False
    return True


def to_code(spec: Any, language: str = "python") -> str:
    """The Keras code that builds a spec's model, as a student would write it.

    Args:
        spec: anything :func:`twinnet.load_spec` accepts.
        language: ``"python"`` (Keras: ``keras.Sequential`` for a chain, the functional API
            otherwise), ``"r"`` (R in keras3 style) or ``"r-reticulate"`` (R on reticulate
            alone, for where keras3 is not installed).

    Returns:
        The program as text; it assigns the model to ``model``. R's ``to_code()`` gives the
        same text for the same spec.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(repr(v) for v in LANGUAGES)}, not {language!r}")
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    graph = expand_document(spec.data)
    return _Generator(spec.data, graph, language).program()
