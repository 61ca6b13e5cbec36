"""tests/distribute: training beyond one device, every run in its own process (distribute_harness.py).

The runs happen once per session (the fixture ``harness``); the tests compare what they wrote, and the
terminal summary prints the measured differences. Where R or its package twinnet is missing, the R runs
are left out and their tests skip; under CI=true they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distribute_harness import Harness, r_missing, run_all

REPORT: dict[str, str] = {}


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    work: Path = tmp_path_factory.mktemp("distribute")
    why = r_missing()
    if why is not None and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {why}", pytrace=False)
    try:
        h = run_all(work, with_r=why is None)
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    h.skipped_r = why
    for run in h.runs.values():
        REPORT[f"seconds: {run.name}"] = f"{run.seconds:.1f} s (training {run.result['seconds']:.1f} s)"
    yield h


def require_r(h: Harness) -> None:
    if h.skipped_r is not None:
        pytest.skip(h.skipped_r)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT:
        return
    terminalreporter.section("distribute: measured")
    for row, text in sorted(REPORT.items()):
        terminalreporter.write_line(f"{row:48} {text}")
