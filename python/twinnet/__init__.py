"""twinnet: one JSON spec, the same Keras model in R and in Python.

>>> import twinnet
>>> model = twinnet.build_model("lenet5", seed=1)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .build import build_model, compile_model
from .catalog import CatalogEntry, catalog, format_catalog
from .data import DatasetUnavailableError, Split, load_dataset, mnist_sample, mnist_split, pad_digits
from .errors import SpecError
from .expand import expand
from .spec import Spec, load_spec

try:
    __version__ = version("twinnet")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CatalogEntry",
    "DatasetUnavailableError",
    "Spec",
    "SpecError",
    "Split",
    "__version__",
    "build_model",
    "catalog",
    "compile_model",
    "expand",
    "format_catalog",
    "load_dataset",
    "load_spec",
    "mnist_sample",
    "mnist_split",
    "pad_digits",
]
