"""to_code and from_keras: generated code and imported specs build models equal to build_model()."""

from __future__ import annotations

import ast
import keyword
import re
from typing import Any

import keras
import numpy as np
import pytest
from codegen_models import assert_same_layers, written_names
from hypothesis import given, settings
from hypothesis import strategies as st
from support import catalog_model, forward

import twinnet
from twinnet.codegen import KERAS3_FUNCTIONS, KERAS3_LAYER_COMMON, RESERVED, Identifiers, comment, number_text, quote
from twinnet.expand import param_name, param_uses

CATALOG = [row.name for row in twinnet.catalog()]
IMAGENET = {"alexnet", "alexnet_groups2", "googlenet", "resnet18", "resnet34", "resnet50", "vgg16", "vgg19", "yolov1"}


def assert_same_model(got: Any, want: Any, spec: Any) -> None:
    """Equal layers in order (classes, configs, shapes, counts; the names the spec gives), equal outputs with
    want's weights."""
    assert_same_layers(got, want, spec)
    assert [tuple(t.shape) for t in got.inputs] == [tuple(t.shape) for t in want.inputs]
    assert got.count_params() == want.count_params()
    assert len(got.trainable_weights) == len(want.trainable_weights)
    rng = np.random.default_rng(0)
    xs = []
    for t in want.inputs:
        shape = [1 if d is None else d for d in t.shape]
        if "int" in str(t.dtype):
            xs.append(rng.integers(0, 10, size=shape).astype(str(t.dtype)))
        else:
            xs.append(rng.normal(size=shape).astype("float32"))
    x = xs[0] if len(xs) == 1 else xs
    a, b = forward(got, x), forward(want, x)
    for u, v in zip(a if isinstance(a, list | tuple) else [a], b if isinstance(b, list | tuple) else [b], strict=True):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-5, atol=1e-5)


def run_python(code: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<to_code>", "exec"), namespace)  # the code twinnet generated
    return namespace["model"]


@pytest.mark.parametrize("name", CATALOG)
def test_generated_python_builds_the_same_model(name: str) -> None:
    want = catalog_model(name)  # build_model(name, seed=0), shared; read only (got takes its weights)
    got = run_python(twinnet.to_code(name, "python"))
    assert_same_model(got, want, name)
    keras.backend.clear_session()


R_CALL = re.compile(
    r"\b((?:layer|keras|initializer|optimizer|regularizer|callback|learning_rate_schedule)_[a-z0-9_]+)\(")


@pytest.mark.parametrize("name", CATALOG)
def test_keras3_code_calls_only_tabled_functions(name: str) -> None:
    code = twinnet.to_code(name, "r")
    assert code.startswith("# ") and "library(keras3)" in code
    for fn in R_CALL.findall(code):
        assert fn in KERAS3_FUNCTIONS, fn
    for fn in KERAS3_FUNCTIONS:
        if fn.startswith("layer_"):
            assert "name" not in KERAS3_FUNCTIONS[fn] and KERAS3_LAYER_COMMON == ["name", "trainable"]


def test_to_code_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="language must be one of"):
        twinnet.to_code("lenet5", "julia")


def test_cli_code(capsys: pytest.CaptureFixture[str]) -> None:
    from twinnet.__main__ import main

    assert main(["code", "lenet5", "--language", "r"]) == 0
    assert capsys.readouterr().out == twinnet.to_code("lenet5", "r")


# -- strings, comments, numbers and names: one way each reaches the code ----------------------------
@pytest.mark.parametrize("text", ["plain", 'a "quoted" \\ back', "line\nbreak\r\ttab", "\x00\x07\x7f\x85",
                                  "\u2028\u202e\ufeff", "caf\u00e9 \U0001f600", "{name}", "$x", "\ud800"])
def test_quote_is_one_ascii_line_that_reads_back(text: str) -> None:
    literal = quote(text)
    assert literal.isascii() and "\n" not in literal and "\r" not in literal
    assert ast.literal_eval(literal) == text


@given(st.text())
@settings(max_examples=200, deadline=None, database=None)
def test_quote_reads_back_any_text(text: str) -> None:
    assert ast.literal_eval(quote(text)) == text


@given(st.text())
@settings(max_examples=200, deadline=None, database=None)
def test_comment_lines_never_end_early(text: str) -> None:
    lines = comment(text)
    program = "\n".join(lines) + "\nvalue = 1\n"
    assert ast.parse(program).body[0].targets[0].id == "value"  # type: ignore[attr-defined]
    assert all(line == "#" or line.startswith("# ") for line in lines)
    assert all(not any(c in line for c in "\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029") for line in lines)


