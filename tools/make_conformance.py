"""Write every conformance vector in shared_specs/conformance/ (run by pytest and testthat): the one tool that does.

valid/*.json:    {"description", "spec", "expanded"}: the expansion both languages must give.
invalid/*.json:  {"description", "spec" or "text", "error": {"path", "kind"}}: the error both must raise;
                 with "stage": "build", load_spec() accepts the spec and build_model() raises the error;
                 "message" and "hint" in "error" (hint null: none), where given, pin the words too.
warnings/*.json: {"description", "spec", "warnings": [{"path", "kind", "message", "hint"}]}: a valid spec and every
                 warning both languages must give of it, in order (an empty list: none); or, for a spec whose
                 "allow" list is wrong, {"description", "spec", "error": {"path", "kind", "message", "hint"}}.

Each table below is keyed by the vector's file name without ".json": its number, then its name. The numbers are
explicit and ascending in each table (gaps are numbers no longer used); a vector is renamed or renumbered by
editing its key. The expected error of each invalid case (and the words, where pinned) and the path and kind of
each warning are written here by hand and checked against Python when the vectors are written; the words of the
warnings and of allow's errors are Python's, which R must match; each expansion was read and checked by hand when
first written. This tool owns the three folders: a .json file in them that it does not write is removed (unless a
check failed).
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))

from twinnet import SpecError, SpecWarning, build_model, expand, load_spec, spec_warnings  # noqa: E402

OUT = ROOT / "shared_specs" / "conformance"


def spec(*layers: Any, **top: Any) -> dict[str, Any]:  # Any: an invalid vector may give a layer that is no object
    return {"format_version": "1.0", "name": top.pop("name", "case"), **top, "layers": list(layers)}


IN = {"type": "Input", "shape": [8]}
IMG = {"type": "Input", "shape": [12, 12, 3]}

# -- valid/: a spec and the expansion both languages must give ---------------------------------------------------------

# Each spec is named after its vector (the name in its key), except these, which keep the name they are given here.
OWN_NAME = {"19_layer_comment", "30_compile_optimizer_arguments", "31_compile_schedules",
            "32_piecewise_constant_schedule", "33_fit_callbacks", "34_regularizers", "35_fit_without_compile"}
VALID: dict[str, tuple[str, dict[str, Any]]] = {
    # number_name: (description, spec)
    "01_dense_chain": ("A sequential chain: unnamed layers get <type>_<n> names, defaults written out.",
                       spec(IN, {"type": "Dense", "units": 4, "activation": "relu"}, {"type": "Dense", "units": 2})),
    "02_conv_int_forms": ("kernel_size and strides as one integer or a list become lists of two.",
                          spec(IMG, {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": [2, 1],
                                     "allow": ["window_drops_input"]},  # 12 rows, strides 2: the last is not read
                               {"type": "Conv2D", "filters": 2, "kernel_size": [1, 3], "padding": "same"})),
    "03_pool_strides_default": ("Pooling strides left out (or null) are the pool size.",
                                spec(IMG, {"type": "MaxPooling2D", "pool_size": 3},
                                     {"type": "AveragePooling2D", "pool_size": 2, "strides": None})),
    "04_zero_padding_forms": ("ZeroPadding2D takes 1, [1, 2] or [[1, 2], [3, 4]].",
                              spec(IMG, {"type": "ZeroPadding2D"}, {"type": "ZeroPadding2D", "padding": [1, 2]},
                                   {"type": "ZeroPadding2D", "padding": [[1, 2], [3, 4]]})),
    "05_block_repeat": ("A block repeated three times: names <instance>_<r>_<layer>, each repetition feeds the next.",
                        spec(IN, {"block": "mlp", "name": "stack", "repeat": 3, "args": {"units": 5}},
                             {"type": "Dense", "units": 1},
                             blocks={"mlp": {"params": {"units": None, "act": "tanh"},
                                             "layers": [{"type": "Dense", "units": "$units", "activation": "$act"},
                                                        {"type": "Dropout", "rate": 0.1}]}})),
    "06_block_auto_names": ("Unnamed block uses are <block>_<n>; a residual Add reads @input.",
                            spec(IN, {"block": "res"}, {"block": "res"},
                                 blocks={"res": {"layers": [{"type": "Dense", "units": 8, "name": "fc"},
                                                            {"type": "Add", "inputs": ["@input", "fc"]}]}})),
    "07_nested_blocks": ("A block that uses another block; parameters pass through with $name.",
                         spec(IN, {"block": "outer", "args": {"width": 3}},
                              blocks={"inner": {"params": {"n": None}, "layers": [{"type": "Dense", "units": "$n"}]},
                                      "outer": {"params": {"width": None},
                                                "layers": [{"block": "inner", "name": "a", "args": {"n": "$width"}},
                                                           {"block": "inner", "name": "b", "args": {"n": 2}}]}})),
    "08_two_inputs_concat": ("Two inputs joined by Concatenate; inputs named explicitly make a graph.",
                             spec({"type": "Input", "name": "left", "shape": [4]},
                                  {"type": "Input", "name": "right", "shape": [6]},
                                  {"type": "Concatenate", "name": "join", "inputs": ["left", "right"]},
                                  {"type": "Dense", "units": 3})),
    "09_two_outputs": ("Several outputs, listed in \"outputs\".",
                       spec(IN, {"type": "Dense", "name": "trunk", "units": 6},
                            {"type": "Dense", "name": "head_a", "units": 2, "inputs": ["trunk"]},
                            {"type": "Dense", "name": "head_b", "units": 1, "inputs": ["trunk"]},
                            outputs=["head_a", "head_b"])),
    "10_recurrent_stack": ("Embedding, GRU with return_sequences, SimpleRNN; GRU's reset_after doubles its bias.",
                           spec({"type": "Input", "shape": [7], "dtype": "int32"},
                                {"type": "Embedding", "input_dim": 50, "output_dim": 4},
                                {"type": "GRU", "units": 3, "return_sequences": True},
                                {"type": "SimpleRNN", "units": 2})),
    "11_lstm_sequences": ("An LSTM on (time, features) with a variable length.",
                          spec({"type": "Input", "shape": [None, 5]}, {"type": "LSTM", "units": 4})),
    "12_reshape_minus_one": ("Reshape with -1 infers one length.",
                             spec({"type": "Input", "shape": [6, 4]}, {"type": "Reshape", "target_shape": [-1, 2]},
                                  {"type": "Flatten"})),
    "13_batchnorm_frozen": ("trainable false moves every weight to non-trainable.",
                            spec(IMG, {"type": "BatchNormalization"}, {"type": "Conv2D", "filters": 1, "kernel_size": 1,
                                                                        "trainable": False})),
    "14_initializer_object": ("An initializer as a Keras config object, and fixed weights.",
                              spec({"type": "Input", "shape": [2]},
                                   {"type": "Dense", "units": 1, "use_bias": False,
                                    "kernel_initializer": {"class_name": "Constant", "config": {"value": 1}}},
                                   {"type": "Dense", "units": 1, "weights": [[[2.0]], [0.5]]})),
    "15_reshape_variable_length": ("Reshape of a variable-length input: the -1 stays unknown.",
                                   spec({"type": "Input", "shape": [None, 4]},
                                        {"type": "Reshape", "target_shape": [-1, 2]})),
    "16_repeat_as_float": ("repeat written as 2.0 is the integer 2.",
                           spec(IN, {"block": "b", "repeat": 2.0},
                                blocks={"b": {"layers": [{"type": "Dense", "units": 3}]}})),
    "17_conv1d_causal_global": ("Conv1D with causal padding, dilation, then global pooling with keepdims.",
                                spec({"type": "Input", "shape": [10, 2]},
                                     {"type": "Conv1D", "filters": 3, "kernel_size": 3, "padding": "causal",
                                      "dilation_rate": 2},
                                     {"type": "GlobalMaxPooling1D", "keepdims": True})),
    "18_grouped_conv": ("A grouped convolution: each filter sees channels / groups of its input.",
                        spec({"type": "Input", "shape": [5, 5, 4]},
                             {"type": "Conv2D", "filters": 6, "kernel_size": 3, "groups": 2},
                             {"type": "GlobalAveragePooling2D"}, {"type": "Softmax"})),
    # -- a comment is for people; compile and fit settings in canonical form
    "19_layer_comment": (
        "A comment (a string) on a layer, on a layer of a block and on a block use is for people: the expansion "
        "leaves it out.",
        spec({"type": "Input", "name": "x", "shape": [3], "comment": "Where the input comes from."},
             {"type": "Dense", "name": "hidden", "units": 4, "activation": "relu",
              "comment": 'Lecture: "a fully connected layer with 4 units"; a comment is for people.'},
             {"block": "pair", "name": "pair", "comment": "A block use may have a comment too."},
             name="layer_comments",
             blocks={"pair": {"description": "Two Dense layers.", "params": {"units": 4},
                              "layers": [{"type": "Dense", "name": "first", "units": "$units",
                                          "comment": "A comment inside a block."},
                                         {"type": "Dense", "name": "second", "units": 2}]}})),
    "30_compile_optimizer_arguments": (
        "An optimizer's arguments: those given (momentum, nesterov, an integer learning rate) in canonical form, "
        "every other argument of SGD with Keras's default, metrics an empty list.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse", "learning_rate": 1, "momentum": 0.9, "nesterov": True}}),
    "31_compile_schedules": (
        "A learning-rate schedule with its defaults written out (staircase), and AdamW's weight decay default "
        "(0.004), not null.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "adamw", "loss": "mse", "metrics": ["mae"],
                     "learning_rate": {"schedule": "ExponentialDecay", "initial_learning_rate": 0.1,
                                       "decay_steps": 1000, "decay_rate": 0.96}}}),
    "32_piecewise_constant_schedule": (
        "PiecewiseConstantDecay: boundaries stay integers, values become numbers; RMSprop's clipnorm given.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "rmsprop", "loss": "mse", "clipnorm": 1,
                     "learning_rate": {"schedule": "PiecewiseConstantDecay", "boundaries": [100, 200],
                                       "values": [1, 0.5, 0.1]}}}),
    "33_fit_callbacks": (
        "A fit section: the settings it leaves out and every argument of each callback take Keras's defaults.",
        {**spec(IN, {"type": "Dense", "units": 2}), "compile": {"optimizer": "adam", "loss": "mse"},
         "fit": {"epochs": 50, "validation_split": 0.2,
                 "callbacks": [{"callback": "EarlyStopping", "patience": 3, "restore_best_weights": True},
                               {"callback": "ReduceLROnPlateau", "factor": 0.5}]}}),
    "34_regularizers": (
        'Regularizers: {"l1"}, {"l2"} and both, factors as numbers; null by default; on Conv1D, LSTM (recurrent) and'
        " Embedding too.",
        spec({"type": "Input", "shape": [6], "dtype": "int32"},
             {"type": "Embedding", "input_dim": 10, "output_dim": 4, "embeddings_regularizer": {"l1": 0.01}},
             {"type": "Conv1D", "filters": 3, "kernel_size": 2, "kernel_regularizer": {"l2": 1},
              "activity_regularizer": {"l1": 0.1, "l2": 0.2}},
             {"type": "LSTM", "units": 2, "recurrent_regularizer": {"l2": 0.001}, "bias_regularizer": None},
             {"type": "Dense", "units": 1, "kernel_regularizer": {"l1": 0, "l2": 0.0001}})),
    "35_fit_without_compile": (
        "A fit section alone (no compile): only the settings, no callbacks.",
        {**spec(IN, {"type": "Dense", "units": 2}), "fit": {"batch_size": 8, "shuffle": False}}),
    # -- wrappers, augmentation, more convolutions
    "36_wrappers": ("Bidirectional and TimeDistributed hold a layer, named after the wrapper; concat doubles the "
                    "units, sum keeps them; a wrapper's parameters are its layer's (twice for Bidirectional).",
                    spec({"type": "Input", "shape": [6], "dtype": "int32"},
                         {"type": "Embedding", "input_dim": 50, "output_dim": 4},
                         {"type": "Bidirectional", "layer": {"type": "LSTM", "units": 3, "return_sequences": True}},
                         {"type": "TimeDistributed", "name": "per_step", "layer": {"type": "Dense", "units": 2}},
                         {"type": "Bidirectional", "layer": {"type": "GRU", "units": 2}, "merge_mode": "sum",
                          "trainable": False})),
    "37_wrapper_in_block": ("A wrapped layer's arguments may be block parameters; its name follows the block's.",
                            spec({"type": "Input", "shape": [5, 3]}, {"block": "birnn", "args": {"units": 4}},
                                 blocks={"birnn": {"params": {"units": None}, "layers": [
                                     {"type": "Bidirectional", "name": "rnn",
                                      "layer": {"type": "SimpleRNN", "units": "$units"}}]}})),
    "38_augmentation_layers": ("Augmentation keeps the shape (RandomCrop crops to its height and width); a factor f "
                               "is the range [-f, f].",
                               spec(IMG, {"type": "RandomFlip", "mode": "horizontal"},
                                    {"type": "RandomRotation", "factor": 0.1},
                                    {"type": "RandomZoom", "height_factor": [-0.2, 0.1], "width_factor": 0.3},
                                    {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": [0, 0.2]},
                                    {"type": "RandomCrop", "height": 10, "width": 8})),
    "39_upsampling_convolutions": ("Transposed, separable and depthwise convolutions, upsampling and cropping.",
                                   spec(IMG, {"type": "Conv2DTranspose", "filters": 4, "kernel_size": 3, "strides": 2},
                                        {"type": "SeparableConv2D", "filters": 6, "kernel_size": 3,
                                         "depth_multiplier": 2},
                                        {"type": "DepthwiseConv2D", "kernel_size": [3, 1], "padding": "same",
                                         "use_bias": False},
                                        {"type": "UpSampling2D", "size": [2, 1]},
                                        {"type": "Cropping2D", "cropping": [[1, 0], [2, 3]]})),
    "40_one_axis_padding": ("ZeroPadding1D and Cropping1D take an integer or one [before, after] pair; "
                            "LayerNormalization has no moving statistics.",
                            spec({"type": "Input", "shape": [7, 3]}, {"type": "ZeroPadding1D", "padding": [2, 0]},
                                 {"type": "Cropping1D"}, {"type": "LayerNormalization", "center": False})),
}

# -- invalid/: a spec (or a JSON text) and the error both languages must raise ----------------------------------------

CONV = {"type": "Conv2D", "filters": 2, "kernel_size": 3}
BUILD_STAGE = {"033_identity_conv_kernel", "058_weights_wrong_shape"}  # load_spec() accepts these, build_model() not
Words = dict[str, str | None]  # an error's words, pinned where given: {"message": ..., "hint": ... or None}
INVALID: dict[str, tuple[str, Any, str, str] | tuple[str, Any, str, str, Words]] = {
    # number_name: (description, spec or text, expected path, expected kind[, the words])
    "001_invalid_json": ("Text that is not JSON.", '{"format_version": "1.0", "name": "x",, }', "", "invalid_json"),
    "002_top_level_list": ("A spec is an object, not a list.", [IN], "", "wrong_type"),
    "003_no_format_version": ("format_version is required.", {"name": "x", "layers": [IN]}, "/format_version",
                              "missing"),
    "004_format_version_2": ("An unknown major version is refused.", {**spec(IN), "format_version": "2.0"},
                             "/format_version", "unsupported_version"),
    "005_format_version_number": ("format_version is a string.", {**spec(IN), "format_version": 1},
                                  "/format_version", "invalid_value"),
    "006_unknown_type": ("A layer type outside the allowlist.", spec(IN, {"type": "Dense2D", "units": 3}),
                         "/layers/1/type", "unknown_type"),
    "007_lambda_refused": ("No Lambda: a spec never carries code.",
                           spec(IN, {"type": "Lambda", "function": "lambda x: x"}), "/layers/1/type", "unknown_type"),
    "008_unknown_argument": ("A misspelt argument.", spec(IMG, {"type": "Conv2D", "filters": 2, "kernal_size": 3}),
                             "/layers/1/kernal_size", "unknown_argument"),
    "009_missing_argument": ("Dense needs units.", spec(IN, {"type": "Dense"}), "/layers/1/units", "missing"),
    "010_wrong_argument_type": ("units is an integer.", spec(IN, {"type": "Dense", "units": "ten"}),
                                "/layers/1/units", "invalid_value"),
    "011_zero_filters": ("Sizes are positive.", spec(IMG, {**CONV, "filters": 0}), "/layers/1/filters",
                         "invalid_value"),
    "012_dropout_one": ("A dropout rate is below 1.", spec(IN, {"type": "Dropout", "rate": 1.0}), "/layers/1/rate",
                        "invalid_value"),
    "013_bad_activation": ("An activation Keras does not know.", spec(IN, {"type": "Dense", "units": 2,
                                                                           "activation": "rleu"}),
                           "/layers/1/activation", "invalid_value"),
    "014_kernel_too_large": ("A kernel larger than its input collapses the shape.",
                             spec({"type": "Input", "shape": [4, 4, 1]}, {**CONV, "kernel_size": 5}), "/layers/1",
                             "shape_collapse"),
    "015_unknown_input_ref": ("inputs names a layer that does not exist.",
                              spec(IN, {"type": "Dense", "units": 2, "inputs": ["inptu"]}), "/layers/1/inputs/0",
                              "unknown_reference"),
    "016_forward_ref": ("A layer's inputs must come before it (this also rules out cycles).",
                        spec(IN, {"type": "Dense", "name": "a", "units": 2, "inputs": ["b"]},
                             {"type": "Dense", "name": "b", "units": 2, "inputs": ["a"]}),
                        "/layers/1/inputs/0", "unknown_reference"),
    "017_duplicate_name": ("Two layers with one name.", spec(IN, {"type": "Dense", "name": "fc", "units": 2},
                                                             {"type": "Dense", "name": "fc", "units": 2}),
                           "/layers/2/name", "duplicate_name"),
    "018_undefined_block": ("A block use names a block that is not defined.", spec(IN, {"block": "resblock"}),
                            "/layers/1/block", "unknown_block"),
    "019_bad_block_argument": ("A block argument the block does not take.",
                               spec(IN, {"block": "b", "args": {"unit": 3}},
                                    blocks={"b": {"params": {"units": 2},
                                                  "layers": [{"type": "Dense", "units": "$units"}]}}),
                               "/layers/1/args/unit", "unknown_argument"),
    "020_missing_block_argument": ("A block parameter without a default must be given.",
                                   spec(IN, {"block": "b"},
                                        blocks={"b": {"params": {"units": None},
                                                      "layers": [{"type": "Dense", "units": "$units"}]}}),
                                   "/layers/1/args/units", "missing"),
    "021_block_argument_wrong_type": ("A block argument is checked where it is given.",
                                      spec(IN, {"block": "b", "args": {"units": -3}},
                                           blocks={"b": {"params": {"units": None},
                                                         "layers": [{"type": "Dense", "units": "$units"}]}}),
                                      "/layers/1/args/units", "invalid_value"),
    "022_repeat_zero": ("repeat is at least 1.", spec(IN, {"block": "b", "repeat": 0},
                                                      blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                        "/layers/1/repeat", "invalid_value"),
    "023_recursive_block": ("A block that uses itself.", spec(IN, {"block": "b"},
                                                              blocks={"b": {"layers": [{"block": "b"}]}}),
                            "/blocks/b/layers/0/block", "recursive_block"),
    "024_expect_mismatch": ("expect disagrees with what the spec builds.",
                            {**spec(IN, {"type": "Dense", "units": 2}), "expect": {"params": {"total": 20}}},
                            "/expect/params/total", "expect_mismatch"),
    "025_no_input_first": ("The first layer must be an Input.", spec({"type": "Dense", "units": 2}), "/layers/0",
                           "missing_input"),
    "026_add_shapes_differ": ("Add needs inputs of one shape.",
                              spec(IN, {"type": "Dense", "name": "a", "units": 2},
                                   {"type": "Add", "inputs": ["input_1", "a"]}), "/layers/2/inputs", "shape_mismatch"),
    "027_duplicate_key": ("A key written twice in one object.",
                          '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2], '
                          '"shape": [3]}]}', "/layers/0/shape", "duplicate_key"),
    "028_unknown_top_field": ("A misspelt top-level field.", {**spec(IN), "layer": []}, "/layer", "unknown_field"),
    "029_param_at_top_level": ("A $parameter outside a block.", spec(IN, {"type": "Dense", "units": "$units"}),
                               "/layers/1/units", "unknown_parameter"),
    "030_bad_layer_name": ("Names are letters, digits and underscores.",
                           spec(IN, {"type": "Dense", "name": "fc-1", "units": 2}), "/layers/1/name", "invalid_value"),
    "031_groups_not_dividing": ("groups must divide the input channels.",
                                spec(IMG, {**CONV, "groups": 2}), "/layers/1/groups", "invalid_value"),
    "032_initializer_config": ("An initializer's config takes that initializer's own arguments.",
                               spec(IN, {"type": "Dense", "units": 2,
                                         "kernel_initializer": {"class_name": "Constant", "config": {"mean": 1}}}),
                               "/layers/1/kernel_initializer", "invalid_value"),
    "033_identity_conv_kernel": ("Keras refuses an identity initializer for a 4D kernel when it builds the layer.",
                                 spec({"type": "Input", "shape": [5, 5, 1]},
                                      {**CONV, "kernel_initializer": "identity"}), "/layers/1", "build"),
    "034_layer_leads_nowhere": ("A layer that no output depends on (Keras would drop it silently).",
                                spec(IN, {"type": "Dense", "name": "unused", "units": 3},
                                     {"type": "Dense", "name": "out", "units": 2, "inputs": ["input_1"]}),
                                "/layers/1", "disconnected"),
    "035_nan_is_not_json": ("NaN is not JSON, although Python's json module reads it.",
                            '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [NaN]}]}',
                            "", "invalid_json"),
    "036_bad_block_name": ("Block names follow the rules of layer names.",
                           spec(IN, blocks={"my-block": {"layers": [{"type": "Dense", "units": 2}]}}),
                           "/blocks/my-block", "invalid_name"),
    "037_strides_with_dilation": ("Keras refuses strides > 1 together with dilation > 1: found before Keras runs.",
                                  spec(IMG, {**CONV, "strides": 2, "dilation_rate": 2}), "/layers/1/dilation_rate",
                                  "invalid_value"),
    # -- a spec never carries code: every way of smuggling some in is refused by the allowlist
    "038_type_module_path": ("A layer type is a class name from the allowlist, not a module path.",
                             spec(IN, {"type": "keras.layers.Dense", "units": 2}), "/layers/1/type", "unknown_type"),
    "039_type_tf_op_lambda": ("Keras's internal TFOpLambda is not a layer type of a spec.",
                              spec(IN, {"type": "TFOpLambda", "function": "math.add"}), "/layers/1/type",
                              "unknown_type"),
    "040_keras_config_style": ("A Keras config object ({class_name, config}) is not a layer: a layer has a type.",
                               spec(IN, {"class_name": "Lambda", "config": {"function": "lambda x: x"}}),
                               "/layers/1/type", "missing"),
    "041_layer_module_key": ("A layer takes no module.", spec(IN, {"type": "Dense", "units": 2, "module": "os"}),
                             "/layers/1/module", "unknown_argument"),
    "042_layer_registered_name": ("A layer takes no registered_name (a custom class).",
                                  spec(IN, {"type": "Dense", "units": 2, "registered_name": "Custom>Dense"}),
                                  "/layers/1/registered_name", "unknown_argument"),
    "043_initializer_module_path": ("An initializer's class_name is a Keras initializer class, not a module path.",
                                    spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                        "class_name": "keras.initializers.Constant", "config": {"value": 1}}}),
                                    "/layers/1/kernel_initializer", "invalid_value"),
    "044_initializer_module_key": ("An initializer object takes no module.",
                                   spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                       "module": "builtins", "class_name": "Constant", "config": {"value": 1}}}),
                                   "/layers/1/kernel_initializer", "invalid_value"),
    "045_initializer_registered_name": ("An initializer object takes no registered_name.",
                                        spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                            "class_name": "Constant", "config": {"value": 1},
                                            "registered_name": "my_package>Init"}}),
                                        "/layers/1/kernel_initializer", "invalid_value"),
    "046_initializer_code_value": ("An initializer's config holds numbers, not code.",
                                   spec(IN, {"type": "Dense", "units": 2, "kernel_initializer": {
                                       "class_name": "Constant", "config": {"value": "__import__('os').getcwd()"}}}),
                                   "/layers/1/kernel_initializer", "invalid_value"),
    "047_initializer_function_string": ("An initializer is a name from the allowlist, not code.",
                                        spec(IN, {"type": "Dense", "units": 2,
                                                  "kernel_initializer": "lambda shape, dtype: 0"}),
                                        "/layers/1/kernel_initializer", "invalid_value"),
    "048_activation_module_path": ("An activation is a name from the allowlist, not a module path.",
                                   spec(IN, {"type": "Dense", "units": 2, "activation": "keras.src.activations.relu"}),
                                   "/layers/1/activation", "invalid_value"),
    "049_activation_function_string": ("An activation is a name, not a function.",
                                       spec(IN, {"type": "Activation", "activation": "lambda x: x * 2"}),
                                       "/layers/1/activation", "invalid_value"),
    "050_activation_object": ("An activation is a name, not a serialized function object.",
                              spec(IN, {"type": "Dense", "units": 2, "activation": {
                                  "module": "os", "class_name": "function", "config": "system",
                                  "registered_name": "function"}}), "/layers/1/activation", "invalid_value"),
    "051_loss_module_path": ("A loss is a name from the allowlist, not a module path.",
                             {**spec(IN, {"type": "Dense", "units": 2}),
                              "compile": {"optimizer": "adam", "loss": "my_losses.custom_loss"}},
                             "/compile/loss", "invalid_value"),
    "052_optimizer_object": ("An optimizer is a name, not a config object with a module.",
                             {**spec(IN, {"type": "Dense", "units": 2}),
                              "compile": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam"},
                                          "loss": "mse"}}, "/compile/optimizer", "invalid_value"),
    "053_metric_function_string": ("A metric is a name, not code.",
                                   {**spec(IN, {"type": "Dense", "units": 2}),
                                    "compile": {"optimizer": "adam", "loss": "mse", "metrics": ["lambda y, p: 0"]}},
                                   "/compile/metrics/0", "invalid_value"),
    "054_dtype_object": ("An Input's dtype is a numeric type from the allowlist.",
                         spec({"type": "Input", "shape": [2], "dtype": "object"}), "/layers/0/dtype", "invalid_value"),
    "055_weights_code": ("Fixed weights are numbers; a string in them is refused when the spec is loaded.",
                         spec(IN, {"type": "Dense", "units": 1, "weights": [[["__import__('os')"]] * 8, [0.0]]}),
                         "/layers/1/weights/0/0/0", "invalid_value"),
    "056_weights_null": ("Fixed weights are numbers: null (which NumPy would read as NaN) is refused.",
                         spec({"type": "Input", "shape": [1]},
                              {"type": "Dense", "units": 1, "weights": [[[1.0]], [None]]}),
                         "/layers/1/weights/1/0", "invalid_value"),
    "057_weights_beyond_float32": ("A weight too large for a 32-bit float would silently become infinite: refused.",
                                   spec({"type": "Input", "shape": [2]},
                                        {"type": "Dense", "units": 1, "weights": [[[1.0], [1e39]], [0.0]]}),
                                   "/layers/1/weights/0/1/0", "invalid_value"),
    "058_weights_wrong_shape": ("Fixed weights must have the shapes of the layer's weights (checked when built).",
                                spec({"type": "Input", "shape": [2]}, {"type": "Dense", "units": 1, "weights": [[[1.0]],
                                                                                                           [0.0]]}),
                                "/layers/1/weights", "shape_mismatch"),
    # -- JSON that is not JSON
    "059_trailing_comma": ("A comma after the last element.",
                           '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]},]}', "",
                           "invalid_json"),
    "060_single_quotes": ("JSON strings take double quotes.", "{'format_version': '1.0'}", "", "invalid_json"),
    "061_comment": ("JSON has no comments, although some parsers accept them.",
                    '{"format_version": "1.0", // the version\n "name": "x", "layers": []}', "", "invalid_json"),
    "062_byte_order_mark": ("A byte order mark before the JSON text.",
                            '\ufeff{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}]}',
                            "", "invalid_json"),
    "063_number_overflow": ("1e400 is valid JSON syntax but no 64-bit float: refused, not read as infinity.",
                            '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [2]}, '
                            '{"type": "Dense", "units": 1e400}]}', "", "invalid_json"),
    "064_too_deep": ("Arrays and objects nest at most 64 levels deep (checked before the JSON is parsed).",
                     '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": ' + "[" * 62 + "2"
                     + "]" * 62 + "}]}", "", "too_deep"),
    "065_too_deep_and_broken": ("The depth is checked before the syntax, in both languages.",
                                "[" * 100 + "1,," + "]" * 100, "", "too_deep"),
    # -- the document's structure
    "066_format_version_major_only": ('format_version has a major and a minor number: "1.0", not "1".',
                                      {**spec(IN), "format_version": "1"}, "/format_version", "invalid_value"),
    "067_empty_layers": ("A spec has at least one layer.", spec(), "/layers", "invalid_value"),
    "068_layers_not_a_list": ("layers is a list.", {**spec(), "layers": {"input": IN}}, "/layers", "invalid_value"),
    "069_layer_not_an_object": ("Each layer is an object.", spec(IN, "Dense"), "/layers/1", "invalid_value"),
    "070_name_not_a_string": ("A layer name is a string.", spec(IN, {"type": "Dense", "units": 2, "name": 5}),
                              "/layers/1/name", "invalid_value"),
    "071_units_boolean": ("true is not a number of units.", spec(IN, {"type": "Dense", "units": True}),
                          "/layers/1/units", "invalid_value"),
    "072_units_fraction": ("A size is a whole number.", spec(IN, {"type": "Dense", "units": 2.5}), "/layers/1/units",
                           "invalid_value"),
    "073_kernel_size_three_values": ("A 2D kernel has two lengths.", spec(IMG, {**CONV, "kernel_size": [3, 3, 3]}),
                                     "/layers/1/kernel_size", "invalid_value"),
    "074_padding_unknown": ("padding is valid or same.", spec(IMG, {**CONV, "padding": "full"}), "/layers/1/padding",
                            "invalid_value"),
    # -- values out of range
    "075_negative_units": ("Sizes are positive.", spec(IN, {"type": "Dense", "units": -4}), "/layers/1/units",
                           "invalid_value"),
    "076_zero_kernel_size": ("A kernel has a length of at least 1.", spec(IMG, {**CONV, "kernel_size": 0}),
                             "/layers/1/kernel_size", "invalid_value"),
    "077_zero_stride": ("Strides are positive.", spec(IMG, {**CONV, "strides": [1, 0]}), "/layers/1/strides",
                        "invalid_value"),
    "078_dropout_negative": ("A dropout rate is at least 0.", spec(IN, {"type": "Dropout", "rate": -0.1}),
                             "/layers/1/rate", "invalid_value"),
    "079_recurrent_dropout_one": ("A recurrent dropout rate is below 1.",
                                  spec({"type": "Input", "shape": [5, 3]}, {"type": "LSTM", "units": 2,
                                                                            "recurrent_dropout": 1}),
                                  "/layers/1/recurrent_dropout", "invalid_value"),
    "080_input_shape_zero": ("An Input's lengths are positive (or null).", spec({"type": "Input", "shape": [0, 3]}),
                             "/layers/0/shape", "invalid_value"),
    "081_input_shape_empty": ("An Input has at least one axis.", spec({"type": "Input", "shape": []}),
                              "/layers/0/shape", "invalid_value"),
    "082_batchnorm_axis_outside": ("BatchNormalization's axis is an axis of its input.",
                                   spec(IMG, {"type": "BatchNormalization", "axis": 4}), "/layers/1/axis",
                                   "invalid_value"),
    # -- shapes
    "083_pool_too_large": ("A pool window larger than its input collapses the shape.",
                           spec({"type": "Input", "shape": [4, 4, 1]}, {"type": "MaxPooling2D", "pool_size": 5}),
                           "/layers/1", "shape_collapse"),
    "084_collapse_deep_in_stack": ("Each valid convolution shrinks the image; the fourth leaves nothing.",
                                   spec({"type": "Input", "shape": [8, 8, 1]}, CONV, CONV, CONV, CONV), "/layers/4",
                                   "shape_collapse"),
    "085_conv1d_kernel_too_long": ("A 1D kernel longer than the sequence.",
                                   spec({"type": "Input", "shape": [5, 2]}, {"type": "Conv1D", "filters": 2,
                                                                             "kernel_size": 6}),
                                   "/layers/1", "shape_collapse"),
    "086_cropping_too_much": ("Cropping more than the input has.",
                              spec({"type": "Input", "shape": [4, 4, 4, 1]}, {"type": "Cropping3D", "cropping": 2}),
                              "/layers/1", "shape_collapse"),
    "087_conv_after_dense": ("A 2D convolution needs an image, not a vector.", spec(IN, {"type": "Dense", "units": 4},
                                                                                    CONV),
                             "/layers/2", "shape_mismatch"),
    "088_concatenate_mismatch": ("Concatenate needs inputs that agree on every other axis.",
                                 spec({"type": "Input", "name": "a", "shape": [4, 2]},
                                      {"type": "Input", "name": "b", "shape": [3, 2]},
                                      {"type": "Concatenate", "inputs": ["a", "b"]}), "/layers/2/inputs",
                                 "shape_mismatch"),
    "089_reshape_wrong_size": ("Reshape keeps the number of values.",
                               spec(IN, {"type": "Reshape", "target_shape": [3, 3]}), "/layers/1/target_shape",
                               "shape_mismatch"),
    "090_dense_on_unknown_length": ("Dense needs a known last axis.",
                                    spec({"type": "Input", "shape": [None]}, {"type": "Dense", "units": 2}),
                                    "/layers/1", "shape_mismatch"),
    # -- names, references, cycles, the graph
    "091_self_reference": ("A layer cannot be its own input (a cycle).",
                           spec(IN, {"type": "Dense", "name": "loop", "units": 2, "inputs": ["loop"]}),
                           "/layers/1/inputs/0", "unknown_reference"),
    "092_cycle_in_block": ("Inside a block too, inputs name earlier layers only.",
                           spec(IN, {"block": "b"}, blocks={"b": {"layers": [
                               {"type": "Dense", "name": "a", "units": 2, "inputs": ["c"]},
                               {"type": "Dense", "name": "c", "units": 2, "inputs": ["a"]}]}}),
                           "/blocks/b/layers/0/inputs/0", "unknown_reference"),
    "093_input_at_top_level": ('"@input" is the input of a block; the top level has none.',
                               spec(IN, {"type": "Dense", "units": 2, "inputs": ["@input"]}), "/layers/1/inputs/0",
                               "unknown_reference"),
    "094_unknown_output": ("outputs names layers of the spec.", {**spec(IN, {"type": "Dense", "units": 2}),
                                                                 "outputs": ["dense_2"]}, "/outputs/0",
                           "unknown_reference"),
    "095_outputs_empty": ("outputs, when given, names at least one layer.",
                          {**spec(IN, {"type": "Dense", "units": 2}), "outputs": []}, "/outputs", "invalid_value"),
    "096_duplicate_input_name": ("Two Inputs with one name.", spec({"type": "Input", "name": "x", "shape": [2]},
                                                                   {"type": "Input", "name": "x", "shape": [2]}),
                                 "/layers/1/name", "duplicate_name"),
    "097_name_clashes_with_block_layer": ("A layer may not take the name a block's layer was given.",
                                          spec(IN, {"block": "b", "name": "s"},
                                               {"type": "Dense", "name": "s_fc", "units": 2},
                                               blocks={"b": {"layers": [{"type": "Dense", "name": "fc", "units": 2}]}}),
                                          "/layers/2/name", "duplicate_name"),
    "098_input_given_inputs": ("An Input takes no inputs.",
                               spec(IN, {"type": "Input", "shape": [2], "inputs": ["input_1"]}), "/layers/1/inputs",
                               "invalid_value"),
    "099_add_one_input": ("Add joins at least two inputs.", spec(IN, {"type": "Add", "inputs": ["input_1"]}),
                          "/layers/1/inputs", "invalid_value"),
    "100_second_input_unused": ("No path from the second Input to the output: the graph is not connected.",
                                spec({"type": "Input", "name": "a", "shape": [2]},
                                     {"type": "Input", "name": "b", "shape": [2]},
                                     {"type": "Dense", "units": 1, "inputs": ["a"]}), "/layers/1", "disconnected"),
    "101_output_is_the_input": ("The output is the Input itself, so the layers after it lead nowhere.",
                                {**spec(IN, {"type": "Dense", "units": 2}), "outputs": ["input_1"]}, "/layers/1",
                                "disconnected"),
    # -- blocks
    "102_block_without_layers": ("A block has layers.", spec(IN, {"block": "b"}, blocks={"b": {"params": {}}}),
                                 "/blocks/b/layers", "missing"),
    "103_block_two_inputs": ("A block use takes one input.",
                             spec({"type": "Input", "name": "a", "shape": [2]},
                                  {"type": "Input", "name": "c", "shape": [2]}, {"block": "b", "inputs": ["a", "c"]},
                                  blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}), "/layers/2/inputs",
                             "invalid_value"),
    "104_block_args_not_object": ("A block's args is an object.",
                                  spec(IN, {"block": "b", "args": [2]},
                                       blocks={"b": {"params": {"units": 2},
                                                     "layers": [{"type": "Dense", "units": "$units"}]}}),
                                  "/layers/1/args", "invalid_value"),
    "105_unknown_block_parameter": ("A block's layers use only its parameters.",
                                    spec(IN, {"block": "b"}, blocks={"b": {"params": {"units": 2},
                                                                           "layers": [{"type": "Dense",
                                                                                       "units": "$unit"}]}}),
                                    "/blocks/b/layers/0/units", "unknown_parameter"),
    "106_repeat_negative": ("repeat is at least 1.", spec(IN, {"block": "b", "repeat": -2},
                                                          blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                            "/layers/1/repeat", "invalid_value"),
    "107_repeat_fraction": ("repeat is a whole number.",
                            spec(IN, {"block": "b", "repeat": 1.5},
                                 blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                            "/layers/1/repeat", "invalid_value"),
    "108_repeat_string": ("repeat is a number, not text.",
                          spec(IN, {"block": "b", "repeat": "2"},
                               blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}),
                          "/layers/1/repeat", "invalid_value"),
    # -- resource limits, refused before anything is unrolled or allocated
    "109_repeat_huge": ("A billion repetitions are refused before one is unrolled (at most 10,000 layers).",
                        spec(IN, {"block": "b", "repeat": 1_000_000_000},
                             blocks={"b": {"layers": [{"type": "Dense", "units": 2}]}}), "/layers/1/repeat",
                        "too_large"),
    "110_repeat_huge_nested": ("A huge repeat inside a block is refused where it is written.",
                               spec(IN, {"block": "outer", "repeat": 2},
                                    blocks={"inner": {"layers": [{"type": "Dense", "units": 2}]},
                                            "outer": {"layers": [{"block": "inner", "repeat": 100_000}]}}),
                               "/blocks/outer/layers/0/repeat", "too_large"),
    "111_blocks_multiply": ("Blocks that use blocks multiply: 2 x 10 x 10 x 10 x 10 layers, no repeat needed.",
                            spec(IN, {"block": "b4"}, blocks={
                                "b0": {"layers": [{"type": "Dense", "units": 2}] * 10},
                                "b1": {"layers": [{"block": "b0"}] * 10},
                                "b2": {"layers": [{"block": "b1"}] * 10},
                                "b3": {"layers": [{"block": "b2"}] * 10},
                                "b4": {"layers": [{"block": "b3"}] * 2}}), "/layers/1", "too_large"),
    "112_too_many_parameters": ("A billion parameters are refused before Keras allocates them (limit 500 million).",
                                spec({"type": "Input", "shape": [100_000]}, {"type": "Dense", "units": 10_000}),
                                "/layers/1", "too_large"),
    "113_too_many_parameters_in_total": ("The limit is on the whole model: the layer that crosses it is named.",
                                         spec({"type": "Input", "shape": [20_000]},
                                              *[{"type": "Dense", "units": 20_000}] * 3), "/layers/2", "too_large"),
    "114_activation_too_large": ("One layer's output is limited too: 10,000 x 10,000 x 3 values per sample.",
                                 spec({"type": "Input", "shape": [10_000, 10_000, 3]}), "/layers/0", "too_large"),
    "115_activation_too_large_conv": ("A same-padded convolution with 64 filters on a 2048 x 2048 image.",
                                                  spec({"type": "Input", "shape": [2048, 2048, 3]},
                                                       {"type": "Conv2D", "filters": 64, "kernel_size": 3,
                                                        "padding": "same"}), "/layers/1", "too_large"),
    # -- expect
    "116_expect_output_shape": ("expect's output shape disagrees with the model's.",
                                {**spec(IN, {"type": "Dense", "units": 2}), "expect": {"output_shape": [None, 3]}},
                                "/expect/output_shape", "expect_mismatch"),
    "117_expect_trainable": ("expect's trainable count disagrees (the layer is frozen).",
                             {**spec(IN, {"type": "Dense", "units": 2, "trainable": False}),
                              "expect": {"params": {"total": 18, "trainable": 18}}}, "/expect/params/trainable",
                             "expect_mismatch"),
    # -- found while fuzzing: both languages accepted these before
    "118_format_version_newline": ("format_version is exactly major.minor, without a trailing newline.",
                                   {**spec(IN), "format_version": "1.0\n"}, "/format_version", "invalid_value"),
    # -- hostile inputs: each gets the same spec error in both languages, within bounded time and memory
    "119_nul_in_string": ("\\u0000 cannot be held in an R string: refused in both languages.",
                          '{"format_version": "1.0", "name": "x", "title": "a\\u0000b", "layers": [{"type": "Input", '
                          '"shape": [8]}]}', "", "invalid_json"),
    "120_nul_in_key": ("\\u0000 in a key is refused too.",
                       '{"format_version": "1.0", "name": "x", "layers": [{"type": "Input", "shape": [8], '
                       '"a\\u0000": 1}]}', "", "invalid_json"),
    "121_lone_surrogate": ("Half of a UTF-16 surrogate pair is not a character.",
                           '{"format_version": "1.0", "name": "x", "title": "\\ud83d!", "layers": [{"type": "Input", '
                           '"shape": [8]}]}', "", "invalid_json"),
    "122_surrogate_pair_then_lone": ("A whole pair is a character; the lone low half after it is not.",
                                     '{"format_version": "1.0", "name": "x", "title": "\\ud83d\\ude00\\ude00", '
                                     '"layers": [{"type": "Input", "shape": [8]}]}', "", "invalid_json"),
    "123_long_key": ("A key of more than 1,000 bytes (R cannot name a list element with more than 10,000).",
                     {**spec(IN), "k" * 1001: 1}, "", "too_large"),
    "124_format_version_huge_major": ("A 5,000-digit major version is an unsupported version, not a crash.",
                                      {**spec(IN), "format_version": "1" + "0" * 5000 + ".0"}, "/format_version",
                                      "unsupported_version"),
    "125_too_many_tags": ("tags holds at most 100 strings (a million numbers used to be checked one by one).",
                          {**spec(IN), "tags": list(range(1000))}, "/tags", "invalid_value"),
    "126_name_trailing_newline": ("A name is matched in full: a trailing newline is not allowed.",
                                  spec({**IN, "name": "inputs\n"}), "/layers/0/name", "invalid_value"),
    "127_parameter_trailing_newline": ("A \"$parameter\" is matched in full too.",
                                       spec(IN, {"block": "b"}, blocks={"b": {"params": {"units": 4}, "layers": [
                                           {"type": "Dense", "units": "$units\n"}]}}),
                                       "/blocks/b/layers/0/units", "invalid_value"),
    "128_format_version_big_integer": ("An integer beyond R's integers is written alike in both languages' messages.",
                                       {**spec(IN), "format_version": 1_000_000_000_000}, "/format_version",
                                       "invalid_value"),
    "129_softmax_axis_outside": ("Softmax's axis is an axis of its input (Keras would fail only when predicting).",
                                 spec(IN, {"type": "Softmax", "axis": 5}), "/layers/1/axis", "invalid_value"),
    # -- a comment is for people, and one string
    "130_comment_not_a_string": (
        "A layer's comment is one string.",
        spec({"type": "Input", "shape": [3]}, {"type": "Dense", "units": 2, "comment": ["a comment is one string"]},
             name="bad_comment"),
        "/layers/1/comment", "invalid_value"),
    # -- the words of a mistake, pinned in both languages: the hints that name what was meant
    "140_activation_capitalised": (
        "An activation written with a capital gets the Keras name.",
        spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10, "activation": "Relu"}),
        "/layers/1/activation", "invalid_value",
        {"message": 'expected the name of a Keras activation, found "Relu"', "hint": "did you mean 'relu'?"}),
    "141_activation_underscore": (
        "A misspelt activation gets the closest Keras name, as losses and optimizers do.",
        spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10, "activation": "soft_max"}),
        "/layers/1/activation", "invalid_value",
        {"message": 'expected the name of a Keras activation, found "soft_max"', "hint": "did you mean 'softmax'?"}),
    "142_activation_accent": (
        "An activation with an accented letter gets the Keras name.",
        spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10, "activation": "sigmoïd"}),
        "/layers/1/activation", "invalid_value",
        {"message": 'expected the name of a Keras activation, found "sigmo\\u00efd"',
         "hint": "did you mean 'sigmoid'?"}),
    "143_argument_by_meaning": (
        "A misspelt *_regularizer argument gets a *_regularizer argument, never kernel_initializer.",
        spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10, "kernel_regulariser": {"l2": 0.01}}),
        "/layers/1/kernel_regulariser", "unknown_argument",
        {"message": "'kernel_regulariser' is not an argument of Dense", "hint": "did you mean 'kernel_regularizer'?"}),
    "144_keras_argument_unsupported": (
        "A Keras argument that twinnet does not support is said to be one, with no misleading hint.",
        spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10, "kernel_constraint": "non_neg"}),
        "/layers/1/kernel_constraint", "unknown_argument",
        {"message": "'kernel_constraint' is a Keras argument of Dense that twinnet does not support yet",
         "hint": None}),
    "145_input_shape_on_layer": (
        "input_shape on a layer (a Keras 2 habit): the hint writes the Input layer.",
        spec({"type": "Dense", "units": 10, "input_shape": [784]}, {"type": "Dense", "units": 10}),
        "/layers/0/input_shape", "unknown_argument",
        {"message": "'input_shape' is not an argument of Dense",
         "hint": 'a spec gives the input\'s shape to an Input layer before this one: {"type": "Input", "shape": '
                 "[784]}"}),
    "146_type_alias": (
        "Keras's other name of a layer class gets the class name a spec writes.",
        spec({"type": "Input", "shape": [28, 28, 1]}, {"type": "Convolution2D", "filters": 6, "kernel_size": 5}),
        "/layers/1/type", "unknown_type",
        {"message": "'Convolution2D' is not a supported layer type",
         "hint": 'it is another Keras name of Conv2D: write "Conv2D"'}),
    "147_old_type": (
        "A Keras 1 layer gets the Keras 3 class that does its work.",
        spec({"type": "Input", "shape": [28, 28, 1]}, {"type": "AtrousConvolution2D", "filters": 6, "kernel_size": 3}),
        "/layers/1/type", "unknown_type",
        {"message": "'AtrousConvolution2D' is not a supported layer type",
         "hint": 'it is an old Keras layer: write "Conv2D", which does its work in Keras 3'}),
    "148_old_argument": (
        "A Keras 1 argument name gets its Keras 3 name.",
        spec({"type": "Input", "shape": [28, 28, 1]}, {"type": "Conv2D", "nb_filter": 6, "kernel_size": 5}),
        "/layers/1/nb_filter", "unknown_argument",
        {"message": "'nb_filter' is not an argument of Conv2D",
         "hint": "it is an old Keras name: Keras 3 calls it 'filters'"}),
    "149_old_compile_field": (
        "lr (Keras 2's optimizers) gets learning_rate.",
        {**spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10}),
         "compile": {"optimizer": "sgd", "loss": "mse", "lr": 0.01}},
        "/compile/lr", "unknown_field",
        {"message": "'lr' is not a known field here",
         "hint": "it is an old Keras name: Keras 3 calls it 'learning_rate'"}),
    "150_keras_layer_unsupported": (
        "A Keras layer that twinnet does not support is said to be one; the hint lists the supported types.",
        spec({"type": "Input", "shape": [784]}, {"type": "Lambda"}),
        "/layers/1/type", "unknown_type",
        {"message": "'Lambda' is a Keras layer that twinnet does not support yet"}),
    "151_unknown_type_lists_types": (
        "A type that is no Keras layer and close to none: the hint lists the supported types.",
        spec({"type": "Input", "shape": [784]}, {"type": "FullyConnected", "units": 10}),
        "/layers/1/type", "unknown_type",
        {"message": "'FullyConnected' is not a supported layer type"}),
    "152_unknown_output": (
        "An output name that no layer has.",
        {**spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10}), "outputs": ["logits"]},
        "/outputs/0", "unknown_reference",
        {"message": "there is no layer named 'logits'", "hint": None}),
    "153_self_reference_message": (
        "A layer that names itself as its input gets its own message.",
        spec({"type": "Input", "shape": [784]},
             {"type": "Dense", "units": 10, "name": "hidden", "inputs": ["hidden"]}),
        "/layers/1/inputs/0", "unknown_reference",
        {"message": "layer 'hidden' cannot take itself as input",
         "hint": 'name an earlier layer, or leave out "inputs" to take the layer before'}),
    "154_later_reference": (
        "A layer that names a later layer as its input.",
        spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10, "name": "hidden", "inputs": ["out"]},
             {"type": "Dense", "units": 10, "name": "out"}),
        "/layers/1/inputs/0", "unknown_reference",
        {"message": "layer 'out' comes after this one: a layer can only take earlier layers as inputs", "hint": None}),
    "155_reference_into_block": (
        "Outside a block, a layer of the block is named by the block's use.",
        {**spec({"type": "Input", "shape": [784]}, {"block": "b", "name": "s"},
                {"type": "Dense", "units": 10, "inputs": ["s_d"]}),
         "blocks": {"b": {"params": {}, "layers": [{"type": "Dense", "name": "d", "units": 4}]}}},
        "/layers/2/inputs/0", "unknown_reference",
        {"message": "layer 's_d' is inside a block: outside the block, name the block's use (its last output)",
         "hint": None}),
    "156_reference_out_of_block": (
        'Inside a block, a layer takes the block\'s layers or "@input", not the top level\'s.',
        {**spec({"type": "Input", "shape": [784], "name": "x"}, {"block": "b2"}),
         "blocks": {"b2": {"params": {}, "layers": [{"type": "Dense", "units": 10, "inputs": ["x"]}]}}},
        "/blocks/b2/layers/0/inputs/0", "unknown_reference",
        {"message": "layer 'x' is outside this block: inside a block, a layer takes the block's earlier layers or "
                    '"@input"', "hint": None}),
    "157_list_of_one_number": (
        "A single number where a list of one is expected.",
        spec({"type": "Input", "shape": 784}, {"type": "Dense", "units": 10}),
        "/layers/0/shape", "invalid_value",
        {"message": "expected a list of positive integers (null for a length that varies), found 784",
         "hint": "write a list of one: [784] (in R: list(784) or I(784))"}),
    "158_list_of_one_string": (
        "A single name where a list of one is expected.",
        {**spec({"type": "Input", "shape": [784]}, {"type": "Dense", "units": 10}),
         "compile": {"optimizer": "adam", "loss": "mse", "metrics": "mae"}},
        "/compile/metrics", "invalid_value",
        {"message": 'expected a list of metric names, found "mae"',
         "hint": 'write a list of one: ["mae"] (in R: list("mae") or I("mae"))'}),
    # -- JSON that Python or R would write: the position and the words of the error
    "159_comma_between_members": (
        "A comma missing at the end of a line, between two members: the position is where the comma goes.",
        '{"format_version": "1.0", "name": "case",\n'
        ' "layers": [{"type": "Input", "shape": [784]},\n'
        '            {"type": "Dense", "units": 10\n'
        '             "activation": "relu"}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 3, column 42: a comma is missing between two members of an object",
         "hint": None}),
    "160_comma_between_elements": (
        "A comma missing between two elements.",
        '{"format_version": "1.0", "name": "case",\n'
        ' "layers": [{"type": "Input", "shape": [784]}\n'
        '            {"type": "Dense", "units": 10}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 2, column 46: a comma is missing between two elements of an array",
         "hint": None}),
    "161_python_true": (
        "Python's True.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [8]}, {"type": "Dense", '
        '"units": 1, "use_bias": True}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 129: JSON writes true, not True", "hint": None}),
    "162_python_false": (
        "Python's False.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [8]}, {"type": "Dense", '
        '"units": 1, "use_bias": False}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 129: JSON writes false, not False", "hint": None}),
    "163_python_none": (
        "Python's None.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [None, 8]}, '
        '{"type": "LSTM", "units": 1}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 82: JSON writes null, not None", "hint": None}),
    "164_r_true": (
        "R's TRUE.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [8]}, {"type": "Dense", '
        '"units": 1, "use_bias": TRUE}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 129: JSON writes true, not TRUE", "hint": None}),
    "165_r_false": (
        "R's FALSE.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [8]}, {"type": "Dense", '
        '"units": 1, "use_bias": FALSE}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 129: JSON writes false, not FALSE", "hint": None}),
    "166_r_null": (
        "R's NULL.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [NULL, 8]}, '
        '{"type": "LSTM", "units": 1}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 82: JSON writes null, not NULL", "hint": None}),
    "167_r_na": (
        "R's NA.",
        '{"format_version": "1.0", "name": "case", "layers": [{"type": "Input", "shape": [NA, 8]}, '
        '{"type": "LSTM", "units": 1}]}',
        "", "invalid_json",
        {"message": "invalid JSON at line 1, column 82: JSON writes null, not NA", "hint": None}),
    "168_single_quotes": (
        "Single quotes.",
        "{'format_version': '1.0', 'name': 'case', 'layers': []}",
        "", "invalid_json",
        {"message": 'invalid JSON at line 1, column 2: use double quotes: JSON strings take "...", not \'...\'',
         "hint": None}),
    # -- compile and fit settings: optimizer arguments, schedules, regularizers, callbacks
    "170_optimizer_argument_not_taken": (
        "Adam takes no momentum (SGD and RMSprop do): refused where it is written, with the optimizers that take it "
        "as the hint.",
        {**spec(IN, {"type": "Dense", "units": 2}), "compile": {"optimizer": "adam", "loss": "mse", "momentum": 0.9}},
        "/compile/momentum", "unknown_argument"),
    "171_optimizer_argument_misspelt": (
        "An optimizer argument no optimizer takes: an unknown field.",
        {**spec(IN, {"type": "Dense", "units": 2}), "compile": {"optimizer": "sgd", "loss": "mse", "momentun": 0.9}},
        "/compile/momentun", "unknown_field"),
    "172_optimizer_argument_null": (
        "AdamW needs a number for weight_decay: null is Keras's default only where the optimizer has none.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "adamw", "loss": "mse", "weight_decay": None}},
        "/compile/weight_decay", "invalid_value"),
    "173_two_clippings": (
        "clipnorm and clipvalue exclude each other (Keras clips in one way only): the second is refused.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse", "clipvalue": 0.5, "global_clipnorm": 1.0}},
        "/compile/global_clipnorm", "invalid_value"),
    "174_momentum_above_one": (
        "SGD's momentum is a number from 0 to 1.",
        {**spec(IN, {"type": "Dense", "units": 2}), "compile": {"optimizer": "sgd", "loss": "mse", "momentum": 1.5}},
        "/compile/momentum", "invalid_value"),
    "175_learning_rate_zero": (
        "A learning rate is a number > 0 or a schedule.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse", "learning_rate": 0}},
        "/compile/learning_rate", "invalid_value"),
    "176_schedule_unknown": (
        "Only Keras's allowlisted schedules: no module paths, no custom classes.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse",
                     "learning_rate": {"schedule": "keras.optimizers.schedules.ExponentialDecay",
                                       "initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}}},
        "/compile/learning_rate/schedule", "invalid_value"),
    "177_schedule_missing_argument": (
        "ExponentialDecay needs its decay_rate.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse",
                     "learning_rate": {"schedule": "ExponentialDecay", "initial_learning_rate": 0.1,
                                       "decay_steps": 10}}},
        "/compile/learning_rate/decay_rate", "missing"),
    "178_schedule_unknown_argument": (
        "CosineDecay has no decay_rate.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse",
                     "learning_rate": {"schedule": "CosineDecay", "initial_learning_rate": 0.1, "decay_steps": 10,
                                       "decay_rate": 0.5}}},
        "/compile/learning_rate/decay_rate", "unknown_field"),
    "179_schedule_values_count": (
        "PiecewiseConstantDecay needs one value more than it has boundaries.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse",
                     "learning_rate": {"schedule": "PiecewiseConstantDecay", "boundaries": [10, 20],
                                       "values": [0.1, 0.01]}}},
        "/compile/learning_rate/values", "invalid_value"),
    "180_schedule_boundaries_decrease": (
        "PiecewiseConstantDecay's boundaries must increase.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse",
                     "learning_rate": {"schedule": "PiecewiseConstantDecay", "boundaries": [20, 10],
                                       "values": [0.1, 0.01, 0.001]}}},
        "/compile/learning_rate/boundaries/1", "invalid_value"),
    "181_regularizer_unknown_key": (
        'A regularizer is {"l1": ...}, {"l2": ...} or both.',
        spec(IN, {"type": "Dense", "units": 2, "kernel_regularizer": {"l3": 0.1}}),
        "/layers/1/kernel_regularizer", "invalid_value"),
    "182_regularizer_negative": (
        "A regularizer's factor is a number >= 0.",
        spec(IN, {"type": "Conv1D", "filters": 2, "kernel_size": 1, "bias_regularizer": {"l1": 0.1, "l2": -0.1}}),
        "/layers/1/bias_regularizer", "invalid_value"),
    "183_regularizer_name": (
        "A regularizer is an object, not Keras's name for one ('l2' would mean Keras's factor 0.01).",
        spec(IN, {"type": "Dense", "units": 2, "activity_regularizer": "l2"}),
        "/layers/1/activity_regularizer", "invalid_value"),
    "184_regularizer_empty": (
        "An empty regularizer says nothing: leave it out or write null.",
        spec(IN, {"type": "Dense", "units": 2, "kernel_regularizer": {}}),
        "/layers/1/kernel_regularizer", "invalid_value"),
    "185_callback_unknown_argument": (
        "EarlyStopping has no factor (ReduceLROnPlateau has).",
        {**spec(IN, {"type": "Dense", "units": 2}), "compile": {"optimizer": "adam", "loss": "mse"},
         "fit": {"callbacks": [{"callback": "EarlyStopping", "factor": 0.5}]}},
        "/fit/callbacks/0/factor", "unknown_field"),
    "186_callback_unknown": (
        "Only allowlisted callbacks: no LambdaCallback, no module paths.",
        {**spec(IN, {"type": "Dense", "units": 2}), "fit": {"callbacks": [{"callback": "LambdaCallback"}]}},
        "/fit/callbacks/0/callback", "invalid_value"),
    "187_callback_without_class": (
        'A callback names its class in "callback".',
        {**spec(IN, {"type": "Dense", "units": 2}), "fit": {"callbacks": [{"patience": 3}]}},
        "/fit/callbacks/0/callback", "missing"),
    "188_plateau_with_schedule": (
        "ReduceLROnPlateau sets the learning rate, which a schedule gives: Keras cannot do both.",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "compile": {"optimizer": "sgd", "loss": "mse",
                     "learning_rate": {"schedule": "InverseTimeDecay", "initial_learning_rate": 0.1,
                                       "decay_steps": 10, "decay_rate": 0.5}},
         "fit": {"callbacks": [{"callback": "EarlyStopping"}, {"callback": "ReduceLROnPlateau"}]}},
        "/fit/callbacks/1", "invalid_value"),
    "189_fit_unknown_field": (
        "The learning rate belongs to compile, not to fit.",
        {**spec(IN, {"type": "Dense", "units": 2}), "compile": {"optimizer": "sgd", "loss": "mse"},
         "fit": {"epochs": 5, "learning_rate": 0.1}},
        "/fit/learning_rate", "unknown_field"),
    "190_plateau_factor_one": (
        "ReduceLROnPlateau's factor is below 1 (Keras refuses 1 and more).",
        {**spec(IN, {"type": "Dense", "units": 2}),
         "fit": {"callbacks": [{"callback": "ReduceLROnPlateau", "factor": 1}]}},
        "/fit/callbacks/0/factor", "invalid_value"),
    "191_validation_split_one": (
        "validation_split is a fraction below 1.",
        {**spec(IN, {"type": "Dense", "units": 2}), "fit": {"validation_split": 1}},
        "/fit/validation_split", "invalid_value"),
    # -- wrappers, augmentation, one-axis cropping
    "220_wrap_dense_bidirectionally": ("Bidirectional wraps a recurrent layer only.",
                                       spec({"type": "Input", "shape": [5, 3]},
                                            {"type": "Bidirectional", "layer": {"type": "Dense", "units": 2}}),
                                       "/layers/1/layer/type", "unknown_type"),
    "221_wrapped_layer_named": ("A wrapped layer has no name of its own.",
                                spec({"type": "Input", "shape": [5, 3]},
                                     {"type": "Bidirectional", "layer": {"type": "LSTM", "units": 2, "name": "fw"}}),
                                "/layers/1/layer/name", "unknown_argument"),
    "222_wrapped_layer_misspelt": ("A wrapped layer's arguments are checked like any layer's.",
                                   spec({"type": "Input", "shape": [5, 3]},
                                        {"type": "Bidirectional", "layer": {"type": "LSTM", "unit": 2}}),
                                   "/layers/1/layer/unit", "unknown_argument"),
    "223_wrapper_without_layer": ("A wrapper needs its layer.",
                                  spec({"type": "Input", "shape": [5, 3]}, {"type": "TimeDistributed"}),
                                  "/layers/1/layer", "missing"),
    "224_time_distributed_no_steps": ("TimeDistributed needs a time axis before what its layer takes.",
                                      spec({"type": "Input", "shape": [5]},
                                           {"type": "TimeDistributed", "layer": {"type": "Dense", "units": 2}}),
                                      "/layers/1", "shape_mismatch"),
    "225_wrapped_shape_error": ("The wrapped layer's shape rule runs on what it sees: one time step.",
                                spec({"type": "Input", "shape": [5, 4]},
                                     {"type": "TimeDistributed", "layer": {"type": "Conv1D", "filters": 2,
                                                                           "kernel_size": 5}}),
                                "/layers/1/layer", "shape_mismatch"),
    "226_factor_as_text": ("A factor is a number or a [low, high] pair.",
                           spec(IMG, {"type": "RandomRotation", "factor": "0.1"}), "/layers/1/factor", "invalid_value"),
    "227_cropping1d_away": ("Cropping1D cannot crop more than the steps there are.",
                            spec({"type": "Input", "shape": [3, 2]}, {"type": "Cropping1D", "cropping": [2, 1]}),
                            "/layers/1", "shape_collapse"),
}


# -- warnings/: a valid spec and every warning both languages must give; a wrong allow list and its error --------------

SPARSE = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy"}


def dense(units: int, activation: str | None = None, **more: Any) -> dict[str, Any]:
    return {"type": "Dense", "units": units, **({"activation": activation} if activation else {}), **more}


CONV_RELU = {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}

# number_name: (description, spec, [(path, kind), ...])
WARNINGS: dict[str, tuple[str, dict[str, Any], list[tuple[str, str]]]] = {
    "01_dense_on_feature_map": ("Dense on a feature map (rank 4) acts per pixel: a Flatten was probably forgotten.",
                                spec(IMG, CONV_RELU, dense(10, "softmax")), [("/layers/2", "dense_on_feature_map")]),
    "02_dense_on_feature_map_allowed": ("The same Dense, meant as a 1x1 convolution: its allow list silences it.",
                                        spec(IMG, CONV_RELU, dense(10, allow=["dense_on_feature_map"],
                                                                   comment="a per-pixel classifier, meant")), []),
    "03_dense_on_sequence": ("Dense on a sequence (rank 3) is the usual per-step output layer: no warning.",
                             spec({"type": "Input", "shape": [10, 8]},
                                  {"type": "LSTM", "units": 4, "return_sequences": True}, dense(2)), []),
    "04_pool_drops_rows": ("A 2x2 pooling of a 7x7 map never reads the last row and column.",
                           spec({"type": "Input", "shape": [7, 7, 3]}, {"type": "MaxPooling2D", "pool_size": 2},
                                {"type": "Flatten"}, dense(2)), [("/layers/1", "window_drops_input")]),
    "05_stride_drops_rows": ("A 3x3 convolution with strides [2, 1] on 12 rows leaves the last row out (axis 1 only).",
                             spec(IMG, {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": [2, 1]}),
                             [("/layers/1", "window_drops_input")]),
    "06_stride_drops_padding_only": ("What is left out is the zero padding added just before: no warning (ResNet).",
                                     spec({"type": "Input", "shape": [8, 8, 3]},
                                          {"type": "ZeroPadding2D", "padding": 1},
                                          {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2}), []),
    "07_stride_longer_than_window": ("A 1x1 convolution with strides 2 reads every other row by design: no warning.",
                                     spec({"type": "Input", "shape": [8, 8, 3]},
                                          {"type": "Conv2D", "filters": 2, "kernel_size": 1, "strides": 2}), []),
    "08_pool_drops_rows_in_block": ("A block used twice warns once, where its layer is written (the first use's "
                                    "words).",
                                    spec({"type": "Input", "shape": [15, 15, 3]}, {"block": "down", "repeat": 2},
                                         blocks={"down": {"layers": [CONV_RELU,
                                                                     {"type": "MaxPooling2D", "pool_size": 2}]}}),
                                    [("/blocks/down/layers/1", "window_drops_input")]),
    "09_softmax_twice": ("A Softmax layer after a softmax output.",
                         spec(IN, dense(3, "softmax"), {"type": "Softmax"}), [("/layers/2", "activation_twice")]),
    "10_relu_twice_through_dropout": ("A ReLU after a relu layer, a Dropout between them.",
                                      spec(IN, dense(4, "relu"), {"type": "Dropout", "rate": 0.2},
                                           {"type": "Activation", "activation": "relu"}, dense(2)),
                                      [("/layers/3", "activation_twice")]),
    "11_linear_then_leaky_relu": ("A linear Dense then LeakyReLU is the usual way to write it: no warning.",
                                  spec(IN, dense(4), {"type": "LeakyReLU"}, dense(2)), []),
    "12_softmax_hidden": ("Softmax on a hidden layer.",
                          spec(IN, dense(4, "softmax"), dense(2)), [("/layers/1", "softmax_hidden")]),
    "13_dropout_after_output": ("Dropout after the output layer.",
                                spec(IN, dense(3, "softmax"), {"type": "Dropout", "rate": 0.5}),
                                [("/layers/2", "dropout_after_output")]),
    "14_dropout_before_softmax": ("Dropout between the last Dense and its Softmax drops logits of the output.",
                                  spec(IN, dense(3), {"type": "Dropout", "rate": 0.5}, {"type": "Softmax"}),
                                  [("/layers/2", "dropout_after_output")]),
    "15_linear_output_sparse_crossentropy": ("A linear output with sparse_categorical_crossentropy (which takes "
                                             "probabilities).",
                                             spec(IN, dense(4, "relu"), dense(10), compile=SPARSE),
                                             [("/layers/2", "loss_output_activation")]),
    "16_softmax_output_binary_crossentropy": ("A softmax output with binary_crossentropy, which expects a sigmoid.",
                                              spec(IN, dense(2, "softmax"),
                                                   compile={"optimizer": "adam", "loss": "binary_crossentropy"}),
                                              [("/layers/1", "loss_output_activation")]),
    "17_one_unit_categorical": ("Softmax over one unit is always 1: categorical_crossentropy cannot learn.",
                                spec(IN, dense(1, "softmax"),
                                     compile={"optimizer": "adam", "loss": "categorical_crossentropy"}),
                                [("/layers/1", "loss_output_units")]),
    "18_sigmoid_one_unit_sparse": ("A sigmoid unit with sparse_categorical_crossentropy: both the activation and the "
                                   "length are wrong.",
                                   spec(IN, dense(1, "sigmoid"), compile=SPARSE),
                                   [("/layers/1", "loss_output_activation"), ("/layers/1", "loss_output_units")]),
    "19_output_through_dropout": ("The output's activation is looked for behind a Dropout; both warnings, in layer "
                                  "order.",
                                  spec(IN, dense(3, "sigmoid"), {"type": "Dropout", "rate": 0.5}, compile=SPARSE),
                                  [("/layers/1", "loss_output_activation"), ("/layers/2", "dropout_after_output")]),
    "20_two_outputs_one_wrong": ("Each output is checked against the loss: only the linear one is warned about.",
                                 spec(IN, dense(4, "relu", name="h"), dense(3, "softmax", name="a", inputs=["h"]),
                                      dense(3, name="b", inputs=["h"]), outputs=["a", "b"], compile=SPARSE),
                                 [("/layers/3", "loss_output_activation")]),
    "21_classifier_as_taught": ("A classifier as the lecture writes one: no warning.",
                                spec({"type": "Input", "shape": [28, 28, 1]}, CONV_RELU, {"type": "MaxPooling2D"},
                                     {"type": "Flatten"}, dense(32, "relu"), {"type": "Dropout", "rate": 0.5},
                                     dense(10, "softmax"), compile=SPARSE), []),
}

# The allow field's own errors, numbered after the warnings (their words are recorded from Python).
ALLOW_ERRORS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    # number_name: (description, spec, expected path, expected kind)
    "22_allow_misspelt_kind": ("An allow list names kinds of warnings; a misspelt one gets a 'did you mean'.",
                               spec(IMG, dense(2, allow=["dense_on_featuremap"])), "/layers/1/allow/0",
                               "invalid_value"),
    "23_allow_not_a_list": ("allow is a list, even of one kind.",
                            spec(IMG, dense(2, allow="dense_on_feature_map")), "/layers/1/allow", "invalid_value"),
}


# -- writing ---------------------------------------------------------------------------------------------------------

Vectors = dict[str, Any]  # a folder's vectors: file name without ".json" -> what is written to it
DIGITS = {"valid": 2, "invalid": 3, "warnings": 2}  # the width of the number in each folder's file names


def vector_name(stem: str) -> str:
    return stem.split("_", 1)[1]


def json_text(obj: Any) -> str:
    """obj as the vectors write it: two-space indents, letters as themselves (UTF-8), invisible characters
    (a byte order mark, a lone surrogate) as \\u escapes."""
    def escape(c: str) -> str:
        if c == "\n" or c.isprintable():
            return c
        code = ord(c)
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return "".join(escape(c) for c in json.dumps(obj, indent=2, ensure_ascii=False)) + "\n"


def valid_vectors() -> Vectors:
    vectors: Vectors = {}
    for stem, (desc, doc) in VALID.items():
        if stem not in OWN_NAME:
            doc = {**doc, "name": vector_name(stem)}
        vectors[stem] = {"description": desc, "spec": doc, "expanded": expand(doc)}
    return vectors


def invalid_vectors(problems: list[str]) -> Vectors:
    vectors: Vectors = {}
    for stem, (desc, doc, path, kind, *pinned) in INVALID.items():
        error = {"path": path, "kind": kind, **(pinned[0] if pinned else {})}
        try:
            if stem in BUILD_STAGE:
                build_model(load_spec(doc))
            else:
                load_spec(doc)
        except SpecError as e:
            found = {"path": e.path, "kind": e.kind, "message": e.message, "hint": e.hint}
            if any(found[k] != v for k, v in error.items()):
                problems.append(f"{stem}: expected {error}, Python gives {found}")
        else:
            problems.append(f"{stem}: expected an error, Python accepts it")
        key = "text" if isinstance(doc, str) else "spec"
        case = {"description": desc, key: doc, "error": error}
        if stem in BUILD_STAGE:
            case["stage"] = "build"
        vectors[stem] = case
    return vectors


def warning_vectors(problems: list[str]) -> Vectors:
    vectors: Vectors = {}
    for stem, (desc, doc, want) in WARNINGS.items():
        doc = {**doc, "name": vector_name(stem)}
        found = spec_warnings(doc)
        if [(w.path, w.kind) for w in found] != want:
            problems.append(f"{stem}: expected {want}, Python gives {[(w.path, w.kind) for w in found]}")
        with warnings.catch_warnings(record=True) as told:  # load_spec tells the same warnings
            warnings.simplefilter("always")
            load_spec(doc)
        if [m.message for m in told if issubclass(m.category, SpecWarning)] != found:
            problems.append(f"{stem}: load_spec warns differently")
        vectors[stem] = {"description": desc, "spec": doc, "warnings": [
            {"path": w.path, "kind": w.kind, "message": w.message, "hint": w.hint} for w in found]}
    for stem, (desc, doc, path, kind) in ALLOW_ERRORS.items():
        doc = {**doc, "name": vector_name(stem)}
        try:
            load_spec(doc)
        except SpecError as e:
            if (e.path, e.kind) != (path, kind):
                problems.append(f"{stem}: expected {path} {kind}, Python gives {e.path} {e.kind}: {e}")
            error = {"path": e.path, "kind": e.kind, "message": e.message, "hint": e.hint}
        else:
            problems.append(f"{stem}: expected an error, Python accepts it")
            continue
        vectors[stem] = {"description": desc, "spec": doc, "error": error}
    return vectors


def check_keys(folder: str, vectors: Vectors) -> list[str]:
    """Each key is <number>_<name> with the folder's width of number, the numbers ascending (so unique)."""
    problems, last = [], 0
    for stem in vectors:
        m = re.fullmatch(rf"(\d{{{DIGITS[folder]}}})_[a-z0-9_]+", stem)
        if not m:
            problems.append(f"{folder}/{stem}: not {DIGITS[folder]} digits, '_' and a name")
        elif int(m.group(1)) <= last:
            problems.append(f"{folder}/{stem}: numbered at or below the vector before it ({last})")
        else:
            last = int(m.group(1))
    return problems


def main() -> int:
    problems: list[str] = []
    folders = {"valid": valid_vectors(), "invalid": invalid_vectors(problems), "warnings": warning_vectors(problems)}
    for folder, vectors in folders.items():
        if bad_keys := check_keys(folder, vectors):
            print("\n".join(bad_keys))
            return 1
    changed, removed = 0, 0
    for folder, vectors in folders.items():
        out = OUT / folder
        out.mkdir(parents=True, exist_ok=True)
        for stem, vector in vectors.items():
            path, text = out / f"{stem}.json", json_text(vector)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                changed += 1
        for old in sorted(out.glob("*.json")):
            if old.stem not in vectors:
                if problems:  # a vector that failed its check may be missing: remove nothing
                    print(f"kept {folder}/{old.name}, which no table writes (removed once every check passes)")
                else:
                    old.unlink()
                    removed += 1
                    print(f"removed {folder}/{old.name}, which no table writes")
    for problem in problems:
        print(problem)
    counts = ", ".join(f"{len(vectors)} {folder}" for folder, vectors in folders.items())
    print(f"wrote {counts} vectors ({changed} changed, {removed} removed)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
