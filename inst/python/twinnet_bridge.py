"""Python functions that R's twinnet calls through reticulate, one call for work over many objects.

R's twinnet does not import Python's twinnet package; it loads this file with
``reticulate::import_from_path("twinnet_bridge", system.file("python", package = "twinnet"))``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ConfigHolder", "bind_torch_blas", "build_layers", "c_array", "config_json", "distribution_kind",
           "fit_datasets", "has_safe_mode", "initializer_json", "is_zip", "load_safely", "members", "read_member",
           "runtime_started"]


def build_layers(keras: Any, layers: list[dict[str, Any]]) -> tuple[int | None, str | None, dict[str, Any] | None]:
    """Each layer of an expanded graph (name, type, inputs, config), made and called in order.

    As python/twinnet/build.py does. Returns (None, None, tensors by name), or, where Keras
    refuses a layer, (its 0-based index, str() of the exception, None).
    """
    tensors: dict[str, Any] = {}
    for i, layer in enumerate(layers):
        try:
            config = layer["config"]
            if layer["type"] == "Input":
                tensors[layer["name"]] = keras.Input(shape=tuple(config["shape"]), dtype=config["dtype"],
                                                     name=layer["name"])
                continue
            config = {**config, **{key: make_wrapped(keras, config[key]) for key in layer.get("wrapped", [])}}
            obj = getattr(keras.layers, layer["type"])(name=layer["name"], **config)
            args = [tensors[n] for n in layer["inputs"]]
            tensors[layer["name"]] = obj(args if len(args) > 1 else args[0])
        except Exception as e:
            return i, str(e), None
    return None, None, tensors


def bind_torch_blas() -> bool:
    """Load PyTorch's CPU library so that its own BLAS serves its matrix products, before torch is imported.

    PyTorch's ``libtorch_cpu.so`` carries a BLAS and exports its symbols (``sgemm_`` ...). R links the
    system's BLAS (``libblas.so.3``), loaded before Python starts, and the dynamic linker binds a library's
    calls to the first definition it loaded: in R, PyTorch would multiply matrices with R's BLAS and round
    differently from PyTorch in Python. Loaded with ``RTLD_DEEPBIND``, the library binds its calls to its own
    symbols first; ``import torch`` then finds it loaded. Linux only (elsewhere each library keeps its own
    symbols). Returns whether it loaded the library (False: not Linux, torch already imported or absent).
    """
    import importlib.util
    import os
    import sys

    if not sys.platform.startswith("linux") or "torch" in sys.modules:
        return False
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        return False
    import ctypes
    from pathlib import Path

    library = Path(spec.origin).parent / "lib" / "libtorch_cpu.so"
    if not library.is_file():
        return False
    ctypes.CDLL(str(library), mode=os.RTLD_NOW | os.RTLD_DEEPBIND)
    return True


def make_wrapped(keras: Any, inner: dict[str, Any]) -> Any:
    """A wrapper's layer ({"type", "name", "config"}), made just before its wrapper, as build.py makes it:
    a layer may draw a seed when it is made, so the order of making is that of Python's build."""
    return getattr(keras.layers, inner["type"])(name=inner["name"], **inner["config"])


def c_array(a: Any, dtype: Any) -> Any:
    """A C-ordered copy of ``a`` (as dtype, or as its own dtype for None), as ``a.astype(dtype, order='C')``.

    Faster for the arrays reticulate makes of R arrays: those are in Fortran order (the samples
    axis varies fastest), and NumPy's copy then reads memory far apart for every value. Here the
    samples axis is first swapped with the others block by block (each block read where it
    lies), then each sample's axes are put in order (one sample at a time is close together).
    """
    import numpy as np

    dtype = np.dtype(a.dtype if dtype is None else dtype)
    if a.ndim < 3 or a.size == 0 or not a.flags.f_contiguous or a.flags.c_contiguous:
        return a.astype(dtype, order="C", copy=False)
    n = a.shape[0]
    rest = a.shape[1:]
    m = a.size // n
    flat = a.T.reshape(m, n)  # no copy: row (i_k, ..., i_1), column the sample
    swapped = np.empty((n, m), dtype=dtype)
    for i in range(0, m, 1024):
        swapped[:, i:i + 1024] = flat[i:i + 1024].T
    axes = (0, *range(len(rest), 0, -1))
    return np.ascontiguousarray(swapped.reshape((n, *rest[::-1])).transpose(axes))


def config_json(model: Any) -> str:
    """The model's configuration as JSON text (values JSON cannot hold as their repr())."""
    return json.dumps(model.get_config(), default=repr)