def test_comment_splits_lines_and_escapes_invisible_characters() -> None:
    assert comment("a\nb\r\nc\rd\n") == ["# a", "# b", "# c", "# d", "#"]
    assert comment("x\u2028y\u202ez\x07") == ["# x\\u2028y\\u202ez\\u0007"]
    assert comment("caf\u00e9") == ["# caf\u00e9"]


@pytest.mark.parametrize(("value", "kind", "text"), [
    (1e15, "number", "1000000000000000.0"), (1e16, "number", "1e+16"), (5e-324, "number", "5e-324"),
    (2.2250738585072014e-308, "number", "2.2250738585072014e-308"), (1e-05, "number", "1e-05"),
    (0.0001, "number", "0.0001"), (-0.0, "number", "-0.0"), (0.1, "number", "0.1"), (2.0, "number", "2.0"),
    (1.7976931348623157e308, "number", "1.7976931348623157e+308"), (0.30000000000000004, "number",
                                                                     "0.30000000000000004"),
    (7, "number", "7"), (2147483647, "number", "2147483647"), (-2147483647, "number", "-2147483647"),
    (2147483648, "number", "2147483648.0"), (-2147483648, "number", "-2147483648.0"),
    (3000000000, "number", "3000000000.0"), (2**60, "number", "1.152921504606847e+18"),
    (2**60, "integer", "1152921504606846976"), (9007199254740993, "integer", "9007199254740993"),
    (3.0, "integer", "3"), (1e20, "integer", "100000000000000000000"), (-0.0, "integer", "0"),
    (1, "float", "1.0"), (1e-05, "float", "1e-05"),
])
def test_number_text(value: float, kind: str, text: str) -> None:
    assert number_text(value, kind) == text


def test_identifiers_rename_reserved_and_taken_names_the_same_way_each_time() -> None:
    assert set(keyword.kwlist) | set(keyword.softkwlist) <= RESERVED
    assert {"keras", "layers", "np", "model", "x", "inputs", "name", "NA_integer_", "function", "TRUE",
            "layer_dense", "c"} <= RESERVED
    ids = Identifiers({"b"})
    assert [ids(n) for n in ["lambda", "b", "conv", "NA_integer_", "a_", "a\n", "a\n", "a__"]] == [
        "lambda_", "b_", "conv", "NA_integer__", "a_", "a__", "a__", "a___"]


def test_input_alone_is_written_with_the_functional_api() -> None:
    spec = {"format_version": "1.0", "name": "io", "layers": [{"type": "Input", "shape": [3]}]}
    code = twinnet.to_code(spec, "python")
    model = run_python(code)
    assert model.count_params() == 0 and model.name == "io"
    for language in ("r", "r-reticulate"):
        assert "|>\n" not in twinnet.to_code(spec, language) + "\n"


def test_block_values_are_checked_as_the_arguments_they_stand_for() -> None:
    def spec(default: Any, arg: Any) -> dict[str, Any]:
        return {"format_version": "1.0", "name": "p",
                "blocks": {"b": {"params": {"k": default, "free": {"any": "thing"}},
                                 "layers": [{"type": "Dense", "units": 2, "kernel_initializer": "$k"}]}},
                "layers": [{"type": "Input", "shape": [4]}, {"block": "b", "args": {"k": arg}}]}

    twinnet.load_spec(spec("zeros", {"class_name": "Constant", "config": {"value": 1}}))
    for default, arg, path in [({"class_name": "Zeros()"}, "ones", "/blocks/b/params/k"),
                               ("zeros", {"config": {}}, "/layers/1/args/k"),
                               ("zeros", "os.system", "/layers/1/args/k")]:
        with pytest.raises(twinnet.SpecError) as info:
            twinnet.load_spec(spec(default, arg))
        assert (info.value.path, info.value.kind) == (path, "invalid_value")
        assert info.value.message.startswith("expected the name of a Keras initializer")
    assert "free" not in twinnet.to_code(spec("zeros", "ones"), "python")  # stands for nothing: left out


def test_param_uses_follow_arguments_passed_on() -> None:
    blocks = {"inner": {"params": {"q": 1, "r": 1}, "layers": [{"type": "Dense", "units": "$q"},
                                                                 {"type": "Dropout", "rate": "$q"}]},
              "outer": {"params": {"p": 1, "s": 1}, "layers": [{"block": "inner", "args": {"q": "$p", "r": "$s"}}]}}
    assert param_uses(blocks, "outer") == {"p": [("Dense", "units"), ("Dropout", "rate")], "s": []}
    assert param_name("$units") == "units" and param_name("$units\n") is None and param_name(3) is None


