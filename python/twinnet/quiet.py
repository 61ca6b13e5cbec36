"""TensorFlow loaded without its start-up noise on stderr.

Importing TensorFlow writes lines such as "oneDNN custom operations are on" and absl's "WARNING: All log
messages before absl::InitializeLog() is called are written to STDERR" from C++, before its logging starts,
so ``TF_CPP_MIN_LOG_LEVEL`` does not stop them. :func:`import_tensorflow_quietly` catches the process's
stderr (file descriptor 2) while TensorFlow is imported and writes back every line that is not such noise
(``shared_specs/startup_noise.json``, also read by R's ``twinnet``). twinnet's command line calls it
before anything uses Keras; a program that imports twinnet can call it too.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

from .tables import shared

__all__ = ["import_tensorflow_quietly", "is_noise"]

_PATTERNS = [re.compile(p) for p in shared("startup_noise.json")["patterns"]]


def is_noise(line: str) -> bool:
    """Whether a line of stderr is TensorFlow's start-up noise (shared_specs/startup_noise.json)."""
    return any(p.fullmatch(line) for p in _PATTERNS)


def _wants_tensorflow() -> bool:
    from .doctor import requested_backend

    return requested_backend()[0] == "tensorflow"


def import_tensorflow_quietly() -> bool:
    """Import TensorFlow (where it is Keras's backend and not yet loaded) with its start-up noise dropped.

    Returns True when this call imported it. An import that fails is left for Keras to report: its
    messages, like every line that is not start-up noise, go on to stderr.
    """
    if "tensorflow" in sys.modules or not _wants_tensorflow():
        return False
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2: nothing to keep quiet
        return _import()
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            done = _import()
        finally:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        text = caught.read().decode("utf-8", "replace")
    kept = [line for line in text.splitlines() if not is_noise(line)]
    if kept:
        print("\n".join(kept), file=sys.stderr)
    return done


def _import() -> bool:
    try:
        import tensorflow  # noqa: F401
    except Exception:  # missing or broken: Keras says so where it is needed
        return False
    return True
