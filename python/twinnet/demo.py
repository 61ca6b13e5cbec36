"""The classroom demo: the same spec built in Python and in R, side by side."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .build import build_model
from .expand import expand

R_SIDE = r"""
suppressMessages(library(twinnet))
args <- commandArgs(trailingOnly = TRUE)
np <- reticulate::import("numpy", convert = FALSE)
model <- build_model(args[[1]], seed = as.integer(args[[2]]))
fmt <- function(s) {
  paste0("(", paste(vapply(s, function(v) if (is.null(v)) "None" else format(v), ""), collapse = ", "), ")")
}
for (layer in model$layers) {
  shape <- fmt(layer$output$shape)
  cat(sprintf("%s\t%s\t%s\t%d\n", layer$name, sub(".*[.]", "", class(layer)[[1]]), shape, layer$count_params()))
}
x <- reticulate::py_to_r(np$load(args[[3]]))   # an R array, in R's memory order
y <- model$predict(x, verbose = 0L)              # an R matrix
np$save(args[[4]], reticulate::r_to_py(y))
"""


def _rows(model: Any) -> list[tuple[str, str, str, int]]:
    return [(layer.name, type(layer).__name__, str(layer.output.shape), layer.count_params())
            for layer in model.layers]


def _table(rows: list[tuple[str, str, str, int]]) -> list[str]:
    out = [f"{'layer':<10}{'output shape':<20}{'params':>9}"]
    out += [f"{n[:9]:<10}{s[:19]:<20}{p:>9,}" for n, _t, s, p in rows]
    return out


def _inputs(graph: dict[str, Any], n: int = 8) -> tuple[np.ndarray, str]:
    shape = graph["layers"][0]["output_shape"][1:]
    data = Path(os.environ.get("TWINNET_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    npz = data / "mnist_5k.npz"
    if len(shape) == 3 and shape[2] == 1 and shape[0] >= 28 and npz.exists():
        with np.load(npz) as d:
            x, y = d["x"], d["y"]
        pick = [int(np.flatnonzero(y == k)[0]) for k in range(n)]
        pad = (shape[0] - 28) // 2
        digits = np.pad(x[pick], ((0, 0), (pad, shape[0] - 28 - pad), (pad, shape[1] - 28 - pad)))
        return (digits[..., None] / 255.0).astype("float32"), f"{n} real MNIST digits (0-{n - 1})"
    rng = np.random.default_rng(0)
    dims = [v or 10 for v in shape]
    if graph["layers"][1]["type"] == "Embedding":
        vocab = graph["layers"][1]["config"]["input_dim"]
        return rng.integers(0, vocab, size=(n, *dims)).astype("int32"), f"{n} random token sequences"
    return rng.normal(size=(n, *dims)).astype("float32"), f"{n} random inputs"


def demo(spec: str = "lenet5", seed: int = 42) -> int:
    """Build ``spec`` in Python and in R (Rscript), print both summaries and compare outputs."""
    graph = expand(spec)
    model = build_model(spec, seed=seed)
    x, what = _inputs(graph)
    y_py = model.predict(x, verbose=0)
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("Rscript is not on PATH: run `make setup` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        xf, yf, rf = Path(tmp, "x.npy"), Path(tmp, "y.npy"), Path(tmp, "side.R")
        np.save(xf, x)
        rf.write_text(R_SIDE)
        env = {**os.environ, "RETICULATE_PYTHON": os.environ.get("RETICULATE_PYTHON", sys.executable)}
        res = subprocess.run([rscript, str(rf), spec, str(seed), str(xf), str(yf)],
                             capture_output=True, text=True, env=env)
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            return 1
        y_r = np.load(yf)
    r_rows = []
    for line in res.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            r_rows.append((parts[0], parts[1], parts[2], int(parts[3])))
    left, right = _table(_rows(model)), _table(r_rows)
    width = max(len(s) for s in left) + 4
    print(f"{graph['name']}: the same spec built by Python and by R (seed {seed})\n")
    print(f"{'Python  (twinnet.build_model)':<{width}}R  (twinnet::build_model)")
    for a, b in zip(left, right, strict=False):
        print(f"{a:<{width}}{b}")
    n_py, n_r = model.count_params(), sum(r[3] for r in r_rows)
    print(f"{'total ' + format(n_py, ','):<{width}}total {n_r:,}")
    diff = float(np.max(np.abs(y_py - y_r)))
    print(f"\nparameters equal: {'yes' if n_py == n_r and _rows(model) == r_rows else 'NO'}")
    print(f"largest |Python - R| over the outputs for {what}: {diff:.3g}")
    if y_py.ndim == 2 and y_py.shape[1] > 1:
        print(f"predicted classes, Python: {y_py.argmax(1).tolist()}  R: {y_r.argmax(1).tolist()}"
              "  (untrained weights)")
    return 0 if n_py == n_r and diff == 0.0 else 1
