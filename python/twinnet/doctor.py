"""Diagnostics: which Python, Keras and backend this process uses, and whether R uses the same.

Keras's backend is KERAS_BACKEND's (``KERAS_BACKEND=jax python -m twinnet doctor``), as Keras reads it
when it is first imported; R's ``sitrep()`` reports its own (the option ``twinnet.backend`` first).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["backend_module", "doctor", "format_columns", "graphviz_version", "mapped_libpython", "python_info",
           "r_info", "requested_backend"]


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


def _module_version(name: str) -> str | None:
    """The version of an importable module, or None where it cannot be imported."""
    try:
        module = importlib.import_module(name)
    except Exception:  # any failure to import (missing, broken binary) means it cannot be used
        return None
    return str(getattr(module, "__version__", "") or _version(name) or "?")


def backend_module(backend: str) -> str | None:
    """The Python module of a Keras backend (shared_specs/python.json), None for one without."""
    from .tables import shared

    module: str | None = shared("python.json")["backend_modules"].get(backend)
    return module


def requested_backend() -> tuple[str, str]:
    """The backend Keras loads when it is first imported, and who chose it: KERAS_BACKEND, else Keras's
    default ("default", the backend of ``~/.keras/keras.json`` or TensorFlow)."""
    from .tables import shared

    chosen = os.environ.get("KERAS_BACKEND", "").removesuffix("-cpu").removesuffix("-gpu")
    return (chosen, "KERAS_BACKEND") if chosen else (str(shared("python.json")["default_backend"]), "default")


def python_info() -> dict[str, Any]:
    """This interpreter, and the versions of the modules build_model() needs (None where missing)."""
    libs = mapped_libpython()
    keras_version = _module_version("keras")
    backend = None
    if keras_version is not None:
        import keras

        backend = keras.backend.backend()
    requested, chosen_by = requested_backend()
    expected = backend or requested
    module = backend_module(expected)
    backend_version = _module_version(module) if module else None
    info = {
        "twinnet": _version("twinnet"),
        "python": sys.executable,
        "python_version": sys.version.split()[0],
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "libpython": libs[0] if libs else None,
        "keras": keras_version,
        "backend": backend,
        "backend_version": backend_version,
        "backend_by": chosen_by,
        "tensorflow": backend_version if expected == "tensorflow" else None,
        "numpy": _module_version("numpy"),
        "rpy2": _version("rpy2"),
    }
    wanted = {"keras": keras_version, "numpy": info["numpy"], **({module: backend_version} if module else {})}
    info["missing"] = [m for m, v in wanted.items() if v is None]
    return info


def install_command(missing: list[str]) -> str:
    """The command that installs the missing modules into this interpreter."""
    from .tables import shared

    reqs = shared("python.json")
    system = "Linux" if platform.system() == "Linux" else "other"
    packages = {"keras": "keras>=3.0", "numpy": "numpy"}
    for backend, module in reqs["backend_modules"].items():
        per_os = reqs["backends"].get(backend)
        if per_os and per_os.get(system):
            packages[module] = per_os[system][0]
    return f"{sys.executable} -m pip install " + " ".join(f"'{packages.get(m, m)}'" for m in missing)


def r_info(timeout: float = 300) -> dict[str, Any]:
    """Ask a fresh R process (Rscript) what twinnet::sitrep() sees."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not on PATH: install R (Debian: r-base-core)")
    code = 'cat(jsonlite::toJSON(unclass(twinnet::sitrep(quiet = TRUE)), auto_unbox = TRUE, null = "null"))'
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


def format_columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of text as lines with aligned columns: each column as wide as its widest entry, two spaces
    between columns and none after the last."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def doctor(out: Any = None) -> bool:
    """Print both sides; True when R and Python use the same interpreter and both can build models."""
    out = out or sys.stdout
    # R starts Python and imports Keras (7-8 s) while this process imports TensorFlow, without its start-up
    # noise, and Keras (4-7 s): the report comes in the time of the slower of the two, not of both
    from .quiet import import_tensorflow_quietly

    with ThreadPoolExecutor(max_workers=1) as pool:
        asked = pool.submit(r_info)
        import_tensorflow_quietly()
        py = python_info()
        try:
            r = asked.result()
            r_error = None
        except (RuntimeError, subprocess.SubprocessError, ValueError) as e:
            r, r_error = {}, str(e)
    rows = [("twinnet", "twinnet"), ("python", "python"), ("python version", "python_version"),
            ("sys.prefix", "prefix"), ("libpython", "libpython"), ("keras", "keras"),
            ("backend", "backend"), ("backend version", "backend_version"), ("chosen by", "backend_by"),
            ("numpy", "numpy")]
    print(f"twinnet doctor ({platform.system()} {platform.machine()})", file=out)
    table = [("", "Python", "R (reticulate)")]
    for label, key in rows:
        mine = str(py.get(key))
        theirs = str(r.get(key, "-")).split()[0] if key == "python_version" else str(r.get(key, "-"))
        table.append((label, mine, "same" if theirs == mine else theirs))
    if r:
        table.append(("R", "-", f"{r.get('r_version')} (reticulate {r.get('reticulate')})"))
    for line in format_columns(table):
        print(f"  {line}", file=out)
    same = bool(r) and all(
        os.path.realpath(str(py[k])) == os.path.realpath(str(r.get(k)))
        for k in ("python", "prefix", "libpython")) and py["python_version"] == str(r.get("python_version")).split()[0]
    same = same and r.get("same_interpreter") is True  # R's own check (sitrep): one libpython, the configured python
    ready = same and r.get("ok") is True and not py["missing"]
    if r_error:
        print(f"  R: {r_error}", file=out)
    elif r.get("ok") is not True:
        print(f"  R says: {r.get('verdict')}", file=out)
    if py["missing"]:
        print(f"  Python cannot import {', '.join(py['missing'])}, which build_model() needs; "
              f"install it: {install_command(py['missing'])}", file=out)
    verdict = "yes" if same else "NO"
    checks = [("graphviz", graphviz_version() or "missing: diagrams and handouts need it (Debian: graphviz)"),
              ("same interpreter in R and Python", verdict),
              ("ready to build models in both languages", "yes" if ready else "NO")]
    for line in format_columns(checks):
        print(f"  {line}", file=out)
    if py["libpython"] is None:
        print("  note: this Python links libpython statically; R embedded in it (rpy2) cannot load "
              "reticulate's libpython. Use an interpreter that links libpython3.x.so (see tools/setup.sh).",
              file=out)
    return ready
