"""For every catalog spec: R and Python give the same expansion, the same Keras model,
bit-identical seeded weights, the same predictions, and .keras files that cross over
(each model built once in each language, and freed before the next); from_keras() writes the
same spec from either language's model."""

from __future__ import annotations

import gc
import json
import sys
import types
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from rsession import json_text
from support import covering_catalog_specs, forward, outputs_of, sample_inputs

import twinnet

CATALOG = [row.name for row in twinnet.catalog()]
R_ARRAY_LIMIT = 100_000_000  # parameters: larger models' weights cross between the languages as NumPy arrays
# The specs whose weights also cross through R's arrays and whose .keras files cross over: the smallest that
# hold every type of layer of the catalog's specs up to R_ARRAY_LIMIT (18 of 39; a conversion and a file
# depend on the layers' types and shapes, not on how many there are). Every spec's predictions are compared.
THROUGH_R = covering_catalog_specs(arguments=False, max_params=R_ARRAY_LIMIT)
CONFORMANCE = Path(__file__).resolve().parents[2] / "shared_specs" / "conformance"


def cases(kind: str) -> list[Any]:
    return [pytest.param(json.loads(f.read_text()), id=f.stem) for f in sorted((CONFORMANCE / kind).glob("*.json"))]


def sample_input(name: str) -> Any:
    """The spec's inputs (support.sample_inputs()): one array, or a list for a model of several inputs."""
    arrays = sample_inputs(name)
    return arrays[0] if len(arrays) == 1 else arrays


# 0. the session ------------------------------------------------------------
def test_r_frees_python_objects_with_the_lock_held(r: Any, handoff: types.ModuleType) -> None:
    """R's collector runs reticulate's finalizers inside a call into R and Python's object is released: rpy2's
    own calls let go of Python's lock, and reticulate 1.28's finalizers without it abort the process."""
    handoff.obj = obj = object()
    alone = sys.getrefcount(obj)
    r('h <- reticulate::import("twinnet_handoff", convert = FALSE); xs <- lapply(1:50, function(i) h$obj)')
    assert sys.getrefcount(obj) >= alone + 50
    r("rm(xs, h); invisible(gc())")
    assert sys.getrefcount(obj) == alone


def test_r_errors_raise_with_their_message(r: Any) -> None:
    from rpy2.rinterface_lib.embedded import RRuntimeError

    with pytest.raises(RRuntimeError, match="no such thing here"):
        r('x <- 1; stop("no such thing here")')
    assert r("x + 1")[0] == 2  # evaluated in R's global environment, which the failed call changed first
    with pytest.raises(RRuntimeError, match="unexpected"):
        r("x <- ")


# 1. expansion ---------------------------------------------------------------
@pytest.mark.parametrize("name", CATALOG)
def test_expand_equal(r: Any, name: str) -> None:
    assert r.json(f'twinnet::expand("{name}")') == twinnet.expand(name)


@pytest.mark.parametrize("case", cases("valid"))
def test_conformance_expansion_equal(r: Any, case: dict[str, Any]) -> None:
    r.assign("spec_text", json.dumps(case["spec"]))
    assert r.json("twinnet::expand(spec_text)") == twinnet.expand(case["spec"]) == case["expanded"]


@pytest.mark.parametrize("case", cases("invalid"))
def test_same_error_path_kind_and_message(r: Any, case: dict[str, Any]) -> None:
    text = case["text"] if "text" in case else json.dumps(case["spec"])
    r.assign("spec_text", text)
    verb = "build_model" if case.get("stage") == "build" else "load_spec"
    with pytest.raises(twinnet.SpecError) as e:
        getattr(twinnet, verb)(text)
    got = r.spec_error(f"twinnet::{verb}(spec_text)", message=True)
    assert got == (e.value.path, e.value.kind, str(e.value))


# 2. the Keras models --------------------------------------------------------
def layer_facts(model: Any) -> list[tuple[Any, ...]]:
    return [(type(layer).__name__, layer.get_config(), tuple(layer.output.shape), layer.count_params())
            for layer in model.layers]


