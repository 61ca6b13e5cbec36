"""What twinnet checks before training on several replicas: no Keras needed (R: tests/testthat/test-distribute.R)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinnet.distribute import DistributeError, check_batches, distribute_error, mnist_data, train_spec
from twinnet.errors import fill_template

ROOT = Path(__file__).resolve().parents[2]


def message(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DistributeError) as info:
        call()
    assert isinstance(info.value, ValueError)
    return str(info.value)


def test_batches_the_replicas_cannot_share_are_refused() -> None:
    assert message(lambda: check_batches(1010, 64, 4)) == (
        "the last batch of each epoch would hold 50 samples (1010 training samples in batches of 64), which 4 "
        "replicas cannot share evenly: each replica would average its own share, so the model would weigh those "
        "samples unequally and train other weights than on one device. Leave out 2 samples (train on 1008), or "
        "choose a batch size that leaves a last batch that 4 divides")
    assert "a global batch of 63 samples cannot be shared evenly by 2 replicas" in message(
        lambda: check_batches(1000, 63, 2))
    assert "leave out 40 samples (train on 960)" in message(lambda: check_batches(1000, 64, 2, 2))
    check_batches(1000, 64, 4)  # a last batch of 40: 10 for each of 4 replicas
    check_batches(1010, 63, 1)
    check_batches(1024, 64, 2, 2)


def test_the_messages_are_messages_json() -> None:
    table = json.loads((ROOT / "shared_specs" / "messages.json").read_text(encoding="utf-8"))["distribute_errors"]
    assert str(distribute_error("batch_not_divisible", batch=10, replicas=4)) == fill_template(
        table["batch_not_divisible"], {"batch": "10", "replicas": "4"})
    assert table["description"]


@pytest.mark.parametrize("bad", [0, 1.5, "2", None, True])
def test_replicas_are_whole_numbers(bad: object) -> None:
    assert message(lambda: train_spec("lenet5", replicas=bad)).startswith(  # type: ignore[arg-type]
        "replicas must be one whole number of at least 1")


def test_train_spec_refuses_before_anything_starts() -> None:
    assert "cannot be shared evenly by 3 replicas" in message(
        lambda: train_spec("lenet5", replicas=3, samples=256, batch_size=64))
    assert "resnet18 takes (224, 224, 3): give x and y" in message(lambda: train_spec("resnet18", replicas=2))


def test_the_digits_take_the_shape_of_the_spec_input() -> None:
    flat, labels = mnist_data("mnist_mlp", 3)
    images, _ = mnist_data("mnist_cnn", 3)
    padded, _ = mnist_data("lenet5", 3)
    assert (flat.shape, images.shape, padded.shape) == ((3, 784), (3, 28, 28, 1), (3, 32, 32, 1))
    assert flat[1, 28 * 9 + 14] == images[1, 9, 14, 0] == padded[1, 11, 16, 0]
    assert labels.dtype.name == "int32" and len(labels) == 3
