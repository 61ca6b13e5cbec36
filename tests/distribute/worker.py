"""One training run in its own process, for tests/distribute (worker.R is the same in R).

Keras fixes its backend, and TensorFlow its logical devices, once per process: the tests run this script
with KERAS_BACKEND set, once per run:  KERAS_BACKEND=tensorflow python worker.py JOB.json
The job (JSON) says what to train (twinnet.train_spec's arguments: spec, replicas, samples, epochs,
batch_size, seed, shuffle, and for several JAX processes coordinator, num_processes, process_id) and where
to write: "weights" (.npz of the trained weights, in model.get_weights() order), "result" (JSON: the
history, the replicas, the devices, the seconds, what a refused fit said), "save" (a .keras file of the
trained model, and its predictions beside it, .npy), "read" (.keras files that other runs saved, each read
and predicting on this process's one device, .npy beside each, and its weights, .weights.npz).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def test_digits() -> np.ndarray:
    """The first 200 test digits of the MNIST sample, padded for LeNet-5 (worker.R: the same)."""
    import twinnet

    return twinnet.pad_digits(twinnet.mnist_split().x_test[:200])


def refusal(case: dict[str, int]) -> str:
    """What twinnet says of batches that the replicas cannot share (check_batches())."""
    from twinnet.distribute import DistributeError, check_batches

    try:
        check_batches(case["samples"], case["batch_size"], case["replicas"], case.get("processes", 1))
    except DistributeError as e:
        return str(e)
    return ""


def main(path: str) -> int:
    job: dict[str, Any] = json.loads(Path(path).read_text())
    import keras

    import twinnet

    backend = keras.backend.backend()
    done = twinnet.train_spec(job["spec"], replicas=job["replicas"], samples=job["samples"], epochs=job["epochs"],
                              batch_size=job["batch_size"], seed=job["seed"], shuffle=job["shuffle"], verbose=0,
                              coordinator=job.get("coordinator"), num_processes=job.get("num_processes", 1),
                              process_id=job.get("process_id", 0))
    model = done.model
    np.savez(job["weights"], *[np.asarray(w) for w in model.get_weights()])
    x = test_digits()
    if job.get("save"):
        twinnet.write_model(model, job["save"])
        np.save(job["save"] + ".npy", model.predict(x, verbose=0))
    for file in job.get("read", []):
        loaded = twinnet.read_model(file)
        np.save(file + f".read.{job['name']}.npy", loaded.predict(x, verbose=0))
        np.savez(file + ".weights.npz", *[np.asarray(w) for w in loaded.get_weights()])
    result = {"backend": backend, "replicas": done.replicas, "seconds": done.seconds,
              "history": {k: [float(v) for v in vs] for k, vs in done.history.history.items()},
              "processes": twinnet.distribute.count_processes(),
              "refusals": [refusal(case) for case in job.get("refuse", [])]}
    Path(job["result"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