def counts(model: Any) -> tuple[int, int, int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return model.count_params(), trainable, model.count_params() - trainable


# 2, 3 and 4: each catalog model built once in each language -----------------------------
def outputs_from(model: Any, x: Any) -> list[np.ndarray]:
    """The model's outputs for x as NumPy arrays (support.forward(): eager, or predict() for a recurrent model);
    R calls it as h$forward, so that its x and the outputs cross R's memory layout."""
    return outputs_of(forward(model, x))


def same_bits(u: Any, v: Any, rows: int = 1 << 22) -> bool:
    """Two Keras variables hold the same bits: compared a slice at a time along the first axis
    (YOLO's largest kernel alone is 0.8 GB, and NumPy copies what it reads from TensorFlow)."""
    if tuple(u.shape) != tuple(v.shape) or u.dtype != v.dtype:
        return False
    step = max(1, rows // max(1, int(np.prod(u.shape[1:]))))
    return all(np.array_equal(np.asarray(u[i:i + step]).view(np.uint8), np.asarray(v[i:i + step]).view(np.uint8))
               for i in range(0, u.shape[0], step)) if u.shape else \
        np.array_equal(np.asarray(u).view(np.uint8), np.asarray(v).view(np.uint8))


def same_weights(a: Any, b: Any) -> bool:
    """Bit-identical weights, one variable at a time (a copy of all of YOLO's is 1.1 GB)."""
    return len(a.weights) == len(b.weights) and all(
        same_bits(u, v) for u, v in zip(a.weights, b.weights, strict=True))


@pytest.mark.parametrize("name", CATALOG)
def test_models_weights_predictions_and_keras_files(r: Any, handoff: types.ModuleType, name: str,
                                                     tmp_path: Path) -> None:
    """The same Keras model, bit-identical seeded weights, the same predictions with weights copied
    across through R's arrays, the same spec from from_keras(), and .keras files that cross over;
    at most two models alive at once."""
    from_py = twinnet.build_model(name, seed=11)
    handoff.py_model, handoff.x, handoff.forward = from_py, sample_input(name), outputs_from
    # R builds its model, writes the spec of Python's (from_keras: R reads Python's model, Python reads R's,
    # and they write the same spec), and predicts from x converted to an R array; the outputs arrive in R as
    # R arrays
    r(f"""
      h <- reticulate::import("twinnet_handoff")  # converts: Python values arrive as R values
      h$model <- twinnet::build_model("{name}", seed = 11L)
      h$r_spec <- {json_text("twinnet::from_keras(h$py_model)")}
      x <- h$x  # an array, or a list of arrays for a model of several inputs
      stopifnot(is.array(x) || (is.list(x) && all(vapply(x, is.array, logical(1)))))
      y <- h$forward(h$model, x)
      stopifnot(is.list(y), all(vapply(y, is.array, logical(1))))
      h$y_r <- y
      rm(list = ls())  # R keeps none of Python's objects
    """)
    from_r = handoff.model
    assert from_r is not from_py
    assert layer_facts(from_r) == layer_facts(from_py)
    assert counts(from_r) == counts(from_py)
    assert from_r.get_config() == from_py.get_config()
    assert same_weights(from_r, from_py), "seeded weights differ"
    assert json.loads(str(handoff.r_spec)) == twinnet.from_keras(from_r)
    y_r = outputs_of(handoff.y_r)
    del from_r
    # For THROUGH_R's specs R reads its model's weights as R arrays and writes them into Python's model, its
    # weights first set to other values: both crossings (x above, the weights here) go through R's memory
    # layout. The other specs' weights stay where they are (above R_ARRAY_LIMIT parameters, VGG and YOLO, as R
    # doubles they would take twice the memory of the model again, in R and again in NumPy), and Python's
    # predictions are its seeded model's.
    handoff.through_r = name in THROUGH_R
    if handoff.through_r:
        # .keras files of every type of layer cross in THROUGH_R's specs (ResNet-50's costs 10 s; VGG's and
        # YOLO's, of a gigabyte, 10-20 s to write and as much to read); Python's holds its seeded weights
        handoff.py_file, handoff.r_file = str(tmp_path / "from_python.keras"), str(tmp_path / "from_r.keras")
        from_py.save(handoff.py_file)
        for w in from_py.weights:  # so that only weights that crossed through R can give R's predictions
            w.assign(np.full(tuple(w.shape), 0.5, dtype=w.dtype))
        if from_py.weights:
            assert not same_weights(handoff.model, from_py)
        r("""
          h <- reticulate::import("twinnet_handoff")
          w <- h$model$get_weights()
          stopifnot(is.list(w), all(vapply(w, is.array, logical(1))))
          h$py_model$set_weights(w)
          rm(w)
          keras <- reticulate::import("keras")
          loaded <- keras$models$load_model(h$py_file, safe_mode = TRUE)
          h$y_loaded_in_r <- h$forward(loaded, h$x)
          rm(loaded)
          h$model$save(h$r_file)
          h$model <- NULL
          rm(list = ls())
        """)
    y_py = outputs_from(from_py, handoff.x)
    assert [y.shape for y in y_r] == [y.shape for y in y_py]
    for a, b in zip(y_r, y_py, strict=True):
        assert np.array_equal(a, b), f"largest difference {np.max(np.abs(a - b))}"
    if not handoff.through_r:
        return
    assert all(np.array_equal(a, b) for a, b in zip(outputs_of(handoff.y_loaded_in_r), y_py, strict=True))
    del from_py
    handoff.py_model = None
    gc.collect()
    loaded_in_py = keras.models.load_model(handoff.r_file, safe_mode=True)
    assert all(np.array_equal(a, b)
               for a, b in zip(outputs_from(loaded_in_py, handoff.x), y_r, strict=True))
