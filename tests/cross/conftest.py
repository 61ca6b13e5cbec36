"""The cross-language harness: R embedded in this Python process through rpy2.

R's reticulate finds the interpreter that is already running, so R and Python share one
Python, one Keras and one TensorFlow. Locally the harness skips when R or rpy2 is missing;
under CI=true a missing piece is a failure.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from twinnet.doctor import mapped_libpython

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RETICULATE_PYTHON", sys.executable)

HANDOFF = types.ModuleType("twinnet_handoff")  # R puts objects here, Python reads them
sys.modules["twinnet_handoff"] = HANDOFF


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the cross-language harness cannot run: {why}", pytrace=False)
    pytest.skip(f"cross-language harness skipped: {why}")


# rpy2 releases the GIL while R runs. reticulate 1.28 takes it in its own calls, but not in the
# finalizers that R's garbage collector runs on Python objects: a collection in the middle of an
# R call then aborts the process ("PyThreadState_Get: ... the GIL is released"). So every R call
# here holds the GIL from start to end, and collects garbage before it gives the GIL back.
GIL_WRAP = """{{
  invisible(.C("PyGILState_Ensure"))
  tryCatch({{
{code}
  }}, finally = {{ gc(); invisible(.C("PyEval_SaveThread")) }})
}}"""


class R:
    """A thin handle on the embedded R session."""

    def __init__(self, robjects: Any):
        self.ro = robjects

    def __call__(self, code: str) -> Any:
        return self.ro.r(GIL_WRAP.format(code=code))

    def assign(self, name: str, value: Any) -> None:
        self.ro.globalenv[name] = value

    def json(self, expr: str) -> Any:
        text = self(f'jsonlite::toJSON({expr}, auto_unbox = TRUE, null = "null", digits = NA)')[0]
        return json.loads(text)

    def spec_error(self, expr: str) -> tuple[str, str] | None:
        """(path, kind) of the twinnet_spec_error that expr signals, or None."""
        res = self(f"tryCatch({{ {expr}; NULL }}, twinnet_spec_error = function(e) c(e$path, e$kind))")
        return None if res is self.ro.NULL or len(res) == 0 else (str(res[0]), str(res[1]))


@pytest.fixture(scope="session")
def r() -> Iterator[R]:
    try:
        import rpy2.rinterface as ri
        import rpy2.robjects as ro
        from rpy2.rinterface_lib import callbacks
    except Exception as e:
        _unavailable(f"rpy2 cannot start R ({type(e).__name__}: {e})")
    # At exit, rpy2 would end R, which runs reticulate's finalizers without the GIL and aborts
    # the process ("Fatal Python error: PyThreadState_Get"). The OS reclaims R instead.
    atexit.unregister(ri.endr)
    callbacks.consolewrite_warnerror = lambda s: sys.stderr.write(s)
    libpython = mapped_libpython()
    if len(libpython) != 1:
        _unavailable(f"this Python maps {len(libpython)} libpython files, R needs exactly one: {libpython}")
    ro.r(f'invisible(dyn.load("{libpython[0]}"))')  # for the GIL calls of GIL_WRAP
    handle = R(ro)
    try:
        handle("suppressPackageStartupMessages(library(twinnet))")
    except Exception as e:
        _unavailable(f"the R package twinnet does not load ({e})")
    same = handle('normalizePath(reticulate::import("sys")$executable)')[0]
    assert os.path.realpath(same) == os.path.realpath(sys.executable), "R reached another Python"
    yield handle


@pytest.fixture
def handoff(r: R) -> Iterator[types.ModuleType]:
    """The module R and Python pass objects through; emptied after each test, with R's and Keras's memory."""
    yield HANDOFF
    for name in [n for n in vars(HANDOFF) if not n.startswith("__")]:
        delattr(HANDOFF, name)
    r("rm(list = ls(globalenv()), envir = globalenv())")
    import gc

    import keras

    keras.backend.clear_session()
    gc.collect()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The figures of the fuzzing (test_fuzz.py), when it ran."""
    fuzz = sys.modules.get("test_fuzz")
    counts = getattr(fuzz, "COUNTS", None)
    if counts:
        terminalreporter.section("fuzzing")
        for key, n in sorted(counts.items()):
            terminalreporter.write_line(f"{n:>9,}  {key}")
