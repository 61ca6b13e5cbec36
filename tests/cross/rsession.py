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

from twinnet.doctor import mapped_libpython

# rpy2 releases the GIL while R runs. reticulate 1.28 takes it in its own calls, but not in the
# finalizers that R's garbage collector runs on Python objects: a collection in the middle of an
# R call then aborts the process ("PyThreadState_Get: ... the GIL is released"). So every R call
# here holds the GIL from start to end, and a call that may leave Python objects behind collects
# R's garbage before it gives the GIL back: no finalizer of a Python object is then pending when
# rpy2 itself allocates (and may collect) outside these calls. That full collection takes about
# 0.16 s once Keras is loaded; code that runs only R (twinnet reads, checks, expands and writes
# specs in R) leaves no Python object behind and skips it (python=False).
GIL_WRAP = """{{
  invisible(.C("PyGILState_Ensure"))
  tryCatch({{
{code}
  }}, finally = {{ {collect}invisible(.C("PyEval_SaveThread")) }})
}}"""


def json_text(expr: str) -> str:
    """R code that writes the value of R expression expr as JSON text, as the harness compares values."""
    return f'jsonlite::toJSON({expr}, auto_unbox = TRUE, null = "null", digits = NA)'


class RSessionUnavailable(RuntimeError):
    """R, rpy2 or the R package cannot be started in this process."""


class R:
    """A thin handle on the embedded R session."""

    def __init__(self, robjects: Any):
        self.ro = robjects

    def __call__(self, code: str, python: bool = True) -> Any:
        """Run R code; ``python=False`` promises that it creates no Python object (no collection after it)."""
        return self.ro.r(GIL_WRAP.format(code=code, collect="gc(); " if python else ""))

    def release(self, handoff: Any) -> None:
        """Empty the handoff module and R's global environment, then free Keras's and Python's memory:
        the largest networks hold a gigabyte each, and the next model needs the room. A test whose last
        call into R emptied R's global environment itself (``rm(list = ls())``, before that call's
        collection) saves the call that empties it here, and its collection (0.2 s)."""
        import gc

        import keras

        for name in [n for n in vars(handoff) if not n.startswith("__")]:
            delattr(handoff, name)
        if self("length(ls(globalenv()))", python=False)[0]:
            self("rm(list = ls(globalenv()), envir = globalenv())")
        keras.backend.clear_session()
        gc.collect()

    def assign(self, name: str, value: Any) -> None:
        self.ro.globalenv[name] = value

    def json(self, expr: str, python: bool = True) -> Any:
        """The value of R expression expr, written by R as JSON (json_text()) and read by Python."""
        return json.loads(self(json_text(expr), python)[0])

    def spec_error(self, expr: str, message: bool = False, python: bool = True) -> tuple[str, ...] | None:
        """(path, kind) of the twinnet_spec_error that expr signals, or None; with message, (path, kind, message).

        The message is the whole of it, conditionMessage(e), which is Python's str() of the SpecError:
        "at <path>: <message>; <hint>". The one hint that differs by design, how to raise a limit
        (options(twinnet.max_layers = ...) in R, twinnet.set_limits(max_layers=...) in Python), is
        written as Python writes it.
        """
        res = self(f"tryCatch({{ {expr}; NULL }}, twinnet_spec_error = {_on_spec_error()})", python)
        if res is self.ro.NULL or len(res) == 0:
            return None
        error = _as_python_error([str(v) for v in res])
        return error if message else error[:2]

    def outcomes(self, exprs: list[str], python: bool = True) -> list[tuple[str, ...]]:
        """What each R expression gives, in one call into R: ("value", its value as one string), or
        ("error", path, kind, message) where it signals a twinnet_spec_error (the message as spec_error()
        gives it)."""
        items = ", ".join(f"tryCatch(one({expr}), twinnet_spec_error = on_error)" for expr in exprs)
        res = self(f"""local({{
          on_error <- {_on_spec_error()}
          one <- function(x) {{ x <- as.character(x); stopifnot(length(x) == 1L); c("value", x) }}
          list({items})
        }})""", python)
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
    libpython = mapped_libpython()
    if len(libpython) != 1:
        raise RSessionUnavailable(f"this Python maps {len(libpython)} libpython files, R needs exactly one: "
                                  f"{libpython}")
    ro.r(f'invisible(dyn.load("{libpython[0]}"))')  # for the GIL calls of GIL_WRAP
    handle = R(ro)
    try:
        handle("suppressPackageStartupMessages(library(twinnet))")
    except Exception as e:
        raise RSessionUnavailable(f"the R package twinnet does not load ({e})") from None
    same = handle('normalizePath(reticulate::import("sys")$executable)')[0]
    if os.path.realpath(same) != os.path.realpath(sys.executable):
        raise RSessionUnavailable(f"R reached another Python ({same})")
    _SESSION = handle
    return handle
