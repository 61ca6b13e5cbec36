"""``%load_ext twinnet.ipython``: rpy2's ``%%R`` cells that can use twinnet's R package in a notebook.

A notebook's ``%%R`` cells (rpy2's IPython extension) run R inside the Python kernel, and R's twinnet
reaches Keras through reticulate, in the same Python. rpy2 lets go of Python's lock (the GIL) while R
runs; reticulate takes it back for its own calls, but Debian's reticulate 1.28 frees Python objects
in R's garbage collector without it, and the kernel dies ("Fatal Python error: PyThreadState_Get").
This extension loads rpy2's and makes each ``%%R`` cell run with the lock held: the cell's R code is
evaluated through ``R_tryEval`` called by ``ctypes`` (which keeps the lock, where rpy2's ``cffi``
calls let it go), then R's garbage is collected before the lock is given back, so that no Python
object is freed without it later (rpy2 itself evaluates R around a cell: parsing it, say). The
cross-language tests parse and evaluate all their R code with the lock held (``evalr()``,
tests/cross/rsession.py) and so can leave R's garbage to R's own collections. With a reticulate that
takes the lock itself this changes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
from collections.abc import Callable, Iterator
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


_BASE: dict[str, Any] = {}


def _base(name: str) -> Any:
    """The R function ``name`` of R's base environment. rpy2 evaluates what it finds there (a promise,
    until R has forced it) with the lock let go, and R may run finalizers in any evaluation: so all of
    them are looked up at the first call, before R holds any of Python's objects."""
    if not _BASE:
        import rpy2.rinterface as ri

        _BASE.update({n: ri.baseenv[n] for n in ("eval", "withVisible", "str2expression", "geterrmessage")})
    return _BASE[name]


def _address(cdata: Any) -> int:
    from rpy2.rinterface_lib import openrlib

    return int(openrlib.ffi.cast("uintptr_t", cdata))


def evalr_expr_with_visible(expr: Any, envir: Any = None, collect: bool = True) -> Any:
    """rpy2's ``rinterface.evalr_expr_with_visible``, run with Python's lock held throughout.

    Evaluates ``withVisible(eval(expr))`` in ``envir`` (rpy2's evaluation context by default); with
    ``collect``, R's garbage is then collected and the finalizers it found are run, before the lock is let
    go. An error raises rpy2's ``RRuntimeError`` with R's message.
    """
    from rpy2.rinterface_lib import openrlib

    return _with_visible(lambda rmemory: rmemory.protect(
        openrlib.rlib.Rf_lang2(_base("eval").__sexp__._cdata, expr.__sexp__._cdata)), envir, collect)


def evalr(text: str, envir: Any = None, collect: bool = False) -> Any:
    """R code ``text``, parsed and evaluated in ``envir`` with Python's lock held throughout (parsing too:
    rpy2's ``parse()`` evaluates R with the lock let go); ``withVisible()``'s list of its value.

    R runs finalizers only where it evaluates (and in ``gc()``), not where rpy2 merely allocates: code
    whose every evaluation of R goes through here or ``evalr_expr_with_visible()`` may leave R's garbage
    to R's next collection (``collect=False``), as R itself does.
    """
    import rpy2.rinterface as ri
    from rpy2.rinterface_lib import openrlib

    rlib = openrlib.rlib

    def call(rmemory: Any) -> Any:
        source = ri.StrSexpVector([text])
        parsed = rmemory.protect(rlib.Rf_lang2(_base("str2expression").__sexp__._cdata, source.__sexp__._cdata))
        return rmemory.protect(rlib.Rf_lang2(_base("eval").__sexp__._cdata, parsed))

    return _with_visible(call, envir, collect)


def _with_visible(build: Callable[[Any], Any], envir: Any, collect: bool) -> Any:
    """``withVisible(<the call that build(rmemory) makes>)`` evaluated in ``envir`` by ``R_tryEval``, called
    through ctypes: Python's lock is held throughout, R's message read with it held too if R fails."""
    import rpy2.rinterface as ri
    from rpy2.rinterface_lib import conversion, embedded, memorymanagement, openrlib

    if envir is None:
        envir = ri.evaluation_context.get()
    lib = _libr()
    rlib = openrlib.rlib
    failed = ctypes.c_int(0)
    with memorymanagement.rmemory() as rmemory:
        call = rmemory.protect(rlib.Rf_lang2(_base("withVisible").__sexp__._cdata, build(rmemory)))
        result = lib.R_tryEval(_address(call), _address(envir.__sexp__._cdata), ctypes.byref(failed))
        value = None if failed.value or not result else rmemory.protect(openrlib.ffi.cast("SEXP", result))
        if value is None:
            message = rmemory.protect(rlib.Rf_lang1(_base("geterrmessage").__sexp__._cdata))
            got = lib.R_tryEval(_address(message), _address(ri.baseenv.__sexp__._cdata), ctypes.byref(failed))
            text = rmemory.protect(openrlib.ffi.cast("SEXP", got)) if got else None
            error = str(conversion._cdata_to_rinterface(text)[0]) if text is not None else ""
        if collect:
            lib.R_gc()
            lib.R_RunPendingFinalizers()
        if value is None:
            raise embedded.RRuntimeError(error)
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
