"""One Keras backend in its own process, for the cross-backend harness (tests/backends/).

Keras fixes its backend when it is first imported, so the harness runs this script once per backend
and task, with KERAS_BACKEND set:  KERAS_BACKEND=jax python worker.py JOB.json
The job (JSON) names a task, a folder the parent shares with every worker, and the task's arguments;
arrays travel as .npy/.npz files in that folder, facts as JSON. The worker writes RESULT.json
(``job["result"]``) and exits 0; any exception fails the process, and the parent shows its stderr.

Tasks:
  main    Keras's own initializers, seeded, for the parent's cases ("draws": initializer and shape), to
          draws.BACKEND.npz; then for each spec: build it (seeded, Keras's initializers) and record its
          layers' facts (a giant, not "full": only those); the reference backend writes its weights, the
          others read them and set them (weights copied across); predict the parent's input; write a .keras
          file (specs with "files"); set the portable initial weights and record their digests (sha256 of
          each weight's bytes).
          Then read the .keras files of the backends that ran before ("read_from") and predict; then
          train ("runs": specs with portable initial weights on the parent's data, no shuffling); and
          what `twinnet doctor` says of this process's backend.
  read    read the .keras files of the backends that ran after this one's main task, and predict.
  compiled  (test_compiled_models.py) a small model compiled with each optimizer a spec may name: how
          Keras writes the optimizer, and the spec's compile that twinnet.from_keras() makes of it; the
          jit_compile of a model compiled here; write such a model's file (compiled.BACKEND.keras, "write")
          and read the files of other backends ("read_from"), with their jit_compile; and ("oom") read a
          file of a model too large for any memory (oom.keras) with twinnet's limits off.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def layer_facts(model: Any) -> list[dict[str, Any]]:
    """Each layer's class, config (as JSON text), output shape and parameter count."""
    return [{"name": layer.name, "class": type(layer).__name__,
             "config": json.dumps(layer.get_config(), sort_keys=True, default=repr),
             "output_shape": json.loads(json.dumps(layer.output.shape, default=list)),
             "params": int(layer.count_params())} for layer in model.layers]


