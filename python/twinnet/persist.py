"""Saving and loading models as .keras files, with Keras's safe mode always on (R: R/persist.R).

A .keras file holds a model's config and weights. Its config may name Python code: a lambda
(``keras.layers.Lambda(lambda x: ...)``) or a function or class from some module. Keras's safe
mode refuses to run it; :func:`load_model` always loads in safe mode, even after
``keras.config.enable_unsafe_deserialization()``, and turns the refusal into an
:class:`UnsafeModelError`.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["UnsafeModelError", "load_model", "save_model"]

# What Keras says when safe mode refuses a file: a lambda, a non-modeling API, code it cannot
# locate among Keras's own objects (R: UNSAFE_PATTERN in R/persist.R).
UNSAFE_PATTERN = re.compile(
    r"safe_mode|disallowed|Could not locate|Could not deserialize|cannot be imported|KerasSaveable"
)


class UnsafeModelError(ValueError):
    """A .keras file that Keras's safe mode refuses to load, because it carries or names code.

    Attributes:
        path: the file.
        reason: what Keras said.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"refused to load {path}: the model file carries Python code (a lambda, or a function "
                         f"or class from outside Keras), which twinnet never runs. Keras says: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnsafeModelError, (self.path, self.reason))


def _keras_file(path: str | PathLike[str]) -> Path:
    p = Path(path)
    if p.suffix != ".keras":
        raise ValueError(f"a model file's name ends in .keras, found {str(p)!r}")
    return p


def save_model(model: Any, path: str | PathLike[str]) -> Path:
    """Save a Keras model (architecture, weights, compile settings) as a .keras file.

    Args:
        model: a Keras model, e.g. from :func:`twinnet.build_model`.
        path: the file to write; its name ends in ``.keras``. An existing file is replaced.

    Returns:
        The path, as a :class:`pathlib.Path`. R's ``save_model()`` reads the file, and the reverse.
    """
    p = _keras_file(path)
    model.save(p)
    return p


def _safe_mode_scope() -> Any:
    """Keras's scope that forces safe mode (overriding enable_unsafe_deserialization()), if there is one."""
    try:
        from keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:  # a Keras without it: safe_mode=True alone
        return contextlib.nullcontext()
    return SafeModeScope(True)


def load_model(path: str | PathLike[str]) -> Any:
    """Load a model saved as a .keras file, in Keras's safe mode.

    Args:
        path: a ``.keras`` file on this machine (not a URL, not a legacy ``.h5`` file).

    Returns:
        The Keras model.

    Raises:
        UnsafeModelError: the file carries a lambda or names code outside Keras; nothing of it ran.
        FileNotFoundError: there is no such file.
        ValueError: the name does not end in ``.keras``, or the file is not a .keras archive.
    """
    p = _keras_file(path)
    if not p.is_file():
        raise FileNotFoundError(f"no model file at {str(p)!r}")
    if not zipfile.is_zipfile(p):
        raise ValueError(f"{str(p)!r} is not a .keras file (a zip archive that Keras writes)")
    import keras

    try:
        with _safe_mode_scope():
            return keras.models.load_model(p, safe_mode=True)
    except (ValueError, TypeError) as e:
        reason = refusal_reason(str(e))
        if UNSAFE_PATTERN.search(reason):
            raise UnsafeModelError(str(p), reason) from None
        raise


def refusal_reason(message: str) -> str:
    """The cause in a Keras loading error: Keras wraps it in "... Exception encountered: <cause>"."""
    cause = message.rsplit("Exception encountered: ", 1)[-1].strip()
    return cause.splitlines()[0] if cause else ""
