"""Write the conformance vectors in shared_specs/conformance/ (run by pytest and testthat).

valid/*.json:   {"description", "spec", "expanded"}: the expansion both languages must give.
invalid/*.json: {"description", "spec" or "text", "error": {"path", "kind"}}: the error both must raise;
                with "stage": "build", load_spec() accepts the spec and build_model() raises the error.
The expected error of each invalid case is written here by hand and checked against Python when
the vectors are written; each expansion was read and checked by hand when first written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))

from twinnet import SpecError, build_model, expand, load_spec  # noqa: E402

OUT = ROOT / "shared_specs" / "conformance"


def spec(*layers: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"format_version": "1.0", "name": top.pop("name", "case"), **top, "layers": list(layers)}


IN = {"type": "Input", "shape": [8]}
IMG = {"type": "Input", "shape": [12, 12, 3]}

VALID: dict[str, tuple[str, dict[str, Any]]] = {
    "dense_chain": ("A sequential chain: unnamed layers get <type>_<n> names, defaults written out.",
                    spec(IN, {"type": "Dense", "units": 4, "activation": "relu"}, {"type": "Dense", "units": 2})),
    "conv_int_forms": ("kernel_size and strides as one integer or a list become lists of two.",
                       spec(IMG, {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": [2, 1]},
                            {"type": "Conv2D", "filters": 2, "kernel_size": [1, 3], "padding": "same"})),
    "pool_strides_default": ("Pooling strides left out (or null) are the pool size.",
                             spec(IMG, {"type": "MaxPooling2D", "pool_size": 3},
                                  {"type": "AveragePooling2D", "pool_size": 2, "strides": None})),
    "zero_padding_forms": ("ZeroPadding2D takes 1, [1, 2] or [[1, 2], [3, 4]].",
                           spec(IMG, {"type": "ZeroPadding2D"}, {"type": "ZeroPadding2D", "padding": [1, 2]},
                                {"type": "ZeroPadding2D", "padding": [[1, 2], [3, 4]]})),
    "block_repeat": ("A block repeated three times: names <instance>_<r>_<layer>, each repetition feeds the next.",
                     spec(IN, {"block": "mlp", "name": "stack", "repeat": 3, "args": {"units": 5}},
                          {"type": "Dense", "units": 1},
                          blocks={"mlp": {"params": {"units": None, "act": "tanh"},
                                          "layers": [{"type": "Dense", "units": "$units", "activation": "$act"},
                                                     {"type": "Dropout", "rate": 0.1}]}})),
    "block_auto_names": ("Unnamed block uses are <block>_<n>; a residual Add reads @input.",
                         spec(IN, {"block": "res"}, {"block": "res"},
                              blocks={"res": {"layers": [{"type": "Dense", "units": 8, "name": "fc"},
                                                         {"type": "Add", "inputs": ["@input", "fc"]}]}})),
    "nested_blocks": ("A block that uses another block; parameters pass through with $name.",
                      spec(IN, {"block": "outer", "args": {"width": 3}},
                           blocks={"inner": {"params": {"n": None}, "layers": [{"type": "Dense", "units": "$n"}]},
                                   "outer": {"params": {"width": None},
                                             "layers": [{"block": "inner", "name": "a", "args": {"n": "$width"}},
                                                        {"block": "inner", "name": "b", "args": {"n": 2}}]}})),
    "two_inputs_concat": ("Two inputs joined by Concatenate; inputs named explicitly make a graph.",
                          spec({"type": "Input", "name": "left", "shape": [4]},
                               {"type": "Input", "name": "right", "shape": [6]},
                               {"type": "Concatenate", "name": "join", "inputs": ["left", "right"]},
                               {"type": "Dense", "units": 3})),
    "two_outputs": ("Several outputs, listed in \"outputs\".",
                    spec(IN, {"type": "Dense", "name": "trunk", "units": 6},
                         {"type": "Dense", "name": "head_a", "units": 2, "inputs": ["trunk"]},
                         {"type": "Dense", "name": "head_b", "units": 1, "inputs": ["trunk"]},
                         outputs=["head_a", "head_b"])),
    "recurrent_stack": ("Embedding, GRU with return_sequences, SimpleRNN; GRU's reset_after doubles its bias.",
                        spec({"type": "Input", "shape": [7], "dtype": "int32"},
                             {"type": "Embedding", "input_dim": 50, "output_dim": 4},
                             {"type": "GRU", "units": 3, "return_sequences": True},
                             {"type": "SimpleRNN", "units": 2})),
    "lstm_sequences": ("An LSTM on (time, features) with a variable length.",
                       spec({"type": "Input", "shape": [None, 5]}, {"type": "LSTM", "units": 4})),
    "reshape_minus_one": ("Reshape with -1 infers one length.",
                          spec({"type": "Input", "shape": [6, 4]}, {"type": "Reshape", "target_shape": [-1, 2]},
                               {"type": "Flatten"})),
    "batchnorm_frozen": ("trainable false moves every weight to non-trainable.",
                         spec(IMG, {"type": "BatchNormalization"}, {"type": "Conv2D", "filters": 1, "kernel_size": 1,
                                                                     "trainable": False})),
    "initializer_object": ("An initializer as a Keras config object, and fixed weights.",
                           spec({"type": "Input", "shape": [2]},
                                {"type": "Dense", "units": 1, "use_bias": False,
                                 "kernel_initializer": {"class_name": "Constant", "config": {"value": 1}}},
                                {"type": "Dense", "units": 1, "weights": [[[2.0]], [0.5]]})),
    "reshape_variable_length": ("Reshape of a variable-length input: the -1 stays unknown.",
                                spec({"type": "Input", "shape": [None, 4]},
                                     {"type": "Reshape", "target_shape": [-1, 2]})),
    "repeat_as_float": ("repeat written as 2.0 is the integer 2.",
                        spec(IN, {"block": "b", "repeat": 2.0},
                             blocks={"b": {"layers": [{"type": "Dense", "units": 3}]}})),
    "conv1d_causal_global": ("Conv1D with causal padding, dilation, then global pooling with keepdims.",
                             spec({"type": "Input", "shape": [10, 2]},
                                  {"type": "Conv1D", "filters": 3, "kernel_size": 3, "padding": "causal",
                                   "dilation_rate": 2},
                                  {"type": "GlobalMaxPooling1D", "keepdims": True})),
    "grouped_conv": ("A grouped convolution: each filter sees channels / groups of its input.",
                     spec({"type": "Input", "shape": [5, 5, 4]},
                          {"type": "Conv2D", "filters": 6, "kernel_size": 3, "groups": 2},
                          {"type": "GlobalAveragePooling2D"}, {"type": "Softmax"})),
}

CONV = {"type": "Conv2D", "filters": 2, "kernel_size": 3}
BUILD_STAGE = {"identity_conv_kernel"}
INVALID: dict[str, tuple[str, Any, str, str]] = {
    # name: (description, spec or text, expected path, expected kind)
    "invalid_json": ("Text that is not JSON.", '{"format_version": "1.0", "name": "x",, }', "", "invalid_json"),
    "top_level_list": ("A spec is an object, not a list.", [IN], "", "wrong_type"),
    "no_format_version": ("format_version is required.", {"name": "x", "layers": [IN]}, "/format_version",
                          "missing"),
    "format_version_2": ("An unknown major version is refused.", {**spec(IN), "format_version": "2.0"},
                         "/format_version", "unsupported_version"),
    "format_version_number": ("format_version is a string.", {**spec(IN), "format_version": 1},
                              "/format_version", "invalid_value"),
    "unknown_type": ("A layer type outside the allowlist.", spec(IN, {"type": "Dense2D", "units": 3}),
                     "/layers/1/type", "unknown_type"),
    "lambda_refused": ("No Lambda: a spec never carries code.",
                       spec(IN, {"type": "Lambda", "function": "lambda x: x"}), "/layers/1/type", "unknown_type"),
    "unknown_argument": ("A misspelt argument.", spec(IMG, {"type": "Conv2D", "filters": 2, "kernal_size": 3}),
                         "/layers/1/kernal_size", "unknown_argument"),
    "missing_argument": ("Dense needs units.", spec(IN, {"type": "Dense"}), "/layers/1/units", "missing"),
    "wrong_argument_type": ("units is an integer.", spec(IN, {"type": "Dense", "units": "ten"}),
                            "/layers/1/units", "invalid_value"),
    "zero_filters": ("Sizes are positive.", spec(IMG, {**CONV, "filters": 0}), "/layers/1/filters",
                     "invalid_value"),
    "dropout_one": ("A dropout rate is below 1.", spec(IN, {"type": "Dropout", "rate": 1.0}), "/layers/1/rate",
                    "invalid_value"),
    "bad_activation": ("An activation Keras does not know.", spec(IN, {"type": "Dense", "units": 2,
                                                                       "activation": "rleu"}),
                       "/layers/1/activation", "invalid_value"),
    "kernel_too_large": ("A kernel larger than its input collapses the shape.",
                         spec({"type": "Input", "shape": [4, 4, 1]}, {**CONV, "kernel_size": 5}), "/layers/1",
                         "shape_collapse"),
    "unknown_input_ref": ("inputs names a layer that does not exist.",
                          spec(IN, {"type": "Dense", "units": 2, "inputs": ["inptu"]}), "/layers/1/inputs/0",
                          "unknown_reference"),
    "forward_ref": ("A layer's inputs must come before it (this also rules out cycles).",
                    spec(IN, {"type": "Dense", "name": "a", "units": 2, "inputs": ["b"]},
                         {"type": "Dense", "name": "b", "units": 2, "inputs": ["a"]}),
                    "/layers/1/inputs/0", "unknown_reference"),
    "duplicate_name": ("Two layers with one name.", spec(IN, {"type": "Dense", "name": "fc", "units": 2},
                                                         {"type": "Dense", "name": "fc", "units": 2}),
                       "/layers/2/name", "duplicate_name"),
    "undefined_block": ("A block use names a block that is not defined.", spec(IN, {"block": "resblock"}),
                        "/layers/1/block", "unknown_block"),
    "bad_block_argument": ("A block argument the block does not take.",
                           spec(IN, {"block": "b", "args": {"unit": 3}},
                                blocks={"b": {"params": {"units": 2},
                                              "layers": [{"type": "Dense", "units": "$units"}]}}),
                           "/layers/1/args/unit", "unknown_argument"),
    "missing_block_argument": ("A block parameter without a default must be given.",
                               spec(IN, {"block": "b"},
                                    blocks={"b": {"params": {"units": None},
                                                  "layers": [{"type": "Dense", "units": "$units"}]}}),
                               "/layers/1/args/units", "missing"),
    "block_argument_wrong_type": ("A block argument is checked where it is given.",
                                  spec(IN, {"block": "b", "args": {"units": -3}},
                                       blocks={"b": {"params": {"units": None},
                                                     "layers": [{"type": "Dense", "units": "$units"}]}}),
                                  "/layers/1/args/units", "invalid_value"),
    "repeat_zero": ("repeat is at least 1.", spec(IN, {"block": "b", "repeat": 0},
                                                  blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                    "/layers/1/repeat", "invalid_value"),
    "recursive_block": ("A block that uses itself.", spec(IN, {"block": "b"},
                                                          blocks={"b": {"layers": [{"block": "b"}]}}),
                        "/blocks/b/layers/0/block", "recursive_block"),
    "expect_mismatch": ("expect disagrees with what the spec builds.",
                        {**spec(IN, {"type": "Dense", "units": 2}), "expect": {"params": {"total": 20}}},
                        "/expect/params/total", "expect_mismatch"),
    "no_input_first": ("The first layer must be an Input.", spec({"type": "Dense", "units": 2}), "/layers/0",
                       "missing_input"),
    "add_shapes_differ": ("Add needs inputs of one shape.",
                          spec(IN, {"type": "Dense", "name": "a", "units": 2},
                               {"type": "Add", "inputs": ["input_1", "a"]}), "/layers/2/inputs", "shape_mismatch"),
    "duplicate_key": ("A key written twice in one object.",
                      '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2], '
                      '"shape": [3]}]}', "/layers/0/shape", "duplicate_key"),
    "unknown_top_field": ("A misspelt top-level field.", {**spec(IN), "layer": []}, "/layer", "unknown_field"),
    "param_at_top_level": ("A $parameter outside a block.", spec(IN, {"type": "Dense", "units": "$units"}),
                           "/layers/1/units", "unknown_parameter"),
    "bad_layer_name": ("Names are letters, digits and underscores.",
                       spec(IN, {"type": "Dense", "name": "fc-1", "units": 2}), "/layers/1/name", "invalid_value"),
    "groups_not_dividing": ("groups must divide the input channels.",
                            spec(IMG, {**CONV, "groups": 2}), "/layers/1/groups", "invalid_value"),
    "initializer_config": ("An initializer's config takes that initializer's own arguments.",
                           spec(IN, {"type": "Dense", "units": 2,
                                     "kernel_initializer": {"class_name": "Constant", "config": {"mean": 1}}}),
                           "/layers/1/kernel_initializer", "invalid_value"),
    "identity_conv_kernel": ("Keras refuses an identity initializer for a 4D kernel when it builds the layer.",
                             spec({"type": "Input", "shape": [5, 5, 1]},
                                  {**CONV, "kernel_initializer": "identity"}), "/layers/1", "build"),
    "layer_leads_nowhere": ("A layer that no output depends on (Keras would drop it silently).",
                            spec(IN, {"type": "Dense", "name": "unused", "units": 3},
                                 {"type": "Dense", "name": "out", "units": 2, "inputs": ["input_1"]}),
                            "/layers/1", "disconnected"),
    "nan_is_not_json": ("NaN is not JSON, although Python's json module reads it.",
                        '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [NaN]}]}',
                        "", "invalid_json"),
    "bad_block_name": ("Block names follow the rules of layer names.",
                       spec(IN, blocks={"my-block": {"layers": [{"type": "Dense", "units": 2}]}}),
                       "/blocks/my-block", "invalid_name"),
    "strides_with_dilation": ("Keras refuses strides > 1 together with dilation > 1: found before Keras runs.",
                              spec(IMG, {**CONV, "strides": 2, "dilation_rate": 2}), "/layers/1/dilation_rate",
                              "invalid_value"),
}


def write(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    for sub in ("valid", "invalid"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
        for old in (OUT / sub).glob("*.json"):
            old.unlink()
    for i, (name, (desc, doc)) in enumerate(VALID.items(), 1):
        doc = {**doc, "name": name}
        write(OUT / "valid" / f"{i:02d}_{name}.json", {"description": desc, "spec": doc, "expanded": expand(doc)})
    bad = 0
    for i, (name, (desc, doc, path, kind)) in enumerate(INVALID.items(), 1):
        try:
            if name in BUILD_STAGE:
                build_model(load_spec(doc))
            else:
                load_spec(doc)
        except SpecError as e:
            if (e.path, e.kind) != (path, kind):
                print(f"{name}: expected {path} {kind}, Python gives {e.path} {e.kind}: {e}")
                bad += 1
        else:
            print(f"{name}: expected an error, Python accepts it")
            bad += 1
        key = "text" if isinstance(doc, str) else "spec"
        case = {"description": desc, key: doc, "error": {"path": path, "kind": kind}}
        if name in BUILD_STAGE:
            case["stage"] = "build"
        write(OUT / "invalid" / f"{i:02d}_{name}.json", case)
    print(f"wrote {len(VALID)} valid and {len(INVALID)} invalid vectors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