def counts(model: Any) -> list[int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return [int(model.count_params()), trainable, int(model.count_params()) - trainable]


def digests(model: Any) -> list[str]:
    """sha256 of each weight's bytes, one weight at a time (YOLO's weights are 1.1 GB)."""
    import keras

    return [hashlib.sha256(np.ascontiguousarray(keras.ops.convert_to_numpy(v.value)).tobytes()).hexdigest()
            for v in model.weights]


# Keras's and Python's memory are freed after a model of more than this many parameters: clear_session()
# and a full collection cost about 0.9 s each time, more than building a small model.
FREE_ABOVE = 1_000_000


def free(model: Any) -> None:
    """Free Keras's and Python's memory after a large model."""
    import keras

    if model.count_params() > FREE_ABOVE:
        keras.backend.clear_session()
        gc.collect()


def predict(model: Any, x: np.ndarray) -> dict[str, np.ndarray]:
    """The model's predictions for x, as arrays named y0, y1, ... (one per output of the model). A model read
    from another backend's .keras file predicts with the jit_compile that "auto" gives here (read_model()
    sees to it): a compiled and an uncompiled forward pass may round differently, and the harness asks for
    exactly what this backend's own model predicts."""
    y = model.predict(x, verbose=0)
    ys = y if isinstance(y, list | tuple) else [y]
    return {f"y{i}": np.asarray(v) for i, v in enumerate(ys)}


def build(job: dict[str, Any], work: Path, backend: str) -> dict[str, Any]:
    """Each spec built, its facts, its outputs with the reference's weights, its .keras file, its portable
    weights' digests."""
    import keras

    import twinnet

    out: dict[str, Any] = {}
    for case in job["specs"]:
        name = case["name"]
        started = time.perf_counter()
        model = twinnet.build_model(name, seed=job["seed"], compile=True)
        facts: dict[str, Any] = {"layers": layer_facts(model), "counts": counts(model)}
        if not case["full"]:  # a giant: its facts only (backend_harness.GIANT)
            out[name] = {**facts, "seconds": round(time.perf_counter() - started, 2)}
            free(model)
            del model
            continue
        weights = work / f"{name}.weights"
        if backend == job["reference"]:  # one weight at a time: YOLO's are 1.1 GB
            weights.mkdir()
            for i, v in enumerate(model.weights):
                np.save(weights / f"{i}.npy", keras.ops.convert_to_numpy(v.value))
        else:
            model.set_weights([np.load(weights / f"{i}.npy", mmap_mode="r") for i in range(len(model.weights))])
        x = inputs(work / f"{name}.x.npz")
        np.savez(work / f"{name}.{backend}.y.npz", **predict(model, x))
        if case["files"]:
            twinnet.write_model(model, work / f"{name}.{backend}.keras")
        twinnet.set_portable_weights(model, job["portable_seed"])
        facts["portable"] = digests(model)
        facts["seconds"] = round(time.perf_counter() - started, 2)
        out[name] = facts
        free(model)
        del model
    return out


def inputs(path: Path) -> Any:
    """The inputs the harness wrote (one array per Input): an array, or a list of them."""
    with np.load(path) as held:
        arrays = [held[f"arr_{i}"] for i in range(len(held.files))]
    return arrays[0] if len(arrays) == 1 else arrays


def read_files(job: dict[str, Any], work: Path, backend: str, others: list[str]) -> dict[str, list[str]]:
    """Every other backend's .keras file of each spec with files, read (twinnet.read_model) and predicting."""
    import twinnet

    out: dict[str, list[str]] = {}
    for case in job["specs"]:
        if not case["files"]:
            continue
        name = case["name"]
        x = inputs(work / f"{name}.x.npz")
        for other in others:
            model = twinnet.read_model(work / f"{name}.{other}.keras")
            np.savez(work / f"{name}.{backend}.from_{other}.y.npz", **predict(model, x))
            out.setdefault(name, []).append(other)
            free(model)
            del model
    return out


def task_main(job: dict[str, Any], work: Path, backend: str) -> dict[str, Any]:
    """Initializer draws, every spec built, the files of the backends that ran before read, training."""
    started = time.perf_counter()
    if job.get("draws"):
        draws(job, work, backend)
    built = build(job, work, backend)
    seconds = {"build": round(time.perf_counter() - started, 1)}
    started = time.perf_counter()
    loaded = read_files(job, work, backend, job["read_from"])
    seconds["read"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    trained = train(job, work, backend) if job.get("runs") else {}
    seconds["train"] = round(time.perf_counter() - started, 1)
    from twinnet.doctor import python_info

    doctor = {k: v for k, v in python_info().items() if k in ("backend", "backend_version", "backend_by", "missing")}
    return {"build": built, "loaded": loaded, "trained": trained, "seconds": seconds,
            "doctor": doctor}


def task_read(job: dict[str, Any], work: Path, backend: str) -> dict[str, Any]:
    """The files of the backends that ran after this one's main task, read."""
    return {"loaded": read_files(job, work, backend, job["read_from"])}


def draws(job: dict[str, Any], work: Path, backend: str) -> None:
    """Keras's own initializers, seeded, for the parent's cases (initializer, shape): draws.BACKEND.npz."""
    import keras

    arrays = {}
    for i, case in enumerate(job["draws"]):
        config = {"class_name": case["initializer"]["class_name"],
                  "config": {**case["initializer"].get("config", {}), **({"seed": 1000 + i} if case["random"] else {})}}
        initializer = keras.initializers.get(config)
        arrays[f"case{i}"] = keras.ops.convert_to_numpy(initializer(tuple(case["shape"]), dtype="float32"))
    np.savez(work / f"draws.{backend}.npz", **arrays)


def train(job: dict[str, Any], work: Path, backend: str) -> dict[str, Any]:
    """Each run: its spec built with portable initial weights, trained on the parent's data without
    shuffling, its weights written (train.SPEC.BACKEND.npz); the losses returned."""
    import twinnet

    out: dict[str, Any] = {}
    for case in job["runs"]:
        data = np.load(work / case["data"])
        model = twinnet.build_model(case["spec"], seed=job["seed"], init="portable")
        history = twinnet.fit_model(model, data["x"], data["y"], epochs=case["epochs"],
                                    batch_size=case["batch_size"], shuffle=False, seed=job["seed"], verbose=0)
        np.savez(work / f"train.{case['spec']}.{backend}.npz", *model.get_weights())
        out[case["spec"]] = {"loss": [float(v) for v in history.history["loss"]]}
        free(model)
        del model
    return out


def write_oom_file(work: Path) -> Path:
    """oom.keras: a Dense layer of 10**12 units on 10**4 inputs, 4 TB of bias alone; Keras's allocation
    fails at once."""
    import zipfile

    import keras

    small = keras.Sequential([keras.Input((10,)), keras.layers.Dense(4, name="huge")])
    small.save(work / "oom.small.keras")
    with zipfile.ZipFile(work / "oom.small.keras") as z:
        members = {name: z.read(name) for name in z.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][0]["config"]["batch_shape"] = [None, 10**4]
    config["config"]["layers"][-1]["config"]["units"] = 10**12
    if "build_config" in config:
        config["build_config"]["input_shape"] = [None, 10**4]
    members["config.json"] = json.dumps(config).encode()
    path = work / "oom.keras"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def task_compiled(job: dict[str, Any], work: Path, backend: str) -> dict[str, Any]:
    """Each optimizer a spec may name, compiled here and imported; the files of other backends read."""
    import math

    import keras

    import twinnet
    from twinnet.codegen import OPTIMIZER_CLASSES

    tiny = {"format_version": "1.0", "name": "tiny",
            "layers": [{"type": "Input", "shape": [3]}, {"type": "Dense", "units": 2}]}
    imported: dict[str, Any] = {}
    for name, cls in OPTIMIZER_CLASSES.items():
        model = twinnet.build_model(tiny, seed=1)
        model.compile(optimizer=getattr(keras.optimizers, cls)(), loss="mse")
        written = model.get_compile_config()["optimizer"]
        try:
            spec: Any = twinnet.from_keras(model).get("compile")
        except twinnet.SpecError as e:
            spec = f"refused: {e.message}"
        imported[name] = {"module": written["module"], "registered_name": written["registered_name"], "spec": spec}
    here = twinnet.build_model(tiny, seed=1)
    here.compile(optimizer="adam", loss="mse")
    out: dict[str, Any] = {"imported": imported, "jit_compile": bool(here.jit_compile), "read": {}}
    if job.get("write"):
        here.optimizer.build(here.trainable_variables)  # as Keras builds it when it compiles a model it reads
        twinnet.write_model(here, work / f"compiled.{backend}.keras")
    for other in job.get("read_from", []):
        started = time.perf_counter()
        model = twinnet.read_model(work / f"compiled.{other}.keras")
        model.predict(np.zeros((2, 3), np.float32), verbose=0)
        out["read"][other] = {"jit_compile": model.jit_compile,
                              "recorded": model.get_compile_config()["jit_compile"],
                              "seconds": round(time.perf_counter() - started, 2)}
    if job.get("oom"):
        twinnet.set_limits(max_params=math.inf, max_activation=math.inf)
        try:
            twinnet.read_model(write_oom_file(work))
            out["oom"] = {"kind": None, "reason": "read"}
        except twinnet.ModelFileError as e:
            out["oom"] = {"kind": e.kind, "reason": e.reason}
    return out


TASKS = {"main": task_main, "read": task_read, "compiled": task_compiled}


def main(path: str) -> int:
    job = json.loads(Path(path).read_text())
    import keras

    backend = keras.backend.backend()
    if backend != os.environ.get("KERAS_BACKEND", backend):
        raise RuntimeError(f"KERAS_BACKEND={os.environ['KERAS_BACKEND']} but Keras runs {backend}")
    work = Path(job["dir"])
    result = {"backend": backend, "result": TASKS[job["task"]](job, work, backend)}
    Path(job["result"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
