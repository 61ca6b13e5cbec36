"""twinnet: one JSON spec, the same Keras model in R and in Python.

>>> import twinnet
>>> model = twinnet.build_model("lenet5", seed=1)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .advice import SpecWarning, spec_warnings
from .build import build_model, compile_model
from .catalog import CatalogEntry, catalog, format_catalog
from .codegen import to_code
from .cost import Cost, CostRow, Memory, cost, format_cost
from .data import DatasetUnavailableError, Split, load_dataset, mnist_sample, mnist_split, pad_digits
from .diagram import GraphvizError, diagram, to_dot
from .distribute import DistributeError, count_replicas, initialize_processes, make_distribution, split_cpu, train_spec
from .errors import SpecError
from .examples import ExampleRow, conv_output_size, example_names, format_examples, load_example, run_examples
from .expand import expand
from .handout import handout
from .importer import from_keras
from .init import portable_weights, set_portable_weights
from .limits import set_limits
from .notebook import notebook
from .persist import ModelFileError, UnsafeModelError, read_model, write_model
from .persist import load_model as load_model  # deprecated: read_model
from .persist import save_model as save_model  # deprecated: write_model
from .plots import plot_history
from .serialize import serialize_model, unserialize_model
from .spec import Spec, load_spec
from .spec_print import summary
from .train import fit_model

try:
    __version__ = version("twinnet")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CatalogEntry",
    "Cost",
    "CostRow",
    "DatasetUnavailableError",
    "DistributeError",
    "ExampleRow",
    "GraphvizError",
    "Memory",
    "ModelFileError",
    "Spec",
    "SpecError",
    "SpecWarning",
    "Split",
    "UnsafeModelError",
    "__version__",
    "build_model",
    "catalog",
    "compile_model",
    "conv_output_size",
    "cost",
    "count_replicas",
    "diagram",
    "example_names",
    "expand",
    "fit_model",
    "format_catalog",
    "format_cost",
    "format_examples",
    "from_keras",
    "handout",
    "initialize_processes",
    "load_dataset",
    "load_example",
    "load_spec",
    "make_distribution",
    "mnist_sample",
    "mnist_split",
    "notebook",
    "pad_digits",
    "plot_history",
    "portable_weights",
    "read_model",
    "run_examples",
    "serialize_model",
    "set_limits",
    "set_portable_weights",
    "spec_warnings",
    "split_cpu",
    "summary",
    "to_code",
    "to_dot",
    "train_spec",
    "unserialize_model",
    "write_model",
]
