"""build_model: real Keras models whose shapes and counts are those the expansion computed."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest
from support import catalog_model, vectors
from test_cost import check_cost_against_profiler

import twinnet

CATALOG = [row.name for row in twinnet.catalog()]


def keras_counts(model: Any) -> dict[str, int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = model.count_params()
    return {"total": total, "trainable": trainable, "non_trainable": total - trainable}


def check_against_keras(spec: Any, model: Any = None) -> Any:
    """The Keras model's (built here when not given) counts, layers, shapes and parameters are the
    expansion's; returns the model."""
    graph = twinnet.expand(spec)
    if model is None:
        model = twinnet.build_model(spec, seed=0)
    assert keras_counts(model) == graph["params"]
    by_name = {layer.name: layer for layer in model.layers}
    assert sorted(by_name) == sorted(layer["name"] for layer in graph["layers"])
    for layer in graph["layers"]:
        k = by_name[layer["name"]]
        assert type(k).__name__ == ("InputLayer" if layer["type"] == "Input" else layer["type"])
        assert list(k.output.shape) == layer["output_shape"], layer["name"]
        assert k.count_params() == layer["params"], layer["name"]
    return model


@pytest.mark.parametrize("name", CATALOG)
def test_catalog_spec_matches_keras(name: str) -> None:
    model = check_against_keras(name, catalog_model(name))  # build_model(name, seed=0), shared
    # cost()'s MACs and connections against TensorFlow's profiler's count of each built layer, with the
    # differences of convention that test_cost.py's check_cost_against_profiler() names
    check_cost_against_profiler(name, model)


@pytest.mark.parametrize("case", vectors("valid"))
def test_conformance_spec_matches_keras(case: dict[str, Any]) -> None:
    check_against_keras(case["spec"])


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    a = twinnet.build_model("lenet5", seed=3).get_weights()
    b = twinnet.build_model("lenet5", seed=3).get_weights()
    c = twinnet.build_model("lenet5", seed=4).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=False))
    assert not np.array_equal(a[0], c[0])


def test_model_is_ordinary_keras() -> None:
    model = twinnet.build_model("mnist_mlp", seed=1)
    assert isinstance(model, keras.Model) and model.name == "mnist_mlp"
    out = model.predict(np.zeros((2, 784), "float32"), verbose=0)
    assert out.shape == (2, 10)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_fixed_weights_are_set() -> None:
    spec = {"format_version": "1.0", "name": "fixed", "layers": [
        {"type": "Input", "shape": [2]},
        {"type": "Dense", "units": 1, "weights": [[[2.0], [3.0]], [0.5]]}]}
    model = twinnet.build_model(spec)
    assert model.predict(np.array([[1.0, 1.0]], "float32"), verbose=0)[0, 0] == 5.5


def test_fixed_weights_of_wrong_shape_are_a_spec_error() -> None:
    spec = {"format_version": "1.0", "name": "fixed", "layers": [
        {"type": "Input", "shape": [2]},
        {"type": "Dense", "units": 1, "weights": [[[2.0]], [0.5]]}]}
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.build_model(spec)
    assert (e.value.path, e.value.kind) == ("/layers/1/weights", "shape_mismatch")


def test_two_outputs_build_a_two_output_model() -> None:
    model = twinnet.build_model(vectors("valid")[8].values[0]["spec"])
    assert len(model.outputs) == 2


def layer_facts(model: Any) -> list[tuple[Any, ...]]:
    """Each layer's class, config (without its name), output shape and parameter count, in order."""
    facts = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        facts.append((type(layer).__name__, config, tuple(layer.output.shape), layer.count_params()))
    return facts


@pytest.mark.parametrize(("name", "application"), [("vgg16", "VGG16"), ("vgg19", "VGG19"),
                                                   ("resnet50", "ResNet50")])
def test_equal_to_keras_applications(name: str, application: str) -> None:
    keras.backend.clear_session()  # Keras numbers auto-named layers (input_layer_1) within a session
    reference = getattr(keras.applications, application)(weights=None)
    model = catalog_model(name)  # build_model(name, seed=0), shared: its weights are not compared
    assert layer_facts(model) == layer_facts(reference)
    assert model.count_params() == reference.count_params()
    if name.startswith("vgg"):  # VGG's layer names are Keras's too
        assert [layer.name for layer in model.layers] == [layer.name for layer in reference.layers]
