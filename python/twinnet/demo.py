"""The classroom demo: one spec built in Python and in R side by side, then trained in both."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .build import build_model
from .data import mnist_split, pad_digits
from .expand import expand

R_BUILD = r"""
suppressMessages(library(twinnet))
args <- commandArgs(trailingOnly = TRUE)
np <- reticulate::import("numpy", convert = FALSE)
model <- build_model(args[[1]], seed = as.integer(args[[2]]))
fmt <- function(s) {
  paste0("(", paste(vapply(s, function(v) if (is.null(v)) "None" else format(v), ""), collapse = ", "), ")")
}
for (layer in model$layers) {
  cat(sprintf("%s\t%s\t%s\t%d\n", layer$name, sub(".*[.]", "", class(layer)[[1]]), fmt(layer$output$shape),
              layer$count_params()))
}
x <- reticulate::py_to_r(np$load(args[[3]]))   # an R array, in R's memory order
y <- predict_model(model, x, verbose = 0L)       # an R matrix
np$save(args[[4]], reticulate::r_to_py(y))
"""

R_TRAIN = r"""
suppressMessages(library(twinnet))
args <- commandArgs(trailingOnly = TRUE)
spec <- args[[1]]; seed <- as.integer(args[[2]]); epochs <- as.integer(args[[3]]); out <- args[[4]]
s <- mnist_split()
model <- build_model(spec, seed = seed)
started <- Sys.time()
history <- fit_model(model, pad_digits(s$x_train), s$y_train, epochs = epochs, batch_size = 64L,
                     seed = seed, verbose = 0L)
