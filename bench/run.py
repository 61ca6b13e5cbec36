"""twinnet's benchmarks: what the spec layer and the R bridge cost over plain Keras.

Run from the repository root: `make bench` (or `.venv/bin/python bench/run.py`). Every figure is
the median of REPS runs after a warm-up. The two sides of each comparison run in this one
process, alternately (A B, then B A, ...), so that a slow minute of the machine slows both:
R is embedded through rpy2, as in the harness, and shares this process's Python, Keras and
TensorFlow. Writes BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
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


Timer = Callable[[], float]  # one run, untimed set-up included; returns the seconds of the timed part


def python_timer(body: Callable[[Any], Any], setup: Callable[[], Any] = lambda: None) -> Timer:
    def run() -> float:
        state = setup()
        t0 = time.perf_counter()
        body(state)
        return time.perf_counter() - t0
    return run


def r_timer(r: Any, body: str, setup: str = "NULL") -> Timer:
    """R code timed in R (Sys.time(), microseconds); `setup` runs first, untimed, and `s` holds its value."""
    code = f"s <- {{ {setup} }}; t0 <- Sys.time(); {body}; as.numeric(Sys.time() - t0, units = 'secs')"
    return lambda: float(r(code)[0])


SHORT = 0.5  # seconds: a pair of runs shorter than this is measured SHORT_REPS times
SHORT_REPS = 21
STARTUP_REPS = 11  # fresh processes of about 3 s, which vary by a fifth from one to the next
PREDICT_REPS = 11  # ResNet-50's predict time is bimodal here (about 1.6 s or 2.6 s for 32 images, in both languages)


def pair(a: Timer, b: Timer, reps: int) -> tuple[list[float], list[float]]:
    """Both sides after a warm-up each, alternating and swapping the order every run.

    Runs of tens of milliseconds vary by a third from one run to the next on a shared machine,
    so short ones are repeated SHORT_REPS times (at least `reps`).
    """
    warm = a() + b()
    n = max(reps, SHORT_REPS) if warm < SHORT else reps
    ta: list[float] = []
    tb: list[float] = []
    for i in range(n):
        if i % 2 == 0:
            ta.append(a())
            tb.append(b())
        else:
            tb.append(b())
            ta.append(a())
    return ta, tb


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


OVERHEAD_REPS = 41  # the overhead is a fraction of a millisecond next to builds of 30 ms and more


def build_overhead(name: str, reps: int) -> list[float]:
    """What building a loaded spec costs over the hand-written code, run by run: the differences of
    adjacent runs (their median is the figure; a slow moment of the machine slows both runs of a pair)."""
    spec = twinnet.load_spec(name)
    hand, built = pair(python_timer(lambda _s: HAND_WRITTEN[name](), keras.backend.clear_session),
                       python_timer(lambda _s: twinnet.build_model(spec, seed=1), keras.backend.clear_session),
                       max(reps, OVERHEAD_REPS))
    return [b - a for a, b in zip(hand, built, strict=True)]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt_s(sec: float) -> str:
    return f"{sec * 1000:.1f} ms" if sec < 1 else f"{sec:.2f} s"


def startup(reps: int) -> dict[str, float]:
    """Seconds from a fresh process to its end, each pair of commands alternated."""
    def process(cmd: list[str]) -> Timer:
        def run() -> float:
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=ENV, cwd=ROOT)
            return time.perf_counter() - t0
        return run

    py = sys.executable
    n = max(reps, STARTUP_REPS)
    keras_alone, both = pair(process([py, "-c", "import keras"]), process([py, "-c", "import keras, twinnet"]), n)
    alone, _ = pair(process([py, "-c", "import twinnet"]), process([py, "-c", "pass"]), n)
    r_built, py_built = pair(
        process(["Rscript", "-e", "suppressMessages(library(twinnet)); m <- build_model('lenet5')"]),
        process([py, "-c", "import twinnet; twinnet.build_model('lenet5')"]), n)
    return {"python: import keras": median(keras_alone), "python: import keras, twinnet": median(both),
            "python: import twinnet (alone)": median(alone),
            "R: library(twinnet) to a built LeNet-5": median(r_built),
            "python: import twinnet to a built LeNet-5": median(py_built)}


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
    sys.path.insert(0, str(ROOT / "tests" / "cross"))
    from rsession import start_r

    r = start_r()
    r("keras <- reticulate::import('keras'); np <- reticulate::import('numpy', convert = FALSE)")
    clear_r = "gc(); keras$backend$clear_session()"  # R's references to the last model go, as Python's do
    py: dict[str, list[float]] = {}
    rr: dict[str, list[float]] = {}
    for name in SPECS:
        print(f"build {name}", file=sys.stderr, flush=True)
        if name in HAND_WRITTEN:
            py[f"hand/{name}"], py[f"build/{name}"] = pair(
                python_timer(lambda _s, n=name: HAND_WRITTEN[n](), keras.backend.clear_session),
                python_timer(lambda _s, n=name: twinnet.build_model(n, seed=1), keras.backend.clear_session), reps)
            py[f"overhead/{name}"] = build_overhead(name, reps)
        py[f"build2/{name}"], rr[f"build/{name}"] = pair(
            python_timer(lambda _s, n=name: twinnet.build_model(n, seed=1), keras.backend.clear_session),
            r_timer(r, f"build_model('{name}', seed = 1L)", clear_r), reps)
        py[f"expand/{name}"], rr[f"expand/{name}"] = pair(
            python_timer(lambda _s, n=name: twinnet.expand(twinnet.load_spec(n))),
            r_timer(r, f"expand(load_spec('{name}'))"), reps)
    r(clear_r)
    keras.backend.clear_session()
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        pools = {"lenet5": rng.random((256, 32, 32, 1), dtype=np.float32),
                 "resnet50": rng.random((256, 224, 224, 3), dtype=np.float32)}
        for name, pool in pools.items():
            print(f"predict {name}", file=sys.stderr, flush=True)
            file = Path(tmp) / f"{name}.npy"
            np.save(file, pool)
            model = twinnet.build_model(name, seed=1)
            r(f"model <- build_model('{name}', seed = 1L); pool <- reticulate::py_to_r(np$load('{file}')); NULL")
            for batch in (1, 32, 256):
                x = pool[:batch]
                r(f"x <- pool[seq_len({batch}), , , , drop = FALSE]; NULL")  # an R array, as an R user has it
                py[f"predict/{name}/{batch}"], rr[f"predict/{name}/{batch}"] = pair(
                    python_timer(lambda _s, m=model, x=x, b=batch: m.predict(x, batch_size=b, verbose=0)),
                    r_timer(r, f"predict_model(model, x, batch_size = {batch}L, verbose = 0L)"),
                    max(reps, PREDICT_REPS))
            del model
            r("rm(model, pool, x); NULL")
            r(clear_r)
            keras.backend.clear_session()
        print("epoch", file=sys.stderr, flush=True)
        split = twinnet.mnist_split()
        x_train = twinnet.pad_digits(split.x_train)
        r("sp <- mnist_split(); xt <- pad_digits(sp$x_train); NULL")

        def one_epoch(model: keras.Model) -> None:
            keras.utils.set_random_seed(1)
            model.fit(x_train, split.y_train, epochs=1, batch_size=64, verbose=0)

        py["epoch/lenet5"], rr["epoch/lenet5"] = pair(
            python_timer(one_epoch, lambda: twinnet.build_model("lenet5", seed=1)),
            r_timer(r, "fit_model(s, xt, sp$y_train, epochs = 1L, batch_size = 64L, seed = 1L, verbose = 0L)",
                    "build_model('lenet5', seed = 1L)"), reps)
    start = startup(reps)
    harness_figures = None if args.no_harness else harness()
    write_report(Path(args.out), reps, py, rr, start, harness_figures)
    print(Path(args.out).read_text())
    return 0


def targets_table(m: dict[str, float], mr: dict[str, float], start: dict[str, float],
                  harness_figures: tuple[float, float, str] | None) -> list[str]:
    """Each figure's worst case against its target."""
    def row(figure: str, target: str, worst: float, limit: float, fmt: str = "{:.2f}") -> str:
        return f"| {figure} | {target} | {fmt.format(worst)} | {'yes' if worst <= limit else 'no'} |"

    hand = [m[f"build/{n}"] / m[f"hand/{n}"] for n in SPECS if f"hand/{n}" in m]
    build = [mr[f"build/{n}"] / m[f"build2/{n}"] for n in SPECS]
    predict = [mr[k] / m[k] for k in m if k.startswith("predict/") and int(k.split("/")[2]) >= 32]
    keras_alone, both = start["python: import keras"], start["python: import keras, twinnet"]
    rows = ["## Against the targets", "", "The worst case of each figure in this run.", "",
            "| figure | target | worst in this run | met |", "| --- | --- | ---: | --- |",
            row("1. spec build / hand-written build", "at most 1.05", max(hand), 1.05),
            row("1b. build of a loaded spec - hand-written build (ms)", "at most 0.5",
                max(1000 * m[f"overhead/{n}"] for n in SPECS if f"overhead/{n}" in m), 0.5, "{:.2f}"),
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
        f"(`bench/run.py --reps {reps}`); every figure is the median of {reps} runs after a warm-up ({SHORT_REPS} "
        f"runs where a run takes less than {SHORT / 2:.2f} s). The two",
        "sides of each comparison ran in one process, alternately (A B, then B A, ...): R is embedded",
        "through rpy2, as in the harness, shares the process's Python, Keras and TensorFlow, and times its",
        "own calls with `Sys.time()`. Ratios above 1 mean twinnet or R is slower.",
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
        "it has one. Target: at most 1.05. The last column builds a spec loaded once (`spec =",
        "twinnet.load_spec(name)`; `build_model(spec, seed=1)` each run: the spec carries its expanded graph)",
        f"and gives the median difference of {OVERHEAD_REPS} adjacent pairs of runs. Target: at most 0.5 ms.",
        "",
        "| spec | hand-written | from the spec | ratio | a loaded spec: overhead |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in SPECS:
        if f"hand/{name}" in m:
            h, s = m[f"hand/{name}"], m[f"build/{name}"]
            lines.append(f"| {name} | {fmt_s(h)} | {fmt_s(s)} | {s / h:.3f} | {1000 * m[f'overhead/{name}']:+.2f} ms |")
    lines += ["", "## 2. Build from R (through reticulate) vs from Python", "",
              "`build_model(name, seed = 1L)` in R against `twinnet.build_model(name, seed=1)`, R's garbage",
              "collected and Keras's session cleared before each (untimed). Target: at most 1.5.", "",
              "| spec | Python | R | R / Python |", "| --- | ---: | ---: | ---: |"]
    for name in SPECS:
        p, q = m[f"build2/{name}"], mr[f"build/{name}"]
        lines.append(f"| {name} | {fmt_s(p)} | {fmt_s(q)} | {q / p:.2f} |")
    lines += ["", "## 3. `load_spec` + `expand` per spec", "", "| spec | Python | R | R / Python |",
              "| --- | ---: | ---: | ---: |"]
    for name in SPECS:
        p, q = m[f"expand/{name}"], mr[f"expand/{name}"]
        lines.append(f"| {name} | {fmt_s(p)} | {fmt_s(q)} | {q / p:.2f} |")
    lines += ["", "## 4. `predict` from R (R arrays converted to NumPy included) vs from Python", "",
              "Samples per second; the same model and weights, random inputs. Target: R / Python time at most 1.05",
              "for batches of 32 and more. ResNet-50's time per call is bimodal on this machine (for 32 images",
              f"about 1.6 s or 2.6 s, in Python alone as much as from R), so each side runs {PREDICT_REPS} times and",
              "the fastest runs are compared too.", "",
              "| model | batch | Python (samples/s) | R (samples/s) | R / Python time | fastest R / fastest Python |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    predict_keys = [k for k in m if k.startswith("predict/")]
    for key in sorted(predict_keys, key=lambda k: (k.split("/")[1], int(k.split("/")[2]))):
        _, name, batch = key.split("/")
        p, q = m[key], mr[key]
        fastest = min(r[key]) / min(py[key])
        lines.append(f"| {name} | {batch} | {int(batch) / p:,.0f} | {int(batch) / q:,.0f} | {q / p:.3f} "
                     f"| {fastest:.3f} |")
    p, q = m["epoch/lenet5"], mr["epoch/lenet5"]
    lines += ["", "## 5. One training epoch of LeNet-5 on the 4,000 training digits (batch 64)", "",
              "A fresh model each run, so the epoch includes Keras's one-off tracing of the training step.",
              "Target: R / Python at most 1.05.", "",
              "| Python | R | R / Python |", "| ---: | ---: | ---: |", f"| {fmt_s(p)} | {fmt_s(q)} | {q / p:.3f} |",
              "", "## 6. Start-up", "",
              f"Fresh processes, {STARTUP_REPS} of each, alternated. Target: `import twinnet` adds at most 10% to "
              "`import keras`.",
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
