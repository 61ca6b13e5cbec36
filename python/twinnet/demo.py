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
from .persist import read_model, write_model

Row = tuple[str, str, str, int]  # a layer's name, Keras class, output shape and parameter count
_COLUMNS = ("layer", "type", "output_shape", "params")  # the columns of R's demo_layers() table


def demo_layers(spec: str, seed: int = 42, x_file: str | Path | None = None,
                y_file: str | Path | None = None) -> list[Row]:
    """Build ``spec`` and return its layer table; with ``x_file``, save the outputs for those inputs.

    The twin of R's ``twinnet::demo_layers()``, which prints the same table as tab-separated text.

    Args:
        spec: a catalog name, a spec file or JSON text.
        seed: the seed of :func:`twinnet.build_model`.
        x_file: ``None``, or a NumPy ``.npy`` file of inputs (first axis: the samples), or an ``.npz`` file
            of one array per input, by the inputs' names, for a model with several inputs.
        y_file: the ``.npy`` file that the model's outputs for ``x_file`` are saved to.

    Returns:
        One row per layer: its name, its Keras class, its output shape and its number of parameters.
    """
    if x_file is not None and y_file is None:
        raise ValueError("y_file is needed with x_file")
    model = build_model(spec, seed=seed)
    if x_file is not None and y_file is not None:
        if str(x_file).endswith(".npz"):  # several inputs, by name
            with np.load(x_file) as held:
                x: Any = {name: held[name] for name in held.files}
        else:
            x = np.load(x_file)
        np.save(y_file, model.predict(x, verbose=0))
    return _rows(model)


