"""R embedded in this Python process through rpy2, as the harness and the benchmarks use it.

R's reticulate finds the interpreter that is already running, so R and Python share one Python,
one Keras and one TensorFlow.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from typing import Any

from twinnet.ipython import evalr

# rpy2 lets go of Python's lock (the GIL) in its calls into R. reticulate 1.28 takes it in its own calls,
# but not in the finalizers that R's garbage collector runs on Python objects: one run without it aborts
# the process ("PyThreadState_Get: ... the GIL is released"). R runs finalizers only where it evaluates
# (and in gc()), never where rpy2 merely allocates; so all R code here is parsed and evaluated by
# twinnet.ipython's evalr(), which calls R through ctypes and keeps the lock throughout (as a notebook's
# %%R cells do), and nothing here has rpy2 evaluate R once Python's objects exist (its parse() and its
# ListVector of a dict would). R then collects its garbage when it decides, as it does on its own,
# finalizers included; release() collects it at the end of a test that held models. (Before, every call
# took the lock in R and collected R's garbage in full before it let go: 0.16-0.2 s a call, with Matrix,
# which reticulate loads, in R's heap.)


def json_text(expr: str) -> str:
    """R code that writes the value of R expression expr as JSON text, as the harness compares values."""
    return f'jsonlite::toJSON({expr}, auto_unbox = TRUE, null = "null", digits = NA)'


class RSessionUnavailable(RuntimeError):
    """R, rpy2 or the R package cannot be started in this process."""


class R:
    """A thin handle on the embedded R session."""

    def __init__(self, robjects: Any, rinterface: Any):
        self.ro, self.ri = robjects, rinterface

    def __call__(self, code: str) -> Any:
        """Run R code in R's global environment, Python's lock held: its value as rpy2's ``robjects.r`` gives
        it (None where R would not print it, as after an assignment; rpy2's objects hold R's values until
        Python's cyclic collector frees them), and R's warnings printed after it."""
        value, visible = evalr(code, self.ri.globalenv)
        evalr(".Internal(printDeferredWarnings())", self.ri.globalenv)
        return self.ro.conversion.get_conversion().rpy2py(value) if visible[0] else None

    def release(self, handoff: Any) -> None:
        """Empty the handoff module and R's global environment, collect R's garbage (finalizers included:
        the Python objects that R let go of), then free Keras's and Python's memory: the largest networks
        hold a gigabyte each, and the next model needs the room."""
        import gc

        import keras

        for name in [n for n in vars(handoff) if not n.startswith("__")]:
            delattr(handoff, name)
        self("rm(list = ls(globalenv()), envir = globalenv()); invisible(gc())")
        keras.backend.clear_session()
        gc.collect()

    def assign(self, name: str, value: Any) -> None:
        self.ro.globalenv[name] = value

    def json(self, expr: str) -> Any:
        """The value of R expression expr, written by R as JSON (json_text()) and read by Python."""
        return json.loads(self(json_text(expr))[0])

    def spec_error(self, expr: str, message: bool = False) -> tuple[str, ...] | None:
        """(path, kind) of the twinnet_spec_error that expr signals, or None; with message, (path, kind, message).

        The message is the whole of it, conditionMessage(e), which is Python's str() of the SpecError:
        "at <path>: <message>; <hint>". The one hint that differs by design, how to raise a limit
        (options(twinnet.max_layers = ...) in R, twinnet.set_limits(max_layers=...) in Python), is
        written as Python writes it.
        """
        res = self(f"tryCatch({{ {expr}; NULL }}, twinnet_spec_error = {_on_spec_error()})")
        if res is self.ro.NULL or len(res) == 0:
            return None
        error = _as_python_error([str(v) for v in res])
        return error if message else error[:2]

    def outcomes(self, exprs: list[str]) -> list[tuple[str, ...]]:
        """What each R expression gives, in one call into R: ("value", its value as one string), or
        ("error", path, kind, message) where it signals a twinnet_spec_error (the message as spec_error()
        gives it)."""
        items = ", ".join(f"tryCatch(one({expr}), twinnet_spec_error = on_error)" for expr in exprs)
        res = self(f"""local({{
          on_error <- {_on_spec_error()}
          one <- function(x) {{ x <- as.character(x); stopifnot(length(x) == 1L); c("value", x) }}
          list({items})
        }})""")
        got: list[tuple[str, ...]] = []
        for item in res:
            values = [str(v) for v in item]
            got.append(("value", values[1]) if values[0] == "value" else ("error", *_as_python_error(values)))
        return got


def _on_spec_error() -> str:
    """An R handler of a twinnet_spec_error: c("error", path, kind, message, the limit its hint says how to
    raise or "", hint)."""
    from twinnet.limits import DEFAULT_LIMITS

    limits = ", ".join(f'"{name}"' for name in DEFAULT_LIMITS)
    return f"""function(e) {{
      limit <- Filter(function(n) identical(e$hint, twinnet:::how_to_raise(n)), c({limits}))
      c("error", e$path, e$kind, conditionMessage(e), c(limit, "")[[1L]], if (is.null(e$hint)) "" else e$hint)
    }}"""


def _as_python_error(values: list[str]) -> tuple[str, str, str]:
    """(path, kind, message) from what _on_spec_error() gives, the hint on raising a limit as Python writes it."""
    from twinnet.limits import HOW_TO_RAISE

    _, path, kind, text, limit, hint = values
    if limit:
        assert text.endswith(f"; {hint}"), text
        text = text[:len(text) - len(hint)] + HOW_TO_RAISE.format(name=limit)
    return (path, kind, text)


_SESSION: R | None = None


def start_r() -> R:
    """The embedded R session with twinnet loaded (started once per process)."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    os.environ.setdefault("RETICULATE_PYTHON", sys.executable)
    try:
        import rpy2.rinterface as ri
        import rpy2.robjects as ro
        from rpy2.rinterface_lib import callbacks
    except Exception as e:
        raise RSessionUnavailable(f"rpy2 cannot start R ({type(e).__name__}: {e})") from None
    # At exit, rpy2 would end R, which runs reticulate's finalizers without the GIL and aborts
    # the process ("Fatal Python error: PyThreadState_Get"). The OS reclaims R instead.
    atexit.unregister(ri.endr)
    callbacks.consolewrite_warnerror = lambda s: sys.stderr.write(s)
    handle = R(ro, ri)
    try:
        handle("suppressPackageStartupMessages(library(twinnet))")
    except Exception as e:
        raise RSessionUnavailable(f"the R package twinnet does not load ({e})") from None
    same = handle('normalizePath(reticulate::import("sys")$executable)')[0]
    if os.path.realpath(same) != os.path.realpath(sys.executable):
        raise RSessionUnavailable(f"R reached another Python ({same})")
    _SESSION = handle
    return handle
