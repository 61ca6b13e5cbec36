"""Resource guards: sizes computed from the spec and refused before anything is unrolled or built."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import twinnet
from twinnet.limits import DEFAULT_LIMITS, MAX_JSON_DEPTH, MAX_SPEC_BYTES


@pytest.fixture(autouse=True)
def default_limits() -> Iterator[None]:
    old = twinnet.set_limits(**DEFAULT_LIMITS)
    yield
    twinnet.set_limits(**old)


def doc(*layers: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [4]}, *layers], **top}


def error(source: Any) -> twinnet.SpecError:
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec(source)
    return e.value


def test_the_largest_catalog_network_passes_the_defaults() -> None:
    graph = twinnet.expand("yolov1")
    assert graph["params"]["total"] == 271_703_550 < DEFAULT_LIMITS["max_params"]


def test_set_limits_returns_the_old_limits_and_checks_them() -> None:
    old = twinnet.set_limits(max_params=100_000_000)
    assert old == DEFAULT_LIMITS
    err = error("vgg16")
    assert (err.path, err.kind) == ("/layers/7", "too_large")  # fc1 crosses 100 million
    assert "fc1" in err.message and "100,000,000" in err.message
    assert err.hint == "raise it with twinnet.set_limits(max_params=...)"
    assert twinnet.set_limits(**old)["max_params"] == 100_000_000
    assert twinnet.load_spec("vgg16").name == "vgg16"
    for bad in (0, -1, math.nan, "many", True):
        with pytest.raises(ValueError, match="positive number"):
            twinnet.set_limits(max_layers=bad)  # type: ignore[arg-type]


def test_limits_can_be_raised_and_turned_off() -> None:
    big = doc({"type": "Dense", "units": 200_000}, {"type": "Dense", "units": 3000})
    assert error(big).kind == "too_large"
    twinnet.set_limits(max_params=math.inf)
    assert twinnet.expand(big)["params"]["total"] == 4 * 200_000 + 200_000 + 200_000 * 3000 + 3000


def test_activation_limit_names_the_layer_and_its_size() -> None:
    err = error(doc({"type": "Reshape", "target_shape": [2, 2]},
                    {"type": "Dense", "units": 30_000_000}))
    assert (err.path, err.kind) == ("/layers/2", "too_large")
    assert "60,000,000 values per sample" in err.message
    twinnet.set_limits(max_activation=10, max_params=math.inf)
    err = error(doc({"type": "Dense", "units": 11}))
    assert (err.path, err.kind) == ("/layers/1", "too_large")


def test_variable_lengths_count_as_one() -> None:
    twinnet.set_limits(max_activation=8)
    spec = {"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [None, 8]}]}
    assert twinnet.expand(spec)["layers"][0]["output_shape"] == [None, None, 8]


def test_a_huge_repeat_is_refused_before_it_is_unrolled() -> None:
    blocks = {"b": {"layers": [{"type": "Dense", "units": 2}]}}
    for repeat in (10_000, 10**9, 10**300):  # unrolled, 10**300 would never finish
        err = error(doc({"block": "b", "repeat": repeat}, blocks=blocks))
        assert (err.path, err.kind) == ("/layers/1/repeat", "too_large")
    assert len(twinnet.expand(doc({"block": "b", "repeat": 9_999}, blocks=blocks))["layers"]) == 10_000


def test_nested_blocks_are_counted_before_they_are_unrolled() -> None:
    blocks = {"b0": {"layers": [{"type": "Dense", "units": 2}] * 10}}
    for level in range(1, 6):
        blocks[f"b{level}"] = {"layers": [{"block": f"b{level - 1}"}] * 10}  # 10**6 layers at the top
    err = error(doc({"block": "b5"}, blocks=blocks))
    assert (err.path, err.kind) == ("/layers/1", "too_large")
    assert "1,000,001 layers" in err.message  # counted, not unrolled


def test_a_long_layer_list_is_refused_before_the_schema_reads_it() -> None:
    layers = [{"type": "Input", "shape": [2]}] + [{"type": "Dense", "units": 2}] * 200_000
    err = error({"format_version": "1.0", "name": "x", "layers": layers})
    assert (err.path, err.kind) == ("/layers/10000", "too_large")
    err = error({"format_version": "1.0", "name": "x", "layers": layers[:2],
                 "blocks": {"long": {"layers": layers[1:]}}})
    assert (err.path, err.kind) == ("/blocks/long/layers/10000", "too_large")
    twinnet.set_limits(max_layers=5)
    assert (error({"format_version": "1.0", "name": "x", "layers": layers[:6]}).path) == "/layers/5"
    assert len(twinnet.expand({"format_version": "1.0", "name": "x", "layers": layers[:5]})["layers"]) == 5


def test_nesting_depth_is_limited_before_parsing() -> None:
    def nested(depth: int) -> str:
        return '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": ' + \
            "[" * (depth - 3) + "2" + "]" * (depth - 3) + "}]}"

    assert MAX_JSON_DEPTH == 64
    assert error(nested(64)).kind == "invalid_value"  # deep enough to parse, then the schema refuses it
    for depth in (65, 1_000, 100_000):
        err = error(nested(depth))
        assert (err.path, err.kind) == ("", "too_deep")
    assert error("[" * 100 + "1,," + "]" * 100).kind == "too_deep"  # depth before syntax
    assert error('["[[[[' + "[" * 100 + '"]').kind == "wrong_type"  # brackets in strings do not count


def test_deep_python_values_are_refused_without_recursion() -> None:
    value: Any = 1
    for _ in range(5_000):
        value = [value]
    err = error({**doc(), "tags": value})
    assert (err.path, err.kind) == ("", "too_deep")


def test_numbers_json_cannot_hold_are_refused() -> None:
    text = json.dumps(doc({"type": "Dense", "units": 2}))
    for number in ("1e400", "-1e400", "9" * 400, "9" * 5_000):
        err = error(text.replace('"units": 2', f'"units": {number}'))
        assert (err.path, err.kind) == ("", "invalid_json"), number
    err = error(doc({"type": "Dropout", "rate": math.nan}))
    assert (err.path, err.kind) == ("/layers/1/rate", "invalid_value")
    err = error(doc({"type": "ReLU", "max_value": math.inf}))
    assert (err.path, err.kind) == ("/layers/1/max_value", "invalid_value")


def test_file_size_and_encoding(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps({**doc(), "description": "x" * MAX_SPEC_BYTES}))
    err = error(big)
    assert (err.path, err.kind) == ("", "too_large")
    err = error(json.dumps({**doc(), "description": "x" * MAX_SPEC_BYTES}))
    assert (err.path, err.kind) == ("", "too_large")
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(json.dumps({**doc(), "description": "café"}, ensure_ascii=False).encode("latin-1"))
    err = error(latin1)
    assert (err.path, err.kind) == ("", "invalid_json")
    assert "not UTF-8" in err.message
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc()).encode())
    assert error(bom).kind == "invalid_json"


def test_weights_are_numbers() -> None:
    spec = doc({"type": "Dense", "units": 1, "weights": [[[1.0]] * 4, [0.0]]})
    assert twinnet.expand(spec)["layers"][1]["weights"] == [[[1.0]] * 4, [0.0]]
    for bad, path in (([[[1.0]] * 3 + [[True]], [0.0]], "/layers/1/weights/0/3/0"),
                      ([[[1.0]] * 4, [None]], "/layers/1/weights/1/0"),
                      ([[[1.0]] * 4, {"value": 0}], "/layers/1/weights/1")):
        err = error(doc({"type": "Dense", "units": 1, "weights": bad}))
        assert (err.path, err.kind) == (path, "invalid_value")


def test_names_the_file_system_cannot_look_up_are_not_found(tmp_path: Path) -> None:
    for source in ("x" * 5_000, "a\0b", tmp_path / "missing.json", "/no/such/dir/" + "y" * 300):
        err = error(source)
        assert (err.path, err.kind) == ("", "not_found"), source
        assert len(err.message) < 200


def test_the_limits_on_model_files_and_diagrams_are_set_alike() -> None:
    assert {k: DEFAULT_LIMITS[k] for k in ("max_model_bytes", "max_diagram_layers", "dot_timeout")} == {
        "max_model_bytes": 4_000_000_000, "max_diagram_layers": 1_000, "dot_timeout": 30}
    old = twinnet.set_limits(max_model_bytes=10**10, max_diagram_layers=math.inf, dot_timeout=0.5)
    assert old == DEFAULT_LIMITS
    from twinnet.limits import get_limit

    assert (get_limit("max_model_bytes"), get_limit("max_diagram_layers"), get_limit("dot_timeout")) == (
        10**10, math.inf, 0.5)
    for bad in (0, -1, math.nan, "30", False):
        with pytest.raises(ValueError, match="dot_timeout must be a positive number"):
            twinnet.set_limits(dot_timeout=bad)  # type: ignore[arg-type]