# -- training settings: the optimizer, its schedule, regularizers and train_model(x, y) -------------------
TRAINED = ["conv1d_forecaster", "cifar10_weight_decay"]


def training_data(model: Any, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, *model.inputs[0].shape[1:])).astype("float32")
    units = model.outputs[0].shape[-1]
    y = rng.normal(size=(n,)).astype("float32") if units == 1 else rng.integers(0, units, size=(n,)).astype("int32")
    return x, y


@pytest.mark.parametrize("name", TRAINED)
def test_generated_python_trains_as_fit_model(name: str) -> None:
    """The generated program compiles the same optimizer and its train_model(x, y) trains the same weights."""
    want = twinnet.build_model(name, seed=0)
    namespace: dict[str, Any] = {}
    exec(compile(twinnet.to_code(name, "python"), "<to_code>", "exec"), namespace)  # the code twinnet generated
    got = namespace["model"]
    drop_name = lambda config: {k: v for k, v in config.items() if k != "name"}  # noqa: E731
    assert drop_name(got.optimizer.get_config()) == drop_name(want.optimizer.get_config())
    assert got.get_compile_config()["loss"] == want.get_compile_config()["loss"]
    got.set_weights(want.get_weights())
    x, y = training_data(want)
    keras.utils.set_random_seed(4)
    got_history = namespace["train_model"](x, y).history
    want_history = twinnet.fit_model(want, x, y, seed=4, verbose=0).history
    assert got_history == want_history
    assert all(np.array_equal(a, b) for a, b in zip(got.get_weights(), want.get_weights(), strict=True))
    keras.backend.clear_session()


@pytest.mark.parametrize("language", ["r", "r-reticulate"])
def test_r_code_writes_the_training_settings(language: str) -> None:
    code = twinnet.to_code("conv1d_forecaster", language)
    if language == "r":
        assert "optimizer_sgd(learning_rate = 0.01, momentum = 0.9, nesterov = TRUE)" in code
        assert "  model |> fit(x, y, epochs = 200, batch_size = 32, validation_split = 0.2, callbacks = list(" in code
        assert "callback_early_stopping(monitor = \"val_mae\", patience = 10, restore_best_weights = TRUE)," in code
    else:
        assert "keras$optimizers$SGD(learning_rate = 0.01, momentum = 0.9, nesterov = TRUE)" in code
        assert "keras$callbacks$ReduceLROnPlateau(monitor = \"val_mae\", factor = 0.5, patience = 5L)" in code
    code = twinnet.to_code("cifar10_weight_decay", language)
    if language == "r":
        assert "optimizer_adam_w(learning_rate = learning_rate_schedule_cosine_decay(" in code
        assert "kernel_regularizer = regularizer_l2(l2 = 0.001)" in code
    else:
        assert "keras$optimizers$AdamW(learning_rate = keras$optimizers$schedules$CosineDecay(" in code
        assert "decay_steps = 14080L), weight_decay = 0.0001)" in code


def test_keras3_code_writes_a_fractional_min_delta_with_keras_s_class() -> None:
    """keras3's callback_early_stopping() would make min_delta = 0.001 an integer (0)."""
    spec = {"format_version": "1.0", "name": "s", "layers": [{"type": "Input", "shape": [2]},
                                                             {"type": "Dense", "units": 1}],
            "compile": {"optimizer": "sgd", "loss": "mse"},
            "fit": {"callbacks": [{"callback": "EarlyStopping", "min_delta": 0.001, "patience": 3},
                                  {"callback": "EarlyStopping", "min_delta": 1}]}}
    code = twinnet.to_code(spec, "r")
    assert "keras$callbacks$EarlyStopping(min_delta = 0.001, patience = 3L)," in code
    assert "callback_early_stopping(min_delta = 1.0)" in code
    assert "def train_model(x, y):\n    return model.fit(x, y, callbacks=[" in twinnet.to_code(spec, "python")


