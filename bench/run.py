"""twinnet's benchmarks: what the spec layer and the R bridge cost over plain Keras.

Run from the repository root: `make bench` (or `.venv/bin/python bench/run.py`). Every figure is
the median of REPS runs after a warm-up; each comparison is measured side by side in this one
run and reported as a ratio. Writes BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import keras
import numpy as np

import twinnet

ROOT = Path(__file__).resolve().parent.parent
SPECS = ["lenet5", "mnist_mlp", "imdb_lstm", "mini_resnet", "googlenet", "resnet50", "vgg16"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RETICULATE_PYTHON": sys.executable}


def timed(body: Callable[[Any], Any], reps: int, setup: Callable[[], Any] = lambda: None) -> list[float]:
    """Seconds of body(setup()), for a warm-up and then `reps` runs (setup is not timed)."""
    body(setup())
    out = []
    for _ in range(reps):
        state = setup()
        t0 = time.perf_counter()
        body(state)
        out.append(time.perf_counter() - t0)
    return out


# -- hand-written Keras, the baseline of figure 1 -------------------------------------------------
# What a student writes for the same result as build_model(name, seed=1): the seed, the model and,
# where the spec has a `compile` block, the same compile call.
def lenet5() -> keras.Model:
    keras.utils.set_random_seed(1)
    x = inputs = keras.Input((32, 32, 1), name="input")
    x = keras.layers.Conv2D(6, 5, activation="tanh", name="c1")(x)
    x = keras.layers.AveragePooling2D(2, name="s2")(x)
    x = keras.layers.Conv2D(16, 5, activation="tanh", name="c3")(x)
    x = keras.layers.AveragePooling2D(2, name="s4")(x)
    x = keras.layers.Conv2D(120, 5, activation="tanh", name="c5")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(84, activation="tanh", name="f6")(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax", name="output")(x), name="lenet5")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_mlp() -> keras.Model:
    keras.utils.set_random_seed(1)
    x = inputs = keras.Input((784,), name="input")
    x = keras.layers.Dense(256, activation="relu", name="hidden1")(x)
    x = keras.layers.Dropout(0.4, name="drop1")(x)
    x = keras.layers.Dense(128, activation="relu", name="hidden2")(x)
    x = keras.layers.Dropout(0.3, name="drop2")(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax", name="output")(x), name="mnist_mlp")
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def imdb_lstm() -> keras.Model:
    keras.utils.set_random_seed(1)
    x = inputs = keras.Input((100,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(10000, 32, name="embedding")(x)
    x = keras.layers.LSTM(32, name="lstm")(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="output")(x), name="imdb_lstm")
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def application(make: Callable[..., keras.Model]) -> Callable[[], keras.Model]:
    def build() -> keras.Model:
        keras.utils.set_random_seed(1)
        return make(weights=None)
    return build


HAND_WRITTEN: dict[str, Callable[[], keras.Model]] = {
    "lenet5": lenet5, "mnist_mlp": mnist_mlp, "imdb_lstm": imdb_lstm,
    "resnet50": application(keras.applications.ResNet50), "vgg16": application(keras.applications.VGG16),
}


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt_s(sec: float) -> str:
    return f"{sec * 1000:.1f} ms" if sec < 1 else f"{sec:.2f} s"


def run_r(reps: int, inputs_dir: Path) -> dict[str, list[float]]:
    res = subprocess.run(["Rscript", str(ROOT / "bench" / "r_side.R"), str(reps), ",".join(SPECS), str(inputs_dir)],
                         capture_output=True, text=True, env=ENV, cwd=ROOT)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-3000:])
    return {k: list(np.atleast_1d(v)) for k, v in json.loads(res.stdout[res.stdout.index("{"):]).items()}


def startup(reps: int) -> dict[str, float]:
    def run(cmd: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=ENV, cwd=ROOT)
        return time.perf_counter() - t0

    py = sys.executable
    figures = {}
    for label, cmd in {
        "python: import keras": [py, "-c", "import keras"],
        "python: import keras, twinnet": [py, "-c", "import keras, twinnet"],
        "python: import twinnet (alone)": [py, "-c", "import twinnet"],
        "R: library(twinnet) to a built LeNet-5": ["Rscript", "-e",
                                                   "suppressMessages(library(twinnet)); m <- build_model('lenet5')"],
        "python: import twinnet to a built LeNet-5": [py, "-c", "import twinnet; twinnet.build_model('lenet5')"],
    }.items():
        run(cmd)
        figures[label] = median([run(cmd) for _ in range(reps)])
    return figures


def harness() -> tuple[float, float, str]:
    """Wall time and peak memory (maximum resident set size) of the whole cross-language harness."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "pytest", "tests/cross", "-q", "-p", "no:cacheprovider"]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    wall = time.perf_counter() - t0
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr)
    summary = [line for line in res.stdout.splitlines() if " passed" in line or " failed" in line]
    return wall, int(peak.group(1)) / 1024 / 1024 if peak else float("nan"), summary[-1] if summary else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="timed runs per figure (after one warm-up)")
    parser.add_argument("--no-harness", action="store_true", help="skip figure 7 (the harness run)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    reps = args.reps
    py: dict[str, list[float]] = {}
    for name in SPECS:
        py[f"expand/{name}"] = timed(lambda _s, n=name: twinnet.expand(twinnet.load_spec(n)), reps)
        py[f"build/{name}"] = timed(lambda _s, n=name: twinnet.build_model(n, seed=1), reps,
                                    setup=keras.backend.clear_session)
        if name in HAND_WRITTEN:
            py[f"hand/{name}"] = timed(lambda _s, n=name: HAND_WRITTEN[n](), reps, setup=keras.backend.clear_session)
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        pools = {"lenet5": rng.random((256, 32, 32, 1), dtype=np.float32),
                 "resnet50": rng.random((256, 224, 224, 3), dtype=np.float32)}
        for name, pool in pools.items():
            np.save(Path(tmp) / f"{name}.npy", pool)
            model = twinnet.build_model(name, seed=1)
            for batch in (1, 32, 256):
                if batch > len(pool):
                    continue
                x = pool[:batch]
                py[f"predict/{name}/{batch}"] = timed(lambda _s, m=model, x=x, b=batch: m.predict(x, batch_size=b,
                                                                                                  verbose=0), reps)
        split = twinnet.mnist_split()
        x_train = twinnet.pad_digits(split.x_train)

        def one_epoch(model: keras.Model) -> None:
            keras.utils.set_random_seed(1)
            model.fit(x_train, split.y_train, epochs=1, batch_size=64, verbose=0)

        py["epoch/lenet5"] = timed(one_epoch, reps, setup=lambda: twinnet.build_model("lenet5", seed=1))
        r = run_r(reps, Path(tmp))
    start = startup(reps)
    harness_figures = None if args.no_harness else harness()
    write_report(Path(args.out), reps, py, r, start, harness_figures)
    print(Path(args.out).read_text())
    return 0


def targets_table(m: dict[str, float], mr: dict[str, float], start: dict[str, float],
                  harness_figures: tuple[float, float, str] | None) -> list[str]:
    """Each figure's worst case against its target."""
    def row(figure: str, target: str, worst: float, limit: float, fmt: str = "{:.2f}") -> str:
        return f"| {figure} | {target} | {fmt.format(worst)} | {'yes' if worst <= limit else 'no'} |"

    hand = [m[f"build/{n}"] / m[f"hand/{n}"] for n in SPECS if f"hand/{n}" in m]
    build = [mr[f"build/{n}"] / m[f"build/{n}"] for n in SPECS]
    predict = [mr[k] / m[k] for k in m if k.startswith("predict/") and int(k.split("/")[2]) >= 32]
    keras_alone, both = start["python: import keras"], start["python: import keras, twinnet"]
    rows = ["## Against the targets", "", "The worst case of each figure in this run.", "",
            "| figure | target | worst in this run | met |", "| --- | --- | ---: | --- |",
            row("1. spec build / hand-written build", "at most 1.05", max(hand), 1.05),
            row("2. R build / Python build", "at most 1.5", max(build), 1.5),
            row("4. R predict / Python predict, batches of 32 and more", "at most 1.05", max(predict), 1.05),
            row("5. R epoch / Python epoch", "at most 1.05", mr["epoch/lenet5"] / m["epoch/lenet5"], 1.05),
            row("6. what `import twinnet` adds to `import keras`", "at most 10%",
                100 * (both / keras_alone - 1), 10, "{:+.1f}%")]
    if harness_figures:
        rows.append(row("7. the whole cross-language harness, 2 cores", "under 10 minutes",
                        harness_figures[0] / 60, 10, "{:.1f} min"))
    return [*rows, ""]


def write_report(path: Path, reps: int, py: dict[str, list[float]], r: dict[str, list[float]],
                 start: dict[str, float], harness_figures: tuple[float, float, str] | None) -> None:
    m = {k: median(v) for k, v in py.items()}
    mr = {k: median(v) for k, v in r.items()}
    lines = [
        "# Benchmarks",
        "",
        "What twinnet costs on top of plain Keras, in each language. Written by `make bench`",
        f"(`bench/run.py --reps {reps}`); every figure is the median of {reps} runs after a warm-up, and",
        "each comparison was measured side by side in the same run. Ratios above 1 mean twinnet or R is",
        "slower.",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- Python {platform.python_version()}, keras {version('keras')}, tensorflow-cpu {version('tensorflow-cpu')}, "
        f"numpy {version('numpy')}, twinnet {twinnet.__version__}",
        f"- {subprocess.run(['R', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}, "
        "reticulate 1.28",
        "",
        *targets_table(m, mr, start, harness_figures),
        "## 1. Build from a spec vs the same model written by hand in Keras (Python)",
        "",
        "`twinnet.build_model(name, seed=1)` (reading, checking and expanding the spec included) against the",
        "Keras code a student writes for the same result: `keras.utils.set_random_seed(1)`, the layers (for",
        "ResNet-50 and VGG-16, `keras.applications` with `weights=None`) and the spec's `compile` call where",
        "it has one. Target: at most 1.05.",
        "",
        "| spec | hand-written | from the spec | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in SPECS:
        if f"hand/{name}" in m:
            h, s = m[f"hand/{name}"], m[f"build/{name}"]
            lines.append(f"| {name} | {fmt_s(h)} | {fmt_s(s)} | {s / h:.3f} |")
    lines += ["", "## 2. Build from R (through reticulate) vs from Python", "",
              "`build_model(name)` in Rscript against `twinnet.build_model(name)`. Target: at most 1.5.", "",
              "| spec | Python | R | R / Python |", "| --- | ---: | ---: | ---: |"]
    for name in SPECS:
        p, q = m[f"build/{name}"], mr[f"build/{name}"]
        lines.append(f"| {name} | {fmt_s(p)} | {fmt_s(q)} | {q / p:.2f} |")
    lines += ["", "## 3. `load_spec` + `expand` per spec", "", "| spec | Python | R | R / Python |",
              "| --- | ---: | ---: | ---: |"]
    for name in SPECS:
        p, q = m[f"expand/{name}"], mr[f"expand/{name}"]
        lines.append(f"| {name} | {fmt_s(p)} | {fmt_s(q)} | {q / p:.2f} |")
    lines += ["", "## 4. `predict` from R (R arrays converted to NumPy included) vs from Python", "",
              "Samples per second; the same model and weights, random inputs. Target: R / Python time at most 1.05",
              "for batches of 32 and more.", "",
              "| model | batch | Python (samples/s) | R (samples/s) | R / Python time |",
              "| --- | ---: | ---: | ---: | ---: |"]
    predict_keys = [k for k in m if k.startswith("predict/")]
    for key in sorted(predict_keys, key=lambda k: (k.split("/")[1], int(k.split("/")[2]))):
        _, name, batch = key.split("/")
        p, q = m[key], mr[key]
        lines.append(f"| {name} | {batch} | {int(batch) / p:,.0f} | {int(batch) / q:,.0f} | {q / p:.3f} |")
    p, q = m["epoch/lenet5"], mr["epoch/lenet5"]
    lines += ["", "## 5. One training epoch of LeNet-5 on the 4,000 training digits (batch 64)", "",
              "A fresh model each run, so the epoch includes Keras's one-off tracing of the training step.",
              "Target: R / Python at most 1.05.", "",
              "| Python | R | R / Python |", "| ---: | ---: | ---: |", f"| {fmt_s(p)} | {fmt_s(q)} | {q / p:.3f} |",
              "", "## 6. Start-up", "", "Fresh processes. Target: `import twinnet` adds at most 10% to `import keras`.",
              "", "| what | seconds |", "| --- | ---: |"]
    lines += [f"| {k} | {v:.2f} |" for k, v in start.items()]
    keras_alone, both = start["python: import keras"], start["python: import keras, twinnet"]
    lines += ["", f"`import twinnet` adds {100 * (both / keras_alone - 1):+.1f}% to `import keras` "
              "(twinnet imports Keras only when it builds a model)."]
    if harness_figures:
        wall, peak, summary = harness_figures
        lines += ["", "## 7. The whole cross-language harness", "",
                  "`python -m pytest tests/cross` (every catalog spec, both languages), under `/usr/bin/time -v`.",
                  "Target: under 10 minutes on 2 cores.", "",
                  f"- wall time: {wall / 60:.1f} minutes ({summary})", f"- peak memory (maximum RSS): {peak:.1f} GiB"]
    lines += ["", "Reproduce: `make bench` (all figures) or `.venv/bin/python bench/run.py --reps 5 --no-harness`.", ""]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
