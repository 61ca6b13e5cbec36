"""The tables of shared_specs/ are the values the package uses (R: tests/testthat/test-shared-tables.R).

Each table is read from shared_specs/ itself, not from the package's copy, and compared with what
the code holds; where a value decides behaviour, the behaviour is checked at the value and just
beyond it, so that a limit or a pattern typed again in the code fails here.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any

import pytest

import twinnet
from twinnet.errors import SpecError

# The modules (the package exports functions of some of the same names: twinnet.expand, twinnet.diagram).
check, codegen, data, diagram, errors, expand, handout, importer, jsontext, limits, persist, read, registry, \
    schema = (importlib.import_module(f"twinnet.{name}") for name in (
        "check", "codegen", "data", "diagram", "errors", "expand", "handout", "importer", "jsontext", "limits",
        "persist", "read", "registry", "schema"))

ROOT = Path(__file__).resolve().parents[2]


def table(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "shared_specs" / name).read_text(encoding="utf-8"))


def error(source: Any) -> SpecError:
    with pytest.raises(SpecError) as info:
        twinnet.expand(source)
    return info.value


def test_every_table_says_what_reads_it() -> None:
    readme = (ROOT / "shared_specs" / "README.md").read_text(encoding="utf-8")
    for name in ("limits.json", "spec_format.json", "messages.json", "importer.json", "model_files.json",
                 "datasets.json", "handout/handout.json"):
        assert table(name)["description"], name
        assert f"`{name}`" in readme, name


def test_the_limits_are_limits_json() -> None:
    t = table("limits.json")
    assert t["defaults"] == limits.DEFAULT_LIMITS
    old = twinnet.set_limits(**limits.DEFAULT_LIMITS)
    try:
        assert {name: limits.get_limit(name) for name in t["defaults"]} == t["defaults"]
    finally:
        twinnet.set_limits(**old)
    fixed = t["fixed"]
    assert [fixed["max_spec_bytes"], fixed["max_json_depth"], fixed["max_key_bytes"], fixed["max_block_depth"]] == [
        limits.MAX_SPEC_BYTES, limits.MAX_JSON_DEPTH, limits.MAX_KEY_BYTES, limits.MAX_BLOCK_DEPTH]
    assert [t["suggest"]["max_candidates"], t["suggest"]["max_length"]] == [
        errors.SUGGEST_MAX_CANDIDATES, errors.SUGGEST_MAX_LENGTH]
    assert [fixed["max_key_bytes"], fixed["max_block_depth"], fixed["max_spec_bytes"]] == [
        read.MAX_KEY_BYTES, expand.MAX_BLOCK_DEPTH, persist.MAX_SPEC_BYTES]


def test_the_fixed_limits_bite_at_their_values() -> None:
    fixed = table("limits.json")["fixed"]

    def with_key(n: int) -> str:
        return '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}], "' + \
            "k" * n + '": 1}'

    assert error(with_key(fixed["max_key_bytes"])).kind == "unknown_field"
    assert error(with_key(fixed["max_key_bytes"] + 1)).kind == "too_large"

    def nested_blocks(depth: int) -> dict[str, Any]:
        blocks = {f"b{i}": {"layers": [{"block": f"b{i + 1}"}]} for i in range(1, depth)}
        blocks[f"b{depth}"] = {"layers": [{"type": "Dense", "units": 1}]}
        return {"format_version": "1.0", "name": "x", "blocks": blocks,
                "layers": [{"type": "Input", "shape": [2]}, {"block": "b1"}]}

    assert twinnet.expand(nested_blocks(fixed["max_block_depth"]))["params"]["total"] == 3
    err = error(nested_blocks(fixed["max_block_depth"] + 1))
    assert err.kind == "too_deep"
    assert f"more than {fixed['max_block_depth']} deep" in err.message

    def deep(depth: int) -> str:
        return "[" * depth + "]" * depth

    assert error(deep(fixed["max_json_depth"])).kind != "too_deep"
    assert error(deep(fixed["max_json_depth"] + 1)).kind == "too_deep"


def test_did_you_mean_looks_at_words_up_to_the_shared_length() -> None:
    n = table("limits.json")["suggest"]["max_length"]
    assert errors.suggest("q" * (n - 1) + "x", ["q" * n]) is not None
    assert errors.suggest("q" * n + "x", ["q" * (n + 1)]) is None


def test_the_spec_format_is_spec_format_json() -> None:
    t = table("spec_format.json")
    assert (t["format_version"], t["supported_major"]) == (registry.FORMAT_VERSION, registry.SUPPORTED_MAJOR)
    assert twinnet.expand("lenet5")["format_version"] == t["format_version"]
    generated = json.loads((ROOT / "shared_specs" / "schema" / "twinnet-spec-v1.schema.json").read_text())
    patterns = t["patterns"]
    assert generated["$defs"]["name"]["pattern"] == patterns["name"]
    assert generated["$defs"]["param_ref"]["pattern"] == patterns["parameter"]
    assert generated["$defs"]["ref_list"]["items"]["pattern"] == patterns["reference"]
    assert generated["properties"]["format_version"]["pattern"] == patterns["format_version"]
    keywords = t["schema_keywords"]
    assert [keywords["order"], keywords["members"], keywords["quiet"]] == [
        list(schema.KEYWORD_ORDER), list(schema.MEMBER_KEYWORDS), list(schema.QUIET_KEYWORDS)]


def test_the_name_and_parameter_patterns_are_the_shared_ones() -> None:
    patterns = table("spec_format.json")["patterns"]
    assert read.NAME_RE.pattern == schema.ecma_pattern(patterns["name"]).pattern
    assert codegen.IDENTIFIER_RE.pattern == read.NAME_RE.pattern
    assert expand.PARAM_RE.pattern == schema.ecma_pattern(patterns["parameter"]).pattern
    # JSON Schema's "$": a final newline is no part of a name or a parameter, in any module
    assert read.NAME_RE.match("conv1") and not read.NAME_RE.match("conv1\n")
    assert codegen.IDENTIFIER_RE.match("conv1") and not codegen.IDENTIFIER_RE.match("conv1\n")
    assert (expand.param_name("$filters"), expand.param_name("$filters\n"), expand.param_name("$1")) == (
        "filters", None, None)
    assert importer.spec_name("9lives") == "model_9lives"


def test_the_messages_are_messages_json() -> None:
    t = table("messages.json")
    assert t["json_syntax"] == jsontext.MESSAGES
    assert t["type_words"] == check.TYPE_WORDS
    err = error('{"format_version": "1.0", "name": "x", "layers": [{"type": "Dense", "units": 1,}]}')
    assert err.message.endswith(t["json_syntax"]["trailing_object"])
    err = error({"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]},
                                                                   {"type": "Dense", "units": 1, "use_bias": 1}]})
    assert t["type_words"]["boolean"] in err.message


def test_the_importer_tables_are_importer_json() -> None:
    t = table("importer.json")
    assert t["neutral"] == importer.NEUTRAL
    assert t["neutral_initializers"] == importer.NEUTRAL_INITIALIZERS
    assert importer.NOT_NEEDED_WHEN_NULL.pattern == schema.ecma_pattern(t["not_needed_when_null"]).pattern
    assert importer.NOT_NEEDED_WHEN_NULL.search("kernel_regularizer")
    assert not importer.NOT_NEEDED_WHEN_NULL.search("kernel_regularizer\n")


def test_the_model_file_tables_are_model_files_json() -> None:
    t = table("model_files.json")
    assert (persist.CONFIG_MEMBER, persist.METADATA_MEMBER, list(persist.WEIGHTS_MEMBERS)) == (
        t["members"]["config"], t["members"]["metadata"], t["members"]["weights"])
    assert list(persist.MODEL_CLASSES) == t["model_classes"]
    assert list(persist.SHAPE_KEYS) == t["shape_keys"]
    w = t["weights"]
    assert [w["conv_rank"], w["separable_rank"], w["depthwise_rank"], w["rnn_gates"], w["norm_vectors"]] == [
        persist.CONV_RANK, persist.SEPARABLE_RANK, persist.DEPTHWISE_RANK, persist.RNN_GATES, persist.NORM_VECTORS]
    assert w["rnn_second_bias"] == persist.RNN_SECOND_BIAS
    assert frozenset(w["no_weights"]) == persist.NO_WEIGHTS
    assert t["safe_mode_module"] == persist.SAFE_MODE_MODULE
    assert persist.UNSAFE_PATTERN.pattern == t["unsafe_pattern"]
    assert isinstance(persist.keras_failure("m.keras", "ValueError", "Requested the deserialization of a "
                                            "Lambda layer ... safe_mode=False"), persist.UnsafeModelError)
    for kind in t["out_of_memory_error_classes"]:
        assert persist.keras_failure("m.keras", kind, "no memory").kind == "too_large"
    assert persist.keras_failure("m.keras", "KeyError", "safe_mode").kind == "malformed"


def test_the_data_sets_are_datasets_json() -> None:
    t = table("datasets.json")
    assert list(data.KERAS_DATASETS) == t["keras"]
    assert data.SAMPLE.name == t["mnist_sample"]
    with pytest.raises(ValueError, match="Keras has " + ", ".join(t["keras"])):
        data.load_dataset("no_such_set")


def test_the_diagram_and_code_tables_are_shared() -> None:
    d = table("diagram.json")
    assert list(diagram.FORMATS) == d["formats"]
    assert d["graphviz_missing"] == diagram.GRAPHVIZ_MISSING
    assert "{format}" in d["graphviz_missing"]
    c = table("codegen.json")
    assert list(codegen.LANGUAGES) == list(c["language_words"])
    for language, words in c["language_words"].items():
        assert f"the twinnet spec 'lenet5' as {words}" in twinnet.to_code("lenet5", language).splitlines()[0]


def test_the_learning_curves_take_the_shared_style() -> None:
    t = table("handout/handout.json")
    curves = t["curves"]
    assert curves["colors"] == handout.CURVE_COLORS
    svg = handout.curves_svg({"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]})
    assert f'width="{curves["width"]}" height="{curves["height"]}"' in svg
    assert f'stroke="{curves["frame_color"]}"' in svg
    for data_set, color in curves["colors"].items():
        assert f'<polyline class="{data_set}" fill="none" stroke="{color}"' in svg
    left = curves["margin"]["left"]
    assert f'<text x="{left + 6:.1f}" y=' in svg and f'<text x="{left + 6 + curves["legend_step"]:.1f}" y=' in svg
    assert math.isclose(float(svg.split('<rect x="')[1].split('"')[0]), left)


def test_every_keras3_function_the_r_code_calls_is_a_keras3_export() -> None:
    """keras3.json names the functions to_code(spec, "r") writes; each is exported by the keras3 release
    that keras3_exports.json lists (keras3 1.5.1 writes AdamW's as optimizer_adam_w)."""
    k3, exports = table("keras3.json"), set(table("keras3_exports.json")["exports"])
    written = {*k3["functions"], *k3["layer_functions"].values(), *k3.get("class_functions", {}).values()}
    assert written - exports == set()
