"""Property-based tests (hypothesis): generated valid specs build equal models in R and Python;
mutated specs give only spec errors, the same (path, kind, whole message) in both languages, or are
accepted by both; every accepted spec gets the same to_code() (three dialects) and to_dot() text.

Bounded for CI (60 valid specs and 250 mutations, the same each run, one to two minutes);
TWINNET_FUZZ_EXAMPLES=5000 runs that many cases per test, fresh random ones each run. The counts
are printed at the end of the run (see conftest.py) and written to $OUT/fuzz.json when OUT is set.
"""

from __future__ import annotations

import copy
import json
import os
import types
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import reference_validator

import twinnet
from twinnet.registry import is_valid_document, layer_types

REFERENCE = reference_validator()

LONG_RUN = int(os.environ.get("TWINNET_FUZZ_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=LONG_RUN or 60,
    deadline=None,
    database=None,
    derandomize=not LONG_RUN,  # the bounded CI run tries the same cases each time; a long run explores
    print_blob=True,
    # `r` and `handoff` hold no state between examples that matters: each example sets what it reads
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)
MUTATION_SETTINGS = settings(SETTINGS, max_examples=LONG_RUN or 250)
MIN_VALID_BUILT = (LONG_RUN or 60) // 2  # hypothesis may stop early where its strategy runs dry, not by half

# What the fuzzing did, for the closing figures: conftest.py prints them.
COUNTS: Counter[str] = Counter({"python: not a spec error": 0, "R: not a spec error": 0})
BUILD_LIMIT = 2_000_000  # parameters: larger accepted mutants are expanded, not built


# -- valid specs --------------------------------------------------------------------------------
ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "softmax", "elu", "gelu", "swish"]
INITIALIZERS = ["glorot_uniform", "he_normal", "zeros", "ones", "lecun_uniform",
                {"class_name": "Constant", "config": {"value": 0.5}},
                {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.1, "seed": 3}}]


class _Builder:
    """A spec under construction that knows the shape after its last layer."""

    def __init__(self, draw: Any, shape: list[int | None], **input_args: Any):
        self.draw = draw
        self.shape = shape
        self.count = 0
        self.blocks: dict[str, Any] = {}
        self.layers: list[dict[str, Any]] = [{"type": "Input", "name": "x", "shape": shape, **input_args}]
        self.last = "x"

    def name(self) -> str:
        self.count += 1
        return f"l{self.count}"

    def add(self, layer: dict[str, Any], shape: list[int | None], named: bool | None = None) -> None:
        if named if named is not None else self.draw(st.booleans()):
            layer = {"name": self.name(), **layer}
            self.last = layer["name"]
        else:
            self.last = ""  # an unnamed layer: only the next layer (sequentially) uses it
        self.layers.append(layer)
        self.shape = shape

    def maybe(self, args: dict[str, Any], key: str, values: st.SearchStrategy[Any]) -> None:
        if self.draw(st.booleans()):
            args[key] = self.draw(values)

    def dense(self, units: int | None = None) -> None:
        units = units or self.draw(st.integers(1, 12))
        layer: dict[str, Any] = {"type": "Dense", "units": units}
        self.maybe(layer, "activation", st.sampled_from(ACTIVATIONS))
        self.maybe(layer, "use_bias", st.booleans())
        self.maybe(layer, "kernel_initializer", st.sampled_from(INITIALIZERS))
        if self.draw(st.integers(0, 9)) == 0:
            layer["trainable"] = False
        width = self.shape[-1]
        if self.draw(st.integers(0, 7)) == 0 and len(self.shape) == 1 and isinstance(width, int):
            kernel = [[round(0.1 * (i - j), 2) for j in range(units)] for i in range(width)]
            layer["weights"] = [kernel, [0.5] * units] if layer.get("use_bias", True) else [kernel]
        self.add(layer, [*self.shape[:-1], units])

    def pointwise(self) -> None:
        kind = self.draw(st.sampled_from(["Dropout", "Activation", "ReLU", "LeakyReLU", "Softmax",
                                          "BatchNormalization"]))
        layer: dict[str, Any] = {"type": kind}
        if kind == "Dropout":
            layer["rate"] = self.draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]))
        elif kind == "Activation":
            layer["activation"] = self.draw(st.sampled_from(ACTIVATIONS))
        elif kind == "ReLU":
            self.maybe(layer, "max_value", st.sampled_from([None, 1.0, 6]))
        elif kind == "LeakyReLU":
            self.maybe(layer, "negative_slope", st.sampled_from([0.0, 0.1, 1]))
        elif kind == "BatchNormalization":
            self.maybe(layer, "momentum", st.sampled_from([0.9, 0.5]))
            self.maybe(layer, "center", st.booleans())
            self.maybe(layer, "scale", st.booleans())
        self.add(layer, list(self.shape))

    def residual(self) -> None:
        """A block whose layers end in Add("@input", ...), repeated."""
        width = self.shape[-1]
        assert isinstance(width, int)
        self.blocks["res"] = {"params": {"units": None, "act": "relu"}, "layers": [
            {"type": "Dense", "name": "fc", "units": "$units", "activation": "$act"},
            {"type": "Add", "name": "add", "inputs": ["@input", "fc"]}]}
        use: dict[str, Any] = {"block": "res", "args": {"units": width}}
        self.maybe(use, "repeat", st.integers(1, 3))
        self.maybe(use["args"], "act", st.sampled_from(ACTIVATIONS))
        self.add(use, list(self.shape))

    def branches(self) -> None:
        """Two Dense branches from the last layer, joined by Concatenate."""
        if not self.last:
            self.add({"type": "Activation", "activation": "linear"}, list(self.shape), named=True)
        source = self.last
        units = [self.draw(st.integers(1, 6)) for _ in range(2)]
        names = []
        for u in units:
            self.add({"type": "Dense", "units": u, "inputs": [source]}, [*self.shape[:-1], u], named=True)
            names.append(self.last)
        self.add({"type": "Concatenate", "inputs": names}, [*self.shape[:-1], sum(units)])

    def spec(self, name: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"format_version": "1.0", "name": name, "layers": self.layers}
        if self.blocks:
            doc["blocks"] = self.blocks
        return doc


