"""Shared helpers of the Python tests (the conformance vectors)."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "shared_specs" / "conformance"


def vectors(kind: str) -> list[Any]:
    files = sorted((CONFORMANCE / kind).glob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=f.stem) for f in files]


def reference_validator() -> Any:
    """jsonschema's validator of the spec schema: the reference that twinnet's own checker is tested against.

    JSON Schema patterns are ECMA-262 expressions, in which ``$`` matches only at the very end;
    Python's ``re`` also matches it before a final newline, so the patterns' final ``$`` is given
    to jsonschema as ``\\Z``.
    """
    import jsonschema

    text = (ROOT / "shared_specs" / "schema" / "twinnet-spec-v1.schema.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text.replace('$"', '\\\\Z"')))


def load_module(path: Path, name: str) -> ModuleType:
    """A test file's module, loaded from its path under a name of its own (to share its strategies)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_inputs(name: str) -> list[Any]:
    """Random inputs for a catalog spec's model, one array per Input in order: token indices where an
    Embedding reads the input, else normal values; 4 samples (1 for networks above 10M parameters),
    12 for a length that varies."""
    import numpy as np

    import twinnet

    graph = twinnet.expand(name)
    n = 1 if graph["params"]["total"] > 10_000_000 else 4  # one image for the ImageNet-size networks
    rng = np.random.default_rng(2024)
    arrays = []
    for input_name in graph["inputs"]:
        first = next(layer for layer in graph["layers"] if layer["name"] == input_name)
        dims = [v or 12 for v in first["output_shape"][1:]]
        reader = next(layer for layer in graph["layers"] if input_name in layer["inputs"])
        if reader["type"] == "Embedding":
            arrays.append(rng.integers(0, reader["config"]["input_dim"], size=(n, *dims)).astype("int32"))
        else:
            arrays.append(rng.normal(size=(n, *dims)).astype("float32"))
    return arrays


def forward(model: Any, x: Any) -> Any:
    """The model's outputs for x (training=False): called eagerly, or through predict() where the model holds a
    recurrent layer. Eager Keras runs a recurrent layer's loop one step at a time from Python: imdb_bilstm's
    200 steps take 2.2 s a call, predict() 0.7 s with its tracing; a model without one is called in 0.1 s."""
    import keras

    recurrent = (keras.layers.RNN, keras.layers.Bidirectional)
    if any(isinstance(layer, recurrent) for layer in model.layers):
        return model.predict(x, verbose=0)
    return model(x, training=False)


def outputs_of(y: Any) -> list[Any]:
    """A model's outputs (from forward(), predict() or R) as a list of NumPy arrays, one per output."""
    import numpy as np

    return [np.asarray(v) for v in y] if isinstance(y, list | tuple) else [np.asarray(y)]


# -- one built model per catalog spec, shared by the tests that only read it ------------------------------
# The tests named in SHARES_CATALOG_MODEL (file, test function) take their model from catalog_model(name);
# conftest.py runs them one after the other for each spec, and frees the model after the last of them.
SHARES_CATALOG_MODEL = [
    ("test_build.py", "test_catalog_spec_matches_keras"),
    ("test_build.py", "test_equal_to_keras_applications"),
    ("test_codegen.py", "test_generated_python_builds_the_same_model"),
    ("test_importer.py", "test_catalog_spec_round_trips"),
    ("test_persist.py", "test_catalog_size_models_pass_the_estimate"),
]
_catalog_models: dict[str, Any] = {}


def catalog_model(name: str) -> Any:
    """``twinnet.build_model(name, seed=0)`` (compiled, as the spec says), built once for the tests in
    SHARES_CATALOG_MODEL. At most one model is kept: building another frees the one before (YOLO's weights
    alone are 1.1 GB). A test that takes it must leave it as it was: no assigning its weights, compiling,
    training or renaming it."""
    if name not in _catalog_models:
        release_catalog_model()
        import twinnet

        _catalog_models[name] = twinnet.build_model(name, seed=0)
    return _catalog_models[name]


def release_catalog_model() -> None:
    """Frees the model catalog_model() keeps, with Keras's session."""
    if _catalog_models:
        import keras

        _catalog_models.clear()
        keras.backend.clear_session()  # gc.collect() too


def shared_catalog_spec(item: pytest.Item) -> str | None:
    """The catalog spec whose catalog_model() the test item takes, or None."""
    callspec = getattr(item, "callspec", None)
    if (callspec is None or item.path.parent.resolve() != ROOT / "tests" / "python"
            or (item.path.name, getattr(item, "originalname", None)) not in SHARES_CATALOG_MODEL):
        return None
    return str(callspec.params["name"])


# -- the smallest catalog specs that hold every layer ---------------------------------------------------------
def layer_forms(graph: dict[str, Any], arguments: bool) -> set[tuple[Any, ...]]:
    """The kinds of layer an expanded graph holds: each layer's type (a wrapper's with its layer's), and with
    ``arguments`` which of its arguments differ from their default (not their values: a layer of 10 units and
    one of 84 are the same form)."""
    from twinnet.expand import canonical
    from twinnet.registry import layer_types

    types = layer_types()

    def form(layer_type: str, config: dict[str, Any], path: str) -> tuple[Any, ...]:
        key: list[Any] = [layer_type]
        for arg, value in sorted(config.items()):
            spec = types[layer_type]["args"].get(arg, {})
            if spec.get("kind") == "layer":
                key.append((arg, form(value["type"], value["config"], f"{path}/{arg}")))
            elif arguments:
                default = spec.get("default")
                if default is not None:
                    default = canonical(layer_type, arg, spec, default, path)
                key.append((arg, "default" in spec and value == default))
        return tuple(key)

    return {form(layer["type"], layer["config"], layer["source"]) for layer in graph["layers"]}


@functools.cache
def _catalog_graphs() -> list[dict[str, Any]]:
    """The expanded graphs of the catalog's specs, smallest first (0.6 s; read by several test modules)."""
    import twinnet

    graphs = [twinnet.expand(row.name) for row in twinnet.catalog()]
    return sorted(graphs, key=lambda g: (g["params"]["total"], g["name"]))


def covering_catalog_specs(arguments: bool, max_params: float = float("inf")) -> list[str]:
    """The catalog specs of at most ``max_params`` parameters, smallest first, that each hold a form of layer
    (layer_forms()) that no smaller one holds: together they hold every form the catalog's specs of that size
    hold. For the checks that cost seconds a spec and depend on the kinds of layers, not on the network's size."""
    seen: set[tuple[Any, ...]] = set()
    chosen = []
    for graph in _catalog_graphs():
        forms = layer_forms(graph, arguments)
        if graph["params"]["total"] <= max_params and not forms <= seen:
            chosen.append(graph["name"])
            seen |= forms
    return chosen
