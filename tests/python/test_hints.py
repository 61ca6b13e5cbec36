"""Hints a student can act on: shared_specs/hints.json, and the errors that name a file (R: test-hints.R).

The messages of the mistakes in a spec are pinned by the conformance vectors (140 and up), which both
languages run; the words of a file's errors are pinned here and in test-hints.R, the same.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

import twinnet
from twinnet import check, errors
from twinnet.errors import hint_text, meaning, suggest
from twinnet.registry import layer_types

ROOT = Path(__file__).resolve().parents[2]
HINTS: dict[str, Any] = json.loads((ROOT / "shared_specs" / "hints.json").read_text(encoding="utf-8"))
MLP = ('{"format_version": "1.0", "name": "tiny", "layers": [{"type": "Input", "shape": [3]}, '
       '{"type": "Dense", "units": 2}]}')


def error(source: Any) -> twinnet.SpecError:
    with pytest.raises(twinnet.SpecError) as info:
        twinnet.load_spec(source)
    return info.value


def test_the_table_is_hints_json() -> None:
    assert errors.HINTS == HINTS
    assert HINTS["description"]
    assert "`hints.json`" in (ROOT / "shared_specs" / "README.md").read_text(encoding="utf-8")


def test_every_hint_is_used_in_the_code_of_both_languages() -> None:
    py = {node.value for path in (ROOT / "python" / "twinnet").glob("*.py")
          for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
          if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    r = "\n".join(line for path in (ROOT / "R").glob("*.R") for line in path.read_text(encoding="utf-8").splitlines()
                  if not line.lstrip().startswith("#"))
    for name, template in HINTS["hints"].items():
        assert name in py, name
        assert f'"{name}"' in r, name
        assert set(re.findall(r"\{([a-z_]+)\}", template)), name


def test_the_tables_name_keras_s_own_names() -> None:
    keras = set(HINTS["keras_layers"])
    assert set(HINTS["type_aliases"]) <= keras and set(HINTS["type_aliases"].values()) <= keras
    assert set(HINTS["old_types"]).isdisjoint(keras) and set(HINTS["old_types"].values()) <= keras
    arguments = {a for args in HINTS["keras_arguments"].values() for a in args} | {"learning_rate"}
    for old, new in HINTS["old_arguments"].items():  # ("output_dim" is Embedding's own in Keras 3, and Dense's old)
        assert set(new) <= arguments, old
    assert set(HINTS["input_arguments"]).isdisjoint(arguments - {"input_dim"})  # Embedding's input_dim is its own
    for layer_type, info in layer_types().items():  # twinnet's arguments are Keras's
        if layer_type in HINTS["keras_arguments"]:
            assert set(info["args"]) - {"trainable"} <= set(HINTS["keras_arguments"][layer_type]), layer_type


def test_a_name_with_a_meaning_is_matched_only_with_names_of_that_meaning() -> None:
    dense = ["units", "activation", "use_bias", "kernel_initializer", "bias_initializer"]
    assert [meaning(w) for w in ("kernel_regularizer", "kernel_regulariser", "KernelRegularizer", "forget_gate")] == [
        "regularizer", "regularizer", "regularizer", None]
    assert suggest("kernel_regularizer", dense) is None  # never 'kernel_initializer'
    assert suggest("kernel_regulariser", [*dense, "kernel_regularizer"]) == "did you mean 'kernel_regularizer'?"
    assert suggest("kernel_initialiser", dense) == "did you mean 'kernel_initializer'?"
    assert suggest("recurent_activation", ["activation", "recurrent_activation"]) == \
        "did you mean 'recurrent_activation'?"
    assert suggest("kernel_size", ["kernel_initializer"]) is None
    assert suggest("kernal_size", ["kernel_size", "kernel_initializer"]) == "did you mean 'kernel_size'?"


def test_the_issue_s_mistakes_get_hints() -> None:
    def layer(**entry: Any) -> dict[str, Any]:
        return {"format_version": "1.0", "name": "m", "layers": [{"type": "Input", "shape": [8]}, entry]}

    assert error(layer(type="Dense", units=2, activation="Relu")).hint == "did you mean 'relu'?"
    assert error(layer(type="Dense", units=2, activation="soft_max")).hint == "did you mean 'softmax'?"
    assert error(layer(type="Dense", units=2, activation="sigmo\u00efd")).hint == "did you mean 'sigmoid'?"
    e = error(layer(type="Dense", units=2, kernel_constraint="non_neg"))
    assert (e.kind, e.message, e.hint) == (
        "unknown_argument", "'kernel_constraint' is a Keras argument of Dense that twinnet does not support yet", None)
    assert error(layer(type="Convolution1D", filters=2, kernel_size=3)).hint == \
        'it is another Keras name of Conv1D: write "Conv1D"'
    assert error(layer(type="maxpool2d")).hint == 'it is another Keras name of MaxPooling2D: write "MaxPooling2D"'
    assert error(layer(type="Dense", output_dim=2)).hint == "it is an old Keras name: Keras 3 calls it 'units'"
    assert error(layer(type="Embedding", input_dim=5, output_dim=2, init="uniform")).hint == \
        "it is an old Keras name: Keras 3 calls it 'embeddings_initializer'"
    assert error(layer(type="Dense", units=2, input_dim=8)).hint == \
        'a spec gives the input\'s shape to an Input layer before this one: {"type": "Input", "shape": [...]}'
    e = error(layer(type="Dense", units=2, inputs="input_1"))
    assert e.hint == """write a list of one: ["input_1"] (in R: list("input_1") or I("input_1"))"""
    every = hint_text("supported_types", types=", ".join(layer_types()))
    assert error(layer(type="FullyConnected")).hint == every
    assert error(layer(type=3)).hint is None  # not a name at all
    e = error(layer(type="ConvLSTM2D"))
    assert (e.kind, e.message, e.hint) == (
        "unknown_type", "'ConvLSTM2D' is a Keras layer that twinnet does not support yet", every)


def test_an_old_name_whose_new_name_the_layer_lacks_gets_a_spelling_hint_or_none() -> None:
    e = error({"format_version": "1.0", "name": "m", "layers": [{"type": "Input", "shape": [8]},
                                                                {"type": "Flatten", "border_mode": "same"}]})
    assert (e.message, e.hint) == ("'border_mode' is not an argument of Flatten", None)


# -- files ------------------------------------------------------------------------------------------

FILE_CASES = [  # (what the file holds, the message: {file} is the file's name)
    (b'{"a": 1,\n "b": [1 2]}', "invalid JSON at line 2, column 9 of '{file}': a comma is missing between two "
                                "elements of an array"),
    (b"[NaN]", "invalid JSON in '{file}': NaN is not JSON"),
    (b"[1e400]", "invalid JSON in '{file}': the number 1e400 is too large for a 64-bit float"),
    (b"\xef\xbb\xbf{}", "invalid JSON at line 1, column 1 of '{file}': Unexpected UTF-8 BOM"),
    (b"[" * 65 + b"]" * 65, "the JSON in '{file}' nests arrays and objects more than 64 levels deep"),
    (b'["\\u0000"]', "invalid JSON at line 1, column 3 of '{file}': a string holds \\u0000 (NUL), which twinnet "
                     "does not accept"),
    (b'["\\ud800"]', "invalid JSON at line 1, column 3 of '{file}': \\ud800 is half of a UTF-16 surrogate pair, "
                     "not a character"),
    (b'{"a": \xff}', "invalid JSON: the file '{file}' is not UTF-8 text (byte 7 is not)"),
]


@pytest.mark.parametrize(("content", "message"), FILE_CASES, ids=[m[:30] for _, m in FILE_CASES])
def test_every_error_about_a_file_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes,
                                          message: str) -> None:
    (tmp_path / "lenet.json").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    for source in ("lenet.json", Path("lenet.json")):
        e = error(source)
        assert (e.path, e.message) == ("", message.format(file="lenet.json"))


def test_a_file_too_large_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "big.json").write_bytes(b" " * 10_000_001)
    monkeypatch.chdir(tmp_path)
    assert error("big.json").message == "the file 'big.json' is larger than 10,000,000 bytes"


def test_a_long_path_is_cut_at_its_beginning(tmp_path: Path) -> None:
    d = tmp_path / ("d" * 70)
    d.mkdir()
    f = d / "broken_model.json"
    f.write_text("[1,,2]")
    assert error(str(f)).message == f"invalid JSON at line 1, column 4 of '...{str(f)[-57:]}': expected a value"
    assert error(str(f)).message.endswith("dddd/broken_model.json': expected a value")


def test_json_text_and_dicts_name_no_file() -> None:
    assert error(MLP[:-1]).message == "invalid JSON at line 1, column 117: the text ends before every '[' and '{' " \
                                      "is closed"
    assert check.validate_document(json.loads(MLP))
