"""Data for the lecture's networks: the bundled MNIST sample, and Keras's own loaders."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .tables import shared

__all__ = ["DatasetUnavailableError", "Split", "load_dataset", "mnist_sample", "mnist_split", "pad_digits"]

# The data sets, shared with R: shared_specs/datasets.json.
_DATASETS = shared("datasets.json")
SAMPLE = Path(__file__).resolve().parent / "data" / _DATASETS["mnist_sample"]
KERAS_DATASETS: tuple[str, ...] = tuple(_DATASETS["keras"])


class DatasetUnavailableError(RuntimeError):
    """A Keras data set that is neither in the Keras cache nor downloadable here."""


class Split(NamedTuple):
    """Training and test arrays."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits that ship with twinnet (500 per class, sorted by label).

    Returns:
        ``(x, y)``: ``x`` of shape (5000, 28, 28), uint8 pixels 0-255 (row, column),
        ``y`` of shape (5000,), the digits' labels. MNIST: LeCun and Cortes, CC BY-SA 3.0.
    """
    with np.load(SAMPLE) as d:
        return d["x"], d["y"]


def mnist_split() -> Split:
    """The sample split without randomness, the same in R: 4,000 digits to train, 1,000 to test.

    The j-th digit of each class goes to the test set when ``j % 5 == 4``; both sets are ordered
    by j, then by label, so every batch mixes the classes.
    """
    x, y = mnist_sample()
    j = np.arange(len(y)) % 500  # the sample is sorted by label, 500 per class
    order = np.lexsort((y, j))  # by j, then by label
    test = order[j[order] % 5 == 4]
    train = order[j[order] % 5 != 4]
    return Split(x[train], y[train], x[test], y[test])


def pad_digits(x: np.ndarray, size: int = 32) -> np.ndarray:
    """28x28 digits as LeNet-5 wants them: zero-padded to ``size`` x ``size``, scaled to [0, 1], one channel."""
    x = np.asarray(x)
    before = (size - x.shape[-1]) // 2
    after = size - x.shape[-1] - before
    padded = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(before, after), (before, after)])
    return (padded[..., None] / 255.0).astype("float32")


def load_dataset(name: str, **kwargs: Any) -> Any:
    """A data set through Keras's own loader (``keras.datasets.<name>.load_data``).

    Keras keeps downloads in its cache, ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``).
    Where the file is not cached and cannot be downloaded, a :class:`DatasetUnavailableError`
    says where to put it.
    """
    if name not in KERAS_DATASETS:
        raise ValueError(f"unknown data set {name!r}; Keras has {', '.join(KERAS_DATASETS)}")
    import os

    import keras

    loader = getattr(keras.datasets, name)
    try:
        return loader.load_data(**kwargs)
    except Exception as e:  # any download failure means the same to the user
        home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
        raise DatasetUnavailableError(
            f"keras.datasets.{name} could not load its data ({type(e).__name__}: {str(e)[:200]}). "
            f"Without internet, put the file Keras downloads into {os.path.join(home, 'datasets')}. "
            "The MNIST sample that ships with twinnet needs no download: twinnet.mnist_sample()."
        ) from e
