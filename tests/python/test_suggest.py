""""Did you mean" hints: the nearest name, at bounded cost whatever the spec holds (R: test-errors.R)."""

from __future__ import annotations

import pytest

import twinnet
from twinnet.errors import SUGGEST_MAX_CANDIDATES, SUGGEST_MAX_LENGTH, _distance_within, suggest


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_the_banded_distance_is_exact_up_to_its_bound() -> None:
    words = ["", "a", "ab", "kernel_size", "kernal_size", "kernel", "size_kernel", "adam", "adma", "dense_12"]
    for a in words:
        for b in words:
            d = levenshtein(a, b)
            for k in range(6):
                assert _distance_within(a, b, k) == (d if d <= k else k + 1), (a, b, k)


def test_hints_as_before() -> None:
    assert suggest("kernal_size", ["filters", "kernel_size", "strides"]) == "did you mean 'kernel_size'?"
    assert suggest("Conv2d", ["Conv1D", "Conv2D", "Dense"]) == "did you mean 'Conv2D'?"
    assert suggest("zzz", ["filters", "units"]) is None
    assert suggest("x", []) is None
    assert suggest("adma", ["adam", "sgd"]) == "did you mean 'adam'?"
    assert suggest("cat", ["cbt", "cas", "bat"]) == "did you mean 'bat'?"  # ties: the first in code point order


def test_an_unknown_reference_among_thousands_of_long_names_is_answered_at_once() -> None:
    # each name 1,000 characters: measuring them all against a long word would not finish in this run
    names = [f"{i:04d}" + "x" * 996 for i in range(5000)]
    assert suggest("q" * 10_000, names) is None
    assert suggest("0042" + "x" * 995, names) is None  # the word is longer than SUGGEST_MAX_LENGTH
    assert len("0042" + "x" * 995) > SUGGEST_MAX_LENGTH


def test_of_many_candidates_those_sharing_the_longest_beginning_count() -> None:
    names = [f"layer_{i:05d}_conv" for i in range(5000)]
    assert len(names) > SUGGEST_MAX_CANDIDATES
    assert suggest("layer_04321_cnov", names) == "did you mean 'layer_04321_conv'?"
    assert suggest("layer_00007_conv_", names) == "did you mean 'layer_00007_conv'?"


def test_a_spec_with_thousands_of_layers_and_a_bad_reference() -> None:
    layers = [{"type": "Input", "name": "x", "shape": [2]}]
    layers += [{"type": "Dense", "name": f"dense_layer_number_{i:05d}", "units": 2} for i in range(5000)]
    layers.append({"type": "Dense", "units": 2, "inputs": ["dense_layer_number_0431"]})
    with pytest.raises(twinnet.SpecError) as e:
        twinnet.load_spec({"format_version": "1.0", "name": "many", "layers": layers})
    assert (e.value.path, e.value.kind) == ("/layers/5001/inputs/0", "unknown_reference")
    assert e.value.hint == "did you mean 'dense_layer_number_04031'?"  # one edit away, as 00431 is


def test_a_word_with_a_meaning_gets_a_name_of_that_meaning() -> None:
    """*_regularizer never gets *_initializer, however close the spelling (hints.json's meanings)."""
    dense = ["units", "activation", "use_bias", "kernel_initializer", "bias_initializer"]
    assert suggest("kernel_regularizer", dense) is None
    assert suggest("kernel_regularizer", [*dense, "bias_regularizer"]) == "did you mean 'bias_regularizer'?"
    assert suggest("kernel_constrain", [*dense, "kernel_constraint"]) == "did you mean 'kernel_constraint'?"
    assert suggest("recurrent_activaton", ["recurrent_initializer", "recurrent_activation"]) == \
        "did you mean 'recurrent_activation'?"
    assert suggest("kernel_sise", [*dense, "kernel_size"]) == "did you mean 'kernel_size'?"  # no meaning: spelling