def _conv_len(n: int, k: int, s: int, padding: str) -> int:
    return -(-n // s) if padding == "same" else (n - k) // s + 1


@st.composite
def valid_specs(draw: Any) -> dict[str, Any]:
    family = draw(st.sampled_from(["dense", "conv", "sequence", "embedding"]))
    if family == "dense":
        b = _Builder(draw, [draw(st.integers(1, 12))])
        for _ in range(draw(st.integers(1, 5))):
            step = draw(st.sampled_from(["dense", "dense", "pointwise", "residual", "branches"]))
            getattr(b, step)()
    elif family == "conv":
        h, w = draw(st.integers(3, 12)), draw(st.integers(3, 12))
        b = _Builder(draw, [h, w, draw(st.integers(1, 3))])
        for _ in range(draw(st.integers(1, 4))):
            h, w = b.shape[0], b.shape[1]
            assert isinstance(h, int) and isinstance(w, int)
            step = draw(st.sampled_from(["conv", "conv", "pool", "pad", "pointwise"]))
            if step == "conv":
                padding = draw(st.sampled_from(["valid", "same"]))
                k = draw(st.integers(1, min(3, h, w) if padding == "valid" else 3))
                s = draw(st.integers(1, 2))
                layer = {"type": "Conv2D", "filters": draw(st.integers(1, 4)), "kernel_size": k,
                         "strides": s, "padding": padding}
                b.maybe(layer, "activation", st.sampled_from(ACTIVATIONS))
                b.maybe(layer, "bias_initializer", st.sampled_from(INITIALIZERS))
                b.add(layer, [_conv_len(h, k, s, padding), _conv_len(w, k, s, padding), layer["filters"]])
            elif step == "pool":
                k = draw(st.integers(1, min(2, h, w)))
                kind = draw(st.sampled_from(["MaxPooling2D", "AveragePooling2D"]))
                b.add({"type": kind, "pool_size": k}, [h // k, w // k, b.shape[2]])
            elif step == "pad":
                p = draw(st.integers(0, 2))
                b.add({"type": "ZeroPadding2D", "padding": p}, [h + 2 * p, w + 2 * p, b.shape[2]])
            else:
                b.pointwise()
        if draw(st.booleans()):
            flat = b.shape[0] * b.shape[1] * b.shape[2]  # type: ignore[operator]
            b.add({"type": "Flatten"}, [flat])
        else:
            b.add({"type": draw(st.sampled_from(["GlobalAveragePooling2D", "GlobalMaxPooling2D"]))}, [b.shape[2]])
        b.dense()
    else:
        steps = draw(st.sampled_from([None, 3, 6]))
        if family == "embedding":
            vocab, dim = draw(st.integers(2, 30)), draw(st.integers(1, 4))
            b = _Builder(draw, [steps], dtype="int32")
            b.add({"type": "Embedding", "input_dim": vocab, "output_dim": dim}, [steps, dim])
        else:
            b = _Builder(draw, [steps, draw(st.integers(1, 4))])
            if draw(st.booleans()):
                padding = draw(st.sampled_from(["same", "causal"]))
                layer = {"type": "Conv1D", "filters": draw(st.integers(1, 4)), "kernel_size": draw(st.integers(1, 3)),
                         "padding": padding}
                b.maybe(layer, "dilation_rate", st.integers(1, 2))
                b.add(layer, [steps, layer["filters"]])
        for last in [False] * draw(st.integers(0, 1)) + [True]:
            kind = draw(st.sampled_from(["LSTM", "GRU", "SimpleRNN"]))
            units = draw(st.integers(1, 5))
            layer = {"type": kind, "units": units, "return_sequences": not last}
            if kind == "GRU":
                b.maybe(layer, "reset_after", st.booleans())
            b.maybe(layer, "go_backwards", st.booleans())
            b.maybe(layer, "dropout", st.sampled_from([0.0, 0.2]))
            b.add(layer, [units] if last else [b.shape[0], units])
        b.dense()
    if draw(st.integers(0, 4)) == 0:  # a second output, from the layer before the last
        b.layers[-2] = {**b.layers[-2], "name": b.layers[-2].get("name", "trunk")}
        b.layers[-1] = {**b.layers[-1], "name": b.layers[-1].get("name", "head_a")}
        b.layers.append({"type": "Dense", "name": "head_b", "units": 2, "inputs": [b.layers[-2]["name"]]})
        doc = b.spec("fuzz")
        doc["outputs"] = [b.layers[-2]["name"], "head_b"]
        return doc
    return b.spec("fuzz")


# -- mutations ----------------------------------------------------------------------------------
ODD_VALUES: list[Any] = [None, True, False, 0, -1, 1, 2.5, 1e9, 10**12, "", "relu", "$units", "@input", [], {},
                         [1], [[1, 2]], {"a": 1}, "keras.layers.Lambda", "lambda x: x", "__import__('os')",
                         {"class_name": "Lambda", "module": "keras.layers", "config": {}}, "x" * 300, "ü"]
ODD_KEYS = ["module", "registered_name", "class_name", "config", "kernal_size", "unit", "Units", "function",
            "inputs", "name", "block", "repeat", "args", "weights", "type", ""]
LAYER_TYPES = [*layer_types(), "Lambda", "TFOpLambda", "keras.layers.Dense", "dense", "Conv3D"]


def _plausible_values() -> dict[str, list[Any]]:
    """For each argument name, values a spec could well hold: most keep a spec valid, so Keras gets to build it."""
    from twinnet.registry import registry

    values: dict[str, list[Any]] = {}
    for info in layer_types().values():
        for arg, spec in info["args"].items():
            kind = spec["kind"]
            pool = values.setdefault(arg, [])
            if kind == "int":
                pool += [1, 2, 3, 5, 8, 64]
            elif kind == "ints":
                pool += [1, 2, 3, 5, [1, 2], [3, 1], [2, 2]] + ([None] if "null_means" in spec else [])
            elif kind == "float":
                pool += [0.0, 0.1, 0.5, 0.99, 1.0, 2.0, -1.0] + ([None] if spec.get("nullable") else [])
            elif kind == "bool":
                pool += [True, False]
            elif kind == "enum":
                pool += spec["values"]
            elif kind == "activation":
                pool += registry()["activations"]
            elif kind == "initializer":
                pool += registry()["initializers"] + [{"class_name": "Constant", "config": {"value": 2}},
                                                      {"class_name": "Orthogonal", "config": {"gain": 0.5}}]
            elif kind == "axis":
                pool += [-3, -2, -1, 0, 1, 2, 3]
            elif kind == "pairs":
                pool += [0, 1, [1, 2], [[0, 1], [2, 0]]]
            elif kind in ("shape", "target_shape"):
                pool += [[4], [2, 2], [None, 3], [-1], [3, 3, 1], [-1, 2]]
            elif kind == "regularizer":
                pool += [None, {"l2": 0.0001}, {"l1": 0.01}, {"l1": 0.01, "l2": 0.001}, {"l2": -1.0}, {"l3": 1}]
            elif kind == "factor":
                pool += [0.1, 0.5, [-0.2, 0.3], [0.1], None, "0.1"]
            elif kind == "layer":  # wrapped layers, most of them of a type the wrapper takes
                pool += [{"type": "LSTM", "units": 2}, {"type": "GRU", "units": 3, "return_sequences": True},
                         {"type": "SimpleRNN", "units": 2, "go_backwards": True}, {"type": "Dense", "units": 3},
                         {"type": "Conv1D", "filters": 2, "kernel_size": 2}, {"type": "Flatten"},
                         {"type": "Dense"}, {"type": "LSTM", "units": 2, "name": "x"}, {"type": "Input", "shape": [2]},
                         {"type": "Dense", "units": "$units"}, {"type": "Bidirectional", "layer": {"type": "LSTM"}}]
            else:  # a new kind of argument: say what a spec could hold there
                raise AssertionError(f"the fuzzer has no values for the argument kind '{kind}' ({arg})")
    return {k: [v for i, v in enumerate(pool) if v not in pool[:i]] for k, pool in values.items()}


PLAUSIBLE = _plausible_values()


def _paths(value: Any, tokens: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in a JSON value (the root included)."""
    yield tokens
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*tokens, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*tokens, i))


def _at(value: Any, tokens: tuple[Any, ...]) -> Any:
    for t in tokens:
        value = value[t]
    return value


def _names(doc: Any) -> list[str]:
    return sorted({v for p in _paths(doc) if p and p[-1] == "name" and isinstance(v := _at(doc, p), str)})


def _typo(data: Any, word: str) -> str:
    if not word:
        return "x"
    i = data.draw(st.integers(0, len(word) - 1))
    how = data.draw(st.sampled_from(["drop", "double", "swap", "case"]))
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    if how == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i].swapcase() + word[i + 1:]


def mutate(data: Any, doc: Any) -> Any:
    """One random change somewhere in a JSON value."""
    doc = copy.deepcopy(doc)
    op = data.draw(st.sampled_from(["plausible", "replace", "delete", "rename", "number", "swap", "duplicate",
                                    "type", "reference", "add_key", "wrap", "repeat", "root"]))
    COUNTS[f"mutation {op}"] += 1
    if op == "root":
        return copy.deepcopy(data.draw(st.sampled_from([*ODD_VALUES, [doc], {"spec": doc}])))
    paths = list(_paths(doc))[1:] or [()]
    layers = [p for p in paths if isinstance(v := _at(doc, p), dict) and str(v.get("type")) in layer_types()]
    if op == "plausible" and layers:  # another value for an argument of a layer: often still valid
        target = _at(doc, data.draw(st.sampled_from(layers)))
        key = data.draw(st.sampled_from(sorted(layer_types()[target["type"]]["args"])))
        target[key] = copy.deepcopy(data.draw(st.sampled_from(PLAUSIBLE[key])))
        return doc
    path = data.draw(st.sampled_from(paths))
    target = _at(doc, path)
    parent = _at(doc, path[:-1]) if path else None
    if op == "delete" and path:
        del parent[path[-1]]
    elif op == "rename" and path and isinstance(parent, dict):
        parent[_typo(data, path[-1])] = parent.pop(path[-1])
    elif op == "number" and isinstance(target, int | float) and not isinstance(target, bool) and path:
        parent[path[-1]] = data.draw(st.sampled_from([0, -target, target * 1000, target + 0.5, -1, 10**7,
                                                      float(target), 2**31, 1e308]))
    elif op == "swap" and isinstance(target, list) and len(target) > 1:
        i, j = data.draw(st.integers(0, len(target) - 1)), data.draw(st.integers(0, len(target) - 1))
        target[i], target[j] = target[j], target[i]
    elif op == "duplicate" and isinstance(target, list) and target:
        i = data.draw(st.integers(0, len(target) - 1))
        target.insert(i, copy.deepcopy(target[i]))
    elif op == "type" and isinstance(target, dict):
        target["type"] = data.draw(st.sampled_from(LAYER_TYPES))
    elif op == "reference" and isinstance(target, dict):
        ref = data.draw(st.sampled_from([*_names(doc), "nope", "@input", target.get("name", "self")]))
        target["inputs"] = [ref] if data.draw(st.booleans()) else [ref, ref]
    elif op == "add_key" and isinstance(target, dict):
        target[data.draw(st.sampled_from(ODD_KEYS))] = data.draw(st.sampled_from(ODD_VALUES))
    elif op == "wrap" and path:
        parent[path[-1]] = [target] if not isinstance(target, list) or not target else target[0]
    elif op == "repeat" and isinstance(target, dict) and "block" in target:
        target["repeat"] = data.draw(st.sampled_from([0, -1, 2, 3, 1.5, "2", 10**6, 10**30]))
    elif path:  # "replace", and every change that did not fit the position drawn
        parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(ODD_VALUES)))
    return doc


def _catalog_docs() -> dict[str, Any]:
    docs = {}
    for row in twinnet.catalog():
        try:
            docs[row.name] = twinnet.load_spec(row.name).data
        except twinnet.SpecError:  # test_harness.py reports a catalog spec that does not load
            continue
    return docs


CATALOG_DOCS = _catalog_docs()


@st.composite
def mutants(draw: Any) -> tuple[str, Any]:
    """(where the spec came from, a mutated spec as JSON text)."""
    if draw(st.booleans()):
        origin, doc = "generated", draw(valid_specs())
    else:
        origin = draw(st.sampled_from(sorted(CATALOG_DOCS)))
        doc = CATALOG_DOCS[origin]
        if draw(st.booleans()):  # without "expect", a changed size gets as far as Keras
            doc = {k: v for k, v in doc.items() if k != "expect"}
    data = draw(st.data())
    for _ in range(draw(st.integers(1, 3))):
        doc = mutate(data, doc)
    return origin, json.dumps(doc)


# -- the two languages ---------------------------------------------------------------------------
def python_outcome(verb: str, text: str) -> tuple[str, ...] | None:
    """(path, kind, whole message) of the SpecError Python raises, None when it accepts; other exceptions fail."""
    try:
        if verb == "build_model":
            twinnet.build_model(text, seed=1)
        else:
            getattr(twinnet, verb)(text)
    except twinnet.SpecError as e:
        return (e.path, e.kind, str(e))
    except Exception:
        COUNTS["python: not a spec error"] += 1
        raise
    return None


def r_outcome(r: Any, verb: str) -> tuple[str, ...] | None:
    """The same in R, for the text in R's `spec_text`; an R error that is not a spec error fails."""
    seed = ", seed = 1L" if verb == "build_model" else ""
    try:
        return r.spec_error(f"twinnet::{verb}(spec_text{seed})", message=True)
    except Exception:
        COUNTS["R: not a spec error"] += 1
        raise


def assert_same_graph_code_and_diagram(r: Any, text: str) -> dict[str, Any]:
    """For a spec text that load_spec() accepts, in R's `spec_text`: expand() gives the same graph in both
    languages, and to_code() in its three dialects and to_dot() the same text (or refuse alike); R runs them
    all in one call. Returns the graph."""
    from rsession import json_text  # here: tests/python/test_cost.py reads this module's strategies without R

    graph = twinnet.expand(text)  # the spec loads: an error here fails the test

    def python_text(make: Any) -> tuple[str, ...]:
        try:
            return ("value", make())
        except twinnet.SpecError as e:
            return ("error", e.path, e.kind, str(e))

    dialects = ("python", "r", "r-reticulate")
    got = r.outcomes([json_text("twinnet::expand(spec_text)"),
                      *(f'twinnet::to_code(spec_text, "{language}")' for language in dialects),
                      "twinnet::to_dot(spec_text)"])
    assert got[0][0] == "value" and json.loads(got[0][1]) == graph, got[0]
    for language, r_text in zip(dialects, got[1:4], strict=True):
        assert r_text == python_text(lambda lang=language: twinnet.to_code(text, lang)), language
    assert got[4] == python_text(lambda: twinnet.to_dot(text))
    COUNTS["code (3 dialects) and diagram compared"] += 1
    return graph


def layer_facts(model: Any) -> list[tuple[Any, ...]]:
    return [(type(layer).__name__, layer.get_config(), tuple(layer.output.shape), layer.count_params())
            for layer in model.layers]


@given(spec=valid_specs())
@SETTINGS
def test_fuzz_valid_specs_build_equal_models(r: Any, handoff: types.ModuleType, spec: dict[str, Any]) -> None:
    text = json.dumps(spec)
    r.assign("spec_text", text)
    graph = assert_same_graph_code_and_diagram(r, text)  # a generated spec is valid
    r('h <- reticulate::import("twinnet_handoff"); h$model <- twinnet::build_model(spec_text, seed = 7L)')
    from_r, from_py = handoff.model, twinnet.build_model(text, seed=7)
    assert layer_facts(from_r) == layer_facts(from_py)
    assert from_r.get_config() == from_py.get_config()
    w_r, w_py = from_r.get_weights(), from_py.get_weights()
    assert [(w.dtype, w.shape) for w in w_r] == [(w.dtype, w.shape) for w in w_py]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(w_r, w_py, strict=True))
    for layer in graph["layers"]:
        if "weights" in layer:
            fixed = [np.asarray(w, dtype="float32") for w in layer["weights"]]
            assert all(np.array_equal(a, b) for a, b in zip(from_py.get_layer(layer["name"]).get_weights(), fixed,
                                                             strict=True))
    COUNTS["valid specs built in both languages"] += 1
    COUNTS["layers in them"] += len(graph["layers"])
    del handoff.model
    if COUNTS["valid specs built in both languages"] % 25 == 0:  # Keras's memory, as the handoff fixture frees it
        keras.backend.clear_session()


@given(case=mutants())
@MUTATION_SETTINGS
def test_fuzz_mutations_give_the_same_spec_error(r: Any, case: tuple[str, str]) -> None:
    _origin, text = case
    COUNTS["mutated specs"] += 1
    r.assign("spec_text", text)
    got = python_outcome("load_spec", text)
    assert r_outcome(r, "load_spec") == got, text
    if got is not None:
        COUNTS[f"refused: {got[1]}"] += 1
        return
    graph = assert_same_graph_code_and_diagram(r, text)
    if graph["params"]["total"] > BUILD_LIMIT:
        COUNTS["accepted, too large to build here"] += 1
        return
    built = python_outcome("build_model", text)
    assert r_outcome(r, "build_model") == built, text
    COUNTS["accepted and built" if built is None else f"refused when built: {built[1]}"] += 1


@given(case=mutants())
@MUTATION_SETTINGS
def test_fuzz_schema_check_agrees_with_jsonschema(case: tuple[str, str]) -> None:
    """twinnet's own schema checker accepts exactly what jsonschema accepts."""
    doc = json.loads(case[1])
    assert is_valid_document(doc) == REFERENCE.is_valid(doc), case[1]
    COUNTS["mutated specs checked by twinnet's checker and jsonschema"] += 1


def test_fuzz_reached_every_stage() -> None:
    """Runs last in this file: the fuzzing reached every stage it is meant to try (mutants refused for
    several reasons, accepted and built, valid specs built in both languages), so a generator that
    degenerates fails here; and the figures are written for the closing note."""
    if not COUNTS["mutated specs"]:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and the fuzz tests above did not run in this session", pytrace=False)
        pytest.skip("run with the fuzz tests above (the figures are theirs)")
    if os.environ.get("OUT"):
        out = Path(os.environ["OUT"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "fuzz.json").write_text(json.dumps(dict(sorted(COUNTS.items())), indent=2) + "\n")
    refused = {key for key, n in COUNTS.items() if key.startswith("refused: ") and n}
    assert len(refused) >= 8, f"the mutants were refused for only {sorted(refused)}"
    assert COUNTS["accepted and built"] >= 5, "too few mutants were accepted and built"
    assert COUNTS["valid specs built in both languages"] >= MIN_VALID_BUILT
    assert COUNTS["layers in them"] >= 3 * COUNTS["valid specs built in both languages"], "the valid specs are tiny"
    assert COUNTS["code (3 dialects) and diagram compared"] >= COUNTS["valid specs built in both languages"]
