"""cost() across languages: for every catalog spec R's table equals Python's, as data and as printed text.

R's cost() runs only R code (it reads the spec and its expansion, no Python). The counts agree with an
independent count in tests/python/test_cost.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import twinnet

CATALOG = [row.name for row in twinnet.catalog()]
BATCH = 24

# R's table as JSON: the rows (output_shape a list with null for NA), then the attributes
R_TABLE = """local({{
  x <- twinnet::cost({spec}, batch_size = {batch})
  rows <- lapply(seq_len(nrow(x)), function(i) {{
    row <- lapply(as.list(structure(x, class = "data.frame")[i, ]), function(v) if (is.list(v)) v[[1L]] else v)
    row$output_shape <- lapply(row$output_shape, function(v) if (is.na(v)) NULL else v)
    if (is.na(row$steps)) row$steps <- NULL
    row
  }})
  keys <- c("spec", "batch_size", "optimizer", "optimizer_from_spec", "optimizer_slots", "dtype", "value_bytes")
  c(list(rows = rows, inference = as.list(attr(x, "inference")), training = as.list(attr(x, "training"))),
    attributes(x)[keys])
}})"""


def python_table(spec: Any, batch: int) -> dict[str, Any]:
    c = twinnet.cost(spec, batch_size=batch)
    memory = {name: {**dataclasses.asdict(m), "total": m.total} for name, m in
              (("inference", c.inference), ("training", c.training))}
    return {"rows": [dataclasses.asdict(r) for r in c.rows], **memory, "spec": c.spec, "batch_size": c.batch_size,
            "optimizer": c.optimizer, "optimizer_from_spec": c.optimizer_from_spec,
            "optimizer_slots": c.optimizer_slots, "dtype": c.dtype, "value_bytes": c.value_bytes}


def r_table(r: Any, spec: str, batch: int) -> dict[str, Any]:
    got: dict[str, Any] = r.json(R_TABLE.format(spec=spec, batch=batch))
    for row in got["rows"]:
        row.setdefault("steps", None)
    return got


@pytest.mark.parametrize("name", CATALOG)
def test_r_cost_is_python_cost(r: Any, name: str) -> None:
    assert r_table(r, f'"{name}"', BATCH) == python_table(name, BATCH)
    text = list(r(f'format(twinnet::cost("{name}", batch_size = {BATCH}))'))
    assert text == str(twinnet.cost(name, batch_size=BATCH)).splitlines()


def test_a_length_that_varies_and_the_optimizer_arguments(r: Any) -> None:
    spec = ('{"format_version": "1.0", "name": "seq", "layers": [{"type": "Input", "shape": [null, 3]}, '
            '{"type": "GRU", "units": 4, "return_sequences": true}, {"type": "Dense", "units": 2}], '
            '"compile": {"optimizer": "rmsprop", "loss": "mse", "momentum": 0.5, "centered": true}}')
    r.assign("spec_text", spec)
    assert r_table(r, "spec_text", 3) == python_table(spec, 3)
    text = list(r("format(twinnet::cost(spec_text, batch_size = 3))"))
    assert text == str(twinnet.cost(spec, batch_size=3)).splitlines()
    assert "varies" in text[3] and "(the spec's rmsprop: 3 a parameter)" in "\n".join(text)


def test_the_same_errors(r: Any) -> None:
    mine = None
    old = twinnet.set_limits(max_params=1e11, max_activation=1e11)
    spec = ('{"format_version": "1.0", "name": "huge", "layers": [{"type": "Input", "shape": [262144, 262144]}, '
            '{"type": "Dense", "units": 262144}]}')
    try:
        with pytest.raises(twinnet.SpecError) as e:
            twinnet.cost(spec)
        mine = (e.value.path, e.value.kind, str(e.value))
    finally:
        twinnet.set_limits(**old)
    r.assign("spec_text", spec)
    theirs = r.spec_error("withr::with_options(list(twinnet.max_params = 1e11, twinnet.max_activation = 1e11), "
                          "twinnet::cost(spec_text))", message=True)
    assert theirs == mine
