"""The cross-language harness: R embedded in this Python process through rpy2.

R's reticulate finds the interpreter that is already running, so R and Python share one
Python, one Keras and one TensorFlow. Locally the harness skips when R or rpy2 is missing;
under CI=true a missing piece is a failure.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
import rsession
from rsession import R, RSessionUnavailable, start_r

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "python"))  # support.py

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RETICULATE_PYTHON", sys.executable)

HANDOFF = types.ModuleType("twinnet_handoff")  # R puts objects here, Python reads them
sys.modules["twinnet_handoff"] = HANDOFF


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the cross-language harness cannot run: {why}", pytrace=False)
    pytest.skip(f"cross-language harness skipped: {why}")


@pytest.fixture(scope="session")
def r() -> Iterator[R]:
    try:
        handle = start_r()
    except RSessionUnavailable as e:
        _unavailable(str(e))
    yield handle


@pytest.fixture
def handoff(r: R) -> Iterator[types.ModuleType]:
    """The module R and Python pass objects through; emptied after each test, with R's and Keras's memory."""
    yield HANDOFF
    r.release(HANDOFF)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The figures of the fuzzing (test_fuzz.py), when it ran."""
    fuzz = sys.modules.get("test_fuzz")
    counts = getattr(fuzz, "COUNTS", None)
    if counts:
        terminalreporter.section("fuzzing")
        for key, n in sorted(counts.items()):
            terminalreporter.write_line(f"{n:>9,}  {key}")


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Once pytest has written its reports, a process that embedded R leaves at once with pytest's status:
    while Python shuts down, R's event loop can still call into rpy2 ("_processevents() called, but
    @ffi.def_extern() was not called"), and once this crashed the process (a segmentation fault after all
    692 tests had passed). rsession.start_r() leaves R to the OS at exit already."""
    if rsession._SESSION is not None and _EXIT_STATUS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])
