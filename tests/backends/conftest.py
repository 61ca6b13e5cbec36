"""The cross-backend harness: every catalog spec on TensorFlow, JAX and PyTorch, each backend in its own
process (worker.py). Locally a backend that is not installed is skipped; under CI=true it fails.

The workers run once per session (the fixture ``cross``); the tests then compare what they wrote, and
the terminal summary prints the measured differences and what the workers cost.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backend_harness import (
    BACKENDS,
    R_BACKENDS,
    REPORT,
    TRAINING_RUNS,
    CrossRun,
    WorkerFailure,
    catalog_cases,
    missing_backend,
    run_cross,
    write_training_data,
)


@pytest.fixture(scope="session")
def installed() -> list[str]:
    """The backends installed here (under CI=true every one must be)."""
    missing = {b: why for b in BACKENDS if (why := missing_backend(b))}
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {'; '.join(missing.values())}", pytrace=False)
    return [b for b in BACKENDS if b not in missing]


@pytest.fixture(scope="session")
def cross(installed: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrossRun]:
    """Every catalog spec built on every installed backend, outputs and .keras files exchanged; Keras's
    initializers drawn, and the training runs trained, on each."""
    if len(installed) < 2:
        pytest.skip(f"one Keras backend is installed ({', '.join(installed)}): nothing to compare")
    work: Path = tmp_path_factory.mktemp("backends")
    write_training_data(work)
    try:
        run = run_cross(work, installed, catalog_cases(), TRAINING_RUNS,
                        r_backends=[b for b in installed if b in R_BACKENDS])
    except WorkerFailure as e:
        pytest.fail(str(e), pytrace=False)
    for backend, r_run in run.r_trained.items():
        if isinstance(r_run, dict):
            REPORT[("workers", f"R training on {backend}")] = f"{r_run['seconds']:6.1f} s"
    for r in run.runs:
        parts = ", ".join(f"{k} {v} s" for k, v in r.result.get("seconds", {}).items())
        REPORT[("workers", f"{r.task} on {r.backend}")] = \
            f"{r.seconds:6.1f} s ({parts or 'reading files'}), peak resident {r.peak_bytes / 2**30:.2f} GB"
    yield run


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The measured differences between backends, and what the workers cost."""
    if not REPORT:
        return
    for section in sorted({s for s, _ in REPORT}):
        terminalreporter.section(f"backends: {section}")
        for (s, row), text in sorted(REPORT.items()):
            if s == section:
                terminalreporter.write_line(f"{row:44} {text}")