def initializer_json(name: str) -> str | None:
    """Keras's serialization of the initializer called ``name``, as JSON text; None if Keras cannot make it."""
    import keras

    try:
        return json.dumps(keras.initializers.serialize(keras.initializers.get(name)))
    except (KeyError, ValueError, TypeError):
        return None


# -- .keras files (R/persist.R): each returns what went wrong instead of raising -------------------

def is_zip(path: str) -> bool:
    import zipfile

    return bool(zipfile.is_zipfile(path))


def members(path: str) -> tuple[list[list[Any]] | None, str | None]:
    """The archive's members as [name, size, compressed size], as Keras's zipfile reads them."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return [[i.filename, float(i.file_size), float(i.compress_size)] for i in z.infolist()], None
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"


def read_member(path: str, name: str, limit: float) -> tuple[bytearray | None, str | None]:
    """At most limit + 1 bytes of a member (one more than allowed tells that it is too large)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z, z.open(name) as f:
            return bytearray(f.read(int(limit) + 1)), None
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"


class ConfigHolder:
    """What from_keras() reads of a model whose config.json has been read, not loaded."""

    name = "imported"

    def __init__(self, text: str):
        self._config = json.loads(text)["config"]

    def get_config(self) -> Any:
        return self._config


def has_safe_mode(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module).SafeModeScope  # noqa: B018 (looked up, not used)
    except (ImportError, AttributeError):
        return False
    return True


def load_safely(path: str, module: str, auto_jit_compile: bool = False) -> list[Any]:
    """[model, None, None], or [None, the exception's class name, its message]: Keras's load in safe mode.

    ``auto_jit_compile`` (the file has a compile configuration): the model gets, and its compile
    configuration records, the jit_compile that Keras's "auto" gives it on this backend, not the one the
    file carries (python/twinnet/persist.py's use_auto_jit_compile(), which says why).
    """
    import importlib

    import keras

    scope = importlib.import_module(module).SafeModeScope
    try:
        with scope(True):
            model = keras.models.load_model(path, safe_mode=True)
    except Exception as e:
        return [None, type(e).__name__, str(e)]
    resolve = getattr(model, "_resolve_auto_jit_compile", None)
    if auto_jit_compile and getattr(model, "compiled", False) and resolve is not None:
        model.jit_compile = bool(resolve())
        recorded = getattr(getattr(model, "_compile_config", None), "config", None)
        if isinstance(recorded, dict) and "jit_compile" in recorded:
            recorded["jit_compile"] = model.jit_compile
    return [model, None, None]


# -- training beyond one device (R/distribute.R; python/twinnet/distribute.py does the same) ---------

def distribution_kind(value: Any) -> str | None:
    """"tensorflow" for a tf.distribute.Strategy, "jax" for a keras.distribution.Distribution, else None."""
    for cls in type(value).__mro__:
        if cls.__name__ == "Distribution" and cls.__module__.startswith("keras."):
            return "jax"
        if cls.__name__ in ("Strategy", "StrategyV2") and cls.__module__.startswith("tensorflow."):
            return "tensorflow"
    return None


def runtime_started(backend: str) -> bool:
    """Whether the backend's runtime has started, after which its devices are fixed (without starting it)."""
    if backend == "tensorflow":
        from tensorflow.python.eager import context

        return bool(context.context()._initialized)
    from jax._src import xla_bridge

    return bool(xla_bridge.backends_are_initialized())


def fit_datasets(x: Any, y: Any, validation: Any, train: int, batch_size: int, shuffle: bool,
                 seed: int) -> tuple[Any, Any]:
    """The first ``train`` samples as a tf.data dataset of global batches, shuffled with ``seed`` when asked (so
    that every process draws the same order), and the validation pair (or the samples after ``train``, where
    ``validation`` is None and ``train`` leaves some) as another, or None (distribute.py's prepare_fit())."""
    import numpy as np
    import tensorflow as tf

    x, y, train = np.asarray(x), np.asarray(y), int(train)
    if validation is None and train < len(x):
        validation = (x[train:], y[train:])
    data = tf.data.Dataset.from_tensor_slices((x[:train], y[:train]))
    if shuffle:
        data = data.shuffle(train, seed=int(seed), reshuffle_each_iteration=True)
    val = None
    if validation is not None:
        val = tf.data.Dataset.from_tensor_slices(tuple(np.asarray(v) for v in validation)).batch(int(batch_size))
    return data.batch(int(batch_size)), val
