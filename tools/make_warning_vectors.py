"""Write the spec warnings' conformance vectors in shared_specs/conformance/warnings/ (run by pytest and testthat).

warnings/*.json: {"description", "spec", "warnings": [{"path", "kind", "message", "hint"}]}: a valid spec and
every warning both languages must give of it, in order (an empty list: none); or, for a spec whose ``allow``
list is wrong, {"description", "spec", "error": {"path", "kind", "message", "hint"}}, the error both must raise.
The path and kind of each warning or error are written here by hand and checked against Python; the words are
Python's, which R must match.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from make_conformance import IMG, OUT, spec, write  # the conformance vectors' helpers (tools/ is on the path)
from twinnet import SpecError, SpecWarning, load_spec, spec_warnings

VEC = {"type": "Input", "shape": [8]}
SPARSE = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy"}


def dense(units: int, activation: str | None = None, **more: Any) -> dict[str, Any]:
    return {"type": "Dense", "units": units, **({"activation": activation} if activation else {}), **more}


CONV = {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}

# name: (description, spec, [(path, kind), ...])
CASES: dict[str, tuple[str, dict[str, Any], list[tuple[str, str]]]] = {
    "dense_on_feature_map": ("Dense on a feature map (rank 4) acts per pixel: a Flatten was probably forgotten.",
                             spec(IMG, CONV, dense(10, "softmax")), [("/layers/2", "dense_on_feature_map")]),
    "dense_on_feature_map_allowed": ("The same Dense, meant as a 1x1 convolution: its allow list silences it.",
                                     spec(IMG, CONV, dense(10, allow=["dense_on_feature_map"],
                                                           comment="a per-pixel classifier, meant")), []),
    "dense_on_sequence": ("Dense on a sequence (rank 3) is the usual per-step output layer: no warning.",
                          spec({"type": "Input", "shape": [10, 8]},
                               {"type": "LSTM", "units": 4, "return_sequences": True}, dense(2)), []),
    "pool_drops_rows": ("A 2x2 pooling of a 7x7 map never reads the last row and column.",
                        spec({"type": "Input", "shape": [7, 7, 3]}, {"type": "MaxPooling2D", "pool_size": 2},
                             {"type": "Flatten"}, dense(2)), [("/layers/1", "window_drops_input")]),
    "stride_drops_rows": ("A 3x3 convolution with strides [2, 1] on 12 rows leaves the last row out (axis 1 only).",
                          spec(IMG, {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": [2, 1]}),
                          [("/layers/1", "window_drops_input")]),
    "stride_drops_padding_only": ("What is left out is the zero padding added just before: no warning (ResNet).",
                                  spec({"type": "Input", "shape": [8, 8, 3]}, {"type": "ZeroPadding2D", "padding": 1},
                                       {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2}), []),
    "stride_longer_than_window": ("A 1x1 convolution with strides 2 reads every other row by design: no warning.",
                                  spec({"type": "Input", "shape": [8, 8, 3]},
                                       {"type": "Conv2D", "filters": 2, "kernel_size": 1, "strides": 2}), []),
    "pool_drops_rows_in_block": ("A block used twice warns once, where its layer is written (the first use's words).",
                                 spec({"type": "Input", "shape": [15, 15, 3]}, {"block": "down", "repeat": 2},
                                      blocks={"down": {"layers": [CONV, {"type": "MaxPooling2D", "pool_size": 2}]}}),
                                 [("/blocks/down/layers/1", "window_drops_input")]),
    "softmax_twice": ("A Softmax layer after a softmax output.",
                      spec(VEC, dense(3, "softmax"), {"type": "Softmax"}), [("/layers/2", "activation_twice")]),
    "relu_twice_through_dropout": ("A ReLU after a relu layer, a Dropout between them.",
                                   spec(VEC, dense(4, "relu"), {"type": "Dropout", "rate": 0.2},
                                        {"type": "Activation", "activation": "relu"}, dense(2)),
                                   [("/layers/3", "activation_twice")]),
    "linear_then_leaky_relu": ("A linear Dense then LeakyReLU is the usual way to write it: no warning.",
                               spec(VEC, dense(4), {"type": "LeakyReLU"}, dense(2)), []),
    "softmax_hidden": ("Softmax on a hidden layer.",
                       spec(VEC, dense(4, "softmax"), dense(2)), [("/layers/1", "softmax_hidden")]),
    "dropout_after_output": ("Dropout after the output layer.",
                             spec(VEC, dense(3, "softmax"), {"type": "Dropout", "rate": 0.5}),
                             [("/layers/2", "dropout_after_output")]),
    "dropout_before_softmax": ("Dropout between the last Dense and its Softmax drops logits of the output.",
                               spec(VEC, dense(3), {"type": "Dropout", "rate": 0.5}, {"type": "Softmax"}),
                               [("/layers/2", "dropout_after_output")]),
    "linear_output_sparse_crossentropy": ("A linear output with sparse_categorical_crossentropy (which takes "
                                          "probabilities).",
                                          spec(VEC, dense(4, "relu"), dense(10), compile=SPARSE),
                                          [("/layers/2", "loss_output_activation")]),
    "softmax_output_binary_crossentropy": ("A softmax output with binary_crossentropy, which expects a sigmoid.",
                                           spec(VEC, dense(2, "softmax"),
                                                compile={"optimizer": "adam", "loss": "binary_crossentropy"}),
                                           [("/layers/1", "loss_output_activation")]),
    "one_unit_categorical": ("Softmax over one unit is always 1: categorical_crossentropy cannot learn.",
                             spec(VEC, dense(1, "softmax"),
                                  compile={"optimizer": "adam", "loss": "categorical_crossentropy"}),
                             [("/layers/1", "loss_output_units")]),
    "sigmoid_one_unit_sparse": ("A sigmoid unit with sparse_categorical_crossentropy: both the activation and the "
                                "length are wrong.",
                                spec(VEC, dense(1, "sigmoid"), compile=SPARSE),
                                [("/layers/1", "loss_output_activation"), ("/layers/1", "loss_output_units")]),
    "output_through_dropout": ("The output's activation is looked for behind a Dropout; both warnings, in layer "
                               "order.",
                               spec(VEC, dense(3, "sigmoid"), {"type": "Dropout", "rate": 0.5}, compile=SPARSE),
                               [("/layers/1", "loss_output_activation"), ("/layers/2", "dropout_after_output")]),
    "two_outputs_one_wrong": ("Each output is checked against the loss: only the linear one is warned about.",
                              spec(VEC, dense(4, "relu", name="h"), dense(3, "softmax", name="a", inputs=["h"]),
                                   dense(3, name="b", inputs=["h"]), outputs=["a", "b"], compile=SPARSE),
                              [("/layers/3", "loss_output_activation")]),
    "classifier_as_taught": ("A classifier as the lecture writes one: no warning.",
                             spec({"type": "Input", "shape": [28, 28, 1]}, CONV, {"type": "MaxPooling2D"},
                                  {"type": "Flatten"}, dense(32, "relu"), {"type": "Dropout", "rate": 0.5},
                                  dense(10, "softmax"), compile=SPARSE), []),
}

# The allow field's own errors: name, description, spec, path, kind (words recorded from Python).
INVALID = {
    "allow_misspelt_kind": ("An allow list names kinds of warnings; a misspelt one gets a 'did you mean'.",
                                spec(IMG, dense(2, allow=["dense_on_featuremap"])), "/layers/1/allow/0",
                                "invalid_value"),
    "allow_not_a_list": ("allow is a list, even of one kind.",
                             spec(IMG, dense(2, allow="dense_on_feature_map")), "/layers/1/allow", "invalid_value"),
}


def main() -> int:
    out = OUT / "warnings"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    bad = 0
    for i, (name, (desc, doc, want)) in enumerate(CASES.items(), 1):
        doc = {**doc, "name": name}
        found = spec_warnings(doc)
        if [(w.path, w.kind) for w in found] != want:
            print(f"{name}: expected {want}, Python gives {[(w.path, w.kind) for w in found]}")
            bad += 1
        with warnings.catch_warnings(record=True) as told:  # load_spec tells the same warnings
            warnings.simplefilter("always")
            load_spec(doc)
        if [m.message for m in told if issubclass(m.category, SpecWarning)] != found:
            print(f"{name}: load_spec warns differently")
            bad += 1
        write(out / f"{i:02d}_{name}.json", {"description": desc, "spec": doc, "warnings": [
            {"path": w.path, "kind": w.kind, "message": w.message, "hint": w.hint} for w in found]})
    for i, (name, (desc, doc, path, kind)) in enumerate(INVALID.items(), len(CASES) + 1):
        doc = {**doc, "name": name}
        try:
            load_spec(doc)
        except SpecError as e:
            if (e.path, e.kind) != (path, kind):
                print(f"{name}: expected {path} {kind}, Python gives {e.path} {e.kind}: {e}")
                bad += 1
            error = {"path": e.path, "kind": e.kind, "message": e.message, "hint": e.hint}
        else:
            print(f"{name}: expected an error, Python accepts it")
            bad += 1
            continue
        write(out / f"{i:02d}_{name}.json", {"description": desc, "spec": doc, "error": error})
    print(f"wrote {len(CASES)} warning vectors and {len(INVALID)} of allow's errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
