"""``%load_ext twinnet.ipython``: rpy2's ``%%R`` cells that can use twinnet's R package in a notebook.

A notebook's ``%%R`` cells (rpy2's IPython extension) run R inside the Python kernel, and R's twinnet
reaches Keras through reticulate, in the same Python. rpy2 lets go of Python's lock (the GIL) while R
runs; reticulate takes it back for its own calls, but Debian's reticulate 1.28 frees Python objects
in R's garbage collector without it, and the kernel dies ("Fatal Python error: PyThreadState_Get").
This extension loads rpy2's and makes each ``%%R`` cell run with the lock held: the cell's R code is
evaluated through ``R_tryEval`` called by ``ctypes`` (which keeps the lock, where rpy2's ``cffi``
calls let it go), then R's garbage is collected before the lock is given back, so that no Python
object is freed without it later. The cross-language tests hold the lock in the same way
(tests/cross/rsession.py). With a reticulate that takes the lock itself this changes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["load_ipython_extension"]

_LIBR: ctypes.PyDLL | None = None


def _libr() -> ctypes.PyDLL:
    """R's shared library, opened so that its calls keep Python's lock (``ctypes.PyDLL``)."""
    global _LIBR
    if _LIBR is None:
        from rpy2 import situation

        home = situation.get_r_home()
        if home is None:
            raise RuntimeError("rpy2 found no R_HOME")
        lib = ctypes.PyDLL(situation.get_rlib_path(home, platform.system()))
        lib.R_tryEval.restype = ctypes.c_void_p
        lib.R_tryEval.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
        lib.R_gc.restype = None
        lib.R_gc.argtypes = []
        lib.R_RunPendingFinalizers.restype = None
        lib.R_RunPendingFinalizers.argtypes = []
        _LIBR = lib
    return _LIBR


def _address(cdata: Any) -> int:
    from rpy2.rinterface_lib import openrlib

    return int(openrlib.ffi.cast("uintptr_t", cdata))


def evalr_expr_with_visible(expr: Any, envir: Any = None) -> Any:
    """rpy2's ``rinterface.evalr_expr_with_visible``, run with Python's lock held throughout.

    Evaluates ``withVisible(eval(expr))`` in ``envir`` (rpy2's evaluation context by default), then
    collects R's garbage and runs the finalizers it found, all before the lock is let go.
    """
    import rpy2.rinterface as ri
    from rpy2.rinterface_lib import _rinterface_capi, conversion, embedded, memorymanagement, openrlib

    if envir is None:
        envir = ri.evaluation_context.get()
    lib = _libr()
    rlib = openrlib.rlib
    failed = ctypes.c_int(0)
    with memorymanagement.rmemory() as rmemory:
        nested = rmemory.protect(rlib.Rf_lang2(ri.baseenv["eval"].__sexp__._cdata, expr.__sexp__._cdata))
        call = rmemory.protect(rlib.Rf_lang2(ri.baseenv["withVisible"].__sexp__._cdata, nested))
        result = lib.R_tryEval(_address(call), _address(envir.__sexp__._cdata), ctypes.byref(failed))
        value = rmemory.protect(openrlib.ffi.cast("SEXP", result or 0)) if not failed.value else None
        lib.R_gc()
        lib.R_RunPendingFinalizers()
        if failed.value or value is None:
            raise embedded.RRuntimeError(_rinterface_capi._geterrmessage())
        return conversion._cdata_to_rinterface(value)


@contextlib.contextmanager
def _holding_the_lock() -> Iterator[None]:
    import rpy2.rinterface as ri

    original = ri.evalr_expr_with_visible
    ri.evalr_expr_with_visible = evalr_expr_with_visible
    try:
        yield
    finally:
        ri.evalr_expr_with_visible = original


def load_ipython_extension(ipython: Any) -> None:
    """Load rpy2's IPython extension (``%%R``) and make its cells run R with Python's lock held.

    Also points R's reticulate at this kernel's Python (``RETICULATE_PYTHON``, unless it is set).
    """
    os.environ.setdefault("RETICULATE_PYTHON", sys.executable)
    import rpy2.rinterface as ri

    ipython.extension_manager.load_extension("rpy2.ipython")
    magics = ipython.magics_manager.registry["RMagics"]
    if getattr(magics, "_twinnet_holds_the_lock", False):
        return
    evaluate = magics.eval

    def eval_holding_the_lock(code: str) -> Any:
        with _holding_the_lock():
            return evaluate(code)

    magics.eval = eval_holding_the_lock
    magics._twinnet_holds_the_lock = True
    # rpy2 prints a warning when reticulate loads (an old segfault of reticulate with rpy2): here the
    # lock is held, so the hook that prints it goes.
    ri.baseenv["setHook"](ri.baseenv["packageEvent"]("reticulate", "onLoad"), ri.NULL, "replace")
