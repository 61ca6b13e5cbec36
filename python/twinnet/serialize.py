"""A model as bytes: the .keras file in memory, for pickles, databases and R's .rds files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .persist import load_checked, write_model

__all__ = ["serialize_model", "unserialize_model"]


def serialize_model(model: Any) -> bytes:
    """The bytes of the model's .keras file (architecture, weights, compile settings).

    R's ``serialize_model()`` gives the same format: bytes written by one language load in the other.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = write_model(model, Path(tmp) / "model.keras")
        return path.read_bytes()


def unserialize_model(data: bytes) -> Any:
    """The model that :func:`serialize_model` turned into bytes, loaded as :func:`twinnet.read_model` loads a file.

    Raises:
        TypeError: ``data`` is not bytes.
        UnsafeModelError, ModelFileError: as :func:`twinnet.read_model`, with the path ``"<bytes>"``.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"unserialize_model() takes the bytes from serialize_model(), not {type(data).__name__}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(bytes(data))
        return load_checked(path, "<bytes>")
