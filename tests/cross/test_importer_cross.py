"""from_keras across languages: R and Python write the same spec for the same Keras model."""

from __future__ import annotations

import types
from typing import Any

import keras
import pytest

import twinnet

CATALOG = [row.name for row in twinnet.catalog()]


@pytest.mark.parametrize("name", CATALOG)
def test_r_and_python_import_the_same_spec(r: Any, handoff: types.ModuleType, name: str) -> None:
    handoff.model = twinnet.build_model(name, compile=False)
    got = r.json('twinnet::from_keras(reticulate::import("twinnet_handoff")$model)')
    assert got == twinnet.from_keras(handoff.model)


def test_r_and_python_refuse_the_same_layer(r: Any, handoff: types.ModuleType) -> None:
    inp = keras.Input((4,))
    handoff.model = keras.Model(inp, keras.layers.Dense(2, kernel_regularizer="l2", name="fc")(inp))
    with pytest.raises(twinnet.SpecError) as info:
        twinnet.from_keras(handoff.model)
    res = r('tryCatch({ twinnet::from_keras(reticulate::import("twinnet_handoff")$model); NULL }, '
            "twinnet_spec_error = function(e) c(e$path, e$kind, e$message))")
    assert [str(v) for v in res] == [info.value.path, info.value.kind, info.value.message]
