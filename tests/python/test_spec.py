"""load_spec: every kind of source, and the errors a student meets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import twinnet
from twinnet.errors import json_pointer, suggest

MLP = {"format_version": "1.0", "name": "tiny", "layers": [{"type": "Input", "shape": [3]},
                                                          {"type": "Dense", "units": 2}]}


def test_sources_give_equal_specs(tmp_path: Path) -> None:
    f = tmp_path / "tiny.json"
    f.write_text(json.dumps(MLP))
    specs = [twinnet.load_spec(MLP), twinnet.load_spec(json.dumps(MLP)), twinnet.load_spec(str(f)),
             twinnet.load_spec(f)]
    assert all(s.data == MLP for s in specs)
    assert twinnet.load_spec(specs[0]) == specs[0]


def test_load_spec_copies_its_input() -> None:
    doc = json.loads(json.dumps(MLP))
    spec = twinnet.load_spec(doc)
    doc["layers"][1]["units"] = 99
    assert spec.data["layers"][1]["units"] == 2


def test_catalog_names_load() -> None:
    names = [row.name for row in twinnet.catalog()]
    assert {"lenet5", "mnist_mlp", "mini_resnet", "imdb_lstm"} <= set(names)
    assert twinnet.load_spec("lenet5").title == "LeNet-5"


def test_repr_is_one_line() -> None:
    assert repr(twinnet.load_spec("lenet5")) == "<twinnet spec 'lenet5': 9 layers, 61,706 parameters>"


def test_unknown_name_suggests_catalog_entry() -> None:
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec("lenet")
    assert e.value.kind == "not_found" and e.value.path == ""
    assert e.value.hint == "did you mean 'lenet5'?"


def test_invalid_json_gives_line_and_column() -> None:
    with pytest.raises(twinnet.SpecError, match=r"line 2, column 3") as e:
        twinnet.load_spec('{"a": 1,\n  }')
    assert e.value.kind == "invalid_json"


def test_error_is_a_value_error_with_path_and_hint() -> None:
    bad = json.loads(json.dumps(MLP))
    bad["layers"][1] = {"type": "Dense", "unitz": 2}
    with pytest.raises(ValueError) as e:
        twinnet.load_spec(bad)
    err = e.value
    assert isinstance(err, twinnet.SpecError)
    assert (err.path, err.kind) == ("/layers/1/unitz", "unknown_argument")
    assert str(err) == "at /layers/1/unitz: 'unitz' is not an argument of Dense; did you mean 'units'?"


def test_unknown_type_suggests() -> None:
    bad = json.loads(json.dumps(MLP))
    bad["layers"][1]["type"] = "Conv2d"
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec(bad)
    assert e.value.hint == "did you mean 'Conv1D'?" or e.value.hint == "did you mean 'Conv2D'?"
    assert e.value.hint == "did you mean 'Conv2D'?"  # case-insensitive distance 0 wins


def test_error_survives_pickling() -> None:
    import pickle

    err = twinnet.SpecError("/layers/0", "msg", "missing", "hint")
    back = pickle.loads(pickle.dumps(err))
    assert (back.path, back.message, back.kind, back.hint) == ("/layers/0", "msg", "missing", "hint")


def test_json_pointer_escapes() -> None:
    assert json_pointer(["a/b", "c~d", 3]) == "/a~1b/c~0d/3"


@pytest.mark.parametrize(("word", "hint"), [("kernal_size", "kernel_size"), ("filter", "filters"),
                                            ("xyz", None), ("Units", "units")])
def test_suggest(word: str, hint: str | None) -> None:
    got = suggest(word, ["kernel_size", "filters", "units", "strides"])
    assert got == (f"did you mean '{hint}'?" if hint else None)


def test_integers_written_as_floats_are_integers() -> None:
    doc = json.loads(json.dumps(MLP))
    doc["layers"][1]["units"] = 2.0
    layer = twinnet.expand(doc)["layers"][1]
    assert layer["config"]["units"] == 2 and isinstance(layer["config"]["units"], int)


def test_booleans_are_not_integers() -> None:
    doc = json.loads(json.dumps(MLP))
    doc["layers"][1]["units"] = True
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec(doc)
    assert e.value.path == "/layers/1/units"


def test_python_values_that_json_cannot_hold_are_refused_where_they_are() -> None:
    import numpy as np

    base = {"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [4]}]}
    cases = [({**base, "tags": {"a", "b"}}, "/tags", "a set"),
             ({**base, "layers": [{"type": "Input", "shape": [np.int64(4)]}]}, "/layers/0/shape/0", "numpy.int64"),
             ({**base, 1: "one"}, "", "the key 1")]
    for doc, path, found in cases:
        with pytest.raises(twinnet.SpecError) as e:
            twinnet.load_spec(doc)
        assert (e.value.path, e.value.kind) == (path, "wrong_type")
        assert found in e.value.message


def test_strings_that_r_cannot_hold_are_refused_in_dicts_too() -> None:
    base = {"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [4]}]}
    for title, what in (("a\x00b", "NUL"), ("a\ud800b", "surrogate")):
        with pytest.raises(twinnet.SpecError) as e:
            twinnet.load_spec({**base, "title": title})
        assert e.value.kind == "invalid_json" and what in e.value.message
