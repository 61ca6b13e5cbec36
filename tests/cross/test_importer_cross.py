"""from_keras across languages: R and Python refuse the same layer alike (test_harness.py checks that
they write the same spec for every catalog model)."""

from __future__ import annotations

import types
from typing import Any

import keras
import pytest

import twinnet


def test_r_and_python_refuse_the_same_layer(r: Any, handoff: types.ModuleType) -> None:
    inp = keras.Input((4,))
    orthogonal = keras.regularizers.OrthogonalRegularizer()  # not one of L1, L2, L1L2
    handoff.model = keras.Model(inp, keras.layers.Dense(2, kernel_regularizer=orthogonal, name="fc")(inp))
    with pytest.raises(twinnet.SpecError) as info:
        twinnet.from_keras(handoff.model)
    got = r.spec_error('twinnet::from_keras(reticulate::import("twinnet_handoff")$model)', message=True)
    assert got == (info.value.path, info.value.kind, str(info.value))
