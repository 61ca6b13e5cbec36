"""Code generation: a spec written out as the Keras code a student would write.

``to_code(spec, language)`` gives Python Keras (``"python"``), R in keras3 style (``"r"``) or
R on plain reticulate (``"r-reticulate"``). R's ``to_code()`` gives the same text, byte for
byte. Blocks become functions called once per use and repetition. The code keeps what the author
wrote and leaves out what the expansion generated: a layer gets a ``name`` when the spec names it
(inside a block: the block use's name, "_" and the layer's; a block function takes the use's name
only when some layer in it is named; :func:`written_name`), and keeps every argument the spec
writes, even one equal to Keras's default (and those Keras requires). A name the author left out is
Keras's own to choose; the wrapped layer of a ``Bidirectional`` or ``TimeDistributed`` gets none,
and an unnamed layer with fixed weights is held in a variable (``dense_1_layer``) whose weights the
code sets. Layers, configs, shapes and parameters are those of :func:`twinnet.build_model`, up to
the names the spec does not give.

The spec is data, never code: every string of it reaches the program through :func:`quote` (a
string literal) or :func:`comment` (comment lines), every name of it that becomes an identifier
through :class:`Identifiers` (renamed away from reserved words and clashes), every number through
:func:`number_text`, and only values that the expansion has checked against the JSON Schema are
written (a block parameter that stands for no layer argument is left out).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from .advice import entry_at
from .errors import SpecError
from .expand import canonical, param_name, param_uses, spec_graph
from .registry import layer_types, registry, shared, spec_pattern
from .spec import Spec, load_spec

__all__ = ["KERAS3_FUNCTIONS", "LANGUAGES", "comment", "number_text", "quote", "to_code", "written_name"]


# The keras3 (R) functions the generated "r" code calls, with the argument names it may pass,
# and the keras3 function of each layer type: one table for both packages, shared_specs/keras3.json.
_KERAS3 = shared("keras3.json")
KERAS3_FUNCTIONS: dict[str, list[str]] = _KERAS3["functions"]
# Every keras3 layer function also takes these through `...`.
KERAS3_LAYER_COMMON: list[str] = _KERAS3["layer_common"]
R_LAYER_FUNCTIONS: dict[str, str] = _KERAS3["layer_functions"]
# The keras3 function of each Keras optimizer, schedule, regularizer and callback class the "r" code writes.
R_CLASS_FUNCTIONS: dict[str, str] = _KERAS3["class_functions"]

# The tables of code generation, shared with R: shared_specs/codegen.json.
_CODEGEN = shared("codegen.json")
OPTIMIZER_CLASSES: dict[str, str] = _CODEGEN["optimizer_classes"]
# Arguments Keras requires although the registry gives them a default: always written.
KERAS_REQUIRED: dict[str, list[str]] = _CODEGEN["keras_required"]
# Names no identifier of the generated code may take, in any of the three languages.
RESERVED: frozenset[str] = frozenset(
    [*_CODEGEN["python_keywords"], *_CODEGEN["python_builtins"], *_CODEGEN["r_reserved"],
     *_CODEGEN["r_functions"], *_CODEGEN["generated_names"], *KERAS3_FUNCTIONS, *R_LAYER_FUNCTIONS.values()])
INTEGER_KINDS = frozenset(_CODEGEN["integer_kinds"])
INTEGER_SETTINGS = frozenset(_CODEGEN["integer_settings"])
_COMMENT_ESCAPES: list[tuple[int, int]] = [(low, high) for low, high in _CODEGEN["comment_escapes"]]

IDENTIFIER_RE = spec_pattern("name")  # a spec name as is (no final newline)
# What the first comment calls each language; its keys are the languages, in order.
_LANGUAGE_WORDS: dict[str, str] = _CODEGEN["language_words"]
LANGUAGES = tuple(_LANGUAGE_WORDS)
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
R_INTEGER_MAX = 2**31 - 1  # R's integers are 32-bit, and -2^31 is NA_integer_


# -- the one way each kind of spec value reaches the code -------------------------------------------
def quote(text: str) -> str:
    """A string literal that Python and R both read as ``text``.

    Backslash, double quote, newline, carriage return and tab are escaped as ``\\\\``, ``\\"``,
    ``\\n``, ``\\r``, ``\\t``; any other character outside printable ASCII as ``\\uXXXX`` (or
    ``\\UXXXXXXXX`` above U+FFFF). The literal is plain ASCII on one line.
    """
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def comment(text: str) -> list[str]:
    """Comment lines that show ``text``: one per line of it, each starting with "#".

    Lines break at CR LF, CR and LF; within a line, control characters, line and paragraph
    separators and invisible formatting characters are shown as ``\\uXXXX``
    (``comment_escapes`` in shared_specs/codegen.json), so a comment never ends early.
    """
    lines = []
    for line in LINE_BREAK_RE.split(text):
        shown = "".join(f"\\u{ord(ch):04x}" if _comment_escaped(ord(ch)) else ch for ch in line)
        lines.append(f"# {shown}" if shown else "#")
    return lines


def _comment_escaped(code: int) -> bool:
    return any(low <= code <= high for low, high in _COMMENT_ESCAPES)


def number_text(value: int | float, kind: str = "number") -> str:
    """A JSON number as code, the same text in Python and R (shared_specs/codegen.json, ``numbers``).

    ``kind`` is ``"integer"`` (an integer, in full), ``"float"`` (``repr(float)``: the shortest
    digits that read back as the same double) or ``"number"`` (an integer when the JSON has one
    of magnitude up to 2^31 - 1, R's integers; else ``repr(float)``).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    if kind == "integer":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} is not an integer")
        return str(int(value))
    if _is_integer_text(value, kind):
        return str(value)
    return repr(float(value))


def _is_integer_text(value: Any, kind: str) -> bool:
    """Whether number_text() writes value as an integer."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == "integer" or (kind == "number" and isinstance(value, int) and abs(value) <= R_INTEGER_MAX)


class Identifiers:
    """The identifiers of one scope of the generated code, one per name of the spec.

    A name keeps its spelling when it is a plain identifier (ASCII letters, digits and "_",
    starting with a letter), not reserved in any of the three languages and not taken in the
    scope; otherwise other characters become "_" and "_" is appended until it is free. Names are
    given identifiers in the order they are first asked for, which R follows too.
    """

    def __init__(self, taken: Iterable[str] = ()):
        self.taken = set(taken)
        self.of: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name in self.of:
            return self.of[name]
        ident = name if IDENTIFIER_RE.match(name) else re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not re.match(r"[A-Za-z]", ident):
            ident = "v" + ident
        while ident in RESERVED or ident in self.taken:
            ident += "_"
        self.taken.add(ident)
        self.of[name] = ident
        return ident


def _number_kind(kinds: Iterable[str]) -> str:
    """How to write the numbers of a value that stands for arguments of these kinds."""
    return "integer" if set(kinds) & INTEGER_KINDS else "number"


def _setting_kind(key: str, value: Any) -> str:
    """How to write an initializer setting: a seed (integer_settings) is an integer when it is integral."""
    integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return "integer" if key in INTEGER_SETTINGS and integral and not isinstance(value, bool) else "number"


def _arg_number_kind(layer_type: str, arg: str) -> str:
    return _number_kind([layer_types()[layer_type]["args"][arg]["kind"]])


class _Writer:
    """Renders values and calls in one of the three languages."""

    def __init__(self, language: str):
        self.lang = language
        self.py = language == "python"
        self.k3 = language == "r"
        self.indent = "    " if self.py else "  "
        self.assign = " = " if self.py else " <- "

    # -- values ---------------------------------------------------------------
    def number(self, v: int | float, kind: str) -> str:
        text = number_text(v, kind)
        if self.lang == "r-reticulate" and _is_integer_text(v, kind) and abs(int(text)) <= R_INTEGER_MAX:
            return text + "L"
        return text

    def value(self, v: Any, kind: str = "number", params: dict[str, str] | None = None) -> str:
        """A checked JSON value as a literal of the language; with params, "$name" is that parameter's identifier."""
        if params is not None:
            key = param_name(v)
            if key is not None:
                return params[key]
        if v is None:
            return "None" if self.py else "NULL"
        if isinstance(v, bool):
            return ("True" if v else "False") if self.py else ("TRUE" if v else "FALSE")
        if isinstance(v, int | float):
            return self.number(v, kind)
        if isinstance(v, str):
            return quote(v)
        if isinstance(v, dict):
            return self.initializer(v) if "class_name" in v else self.regularizer(v)
        if not isinstance(v, list):
            raise TypeError(f"not a JSON value: {type(v).__name__}")
        items = [self.value(e, kind, params) for e in v]
        if self.py:
            return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
        scalars = all(not isinstance(e, list | dict) for e in v)
        if self.k3 and scalars:
            return "c(" + ", ".join("NA" if e is None else item for e, item in zip(v, items, strict=True)) + ")"
        if not self.k3 and scalars and len(v) > 1 and all(_is_integer_text(e, kind) for e in v):
            return "c(" + ", ".join(items) + ")"
        return "list(" + ", ".join(items) + ")"

    def initializer(self, v: dict[str, Any]) -> str:
        """An initializer object: a class of the registry and its settings (numbers or null)."""
        classes = registry()["initializer_classes"]
        cls = v.get("class_name")
        if not isinstance(cls, str) or cls not in classes:
            raise ValueError(f"to_code writes only initializers the schema allows, not {cls!r}")
        config = v.get("config", {})
        if not isinstance(config, dict) or any(k not in classes[cls]["args"] for k in config):
            raise ValueError(f"to_code writes only the settings of {cls} that the schema allows")
        args = [self.kwarg(k, self.value(a, _setting_kind(k, a))) for k, a in config.items()]
        if self.py:
            fn = f"keras.initializers.{cls}"
        elif self.k3:
            fn = f"initializer_{snake(cls)}"
            if fn not in KERAS3_FUNCTIONS:
                raise ValueError(f"{fn} is not in the keras3 table")
        else:
            fn = f"keras$initializers${cls}"
        return f"{fn}({', '.join(args)})"

    def regularizer(self, v: dict[str, Any]) -> str:
        """A regularizer: {"l1": a} is Keras's L1, {"l2": b} L2, both L1L2; the factors written as floats."""
        if not v or any(k not in ("l1", "l2") for k in v):
            raise ValueError("to_code writes only the regularizers the schema allows")
        cls = "L1L2" if len(v) == 2 else "L1" if "l1" in v else "L2"
        return self.keras_call("regularizers", cls, [self.kwarg(k, self.value(v[k], "float")) for k in ("l1", "l2")
                                                     if k in v])

    def keras_call(self, module: str, cls: str, args: list[str]) -> str:
        """A call of Keras's class ``cls`` of ``module`` ("optimizers", "callbacks", ...); keras3's function in "r"."""
        if self.py:
            return f"keras.{module}.{cls}({', '.join(args)})"
        if self.k3:
            fn = R_CLASS_FUNCTIONS[cls]
            if fn not in KERAS3_FUNCTIONS:
                raise ValueError(f"{fn} is not in the keras3 table")
            return f"{fn}({', '.join(args)})"
        return f"keras${module.replace('.', '$')}${cls}({', '.join(args)})"

    def setting(self, arg: dict[str, Any], v: Any) -> str:
        """A compile or fit setting of the registry's kind ``arg["kind"]``: lists as lists, numbers by their kind."""
        kind = arg["kind"]
        if kind in ("steps", "rates"):
            return self.vector([self.value(e, "integer" if kind == "steps" else "float") for e in v])
        return self.value(v, "integer" if kind == "int" else "float")

    def schedule(self, v: dict[str, Any]) -> str:
        """A learning-rate schedule: its class with the arguments the spec gives (in Keras's order)."""
        args = registry()["compile"]["schedules"][v["schedule"]]
        return self.keras_call("optimizers.schedules", v["schedule"],
                               [self.kwarg(k, self.setting(a, v[k])) for k, a in args.items()
                                if v.get(k) is not None])

    def callback(self, v: dict[str, Any]) -> str:
        """A callback: its class with the arguments the spec gives (in Keras's order).

        keras3's callback_early_stopping() makes min_delta an integer, so a min_delta that is not a whole
        number is written in "r" as Keras's class (keras$callbacks$EarlyStopping(), as on reticulate).
        """
        args = registry()["fit"]["callbacks"][v["callback"]]
        w = self
        delta = v.get("min_delta")
        if self.k3 and v["callback"] == "EarlyStopping" and isinstance(delta, int | float) \
                and not float(delta).is_integer():
            w = _Writer("r-reticulate")
        return w.keras_call("callbacks", v["callback"], [w.kwarg(k, w.setting(a, v[k])) for k, a in args.items()
                                                          if v.get(k) is not None])

    def kwarg(self, key: str, text: str) -> str:
        if not IDENTIFIER_RE.match(key):
            raise ValueError(f"{key!r} is not an argument name")
        return f"{key}={text}" if self.py else f"{key} = {text}"

    def name_expr(self, local: str, in_block: bool) -> str:
        """A layer's name: the string, or inside a block the block use's name and "_" and the string."""
        if not in_block:
            return quote(local)
        return f"name + {quote('_' + local)}" if self.py else f"paste0(name, {quote('_' + local)})"

    def vector(self, items: list[str]) -> str:
        """A list of expressions: [a, b] in Python, list(a, b) in R."""
        return "[" + ", ".join(items) + "]" if self.py else "list(" + ", ".join(items) + ")"

    # -- layers ---------------------------------------------------------------
    def layer_args(self, entry: dict[str, Any], local: str, params: dict[str, str] | None,
                   wrapped: bool = False) -> list[str]:
        """The keyword arguments of a layer: those the spec writes (and those Keras requires), then its name when
        the spec gives one (written_name()); params: the block's parameter identifiers, None outside blocks.
        A wrapped layer (wrapped=True) gets no name: the expansion derives it from the wrapper's."""
        t = entry["type"]
        info = layer_types()[t]
        required = KERAS_REQUIRED.get(t, [])
        out = []
        for arg, spec in info["args"].items():
            if spec["kind"] == "layer":  # the wrapped layer
                inner = entry[arg]
                if entry.get("trainable") is False:  # a frozen wrapper's layer is frozen (as the expansion has it)
                    inner = {**inner, "trainable": False}
                out.append(self.kwarg(arg, self.layer_call(inner, self.layer_args(inner, local, params, True))))
                continue
            kind = _arg_number_kind(t, arg)
            if arg not in entry:
                if arg in required:
                    out.append(self.kwarg(arg, self.value(spec["default"], kind)))
                continue
            v = entry[arg]
            if param_name(v) is None:
                v = self.literal(spec["kind"], v)
            if spec["kind"] == "factor" and self.py and isinstance(v, list):  # a list, as build_model() passes it
                out.append(self.kwarg(arg, "[" + ", ".join(self.value(e, kind) for e in v) + "]"))
                continue
            out.append(self.kwarg(arg, self.value(v, kind, params)))
        if not wrapped and written_name(entry):
            out.append(self.kwarg("name", self.name_expr(local, params is not None)))
        return out

    def literal(self, kind: str, v: Any) -> Any:
        """An argument as the code passes it: a factor f as its range [-f, f] (the form Keras keeps for some
        layers and the expansion for all); in keras3's code an axis >= 0 counted from 1, as keras3 takes it."""
        if kind == "factor" and isinstance(v, int | float) and not isinstance(v, bool):
            return [0.0 - float(v), float(v)]
        if kind == "axis" and self.k3 and isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            return v + 1
        return v

    def layer_call(self, entry: dict[str, Any], args: list[str]) -> str:
        """The layer object (Python, reticulate) or the keras3 function name with its arguments."""
        t = entry["type"]
        if t not in layer_types():
            raise ValueError(f"{t!r} is not a layer type of the registry")
        if self.py:
            return f"layers.{t}({', '.join(args)})"
        if self.k3:
            return f"{R_LAYER_FUNCTIONS[t]}({', '.join(args)})"
        return f"keras$layers${t}({', '.join(args)})"

    def input_call(self, entry: dict[str, Any], local: str, in_block: bool) -> str:
        args = [self.kwarg("shape", self.value(entry["shape"], "integer"))]
        if entry.get("dtype", "float32") != "float32":
            args.append(self.kwarg("dtype", self.value(entry["dtype"])))
        if written_name(entry):
            args.append(self.kwarg("name", self.name_expr(local, in_block)))
        fn = "keras.Input" if self.py else "keras_input" if self.k3 else "keras$Input"
        return f"{fn}({', '.join(args)})"

    def apply_variable(self, layer: str, inputs: list[str]) -> str:
        """The layer held in a variable applied to its input variables."""
        arg = inputs[0] if len(inputs) == 1 else self.vector(inputs)
        if self.k3 and len(inputs) == 1:
            return f"{arg} |> {layer}()"
        return f"{layer}({arg})"

    def apply(self, entry: dict[str, Any], args: list[str], inputs: list[str]) -> str:
        """A layer applied to its input variables (the functional API)."""
        arg = inputs[0] if len(inputs) == 1 else self.vector(inputs)
        if self.k3:
            if len(inputs) == 1:
                return f"{arg} |> {self.layer_call(entry, args)}"
            return f"{R_LAYER_FUNCTIONS[entry['type']]}({', '.join([arg, *args])})"
        return f"{self.layer_call(entry, args)}({arg})"


def snake(class_name: str) -> str:
    """GlorotUniform -> glorot_uniform."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


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


def written_name(entry: dict[str, Any]) -> bool:
    """Whether the code names a layer entry: when the spec names it. Other names are the expansion's, left to
    Keras (a layer with fixed weights and no name is held in a variable, whose set_weights() the code calls)."""
    return "name" in entry


class _Generator:
    def __init__(self, doc: dict[str, Any], graph: dict[str, Any], language: str):
        self.doc = doc
        self.graph = graph
        self.w = _Writer(language)
        self.blocks: dict[str, Any] = doc.get("blocks", {})
        self.sequential = _is_chain(graph)
        self.lines: list[str] = []
        self.uses: dict[str, dict[str, list[tuple[str, str]]]] = {}
        # identifiers: block functions first, then each block's parameters (those that stand for a
        # layer argument), in the order the blocks are written
        self.block_ids = Identifiers()
        self.param_ids: dict[str, dict[str, str]] = {}
        self.param_kinds: dict[str, dict[str, str]] = {}
        self.named: dict[str, bool] = {}
        for block in self.used_blocks():
            self.block_ids(block)
        for block in self.used_blocks():
            ids = Identifiers(self.block_ids.taken)
            uses = param_uses(self.blocks, block, self.uses)
            self.param_ids[block] = {k: ids(k) for k in self.blocks[block].get("params", {}) if uses[k]}
            self.param_kinds[block] = {k: _number_kind(layer_types()[t]["args"][a]["kind"] for t, a in uses[k])
                                       for k in self.param_ids[block]}

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

    def takes_name(self, block: str) -> bool:
        """Whether a block's function takes the use's name: when a layer in it, or in a block it uses, is named."""
        if block not in self.named:
            self.named[block] = any(self.takes_name(e["block"]) if "block" in e else written_name(e)
                                    for e in self.blocks[block]["layers"])
        return self.named[block]

    def signature(self, block: str) -> list[str]:
        """The block function's parameters: the required ones, then those with a default."""
        params = self.blocks[block].get("params", {})
        ids, kinds = self.param_ids[block], self.param_kinds[block]
        required = [ids[k] for k in ids if params[k] is None]
        optional = [self.w.kwarg(ids[k], self.w.value(params[k], kinds[k])) for k in ids if params[k] is not None]
        return [*required, *optional]

    def block_call(self, entry: dict[str, Any], name: str, params: dict[str, str] | None,
                   first: list[str]) -> str:
        """A call of a block's function: first (its input or model), the name, then the arguments given."""
        block = entry["block"]
        ids, kinds = self.param_ids[block], self.param_kinds[block]
        args = entry.get("args", {})
        given = [self.w.kwarg(ids[k], self.w.value(args[k], kinds[k], params)) for k in ids if k in args]
        named = [name] if self.takes_name(block) else []
        return f"{self.block_ids(block)}({', '.join([*first, *named, *given])})"

    def use_names(self, entry: dict[str, Any], local: str, in_block: bool) -> list[tuple[str, str]]:
        """(local name, name expression) of each repetition of a block use."""
        repeat = int(entry.get("repeat", 1))
        reps = [local] if repeat == 1 else [f"{local}_{r}" for r in range(1, repeat + 1)]
        return [(rep, self.w.name_expr(rep, in_block)) for rep in reps]

    def name_param(self, block: str) -> list[str]:
        return ["name"] if self.takes_name(block) else []

    def write_block(self, block: str) -> None:
        w, ind = self.w, self.w.indent
        info = self.blocks[block]
        if "description" in info:
            self.lines += comment(info["description"])
        sig = self.signature(block)
        fn = self.block_ids(block)
        if self.sequential:
            self.write_sequential_block(block, fn, sig)
        else:
            refs = _explicit_refs(info["layers"])
            first = "inputs" if "@input" in refs else "x"
            head = ", ".join([first, *self.name_param(block), *sig])
            self.lines.append(f"def {fn}({head}):" if w.py else f"{fn} <- function({head}) {{")
            local_ids = Identifiers(self.block_ids.taken | set(self.param_ids[block].values()))
            body, last = self.functional_body(info["layers"], first, refs, self.param_ids[block], local_ids)
            self.lines += [ind + line for line in body]
            self.lines.append(f"{ind}return {last}" if w.py else f"{ind}{last}")
            if not w.py:
                self.lines.append("}")
        self.lines.append("")

    def write_sequential_block(self, block: str, fn: str, sig: list[str]) -> None:
        w, ind = self.w, self.w.indent
        items = self.sequential_items(self.blocks[block]["layers"], self.param_ids[block])
        if w.py:
            self.lines.append(f"def {fn}({', '.join([*self.name_param(block), *sig])}):")
            self.lines.append(f"{ind}return [")
            self.lines += [f"{ind}{ind}{item}," for item in items]
            self.lines.append(f"{ind}]")
            return
        self.lines.append(f"{fn} <- function({', '.join(['model', *self.name_param(block), *sig])}) {{")
        if w.k3:
            self.lines += _pipe([f"{ind}model", *(f"{ind}{ind}{item}" for item in items)])
        else:
            self.lines += [f"{ind}{item}" for item in items]
            self.lines.append(f"{ind}invisible(model)")
        self.lines.append("}")

    # -- sequential ---------------------------------------------------------------
    def sequential_items(self, entries: list[dict[str, Any]], params: dict[str, str] | None) -> list[str]:
        """One item per layer or block call: list elements (Python), pipe stages (keras3), model$add (reticulate)."""
        w = self.w
        counters: dict[str, int] = {}
        items = []
        for entry in entries:
            if "block" in entry:
                local = entry.get("name") or _auto(counters, entry["block"])
                for _rep, expr in self.use_names(entry, local, params is not None):
                    if w.py:
                        items.append("*" + self.block_call(entry, expr, params, []))
                    elif w.k3:
                        items.append(self.block_call(entry, expr, params, []))
                    else:
                        items.append(self.block_call(entry, expr, params, ["model"]))
                continue
            local = entry.get("name") or _auto(counters, layer_types()[entry["type"]]["auto_name"])
            if entry["type"] == "Input":
                continue
            call = w.layer_call(entry, w.layer_args(entry, local, params))
            items.append(f"model$add({call})" if w.lang == "r-reticulate" else call)
        return items

    def write_sequential(self) -> None:
        w, ind = self.w, self.w.indent
        first = self.doc["layers"][0]
        local = first.get("name") or "input_1"
        items = self.sequential_items(self.doc["layers"], None)
        name = quote(self.doc["name"])
        if w.py:
            self.lines.append("model = keras.Sequential([")
            self.lines.append(f"{ind}{w.input_call(first, local, False)},")
            self.lines += [f"{ind}{item}," for item in items]
            self.lines.append(f"], name={name})")
        elif w.k3:
            args = [w.kwarg("input_shape", w.value(first["shape"], "integer"))]
            if first.get("dtype", "float32") != "float32":
                args.append(w.kwarg("input_dtype", w.value(first["dtype"])))
            if written_name(first):
                args.append(w.kwarg("input_name", quote(local)))
            args.append(w.kwarg("name", name))
            self.lines += _pipe([f"model <- keras_model_sequential({', '.join(args)})",
                                 *(f"{ind}{item}" for item in items)])
        else:
            self.lines.append(f"model <- keras$Sequential(name = {name})")
            self.lines.append(f"model$add({w.input_call(first, local, False)})")
            self.lines += items

    # -- functional -----------------------------------------------------------------
    def functional_body(self, entries: list[dict[str, Any]], first: str | None, refs: set[str],
                        params: dict[str, str] | None, ids: Identifiers) -> tuple[list[str], str]:
        """The statements of a layer list, and the variable that holds its last output.

        ``ids`` gives the variables of the names that are referred to (``refs``) and of the Inputs;
        every other output goes to ``x``.
        """
        w = self.w
        in_block = params is not None
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
                    out = ids(rep) if rep in refs else ids(local) if last and local in refs else "x"
                    lines.append(f"{out}{w.assign}{self.block_call(entry, expr, params, [src])}")
                    var_of[rep] = out
                    src = out
                var_of[local] = src
                prev = src
                continue
            local = entry.get("name") or _auto(counters, layer_types()[entry["type"]]["auto_name"])
            if entry["type"] == "Input":
                out = ids(local)
                lines.append(f"{out}{w.assign}{w.input_call(entry, local, in_block)}")
            else:
                args = w.layer_args(entry, local, params)
                out = ids(local) if local in refs else "x"
                if "weights" in entry and not written_name(entry):  # set through a variable, as Keras names it
                    layer = ids(local + "\x01layer")  # "dense_1_layer": no name of the spec has this key
                    lines.append(f"{layer}{w.assign}{w.layer_call(entry, args)}")
                    lines.append(f"{out}{w.assign}{w.apply_variable(layer, inputs_of(entry))}")
                    lines.append(self.weights_line(None, entry["weights"], layer))
                else:
                    lines.append(f"{out}{w.assign}{w.apply(entry, args, inputs_of(entry))}")
            var_of[local] = out
            prev = out
        self.var_of = var_of
        assert prev is not None
        return lines, prev

    def write_functional(self) -> None:
        w = self.w
        refs = _explicit_refs(self.doc["layers"]) | set(self.doc.get("outputs", []))
        ids = Identifiers(self.block_ids.taken)
        body, last = self.functional_body(self.doc["layers"], None, refs, None, ids)
        self.lines += body
        ins = [self.var_of[n] for n in self.graph["inputs"]]  # top-level Inputs keep their names
        outs = [self.var_of[o] for o in self.doc["outputs"]] if "outputs" in self.doc else [last]
        args = [w.kwarg("inputs", ins[0] if len(ins) == 1 else w.vector(ins)),
                w.kwarg("outputs", outs[0] if len(outs) == 1 else w.vector(outs)),
                w.kwarg("name", quote(self.doc["name"]))]
        fn = "keras.Model" if w.py else "keras_model" if w.k3 else "keras$Model"
        self.lines.append(f"model{w.assign}{fn}({', '.join(args)})")
        for layer in self.graph["layers"]:  # the named ones: the others are set where they are made
            if "weights" in layer and written_name(entry_at(self.doc, layer["source"])):
                self.lines.append(self.weights_line(layer["name"], layer["weights"]))

    def weights_line(self, name: str | None, weights: list[Any], variable: str | None = None) -> str:
        """Fixed weights set on the model's layer of this name, or on the layer held in ``variable``."""
        w = self.w
        arrays = []
        for arr in weights:
            shape, flat = _shape_and_values(arr)
            values = ", ".join(number_text(v) for v in flat)
            if w.py:
                text = f'np.array([{values}], dtype="float32")'
                arrays.append(text if len(shape) == 1 else f"{text}.reshape({', '.join(str(s) for s in shape)})")
            elif len(shape) == 1:
                arrays.append(f"array(c({values}))")
            else:
                fn = "array_reshape" if w.k3 else "reticulate::array_reshape"
                arrays.append(f"{fn}(c({values}), c({', '.join(str(s) for s in shape)}))")
        if variable is not None:
            if w.py:
                return f"{variable}.set_weights({w.vector(arrays)})"
            return (f"set_weights({variable}, {w.vector(arrays)})" if w.k3
                    else f"{variable}$set_weights({w.vector(arrays)})")
        assert name is not None
        target = quote(name)
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
        if opt not in OPTIMIZER_CLASSES:
            raise ValueError(f"{opt!r} is not an optimizer of the table")
        table = registry()["compile"]
        opt_args = []
        for key in table["optimizer_defaults"][opt]:  # those the spec gives, in Keras's order
            v = settings.get(key)
            if v is None:
                continue
            if key == "learning_rate":
                text = w.schedule(v) if isinstance(v, dict) else w.value(v, "float")
            else:
                text = w.setting(table["optimizer_arguments"][key], v)
            opt_args.append(w.kwarg(key, text))
        opt_text = w.keras_call("optimizers", OPTIMIZER_CLASSES[opt], opt_args) if opt_args else quote(opt)
        args = [w.kwarg("optimizer", opt_text), w.kwarg("loss", quote(settings["loss"]))]
        metrics = [quote(m) for m in settings.get("metrics", [])]
        if metrics:
            several = "c(" + ", ".join(metrics) + ")"
            text = (metrics[0] if len(metrics) == 1 else several) if w.k3 else w.vector(metrics)
            args.append(w.kwarg("metrics", text))
        if w.py:
            return f"model.compile({', '.join(args)})"
        if w.k3:
            return f"model |> compile({', '.join(args)})"
        return f"model$compile({', '.join(args)})"

    def fit_lines(self) -> list[str]:
        """``train_model(x, y)``: the spec's ``fit`` settings and callbacks as a function that trains the model."""
        settings = self.doc.get("fit")
        if settings is None:
            return []
        w, ind = self.w, self.w.indent
        table = registry()["fit"]
        args = ["x", "y", *(w.kwarg(k, w.setting(a, settings[k])) for k, a in table["settings"].items()
                            if k in settings)]
        callbacks = [w.callback(c) for c in settings.get("callbacks", [])]
        call = ind + ("return model.fit" if w.py else "model |> fit" if w.k3 else "model$fit")
        lines = ["", ""] if w.py else [""]
        lines += comment("train_model(x, y) trains the model with the spec's fit settings (x, y: arrays)")
        lines.append("def train_model(x, y):" if w.py else "train_model <- function(x, y) {")
        if not callbacks:
            lines.append(f"{call}({', '.join(args)})")
        elif w.py:
            lines.append(f"{call}({', '.join([*args, 'callbacks=['])}")
            lines += [f"{ind}{ind}{c}," for c in callbacks]
            lines.append(f"{ind}])")
        else:
            lines.append(f"{call}({', '.join([*args, 'callbacks = list('])}")
            lines += [f"{ind}{ind}{c}," for c in callbacks[:-1]] + [f"{ind}{ind}{callbacks[-1]}"]
            lines.append(f"{ind}))")
        if not w.py:
            lines.append("}")
        return lines

    def program(self) -> str:
        w = self.w
        title = self.doc.get("title", self.doc["name"])
        self.lines += comment(f"{title}: the twinnet spec '{self.doc['name']}' as {_LANGUAGE_WORDS[w.lang]}")
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
        self.lines += self.fit_lines()
        return "\n".join(self.lines) + "\n"


def _pipe(stages: list[str]) -> list[str]:
    """keras3 pipe stages, " |>" after every one but the last."""
    return [stage + (" |>" if i < len(stages) - 1 else "") for i, stage in enumerate(stages)]


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
    """An Input and at least one layer after it, each taking the one before it, one output, no fixed weights.

    (A model of an Input alone is written with the functional API: keras.Sequential would not build it.)
    """
    layers = graph["layers"]
    if len(graph["inputs"]) != 1 or len(graph["outputs"]) != 1 or layers[0]["type"] != "Input" or len(layers) < 2:
        return False
    if graph["outputs"][0] != layers[-1]["name"]:
        return False
    for before, layer in itertools.pairwise(layers):
        if layer["inputs"] != [before["name"]] or "weights" in layer:
            return False
    return True


def to_code(spec: Any, language: str = "python") -> str:
    """The Keras code that builds a spec's model, as a student would write it: the arguments and names the
    spec writes, no generated names.

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
    graph = spec_graph(spec)
    return _Generator(spec.data, graph, language).program()
