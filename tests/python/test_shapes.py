"""The shape rules: each registry type names one with its data, and a few shapes and counts worked by hand.

The catalog's shapes and counts are checked against Keras in test_build.py; R's twin is test-shapes.R.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

import twinnet
from twinnet.registry import layer_types, shared
from twinnet.shapes import RULES, infer

ROOT_FIELDS = ("layer", "shapes")  # what every rule takes before its data


def _data_params(rule: str) -> tuple[set[str], set[str]]:
    """(required, all) data keys of a rule: its keyword parameters after the layer and the shapes."""
    params = list(inspect.signature(RULES[rule]).parameters.values())
    assert tuple(p.name for p in params[:2]) == ROOT_FIELDS, rule
    data = params[2:]
    return {p.name for p in data if p.default is inspect.Parameter.empty}, {p.name for p in data}


def test_every_type_names_a_rule_and_every_rule_is_used() -> None:
    named = {t: info["shape"]["rule"] for t, info in layer_types().items()}
    assert {t: r for t, r in named.items() if r not in RULES} == {}
    assert set(RULES) - set(named.values()) == set()


@pytest.mark.parametrize("layer_type", sorted(layer_types()))
def test_each_type_gives_the_data_its_rule_takes(layer_type: str) -> None:
    info = layer_types()[layer_type]
    data = {k: v for k, v in info["shape"].items() if k != "rule"}
    required, allowed = _data_params(info["shape"]["rule"])
    assert required <= set(data), f"{layer_type} lacks {sorted(required - set(data))}"
    assert set(data) <= allowed, f"{layer_type} gives {sorted(set(data) - allowed)}, not data of its rule"
    if "rank" in data:  # the rank is that of every per-axis argument
        assert isinstance(data["rank"], int) and data["rank"] >= 1
        assert {a: s["n"] for a, s in info["args"].items() if "n" in s} == \
            {a: data["rank"] for a, s in info["args"].items() if "n" in s}
    if "gates" in data:
        assert isinstance(data["gates"], int) and data["gates"] >= 1
    if "moving_stats" in data:
        assert isinstance(data["moving_stats"], bool)
    if "double_bias_if" in data:
        assert info["args"][data["double_bias_if"]]["kind"] == "bool"


def test_the_rules_errors_are_in_messages_json() -> None:
    source = inspect.getsource(inspect.getmodule(infer))  # type: ignore[arg-type]
    ids = set(re.findall(r'"(shape_[a-z_]+)"', source))
    assert ids and ids <= set(shared("messages.json")["spec_errors"])


def _expand(*layers: dict[str, Any]) -> dict[str, Any]:
    return twinnet.expand(twinnet.load_spec({"format_version": "1.0", "name": "case", "layers": list(layers)}))


def _last(*layers: dict[str, Any]) -> tuple[list[int | None], int, int]:
    layer = _expand(*layers)["layers"][-1]
    return layer["output_shape"], layer["params"], layer["trainable_params"]


def test_recurrent_counts_by_hand() -> None:
    seq = {"type": "Input", "shape": [None, 7]}
    u, f = 5, 7
    assert _last(seq, {"type": "LSTM", "units": u}) == ([None, u], 4 * u * (f + u) + 4 * u, 4 * u * (f + u) + 4 * u)
    assert _last(seq, {"type": "LSTM", "units": u, "use_bias": False, "return_sequences": True}) == \
        ([None, None, u], 4 * u * (f + u), 4 * u * (f + u))
    assert _last(seq, {"type": "GRU", "units": u})[1] == 3 * u * (f + u) + 2 * 3 * u  # reset_after: two biases
    assert _last(seq, {"type": "GRU", "units": u, "reset_after": False})[1] == 3 * u * (f + u) + 3 * u
    assert _last(seq, {"type": "SimpleRNN", "units": u, "trainable": False}) == ([None, u], u * (f + u) + u, 0)


def test_conv_and_normalization_counts_by_hand() -> None:
    img = {"type": "Input", "shape": [9, 9, 6]}
    # groups = 3: each filter sees 6 / 3 channels
    assert _last(img, {"type": "Conv2D", "filters": 12, "kernel_size": [3, 2], "groups": 3}) == \
        ([None, 7, 8, 12], 3 * 2 * 2 * 12 + 12, 3 * 2 * 2 * 12 + 12)
    assert _last(img, {"type": "Conv2D", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "same",
                       "use_bias": False}) == ([None, 5, 5, 4], 3 * 3 * 6 * 4, 3 * 3 * 6 * 4)
    assert _last(img, {"type": "BatchNormalization", "center": False}) == ([None, 9, 9, 6], 6 + 2 * 6, 6)
    assert _last(img, {"type": "BatchNormalization", "axis": 1, "trainable": False}) == ([None, 9, 9, 6], 4 * 9, 0)
    assert _last({"type": "Input", "shape": [6, None, 5, 2]}, {"type": "Cropping3D", "cropping": [1, 0, 2]}) == \
        ([None, 4, None, 1, 2], 0, 0)


def test_a_rule_reads_its_data_not_the_type() -> None:
    """Data changed by hand (moving statistics on and off, padding of one axis).

    A rule gives (output shape, trainable, non-trainable) without the batch axis.
    """
    layer = {"name": "n", "type": "T", "source": "/layers/1",
             "config": {"axis": -1, "center": True, "scale": True, "trainable": True}}
    assert RULES["normalization"](layer, [[4, 3]], moving_stats=False) == ([4, 3], 6, 0)
    assert RULES["normalization"](layer, [[4, 3]], moving_stats=True) == ([4, 3], 6, 6)
    gru = {"name": "g", "type": "GRU", "source": "/layers/1",
           "config": {"units": 2, "use_bias": True, "reset_after": True, "return_sequences": False, "trainable": True}}
    assert RULES["recurrent"](gru, [[None, 3]], gates=3) == ([2], 3 * 2 * 5 + 3 * 2, 0)
    assert infer(gru, [[None, 3]]) == ([2], 3 * 2 * 5 + 2 * 3 * 2, 0)  # the registry's GRU doubles the bias
    pad = {"name": "p", "type": "T", "source": "/layers/1", "config": {"padding": [1, 2], "trainable": True}}
    assert RULES["pad"](pad, [[5, 3]], rank=1) == ([8, 3], 0, 0)


def test_errors_by_hand() -> None:
    with pytest.raises(twinnet.SpecError) as e:
        _expand({"type": "Input", "shape": [4, 4, 3]}, {"type": "Conv2D", "filters": 4, "kernel_size": 1, "groups": 2})
    assert (e.value.path, e.value.kind, e.value.message) == \
        ("/layers/1/groups", "invalid_value", "groups = 2 must divide both the input channels (3) and filters (4)")
    with pytest.raises(twinnet.SpecError) as e:
        _expand({"type": "Input", "shape": [5, 2, 6, 3]}, {"type": "Cropping3D", "cropping": [1, 1, 2]})
    assert (e.value.path, e.value.kind, e.value.message) == \
        ("/layers/1", "shape_collapse", "layer 'cropping3d_1' (Cropping3D) maps input shape (None, 5, 2, 6, 3) "
                                        "to (None, 3, 0, 2, 3): it crops more than its input has")
    with pytest.raises(twinnet.SpecError) as e:
        _expand({"type": "Input", "shape": [5]}, {"type": "LSTM", "units": 2})
    assert (e.value.path, e.value.kind, e.value.message) == \
        ("/layers/1", "shape_mismatch", "layer 'lstm_1' (LSTM) needs an input of rank 3 (batch included), "
                                        "found (None, 5)")
    with pytest.raises(twinnet.SpecError) as e:
        _expand({"type": "Input", "shape": [5, 2]}, {"type": "Reshape", "target_shape": [3, -1]})
    assert (e.value.path, e.value.kind, e.value.message) == \
        ("/layers/1/target_shape", "shape_mismatch", "cannot reshape (None, 5, 2) to [3, -1]")
