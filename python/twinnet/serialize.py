"""A model as bytes: the .keras file in memory, for pickles, databases and R's .rds files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .persist import load_model, save_model

__all__ = ["serialize_model", "unserialize_model"]


def serialize_model(model: Any) -> bytes:
    """The bytes of the model's .keras file (architecture, weights, compile settings).

    R's ``serialize_model()`` gives the same format: bytes written by one language load in the other.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = save_model(model, Path(tmp) / "model.keras")
        return path.read_bytes()


def unserialize_model(data: bytes) -> Any:
    """The model that :func:`serialize_model` turned into bytes, loaded in Keras's safe mode."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(bytes(data))
        return load_model(path)
