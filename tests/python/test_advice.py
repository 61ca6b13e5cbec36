"""Spec warnings (advice.py): the conformance vectors of shared_specs/conformance/warnings/, when they are
told, the allow list, and the tables they are made of (R: test-advice.R)."""

from __future__ import annotations

import copy
import json
import pickle
import re
import warnings
from typing import Any

import pytest
from support import CONFORMANCE, ROOT, vectors

import twinnet
from twinnet.advice import ADVICE, CHECKS, SpecWarning, spec_warning_at
from twinnet.registry import layer_types, registry, schema

TABLE: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "shared_specs" / "messages.json").read_text(encoding="utf-8"))["spec_warnings"]
KINDS = sorted({entry["kind"] for entry in TABLE.values()})
CATALOG = [str(row.name) for row in twinnet.catalog()]
WARNING_VECTORS = [c for c in vectors("warnings") if "warnings" in c.values[0]]
ERROR_VECTORS = [c for c in vectors("warnings") if "error" in c.values[0]]  # a wrong allow list


def told(source: Any) -> list[SpecWarning]:
    """The SpecWarnings that load_spec() tells of ``source``."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        twinnet.load_spec(source)
    return [w.message for w in seen if isinstance(w.message, SpecWarning)]  # type: ignore[misc]


def as_data(found: list[SpecWarning]) -> list[dict[str, Any]]:
    return [{"path": w.path, "kind": w.kind, "message": w.message, "hint": w.hint} for w in found]


def test_there_are_warning_vectors_of_every_kind() -> None:
    cases = [json.loads(f.read_text(encoding="utf-8")) for f in sorted((CONFORMANCE / "warnings").glob("*.json"))]
    assert len(cases) >= 15
    assert all(("warnings" in case) != ("error" in case) for case in cases)
    seen = {w["kind"] for case in cases for w in case.get("warnings", [])}
    assert seen == set(KINDS)
    assert any(case.get("warnings") == [] for case in cases)  # and specs that pass
    assert len(ERROR_VECTORS) >= 2


@pytest.mark.parametrize("case", WARNING_VECTORS)
def test_vector_gives_recorded_warnings(case: dict[str, Any]) -> None:
    assert as_data(twinnet.spec_warnings(case["spec"])) == case["warnings"]


@pytest.mark.parametrize("case", WARNING_VECTORS)
def test_load_spec_tells_each_warning_once(case: dict[str, Any]) -> None:
    assert as_data(told(case["spec"])) == case["warnings"]


@pytest.mark.parametrize("name", CATALOG)
def test_catalog_spec_has_no_warning(name: str) -> None:
    """No catalog spec (the worked examples are catalog specs too) warns; one that means to opts out."""
    assert [str(w) for w in twinnet.spec_warnings(name)] == []


def test_warnings_are_told_once_per_call_and_where_the_user_called() -> None:
    doc = next(c.values[0]["spec"] for c in vectors("warnings") if c.id.endswith("dropout_after_output"))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        spec = twinnet.load_spec(doc)
        twinnet.expand(spec)  # a Spec was told about when it was loaded
        twinnet.spec_warnings(spec)  # data, not told
        twinnet.spec_warnings(doc)
        twinnet.load_spec(spec)  # a Spec is not told about again
    assert [type(w.message) for w in seen] == [SpecWarning]
    assert seen[0].filename == __file__
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        twinnet.build_model(doc)
    assert [str(w.message) for w in seen if w.category is SpecWarning] == [str(told(doc)[0])]


def test_spec_warning_is_a_user_warning_with_the_words_of_a_spec_error() -> None:
    w = spec_warning_at("/layers/2", "dropout_after_output", name="d", last="out")
    assert isinstance(w, UserWarning) and not isinstance(w, twinnet.SpecError)
    assert twinnet.SpecWarning is SpecWarning
    assert w.kind == "dropout_after_output"
    assert str(w) == f"at /layers/2: {w.message}; {w.hint}"
    assert w.message.startswith("Dropout 'd' acts on the model's output, after 'out'")
    assert pickle.loads(pickle.dumps(w)) == w
    with pytest.raises(AssertionError, match="no placeholder"):
        spec_warning_at("/layers/2", "dropout_after_output", name="d", last="out", extra="x")
    with pytest.raises(AssertionError, match="takes"):
        spec_warning_at("/layers/2", "dropout_after_output", name="d")


def test_allow_silences_only_the_kinds_it_names() -> None:
    doc = {"format_version": "1.0", "name": "t", "layers": [
        {"type": "Input", "shape": [4]}, {"type": "Dense", "units": 3, "activation": "softmax"},
        {"type": "Dropout", "rate": 0.5}]}
    assert [w.kind for w in twinnet.spec_warnings(doc)] == ["dropout_after_output"]
    other = copy.deepcopy(doc)
    other["layers"][2]["allow"] = ["softmax_hidden"]
    assert [w.kind for w in twinnet.spec_warnings(other)] == ["dropout_after_output"]
    on_other_layer = copy.deepcopy(doc)
    on_other_layer["layers"][1]["allow"] = ["dropout_after_output"]  # the warning is about the Dropout
    assert [w.kind for w in twinnet.spec_warnings(on_other_layer)] == ["dropout_after_output"]
    doc["layers"][2]["allow"] = ["dropout_after_output"]
    assert twinnet.spec_warnings(doc) == [] and told(doc) == []
    assert "allow" not in json.dumps(twinnet.expand(doc))  # the expansion and the model know nothing of it


def test_allow_in_a_block_silences_every_use() -> None:
    case = next(c.values[0]["spec"] for c in vectors("warnings") if c.id.endswith("pool_drops_rows_in_block"))
    assert twinnet.spec_warnings(case)
    case = copy.deepcopy(case)
    case["blocks"]["down"]["layers"][1]["allow"] = ["window_drops_input"]
    assert twinnet.spec_warnings(case) == []


@pytest.mark.parametrize("case", ERROR_VECTORS)
def test_allow_errors_have_their_words(case: dict[str, Any]) -> None:
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec(case["spec"])
    got = {"path": e.value.path, "kind": e.value.kind, "message": e.value.message, "hint": e.value.hint}
    assert got == case["error"]
    assert e.value.hint  # a misspelt kind gets "did you mean", a single one the list to write


def test_allow_takes_the_kinds_of_messages_json() -> None:
    allow = schema()["$defs"]["allow"]
    assert allow["items"]["enum"] == KINDS
    for name in layer_types():
        assert schema()["$defs"][f"layer_{name}"]["properties"]["allow"] == {"$ref": "#/$defs/allow"}, name


def test_every_template_is_used_and_written_alike() -> None:
    """Each warning has a hint, a kind equal to its id, and a check that gives it (R: the same)."""
    source = (ROOT / "python" / "twinnet" / "advice.py").read_text(encoding="utf-8")
    r_source = (ROOT / "R" / "advice.R").read_text(encoding="utf-8")
    for warning, entry in TABLE.items():
        assert entry["kind"] == warning
        assert entry.get("hint")
        assert f'"{warning}"' in source and f'"{warning}"' in r_source
    r_checks = re.findall(r"^(check_[a-z_]+) <- function", r_source, re.M)
    assert len(r_checks) == len(CHECKS)  # one R check for each Python one, each listed once
    assert all(r_source.count(name) == 2 for name in r_checks)


def test_advice_table_names_what_exists() -> None:
    types = layer_types()
    rules = {info["shape"]["rule"] for info in types.values()}
    for name in [*ADVICE["passes_values"], *ADVICE["activation_layers"], *ADVICE["gated"]]:
        assert name in types, name
    for name, activation in ADVICE["activation_layers"].items():
        if activation is None:  # the one its activation argument names
            assert "activation" in types[name]["args"], name
        else:
            assert activation in registry()["activations"], name
    for rule, arg in ADVICE["windows"].items():
        assert rule in rules
        assert all(arg in info["args"] and "strides" in info["args"] and "padding" in info["args"]
                   for info in types.values() if info["shape"]["rule"] == rule)
    for rule, arg in ADVICE["padding"].items():
        assert rule in rules
        assert all(types[t]["args"][arg]["kind"] == "pairs" for t in types if types[t]["shape"]["rule"] == rule)
    for loss, wants in ADVICE["losses"].items():
        assert loss in registry()["compile"]["losses"]
        assert set(wants) <= {"activations", "min_units"}
        assert all(a in registry()["activations"] for a in wants.get("activations", []))


@pytest.mark.parametrize("loss", sorted(ADVICE["losses"]))
def test_each_loss_accepts_what_it_expects(loss: str) -> None:
    """An output with the activation the loss expects, and enough units, is not warned about (the check can pass)."""
    wants = ADVICE["losses"][loss]
    doc = {"format_version": "1.0", "name": "t", "compile": {"optimizer": "adam", "loss": loss}, "layers": [
        {"type": "Input", "shape": [4]},
        {"type": "Dense", "units": wants.get("min_units", 1), "activation": wants["activations"][0]}]}
    assert twinnet.spec_warnings(doc) == []
    doc["layers"][1]["activation"] = "linear"
    assert [w.kind for w in twinnet.spec_warnings(doc)] == ["loss_output_activation"]


@pytest.mark.skipif("TimeDistributed" not in layer_types(), reason="no TimeDistributed layer type")
def test_a_wrapper_outputs_the_activation_of_what_it_wraps() -> None:
    doc = {"format_version": "1.0", "name": "t", "compile": {"optimizer": "adam", "loss": "binary_crossentropy"},
           "layers": [{"type": "Input", "shape": [5, 4]},
                      {"type": "TimeDistributed", "layer": {"type": "Dense", "units": 3, "activation": "softmax"}}]}
    assert [(w.path, w.kind) for w in twinnet.spec_warnings(doc)] == [("/layers/1", "loss_output_activation")]
    doc["layers"][1]["layer"]["activation"] = "sigmoid"
    assert twinnet.spec_warnings(doc) == []