seconds <- as.numeric(difftime(Sys.time(), started, units = "secs"))
accuracy <- evaluate_model(model, pad_digits(s$x_test), s$y_test, verbose = 0L)[["accuracy"]]
model$save(file.path(out, "lenet5_trained_in_r.keras"))
write.csv(history, file.path(out, "history_r.csv"), row.names = FALSE)
cat(sprintf("%.6f\t%.6f\n", seconds / epochs, accuracy))
# both learning curves, Python's and R's, in one picture
py <- read.csv(file.path(out, "history_python.csv"))
grDevices::png(file.path(out, "learning_curves.png"), width = 900, height = 400)
old <- graphics::par(mfrow = c(1, 2))
for (m in c("loss", "accuracy")) {
  a <- py[py$metric == m, ]; b <- history[history$metric == m, ]
  graphics::plot(a$epoch, a$value, type = "l", lwd = 6, col = "grey70", xlab = "epoch", ylab = m,
                 main = sprintf("LeNet-5 on 4,000 MNIST digits: %s", m), ylim = range(a$value, b$value))
  graphics::lines(b$epoch, b$value, type = "b", pch = 19, col = "firebrick")
  graphics::legend(if (m == "loss") "topright" else "bottomright", c("Python", "R"),
                   col = c("grey70", "firebrick"), lwd = c(6, 1), pch = c(NA, 19), bty = "n")
}
graphics::par(old)
invisible(grDevices::dev.off())
"""


def _rscript() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not on PATH: run `make setup` first")
    return rscript


def _run_r(code: str, *args: str) -> str:
    env = {**os.environ, "RETICULATE_PYTHON": os.environ.get("RETICULATE_PYTHON", sys.executable)}
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(code)
    try:
        res = subprocess.run([_rscript(), f.name, *args], capture_output=True, text=True, env=env)
    finally:
        os.unlink(f.name)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return res.stdout


def _rows(model: Any) -> list[tuple[str, str, str, int]]:
    return [(layer.name, type(layer).__name__, str(layer.output.shape), layer.count_params())
            for layer in model.layers]


def _table(rows: list[tuple[str, str, str, int]]) -> list[str]:
    out = [f"{'layer':<10}{'output shape':<20}{'params':>9}"]
    out += [f"{n[:9]:<10}{s[:19]:<20}{p:>9,}" for n, _t, s, p in rows]
    return out


def _inputs(graph: dict[str, Any], n: int = 8) -> tuple[np.ndarray, str]:
    shape = graph["layers"][0]["output_shape"][1:]
    if shape == [32, 32, 1]:
        split = mnist_split()
        return pad_digits(split.x_test[:n]), f"{n} real MNIST test digits"
    rng = np.random.default_rng(0)
    dims = [v or 10 for v in shape]
    if graph["layers"][1]["type"] == "Embedding":
        vocab = graph["layers"][1]["config"]["input_dim"]
        return rng.integers(0, vocab, size=(n, *dims)).astype("int32"), f"{n} random token sequences"
    return rng.normal(size=(n, *dims)).astype("float32"), f"{n} random inputs"


def compare(spec: str, seed: int) -> bool:
    """Build ``spec`` in Python and in R (Rscript); print both summaries and compare outputs."""
    graph = expand(spec)
    model = build_model(spec, seed=seed)
    x, what = _inputs(graph)
    y_py = model.predict(x, verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        xf, yf = Path(tmp, "x.npy"), Path(tmp, "y.npy")
        np.save(xf, x)
        stdout = _run_r(R_BUILD, spec, str(seed), str(xf), str(yf))
        y_r = np.load(yf)
    r_rows = [(p[0], p[1], p[2], int(p[3])) for p in (line.split("\t") for line in stdout.splitlines())
              if len(p) == 4]
    left, right = _table(_rows(model)), _table(r_rows)
    width = max(len(s) for s in left) + 4
    print(f"{graph['name']}: the same spec built by Python and by R (seed {seed})\n")
    print(f"{'Python  (twinnet.build_model)':<{width}}R  (twinnet::build_model)")
    for a, b in zip(left, right, strict=False):
        print(f"{a:<{width}}{b}")
    n_py, n_r = model.count_params(), sum(r[3] for r in r_rows)
    print(f"{'total ' + format(n_py, ','):<{width}}total {n_r:,}")
    diff = float(np.max(np.abs(y_py - y_r)))
    same = n_py == n_r and _rows(model) == r_rows
    print(f"\nparameters equal: {'yes' if same else 'NO'}")
    print(f"largest |Python - R| over the outputs for {what}: {diff:.3g}")
    return same and diff == 0.0


def train(spec: str, seed: int, epochs: int, out: Path) -> bool:
    """Train ``spec`` on 4,000 sample digits in Python and in R; compare the two trained models."""
    import keras

    out.mkdir(parents=True, exist_ok=True)
    split = mnist_split()
    x_train, x_test = pad_digits(split.x_train), pad_digits(split.x_test)
    model = build_model(spec, seed=seed)
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    history = model.fit(x_train, split.y_train, epochs=epochs, batch_size=64, verbose=0).history
    py_epoch = (time.perf_counter() - started) / epochs
    py_acc = model.evaluate(x_test, split.y_test, verbose=0, return_dict=True)["accuracy"]
    with open(out / "history_python.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "metric", "value", "data"])
        for metric, values in history.items():
            w.writerows([i + 1, metric, v, "training"] for i, v in enumerate(values))
    r_epoch, r_acc = (float(v) for v in _run_r(R_TRAIN, spec, str(seed), str(epochs), str(out)).split())
    from_r = keras.models.load_model(out / "lenet5_trained_in_r.keras", safe_mode=True)
    w_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(model.get_weights(), from_r.get_weights(),
                                                                strict=True))
    p_py, p_r = model.predict(x_test, verbose=0), from_r.predict(x_test, verbose=0)
    agree = float(np.mean(p_py.argmax(1) == p_r.argmax(1)))
    print(f"\n{spec} trained on 4,000 MNIST digits, {epochs} epochs, batch 64, seed {seed}:")
    print(f"  {'':26}{'Python':>10}{'R':>10}")
    print(f"  {'seconds per epoch':26}{py_epoch:>10.2f}{r_epoch:>10.2f}")
    print(f"  {'accuracy, 1,000 test digits':26}{py_acc:>10.4f}{r_acc:>10.4f}")
    print(f"  largest |weight difference| between the two trained models: {w_diff:.3g}")
    print(f"  test digits on which they predict the same class: {agree:.1%}; "
          f"largest |output difference|: {float(np.max(np.abs(p_py - p_r))):.3g}")
    print(f"  learning curves: {out / 'learning_curves.png'}")
    return w_diff == 0.0


def demo(spec: str = "lenet5", seed: int = 42, epochs: int = 10, out: str = "out/demo") -> int:
    """The README's demo: compare the two builds; train LeNet-5-shaped specs in both languages."""
    same = compare(spec, seed)
    if expand(spec)["layers"][0]["output_shape"][1:] == [32, 32, 1] and epochs > 0:
        same = train(spec, seed, epochs, Path(out)) and same
    return 0 if same else 1
