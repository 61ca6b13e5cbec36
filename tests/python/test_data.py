"""The bundled MNIST sample, its split, and Keras's loaders offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

import twinnet
from twinnet.data import SAMPLE

ROOT = Path(__file__).resolve().parents[2]


def test_sample_is_the_shipped_file() -> None:
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert digest == "f814240cf7e0d3cbaacc1a898905819a40ab46fb317a600d2a4b91a5c184c810"
    x, y = twinnet.mnist_sample()
    assert x.shape == (5000, 28, 28) and x.dtype == np.uint8
    assert np.array_equal(np.bincount(y), [500] * 10)
    assert "CC BY-SA 3.0" in (SAMPLE.parent / "README.md").read_text()


def test_split_is_balanced_interleaved_and_disjoint() -> None:
    s = twinnet.mnist_split()
    assert [a.shape[0] for a in s] == [4000, 4000, 1000, 1000]
    assert np.array_equal(np.bincount(s.y_train), [400] * 10)
    assert np.array_equal(s.y_train[:20], list(range(10)) * 2)
    x, _ = twinnet.mnist_sample()
    train = {a.tobytes() for a in s.x_train}
    assert not any(a.tobytes() in train for a in s.x_test)
    assert s.x_test[0].tobytes() == x[4].tobytes()  # j = 4 of class 0 is the first test digit


def test_pad_digits_centres_and_scales() -> None:
    x = np.zeros((1, 28, 28), np.uint8)
    x[0, 0, 27] = 255  # top right corner
    p = twinnet.pad_digits(x)
    assert p.shape == (1, 32, 32, 1) and p.dtype == np.float32
    assert p[0, 2, 29, 0] == 1.0 and p.sum() == 1.0


def test_keras_loader_downloads_or_says_where_to_put_the_file() -> None:
    try:
        (x_train, y_train), (x_test, _) = twinnet.load_dataset("mnist")
    except twinnet.DatasetUnavailableError as e:  # no internet: the message says what to do
        assert "datasets" in str(e) and "mnist_sample" in str(e)
    else:  # with internet (or a cached file), the real MNIST
        assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
        assert y_train.shape == (60000,)


def test_unknown_dataset() -> None:
    with pytest.raises(ValueError, match="Keras has"):
        twinnet.load_dataset("mnsit")
