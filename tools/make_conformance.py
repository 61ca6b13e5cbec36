"""Write the conformance vectors in shared_specs/conformance/ (run by pytest and testthat).

valid/*.json:   {"description", "spec", "expanded"}: the expansion both languages must give.
invalid/*.json: {"description", "spec" or "text", "error": {"path", "kind"}}: the error both must raise;
                with "stage": "build", load_spec() accepts the spec and build_model() raises the error.
warnings/*.json (and the invalid vectors of a layer's "allow"): written by tools/make_warning_vectors.py.
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
                       spec(IMG, {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": [2, 1],
                                  "allow": ["window_drops_input"]},  # 12 rows, strides 2: the last is not read
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
    "wrappers": ("Bidirectional and TimeDistributed hold a layer, named after the wrapper; concat doubles the "
                 "units, sum keeps them; a wrapper's parameters are its layer's (twice for Bidirectional).",
                 spec({"type": "Input", "shape": [6], "dtype": "int32"},
                      {"type": "Embedding", "input_dim": 50, "output_dim": 4},
                      {"type": "Bidirectional", "layer": {"type": "LSTM", "units": 3, "return_sequences": True}},
                      {"type": "TimeDistributed", "name": "per_step", "layer": {"type": "Dense", "units": 2}},
                      {"type": "Bidirectional", "layer": {"type": "GRU", "units": 2}, "merge_mode": "sum",
                       "trainable": False})),
    "wrapper_in_block": ("A wrapped layer's arguments may be block parameters; its name follows the block's.",
                         spec({"type": "Input", "shape": [5, 3]}, {"block": "birnn", "args": {"units": 4}},
                              blocks={"birnn": {"params": {"units": None}, "layers": [
                                  {"type": "Bidirectional", "name": "rnn",
                                   "layer": {"type": "SimpleRNN", "units": "$units"}}]}})),
    "augmentation_layers": ("Augmentation keeps the shape (RandomCrop crops to its height and width); a factor f "
                            "is the range [-f, f].",
                            spec(IMG, {"type": "RandomFlip", "mode": "horizontal"},
                                 {"type": "RandomRotation", "factor": 0.1},
                                 {"type": "RandomZoom", "height_factor": [-0.2, 0.1], "width_factor": 0.3},
                                 {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": [0, 0.2]},
                                 {"type": "RandomCrop", "height": 10, "width": 8})),
    "upsampling_convolutions": ("Transposed, separable and depthwise convolutions, upsampling and cropping.",
                                spec(IMG, {"type": "Conv2DTranspose", "filters": 4, "kernel_size": 3, "strides": 2},
                                     {"type": "SeparableConv2D", "filters": 6, "kernel_size": 3,
                                      "depth_multiplier": 2},
                                     {"type": "DepthwiseConv2D", "kernel_size": [3, 1], "padding": "same",
                                      "use_bias": False},
                                     {"type": "UpSampling2D", "size": [2, 1]},
                                     {"type": "Cropping2D", "cropping": [[1, 0], [2, 3]]})),
    "one_axis_padding": ("ZeroPadding1D and Cropping1D take an integer or one [before, after] pair; "
                         "LayerNormalization has no moving statistics.",
                         spec({"type": "Input", "shape": [7, 3]}, {"type": "ZeroPadding1D", "padding": [2, 0]},
                              {"type": "Cropping1D"}, {"type": "LayerNormalization", "center": False})),
}

CONV = {"type": "Conv2D", "filters": 2, "kernel_size": 3}
BUILD_STAGE = {"identity_conv_kernel", "weights_wrong_shape"}
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
    # -- a spec never carries code: every way of smuggling some in is refused by the allowlist
    "type_module_path": ("A layer type is a class name from the allowlist, not a module path.",
                         spec(IN, {"type": "keras.layers.Dense", "units": 2}), "/layers/1/type", "unknown_type"),
    "type_tf_op_lambda": ("Keras's internal TFOpLambda is not a layer type of a spec.",
                          spec(IN, {"type": "TFOpLambda", "function": "math.add"}), "/layers/1/type", "unknown_type"),
    "keras_config_style": ("A Keras config object ({class_name, config}) is not a layer: a layer has a type.",
                           spec(IN, {"class_name": "Lambda", "config": {"function": "lambda x: x"}}),
                           "/layers/1/type", "missing"),
    "layer_module_key": ("A layer takes no module.", spec(IN, {"type": "Dense", "units": 2, "module": "os"}),
                         "/layers/1/module", "unknown_argument"),
    "layer_registered_name": ("A layer takes no registered_name (a custom class).",
                              spec(IN, {"type": "Dense", "units": 2, "registered_name": "Custom>Dense"}),
                              "/layers/1/registered_name", "unknown_argument"),
    "initializer_module_path": ("An initializer's class_name is a Keras initializer class, not a module path.",
                                spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                    "class_name": "keras.initializers.Constant", "config": {"value": 1}}}),
                                "/layers/1/kernel_initializer", "invalid_value"),
    "initializer_module_key": ("An initializer object takes no module.",
                               spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                   "module": "builtins", "class_name": "Constant", "config": {"value": 1}}}),
                               "/layers/1/kernel_initializer", "invalid_value"),
    "initializer_registered_name": ("An initializer object takes no registered_name.",
                                    spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                        "class_name": "Constant", "config": {"value": 1},
                                        "registered_name": "my_package>Init"}}),
                                    "/layers/1/kernel_initializer", "invalid_value"),
    "initializer_code_value": ("An initializer's config holds numbers, not code.",
                               spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                   "class_name": "Constant", "config": {"value": "__import__('os').getcwd()"}}}),
                               "/layers/1/kernel_initializer", "invalid_value"),
    "initializer_function_string": ("An initializer is a name from the allowlist, not code.",
                                    spec(IN, {"type": "Dense", "units": 2,
                                              "kernel_initializer": "lambda shape, dtype: 0"}),
                                    "/layers/1/kernel_initializer", "invalid_value"),
    "activation_module_path": ("An activation is a name from the allowlist, not a module path.",
                               spec(IN, {"type": "Dense", "units": 2, "activation": "keras.src.activations.relu"}),
                               "/layers/1/activation", "invalid_value"),
    "activation_function_string": ("An activation is a name, not a function.",
                                   spec(IN, {"type": "Activation", "activation": "lambda x: x * 2"}),
                                   "/layers/1/activation", "invalid_value"),
    "activation_object": ("An activation is a name, not a serialized function object.",
                          spec(IN, {"type": "Dense", "units": 2, "activation": {
                              "module": "os", "class_name": "function", "config": "system",
                              "registered_name": "function"}}), "/layers/1/activation", "invalid_value"),
    "loss_module_path": ("A loss is a name from the allowlist, not a module path.",
                         {**spec(IN, {"type": "Dense", "units": 2}),
                          "compile": {"optimizer": "adam", "loss": "my_losses.custom_loss"}},
                         "/compile/loss", "invalid_value"),
    "optimizer_object": ("An optimizer is a name, not a config object with a module.",
                         {**spec(IN, {"type": "Dense", "units": 2}),
                          "compile": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam"},
                                      "loss": "mse"}}, "/compile/optimizer", "invalid_value"),
    "metric_function_string": ("A metric is a name, not code.",
                               {**spec(IN, {"type": "Dense", "units": 2}),
                                "compile": {"optimizer": "adam", "loss": "mse", "metrics": ["lambda y, p: 0"]}},
                               "/compile/metrics/0", "invalid_value"),
    "dtype_object": ("An Input's dtype is a numeric type from the allowlist.",
                     spec({"type": "Input", "shape": [2], "dtype": "object"}), "/layers/0/dtype", "invalid_value"),
    "weights_code": ("Fixed weights are numbers; a string in them is refused when the spec is loaded.",
                     spec(IN, {"type": "Dense", "units": 1, "weights": [[["__import__('os')"]] * 8, [0.0]]}),
                     "/layers/1/weights/0/0/0", "invalid_value"),
    "weights_null": ("Fixed weights are numbers: null (which NumPy would read as NaN) is refused.",
                     spec({"type": "Input", "shape": [1]}, {"type": "Dense", "units": 1, "weights": [[[1.0]], [None]]}),
                     "/layers/1/weights/1/0", "invalid_value"),
    "weights_beyond_float32": ("A weight too large for a 32-bit float would silently become infinite: refused.",
                               spec({"type": "Input", "shape": [2]},
                                    {"type": "Dense", "units": 1, "weights": [[[1.0], [1e39]], [0.0]]}),
                               "/layers/1/weights/0/1/0", "invalid_value"),
    "weights_wrong_shape": ("Fixed weights must have the shapes of the layer's weights (checked when built).",
                            spec({"type": "Input", "shape": [2]}, {"type": "Dense", "units": 1, "weights": [[[1.0]],
                                                                                                       [0.0]]}),
                            "/layers/1/weights", "shape_mismatch"),
    # -- JSON that is not JSON
    "trailing_comma": ("A comma after the last element.",
                       '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]},]}', "",
                       "invalid_json"),
    "single_quotes": ("JSON strings take double quotes.", "{'format_version': '1.0'}", "", "invalid_json"),
    "comment": ("JSON has no comments, although some parsers accept them.",
                '{"format_version": "1.0", // the version\n "name": "x", "layers": []}', "", "invalid_json"),
    "byte_order_mark": ("A byte order mark before the JSON text.",
                        '\ufeff{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}]}',
                        "", "invalid_json"),
    "number_overflow": ("1e400 is valid JSON syntax but no 64-bit float: refused, not read as infinity.",
                        '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}, '
                        '{"type": "Dense", "units": 1e400}]}', "", "invalid_json"),
    "too_deep": ("Arrays and objects nest at most 64 levels deep (checked before the JSON is parsed).",
                 '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": ' + "[" * 62 + "2"
                 + "]" * 62 + "}]}", "", "too_deep"),
    "too_deep_and_broken": ("The depth is checked before the syntax, in both languages.",
                            "[" * 100 + "1,," + "]" * 100, "", "too_deep"),
    # -- the document's structure
    "format_version_major_only": ('format_version has a major and a minor number: "1.0", not "1".',
                                  {**spec(IN), "format_version": "1"}, "/format_version", "invalid_value"),
    "empty_layers": ("A spec has at least one layer.", spec(), "/layers", "invalid_value"),
    "layers_not_a_list": ("layers is a list.", {**spec(), "layers": {"input": IN}}, "/layers", "invalid_value"),
    "layer_not_an_object": ("Each layer is an object.", spec(IN, "Dense"), "/layers/1", "invalid_value"),
    "name_not_a_string": ("A layer name is a string.", spec(IN, {"type": "Dense", "units": 2, "name": 5}),
                          "/layers/1/name", "invalid_value"),
    "units_boolean": ("true is not a number of units.", spec(IN, {"type": "Dense", "units": True}),
                      "/layers/1/units", "invalid_value"),
    "units_fraction": ("A size is a whole number.", spec(IN, {"type": "Dense", "units": 2.5}), "/layers/1/units",
                       "invalid_value"),
    "kernel_size_three_values": ("A 2D kernel has two lengths.", spec(IMG, {**CONV, "kernel_size": [3, 3, 3]}),
                                 "/layers/1/kernel_size", "invalid_value"),
    "padding_unknown": ("padding is valid or same.", spec(IMG, {**CONV, "padding": "full"}), "/layers/1/padding",
                        "invalid_value"),
    # -- values out of range
    "negative_units": ("Sizes are positive.", spec(IN, {"type": "Dense", "units": -4}), "/layers/1/units",
                       "invalid_value"),
    "zero_kernel_size": ("A kernel has a length of at least 1.", spec(IMG, {**CONV, "kernel_size": 0}),
                         "/layers/1/kernel_size", "invalid_value"),
    "zero_stride": ("Strides are positive.", spec(IMG, {**CONV, "strides": [1, 0]}), "/layers/1/strides",
                    "invalid_value"),
    "dropout_negative": ("A dropout rate is at least 0.", spec(IN, {"type": "Dropout", "rate": -0.1}),
                         "/layers/1/rate", "invalid_value"),
    "recurrent_dropout_one": ("A recurrent dropout rate is below 1.",
                              spec({"type": "Input", "shape": [5, 3]}, {"type": "LSTM", "units": 2,
                                                                        "recurrent_dropout": 1}),
                              "/layers/1/recurrent_dropout", "invalid_value"),
    "input_shape_zero": ("An Input's lengths are positive (or null).", spec({"type": "Input", "shape": [0, 3]}),
                         "/layers/0/shape", "invalid_value"),
    "input_shape_empty": ("An Input has at least one axis.", spec({"type": "Input", "shape": []}),
                          "/layers/0/shape", "invalid_value"),
    "batchnorm_axis_outside": ("BatchNormalization's axis is an axis of its input.",
                               spec(IMG, {"type": "BatchNormalization", "axis": 4}), "/layers/1/axis",
                               "invalid_value"),
    # -- shapes
    "pool_too_large": ("A pool window larger than its input collapses the shape.",
                       spec({"type": "Input", "shape": [4, 4, 1]}, {"type": "MaxPooling2D", "pool_size": 5}),
                       "/layers/1", "shape_collapse"),
    "collapse_deep_in_stack": ("Each valid convolution shrinks the image; the fourth leaves nothing.",
                               spec({"type": "Input", "shape": [8, 8, 1]}, CONV, CONV, CONV, CONV), "/layers/4",
                               "shape_collapse"),
    "conv1d_kernel_too_long": ("A 1D kernel longer than the sequence.",
                               spec({"type": "Input", "shape": [5, 2]}, {"type": "Conv1D", "filters": 2,
                                                                         "kernel_size": 6}),
                               "/layers/1", "shape_collapse"),
    "cropping_too_much": ("Cropping more than the input has.",
                          spec({"type": "Input", "shape": [4, 4, 4, 1]}, {"type": "Cropping3D", "cropping": 2}),
                          "/layers/1", "shape_collapse"),
    "conv_after_dense": ("A 2D convolution needs an image, not a vector.", spec(IN, {"type": "Dense", "units": 4},
                                                                                CONV),
                         "/layers/2", "shape_mismatch"),
    "concatenate_mismatch": ("Concatenate needs inputs that agree on every other axis.",
                             spec({"type": "Input", "name": "a", "shape": [4, 2]},
                                  {"type": "Input", "name": "b", "shape": [3, 2]},
                                  {"type": "Concatenate", "inputs": ["a", "b"]}), "/layers/2/inputs",
                             "shape_mismatch"),
    "reshape_wrong_size": ("Reshape keeps the number of values.",
                           spec(IN, {"type": "Reshape", "target_shape": [3, 3]}), "/layers/1/target_shape",
                           "shape_mismatch"),
    "dense_on_unknown_length": ("Dense needs a known last axis.",
                                spec({"type": "Input", "shape": [None]}, {"type": "Dense", "units": 2}),
                                "/layers/1", "shape_mismatch"),
    # -- names, references, cycles, the graph
    "self_reference": ("A layer cannot be its own input (a cycle).",
                       spec(IN, {"type": "Dense", "name": "loop", "units": 2, "inputs": ["loop"]}),
                       "/layers/1/inputs/0", "unknown_reference"),
    "cycle_in_block": ("Inside a block too, inputs name earlier layers only.",
                       spec(IN, {"block": "b"}, blocks={"b": {"layers": [
                           {"type": "Dense", "name": "a", "units": 2, "inputs": ["c"]},
                           {"type": "Dense", "name": "c", "units": 2, "inputs": ["a"]}]}}),
                       "/blocks/b/layers/0/inputs/0", "unknown_reference"),
    "input_at_top_level": ('"@input" is the input of a block; the top level has none.',
                           spec(IN, {"type": "Dense", "units": 2, "inputs": ["@input"]}), "/layers/1/inputs/0",
                           "unknown_reference"),
    "unknown_output": ("outputs names layers of the spec.", {**spec(IN, {"type": "Dense", "units": 2}),
                                                             "outputs": ["dense_2"]}, "/outputs/0",
                       "unknown_reference"),
    "outputs_empty": ("outputs, when given, names at least one layer.",
                      {**spec(IN, {"type": "Dense", "units": 2}), "outputs": []}, "/outputs", "invalid_value"),
    "duplicate_input_name": ("Two Inputs with one name.", spec({"type": "Input", "name": "x", "shape": [2]},
                                                               {"type": "Input", "name": "x", "shape": [2]}),
                             "/layers/1/name", "duplicate_name"),
    "name_clashes_with_block_layer": ("A layer may not take the name a block's layer was given.",
                                      spec(IN, {"block": "b", "name": "s"},
                                           {"type": "Dense", "name": "s_fc", "units": 2},
                                           blocks={"b": {"layers": [{"type": "Dense", "name": "fc", "units": 2}]}}),
                                      "/layers/2/name", "duplicate_name"),
    "input_given_inputs": ("An Input takes no inputs.",
                           spec(IN, {"type": "Input", "shape": [2], "inputs": ["input_1"]}), "/layers/1/inputs",
                           "invalid_value"),
    "add_one_input": ("Add joins at least two inputs.", spec(IN, {"type": "Add", "inputs": ["input_1"]}),
                      "/layers/1/inputs", "invalid_value"),
    "second_input_unused": ("No path from the second Input to the output: the graph is not connected.",
                            spec({"type": "Input", "name": "a", "shape": [2]},
                                 {"type": "Input", "name": "b", "shape": [2]},
                                 {"type": "Dense", "units": 1, "inputs": ["a"]}), "/layers/1", "disconnected"),
    "output_is_the_input": ("The output is the Input itself, so the layers after it lead nowhere.",
                            {**spec(IN, {"type": "Dense", "units": 2}), "outputs": ["input_1"]}, "/layers/1",
                            "disconnected"),
    # -- blocks
    "block_without_layers": ("A block has layers.", spec(IN, {"block": "b"}, blocks={"b": {"params": {}}}),
                             "/blocks/b/layers", "missing"),
    "block_two_inputs": ("A block use takes one input.",
                         spec({"type": "Input", "name": "a", "shape": [2]},
                              {"type": "Input", "name": "c", "shape": [2]}, {"block": "b", "inputs": ["a", "c"]},
                              blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}), "/layers/2/inputs",
                         "invalid_value"),
    "block_args_not_object": ("A block's args is an object.",
                              spec(IN, {"block": "b", "args": [2]},
                                   blocks={"b": {"params": {"units": 2},
                                                 "layers": [{"type": "Dense", "units": "$units"}]}}),
                              "/layers/1/args", "invalid_value"),
    "unknown_block_parameter": ("A block's layers use only its parameters.",
                                spec(IN, {"block": "b"}, blocks={"b": {"params": {"units": 2},
                                                                       "layers": [{"type": "Dense",
                                                                                   "units": "$unit"}]}}),
                                "/blocks/b/layers/0/units", "unknown_parameter"),
    "repeat_negative": ("repeat is at least 1.", spec(IN, {"block": "b", "repeat": -2},
                                                      blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                        "/layers/1/repeat", "invalid_value"),
    "repeat_fraction": ("repeat is a whole number.", spec(IN, {"block": "b", "repeat": 1.5},
                                                          blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                        "/layers/1/repeat", "invalid_value"),
    "repeat_string": ("repeat is a number, not text.", spec(IN, {"block": "b", "repeat": "2"},
                                                            blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                      "/layers/1/repeat", "invalid_value"),
    # -- resource limits, refused before anything is unrolled or allocated
    "repeat_huge": ("A billion repetitions are refused before one is unrolled (at most 10,000 layers).",
                    spec(IN, {"block": "b", "repeat": 1_000_000_000},
                         blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}), "/layers/1/repeat", "too_large"),
    "repeat_huge_nested": ("A huge repeat inside a block is refused where it is written.",
                           spec(IN, {"block": "outer", "repeat": 2},
                                blocks={"inner": {"layers": [{"type": "Dense", "units": 2}]},
                                        "outer": {"layers": [{"block": "inner", "repeat": 100_000}]}}),
                           "/blocks/outer/layers/0/repeat", "too_large"),
    "blocks_multiply": ("Blocks that use blocks multiply: 2 x 10 x 10 x 10 x 10 layers, no repeat needed.",
                        spec(IN, {"block": "b4"}, blocks={
                            "b0": {"layers": [{"type": "Dense", "units": 2}] * 10},
                            "b1": {"layers": [{"block": "b0"}] * 10},
                            "b2": {"layers": [{"block": "b1"}] * 10},
                            "b3": {"layers": [{"block": "b2"}] * 10},
                            "b4": {"layers": [{"block": "b3"}] * 2}}), "/layers/1", "too_large"),
    "too_many_parameters": ("A billion parameters are refused before Keras allocates them (limit 500 million).",
                            spec({"type": "Input", "shape": [100_000]}, {"type": "Dense", "units": 10_000}),
                            "/layers/1", "too_large"),
    "too_many_parameters_in_total": ("The limit is on the whole model: the layer that crosses it is named.",
                                     spec({"type": "Input", "shape": [20_000]},
                                          *[{"type": "Dense", "units": 20_000}] * 3), "/layers/2", "too_large"),
    "activation_too_large": ("One layer's output is limited too: 10,000 x 10,000 x 3 values per sample.",
                             spec({"type": "Input", "shape": [10_000, 10_000, 3]}), "/layers/0", "too_large"),
    "activation_too_large_conv": ("A same-padded convolution with 64 filters on a 2048 x 2048 image.",
                                              spec({"type": "Input", "shape": [2048, 2048, 3]},
                                                   {"type": "Conv2D", "filters": 64, "kernel_size": 3,
                                                    "padding": "same"}), "/layers/1", "too_large"),
    # -- expect
    "expect_output_shape": ("expect's output shape disagrees with the model's.",
                            {**spec(IN, {"type": "Dense", "units": 2}), "expect": {"output_shape": [None, 3]}},
                            "/expect/output_shape", "expect_mismatch"),
    "expect_trainable": ("expect's trainable count disagrees (the layer is frozen).",
                         {**spec(IN, {"type": "Dense", "units": 2, "trainable": False}),
                          "expect": {"params": {"total": 18, "trainable": 18}}}, "/expect/params/trainable",
                         "expect_mismatch"),
    # -- found while fuzzing: both languages accepted these before
    "format_version_newline": ("format_version is exactly major.minor, without a trailing newline.",
                               {**spec(IN), "format_version": "1.0\n"}, "/format_version", "invalid_value"),
    # -- hostile inputs: each gets the same spec error in both languages, within bounded time and memory
    "nul_in_string": ("\\u0000 cannot be held in an R string: refused in both languages.",
                      '{"format_version": "1.0", "name": "x", "title": "a\\u0000b", "layers": [{"type": "Input", '
                      '"shape": [8]}]}', "", "invalid_json"),
    "nul_in_key": ("\\u0000 in a key is refused too.",
                   '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [8], '
                   '"a\\u0000": 1}]}', "", "invalid_json"),
    "lone_surrogate": ("Half of a UTF-16 surrogate pair is not a character.",
                       '{"format_version": "1.0", "name": "x", "title": "\\ud83d!", "layers": [{"type": "Input", '
                       '"shape": [8]}]}', "", "invalid_json"),
    "surrogate_pair_then_lone": ("A whole pair is a character; the lone low half after it is not.",
                                 '{"format_version": "1.0", "name": "x", "title": "\\ud83d\\ude00\\ude00", '
                                 '"layers": [{"type": "Input", "shape": [8]}]}', "", "invalid_json"),
    "long_key": ("A key of more than 1,000 bytes (R cannot name a list element with more than 10,000).",
                 {**spec(IN), "k" * 1001: 1}, "", "too_large"),
    "format_version_huge_major": ("A 5,000-digit major version is an unsupported version, not a crash.",
                                  {**spec(IN), "format_version": "1" + "0" * 5000 + ".0"}, "/format_version",
                                  "unsupported_version"),
    "too_many_tags": ("tags holds at most 100 strings (a million numbers used to be checked one by one).",
                      {**spec(IN), "tags": list(range(1000))}, "/tags", "invalid_value"),
    "name_trailing_newline": ("A name is matched in full: a trailing newline is not allowed.",
                              spec({**IN, "name": "inputs\n"}), "/layers/0/name", "invalid_value"),
    "parameter_trailing_newline": ("A \"$parameter\" is matched in full too.",
                                   spec(IN, {"block": "b"}, blocks={"b": {"params": {"units": 4}, "layers": [
                                       {"type": "Dense", "units": "$units\n"}]}}),
                                   "/blocks/b/layers/0/units", "invalid_value"),
    "format_version_big_integer": ("An integer beyond R's integers is written alike in both languages' messages.",
                                   {**spec(IN), "format_version": 1_000_000_000_000}, "/format_version",
                                   "invalid_value"),
    "softmax_axis_outside": ("Softmax's axis is an axis of its input (Keras would fail only when predicting).",
                             spec(IN, {"type": "Softmax", "axis": 5}), "/layers/1/axis", "invalid_value"),
    "wrap_dense_bidirectionally": ("Bidirectional wraps a recurrent layer only.",
                                   spec({"type": "Input", "shape": [5, 3]},
                                        {"type": "Bidirectional", "layer": {"type": "Dense", "units": 2}}),
                                   "/layers/1/layer/type", "unknown_type"),
    "wrapped_layer_named": ("A wrapped layer has no name of its own.",
                            spec({"type": "Input", "shape": [5, 3]},
                                 {"type": "Bidirectional", "layer": {"type": "LSTM", "units": 2, "name": "fw"}}),
                            "/layers/1/layer/name", "unknown_argument"),
    "wrapped_layer_misspelt": ("A wrapped layer's arguments are checked like any layer's.",
                               spec({"type": "Input", "shape": [5, 3]},
                                    {"type": "Bidirectional", "layer": {"type": "LSTM", "unit": 2}}),
                               "/layers/1/layer/unit", "unknown_argument"),
    "wrapper_without_layer": ("A wrapper needs its layer.",
                              spec({"type": "Input", "shape": [5, 3]}, {"type": "TimeDistributed"}),
                              "/layers/1/layer", "missing"),
    "time_distributed_no_steps": ("TimeDistributed needs a time axis before what its layer takes.",
                                  spec({"type": "Input", "shape": [5]},
                                       {"type": "TimeDistributed", "layer": {"type": "Dense", "units": 2}}),
                                  "/layers/1", "shape_mismatch"),
    "wrapped_shape_error": ("The wrapped layer's shape rule runs on what it sees: one time step.",
                            spec({"type": "Input", "shape": [5, 4]},
                                 {"type": "TimeDistributed", "layer": {"type": "Conv1D", "filters": 2,
                                                                       "kernel_size": 5}}),
                            "/layers/1/layer", "shape_mismatch"),
    "factor_as_text": ("A factor is a number or a [low, high] pair.",
                       spec(IMG, {"type": "RandomRotation", "factor": "0.1"}), "/layers/1/factor", "invalid_value"),
    "cropping1d_away": ("Cropping1D cannot crop more than the steps there are.",
                        spec({"type": "Input", "shape": [3, 2]}, {"type": "Cropping1D", "cropping": [2, 1]}),
                        "/layers/1", "shape_collapse"),
}


def write(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")


# The vectors written here are numbered in order; valid 19-35 and invalid 130-191 (hints, training settings)
# are kept as files, written and checked by hand, and invalid 192-219 are the warnings' (make_warning_vectors.py),
# so the vectors after them here start past them.
RESUME_AT = {"wrappers": 36, "wrap_dense_bidirectionally": 220}


def numbered(names: list[str]) -> list[tuple[int, str]]:
    out, i = [], 0
    for name in names:
        i = RESUME_AT.get(name, i + 1)
        out.append((i, name))
    return out


def main() -> int:
    for sub in ("valid", "invalid"):  # this script's own vectors are written again; the others are kept
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    for i, name in numbered(list(VALID)):
        desc, doc = VALID[name]
        doc = {**doc, "name": name}
        write(OUT / "valid" / f"{i:02d}_{name}.json", {"description": desc, "spec": doc, "expanded": expand(doc)})
    bad = 0
    for i, name in numbered(list(INVALID)):
        desc, doc, path, kind = INVALID[name]
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
        write(OUT / "invalid" / f"{i:03d}_{name}.json", case)
    print(f"wrote {len(VALID)} valid and {len(INVALID)} invalid vectors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
