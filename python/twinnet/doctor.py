"""Diagnostics: which Python, Keras and backend this process uses, and whether R uses the same."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["doctor", "graphviz_version", "mapped_libpython", "python_info", "r_info"]


def _version(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def mapped_libpython() -> list[str]:
    """The libpython files mapped into this process (none for a statically linked interpreter)."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return []
    found = {line.split()[-1] for line in maps.read_text().splitlines() if "/libpython3" in line}
    return sorted(os.path.realpath(p) for p in found)


def python_info() -> dict[str, Any]:
    import keras
    import numpy

    libs = mapped_libpython()
    return {
        "twinnet": _version("twinnet"),
        "python": sys.executable,
        "python_version": sys.version.split()[0],
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "libpython": libs[0] if libs else None,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "tensorflow": _version("tensorflow-cpu") or _version("tensorflow"),
        "numpy": numpy.__version__,
        "jsonschema": _version("jsonschema"),
        "rpy2": _version("rpy2"),
    }


def r_info(timeout: float = 300) -> dict[str, Any]:
    """Ask a fresh R process (Rscript) what twinnet::sitrep_info() sees."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not on PATH: install R (Debian: r-base-core)")
    code = 'cat(jsonlite::toJSON(twinnet:::sitrep_info(), auto_unbox = TRUE, null = "null"))'
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.setdefault("RETICULATE_PYTHON", sys.executable)
    res = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=timeout, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"R could not report: {res.stderr.strip()[-800:]}")
    return json.loads(res.stdout[res.stdout.index("{"):])


def graphviz_version() -> str | None:
    """What Graphviz's dot says of its version, or None where it is missing."""
    from .diagram import dot_program

    program = dot_program()
    if program is None:
        return None
    res = subprocess.run([program, "-V"], capture_output=True, text=True, timeout=60, check=False)
    return (res.stderr or res.stdout).strip() or program


def doctor(out: Any = None) -> bool:
    """Print both sides and return True when R and Python use the same interpreter."""
    out = out or sys.stdout
    py = python_info()
    try:
        r = r_info()
        r_error = None
    except (RuntimeError, subprocess.SubprocessError, ValueError) as e:
        r, r_error = {}, str(e)
    rows = [("twinnet", "twinnet"), ("python", "python"), ("python version", "python_version"),
            ("sys.prefix", "prefix"), ("libpython", "libpython"), ("keras", "keras"),
            ("backend", "backend"), ("tensorflow", "tensorflow"), ("numpy", "numpy")]
    print(f"twinnet doctor ({platform.system()} {platform.machine()}); Python | R (reticulate)", file=out)
    for label, key in rows:
        mine = str(py.get(key))
        theirs = str(r.get(key, "-")).split()[0] if key == "python_version" else str(r.get(key, "-"))
        print(f"  {label:15} {mine}" + ("   | R: same" if theirs == mine else f"   | R: {theirs}"), file=out)
    if r:
        print(f"  {'R':15} {r.get('r_version')} (reticulate {r.get('reticulate')})", file=out)
    same = bool(r) and all(
        os.path.realpath(str(py[k])) == os.path.realpath(str(r.get(k)))
        for k in ("python", "prefix", "libpython")) and py["python_version"] == str(r.get("python_version")).split()[0]
    same = same and r.get("same_interpreter") is True  # R's own check (sitrep): one libpython, the configured python
    if r_error:
        print(f"  R: {r_error}", file=out)
    verdict = "yes" if same else "NO"
    print(f"  {'graphviz':15} {graphviz_version() or 'missing: diagrams and handouts need it (Debian: graphviz)'}",
          file=out)
    print(f"  same interpreter in R and Python: {verdict}", file=out)
    if py["libpython"] is None:
        print("  note: this Python links libpython statically; R embedded in it (rpy2) cannot load "
              "reticulate's libpython. Use an interpreter that links libpython3.x.so (see tools/setup.sh).",
              file=out)
    return same