def demo_train(spec: str, seed: int = 42, epochs: int = 10, out: str | Path = "out/demo") -> tuple[float, float]:
    """Train ``spec`` on the 4,000 training digits of the MNIST sample; evaluate it on the 1,000 test digits.

    The twin of R's ``twinnet::demo_train()``: batch size 64 and the seed, so that both train the
    same weights. Writes ``history_python.csv`` and ``<name>_trained_in_python.keras`` into ``out``
    (R's twin also draws the learning curves of both, from ``history_python.csv``).

    Args:
        spec: a catalog name, a spec file or JSON text: a spec for 32 x 32 x 1 digits with
            ``compile`` settings and an accuracy metric, e.g. ``"lenet5"``.
        seed: the seed of :func:`twinnet.build_model` and of the training.
        epochs: the number of training epochs, at least 1.
        out: the folder that the files go to; created if needed.

    Returns:
        The seconds spent training per epoch and the accuracy on the test digits.
    """
    import keras

    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    out = Path(out)
    split = mnist_split()
    x_train, x_test = pad_digits(split.x_train), pad_digits(split.x_test)
    model = build_model(spec, seed=seed)
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    history = model.fit(x_train, split.y_train, epochs=epochs, batch_size=64, verbose=0).history
    seconds = (time.perf_counter() - started) / epochs
    accuracy = float(model.evaluate(x_test, split.y_test, verbose=0, return_dict=True)["accuracy"])
    out.mkdir(parents=True, exist_ok=True)
    write_model(model, out / f"{model.name}_trained_in_python.keras")
    with open(out / "history_python.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "metric", "value", "data"])
        for metric, values in history.items():
            w.writerows([i + 1, metric, v, "training"] for i, v in enumerate(values))
    return seconds, accuracy


def _rscript() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not on PATH: run `make setup` first")
    return rscript


def _start_r(function: str, **arguments: str | int | Path) -> subprocess.Popen[str]:
    """Start ``twinnet::<function>()`` in Rscript; :func:`_r_table` waits for it and reads the table it prints.

    The values travel as command-line arguments, never inside R code: the R expression holds only
    the argument names and positions, which come from this module. They follow an explicit
    ``--args``, so that Rscript reads none of them (``-e`` say) as an option of its own; R then sees
    that ``--args`` as the first of the trailing arguments, and the expression drops it.
    """
    call = ", ".join(f"{name} = as.integer(a[[{i}L]])" if isinstance(value, int) else f"{name} = a[[{i}L]]"
                     for i, (name, value) in enumerate(arguments.items(), start=1))
    expr = f"a <- commandArgs(trailingOnly = TRUE)[-1L]; twinnet::{function}({call})"
    env = {**os.environ, "RETICULATE_PYTHON": os.environ.get("RETICULATE_PYTHON", sys.executable)}
    return subprocess.Popen([_rscript(), "-e", expr, "--args", *(str(v) for v in arguments.values())],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _r_table(proc: subprocess.Popen[str], function: str, columns: list[str]) -> list[list[str]]:
    """The rows of the table that ``twinnet::<function>()``, started by :func:`_start_r`, prints."""
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(stderr[-2000:])
    lines = stdout.splitlines()
    header = "\t".join(columns)
    if header not in lines:
        raise RuntimeError(f"twinnet::{function}() printed no table:\n{stdout[-2000:]}")
    rows = [row for row in (line.split("\t") for line in lines[lines.index(header) + 1:]) if len(row) == len(columns)]
    if not rows:
        raise RuntimeError(f"twinnet::{function}() printed an empty table:\n{stdout[-2000:]}")
    return rows


def _call_r(function: str, columns: list[str], **arguments: str | int | Path) -> list[list[str]]:
    """Run ``twinnet::<function>()`` with Rscript; return the rows of the table it prints."""
    return _r_table(_start_r(function, **arguments), function, columns)


def _rows(model: Any) -> list[Row]:
    return [(layer.name, type(layer).__name__, str(layer.output.shape), layer.count_params())
            for layer in model.layers]


def _table(rows: list[Row]) -> list[str]:
    """The layer table, with full layer names and shapes: columns as wide as their longest entry."""
    name_w = max([len("layer"), *(len(n) for n, _t, _s, _p in rows)]) + 2
    shape_w = max([len("output shape"), *(len(s) for _n, _t, s, _p in rows)]) + 2
    param_w = max([len("params"), *(len(f"{p:,}") for _n, _t, _s, p in rows)])
    out = [f"{'layer':<{name_w}}{'output shape':<{shape_w}}{'params':>{param_w}}"]
    out += [f"{n:<{name_w}}{s:<{shape_w}}{p:>{param_w},}" for n, _t, s, p in rows]
    return out


def why_not_compared(graph: dict[str, Any]) -> str | None:
    """Why the demo compares a spec's layers but not its outputs, or None where it compares both."""
    n_out = len(graph["outputs"])
    if n_out != 1:
        return (f"outputs not compared: {graph['name']} has {n_out} outputs, and the demo compares the output "
                "of a model with one (the cross-language tests compare such models: tests/cross)")
    return None


def why_not_trained(graph: dict[str, Any]) -> str | None:
    """Why the demo does not train a spec, or None where it trains it on the MNIST sample."""
    shape = graph["layers"][0]["output_shape"][1:]
    by_name = {layer["name"]: layer for layer in graph["layers"]}
    outputs = [by_name[name]["output_shape"][1:] for name in graph["outputs"] if name in by_name]
    metrics = (graph.get("compile") or {}).get("metrics") or []
    if len(graph["inputs"]) != 1 or shape != [32, 32, 1] or outputs != [[10]]:
        given = " and ".join(" x ".join(str(v) for v in layer_shape) for layer_shape in (
            [by_name[name]["output_shape"][1:] for name in graph["inputs"] if name in by_name]))
        return (f"not trained: the demo trains on the MNIST sample, 32 x 32 x 1 digits in 10 classes; "
                f"{graph['name']} takes {given or 'other inputs'}")
    if "accuracy" not in metrics:
        return f"not trained: {graph['name']} has no compile settings with the metric accuracy"
    return None


def _random_input(graph: dict[str, Any], name: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """n random samples for one input: token ids where an Embedding takes it, else normal draws."""
    by_name = {layer["name"]: layer for layer in graph["layers"]}
    dims = [v or 10 for v in by_name[name]["output_shape"][1:]]
    taker = next((layer for layer in graph["layers"] if layer["inputs"] == [name]), None)
    if taker is not None and taker["type"] == "Embedding":
        return rng.integers(0, taker["config"]["input_dim"], size=(n, *dims)).astype("int32")
    return rng.normal(size=(n, *dims)).astype("float32")


def _inputs(graph: dict[str, Any], n: int = 8) -> tuple[np.ndarray | dict[str, np.ndarray], str]:
    """The demo's inputs: real digits for a 32 x 32 x 1 input, else random ones; a dict by input name
    where the model has several inputs."""
    if len(graph["inputs"]) > 1:
        rng = np.random.default_rng(0)
        return ({name: _random_input(graph, name, rng, n) for name in graph["inputs"]},
                f"{n} random samples of each of its {len(graph['inputs'])} inputs")
    shape = graph["layers"][0]["output_shape"][1:]
    if shape == [32, 32, 1]:
        split = mnist_split()
        return pad_digits(split.x_test[:n]), f"{n} real MNIST test digits"
    rng = np.random.default_rng(0)
    x = _random_input(graph, graph["inputs"][0], rng, n)
    return x, f"{n} random {'token sequences' if x.dtype == np.int32 else 'inputs'}"


def compare(spec: str, seed: int) -> bool:
    """Build ``spec`` in Python and in R (Rscript); print both summaries and compare outputs (where the
    model has one input and one output; else say why not). R starts first: it builds while this process
    imports TensorFlow and builds."""
    from .quiet import import_tensorflow_quietly

    graph = expand(spec)
    skip = why_not_compared(graph)
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[str, Path] = {}
        if skip is None:
            x, what = _inputs(graph)
            files = {"x_file": Path(tmp, "x.npy"), "y_file": Path(tmp, "y_r.npy")}
            if isinstance(x, dict):  # several inputs: one array each, by name
                files["x_file"] = Path(tmp, "x.npz")
                np.savez(files["x_file"], **x)
            else:
                np.save(files["x_file"], x)
        in_r = _start_r("demo_layers", spec=spec, seed=seed, **files)
        try:
            import_tensorflow_quietly()
            y_py_file = Path(tmp, "y_python.npy")
            py_rows = demo_layers(spec, seed, files.get("x_file"), y_py_file if files else None)
        except BaseException:
            in_r.kill()
            in_r.communicate()
            raise
        r_table = _r_table(in_r, "demo_layers", list(_COLUMNS))
        if skip is None:
            y_py, y_r = np.load(y_py_file), np.load(files["y_file"])
    r_rows = [(p[0], p[1], p[2], int(p[3])) for p in r_table]
    left, right = _table(py_rows), _table(r_rows)
    width = max(len(s) for s in left) + 4
    print(f"{graph['name']}: the same spec built by Python and by R (seed {seed})\n")
    print(f"{'Python  (twinnet.build_model)':<{width}}R  (twinnet::build_model)")
    for a, b in zip(left, right, strict=False):
        print(f"{a:<{width}}{b}")
    n_py, n_r = sum(r[3] for r in py_rows), sum(r[3] for r in r_rows)
    print(f"{'total ' + format(n_py, ','):<{width}}total {n_r:,}")
    same = n_py == n_r and py_rows == r_rows
    print(f"\nparameters equal: {'yes' if same else 'NO'}")
    if skip is not None:
        print(skip)
        return same
    diff = float(np.max(np.abs(y_py - y_r)))
    print(f"largest |Python - R| over the outputs for {what}: {diff:.3g}")
    return same and diff == 0.0


def train(spec: str, seed: int, epochs: int, out: Path) -> bool:
    """Train ``spec`` on 4,000 sample digits in Python and in R; compare the two trained models."""
    py_epoch, py_acc = demo_train(spec, seed, epochs, out)
    r_result = _call_r("demo_train", ["seconds_per_epoch", "accuracy"], spec=spec, seed=seed, epochs=epochs,
                       out=out)
    r_epoch, r_acc = (float(v) for v in r_result[0])
    name = expand(spec)["name"]
    model = read_model(out / f"{name}_trained_in_python.keras")
    from_r = read_model(out / f"{name}_trained_in_r.keras")
    w_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(model.get_weights(), from_r.get_weights(),
                                                                strict=True))
    x_test = pad_digits(mnist_split().x_test)
    p_py, p_r = model.predict(x_test, verbose=0), from_r.predict(x_test, verbose=0)
    agree = float(np.mean(p_py.argmax(1) == p_r.argmax(1)))
    print(f"\n{spec} trained on 4,000 MNIST digits, {epochs} epoch{'s' * (epochs != 1)}, batch 64, seed {seed}:")
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
    if epochs > 0:
        skip = why_not_trained(expand(spec))
        if skip is None:
            same = train(spec, seed, epochs, Path(out)) and same
        else:
            print(skip)
    return 0 if same else 1