# -- what the author wrote, and only that -------------------------------------------------------------------
AUTHORED = {
    "format_version": "1.0", "name": "authored",
    "blocks": {"plain": {"params": {"units": 4}, "layers": [{"type": "Dense", "units": "$units"},
                                                              {"type": "BatchNormalization"}]},
               "named": {"layers": [{"type": "Dense", "units": 4, "name": "fc"}, {"block": "plain"}]}},
    "layers": [
        {"type": "Input", "shape": [6, 3]},
        {"type": "Bidirectional", "name": "bilstm", "layer": {"type": "LSTM", "units": 5, "return_sequences": True}},
        {"type": "TimeDistributed", "layer": {"type": "Dense", "units": 2, "use_bias": True}},
        {"type": "MaxPooling1D", "pool_size": 2, "padding": "valid"},
        {"type": "Flatten"},
        {"block": "plain", "repeat": 2},
        {"block": "named", "name": "head"},
        {"type": "Dense", "units": 2, "weights": [[[1, 0], [0, 1], [1, 1], [0, 0]], [0.5, -0.5]]},
        {"type": "Dense", "units": 3, "activation": "linear", "name": "out"},
    ],
}


@pytest.mark.parametrize("language", ["python", "r", "r-reticulate"])
def test_to_code_names_only_what_the_spec_names(language: str) -> None:
    code = twinnet.to_code(AUTHORED, language)
    graph = twinnet.expand(AUTHORED)
    named = written_names(AUTHORED)
    assert named == {"bilstm", "head_fc", "out"}
    for layer in graph["layers"]:
        if layer["name"] not in named and not layer["name"].startswith("head_"):
            assert f'"{layer["name"]}"' not in code, layer["name"]
    assert '"bilstm_lstm"' not in code and '"_lstm"' not in code and '"input_1"' not in code
    py = language == "python"
    for text in (['name="bilstm"', 'name="out"', 'name + "_fc"'] if py
                 else ['name = "bilstm"', 'name = "out"', 'paste0(name, "_fc")']):
        assert text in code, text
    # fixed weights on a layer without a name: set through a variable that holds the layer
    weights = {"python": ["dense_1_layer = layers.Dense(units=2)\nx = dense_1_layer(x)\n",
                          "dense_1_layer.set_weights([np.array([1, 0, 0, 1, 1, 1, 0, 0]"],
               "r": ["dense_1_layer <- layer_dense(units = 2)\nx <- x |> dense_1_layer()\n",
                     "set_weights(dense_1_layer, list(array_reshape(c(1, 0, 0, 1, 1, 1, 0, 0), c(4, 2))"],
               "r-reticulate": ["dense_1_layer <- keras$layers$Dense(units = 2L)\nx <- dense_1_layer(x)\n",
                                "dense_1_layer$set_weights(list("]}
    for text in weights[language]:
        assert text in code, text
    assert "get_layer" not in code
    # a block whose layers are all unnamed takes no name; one with a named layer does
    assert ("def plain(x, units=4):" if py else "plain <- function(x, units = 4L) {" if language == "r-reticulate"
            else "plain <- function(x, units = 4) {") in code
    assert ("def named(x, name):" if py else "named <- function(x, name) {") in code
    assert ('x = named(x, "head")' if py else 'x <- named(x, "head")') in code


@pytest.mark.parametrize("language", ["python", "r", "r-reticulate"])
def test_to_code_keeps_arguments_the_author_wrote(language: str) -> None:
    code = twinnet.to_code(AUTHORED, language)
    eq = "=" if language == "python" else " = "
    for arg in ["pool_size", "padding", "use_bias", "activation"]:
        assert f"{arg}{eq}" in code, arg
    assert f"strides{eq}" not in code and f"merge_mode{eq}" not in code  # left out by the author: Keras's
    lenet = twinnet.to_code("lenet5", language)
    assert f"pool_size{eq}2" in lenet


def test_generated_python_of_unnamed_layers_builds_the_same_model() -> None:
    want = twinnet.build_model(AUTHORED, seed=0)
    got = run_python(twinnet.to_code(AUTHORED, "python"))
    assert got.layers[-2].get_weights()[1].tolist() == [0.5, -0.5]  # the fixed weights, set by the code
    assert_same_model(got, want, AUTHORED)
    keras.backend.clear_session()


def test_the_comparison_sees_a_lost_name_and_a_changed_argument() -> None:
    """assert_same_model() fails when a name the spec gives is missing, or an argument differs."""
    want = twinnet.build_model(AUTHORED, seed=0)
    code = twinnet.to_code(AUTHORED, "python")
    for broken in (code.replace(', name="out"', ""), code.replace("pool_size=2", "pool_size=3")):
        assert broken != code
        with pytest.raises(AssertionError):
            assert_same_model(run_python(broken), want, AUTHORED)
    keras.backend.clear_session()
