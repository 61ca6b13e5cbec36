"""The lecture's worked examples: the output-size rule, and each example's numbers beside the model's.

Each worked example is a catalog spec with fixed weights (``example_<name>``) and a file
``specs/examples/<name>.json`` (a copy of ``shared_specs/examples/``) that holds the input and the
expected output: the lecture's own numbers, or, where the lecture gives equations but no numbers
(``"expected_from": "equations"``), the equations evaluated by hand.  R's ``run_examples()`` reads the
same files.

A cost example (``specs/examples/cost/<name>.json``) puts a number the lecture gives beside what
:func:`twinnet.cost` counts: ``counts`` names, per value of ``expected``, a spec, its layers and the count
(``"connections"``, ``"macs"``, ...) summed over them. It needs no Keras.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import suggest
from .registry import SPECS_DIR

__all__ = ["ExampleRow", "conv_output_size", "cost_example_names", "example_names", "format_examples", "load_example",
           "run_examples"]

EXAMPLES_DIR = SPECS_DIR / "examples"
COST_EXAMPLES_DIR = EXAMPLES_DIR / "cost"


def _count(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not a bool")
    n = operator.index(value)  # ints and NumPy integers; 3.0 is refused
    if n < low:
        raise ValueError(f"{name} must be >= {low}, found {n}")
    return n


def conv_output_size(n: int, k: int, p: int = 0, s: int = 1, padding: str = "valid") -> int:
    """The length of a convolution's or a pooling's output along one axis.

    With ``padding="valid"`` (Keras's default), the lecture's rule ``floor((n - k + 2p) / s) + 1`` for an
    input of length ``n`` padded with ``p`` zeros on each side (a ``ZeroPadding2D`` before the layer), a
    window of ``k`` and a stride of ``s``. With ``padding="same"``, Keras pads so that the output has
    ``ceil(n / s)`` values whatever the window (``k`` is not used and ``p`` must be 0). Pooling follows the
    same rules; Keras's pooling layers move by their window (``s = k``) unless ``strides`` says otherwise.

    >>> conv_output_size(6, 3)               # the Sobel example: a 6x6 image, a 3x3 kernel -> 4x4
    4
    >>> conv_output_size(3, 2, p=1, s=3)     # padded by 1, stride 3
    2
    >>> conv_output_size(32, 3, s=2, padding="same")
    16

    Raises:
        ValueError: for a window larger than the padded input, or ``p`` > 0 with ``padding="same"``.
    """
    n, k, p, s = _count(n, "n", 1), _count(k, "k", 1), _count(p, "p", 0), _count(s, "s", 1)
    if padding == "same":
        if p:
            raise ValueError('with padding="same" Keras chooses the padding itself: leave p at 0')
        return -(-n // s)
    if padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", found {padding!r}')
    if n + 2 * p < k:
        raise ValueError(f"the window (k = {k}) is larger than the padded input (n + 2p = {n + 2 * p})")
    return (n - k + 2 * p) // s + 1


def example_names() -> list[str]:
    """The worked examples, sorted; ``example_<name>`` is the catalog spec of each."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))


def cost_example_names() -> list[str]:
    """The cost examples, sorted: numbers of the lecture that :func:`twinnet.cost` counts."""
    return sorted(p.stem for p in COST_EXAMPLES_DIR.glob("*.json"))


def load_example(name: str) -> dict[str, Any]:
    """One example file: ``spec``, ``lecture``, ``input`` and ``expected`` (and, for some, ``train``).

    ``expected`` is a nested list (the batch axis included) for a model with one output, or an object
    of them keyed by output name; ``null`` marks a value the lecture does not give. A cost example
    (:func:`cost_example_names`) has ``what``, ``expected`` and ``counts`` instead of ``input``.
    """
    path = EXAMPLES_DIR / f"{name}.json"
    if not path.is_file():
        path = COST_EXAMPLES_DIR / f"{name}.json"
    if not path.is_file():
        hint = suggest(name, example_names() + cost_example_names())
        raise ValueError(f"'{name}' is not a worked example (see example_names())" + (f"; {hint}" if hint else ""))
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@dataclass(frozen=True)
class ExampleRow:
    """One comparison: an output (or, after a training step, a loss or a weight) of one example."""

    example: str
    title: str
    what: str
    expected_from: str  # "lecture": the lecture's numbers; "equations": its equations evaluated by hand
    expected: Any  # a float64 array, NaN where the lecture gives no number
    model: Any  # what the Keras model gives, as a float64 array
    tolerance: float  # 0: exactly equal
    difference: float  # the largest absolute difference over the values given
    agrees: bool


def _row(example: str, title: str, what: str, doc: dict[str, Any], expected: Any, model: Any) -> ExampleRow:
    import numpy as np

    want = np.array(expected, dtype="float64")  # null -> NaN
    have = np.asarray(model, dtype="float64")
    tolerance = float(doc.get("tolerance", 0))
    if want.shape != have.shape:
        difference = float("inf")
    else:
        given = ~np.isnan(want)
        gaps = np.abs(have[given] - want[given])
        difference = float(gaps.max()) if gaps.size else 0.0
    return ExampleRow(example, title, what, doc.get("expected_from", "lecture"), want, have, tolerance,
                      difference, bool(difference <= tolerance))  # NaN from the model never agrees


def _train_rows(name: str, title: str, doc: dict[str, Any], model: Any, settings: dict[str, Any],
                x: Any) -> list[ExampleRow]:
    """One step of the spec's optimizer on (input, target): the loss, then each weight after the step."""
    import numpy as np

    from .build import compile_model

    train = doc["train"]
    compile_model(model, settings)
    loss = model.train_on_batch(x, np.asarray(train["target"], dtype="float32"))
    rows = [_row(name, title, f"loss ({settings['loss']}) before the step", doc, train["loss"], loss)]
    for layer_name, arrays in train["weights"].items():
        layer = model.get_layer(layer_name)
        for variable, want, have in zip(layer.weights, arrays, layer.get_weights(), strict=True):
            rows.append(_row(name, title, f"'{layer_name}' {variable.name} after one {settings['optimizer']} step",
                             doc, want, have))
    return rows


def _cost_rows(name: str, doc: dict[str, Any]) -> list[ExampleRow]:
    """A cost example: the lecture's numbers beside the counts of :func:`twinnet.cost`, one row."""
    from .cost import Cost, cost
    from .spec import load_spec

    tables: dict[str, Cost] = {}
    have = []
    for count in doc["counts"]:
        table = tables.setdefault(count["spec"], cost(count["spec"]))
        have.append(sum(getattr(table.row(layer), count["count"]) for layer in count["layers"]))
    return [_row(name, load_spec(doc["spec"]).title, doc["what"], doc, doc["expected"], have)]


def run_examples(names: Iterable[str] | None = None) -> list[ExampleRow]:
    """Build each worked example's model, run it on the example's input, and compare with the expected numbers.

    Args:
        names: example names (see :func:`example_names` and :func:`cost_example_names`); all of them by default.

    Returns:
        One :class:`ExampleRow` per output, and for an example with a ``train`` block (forward and backward
        propagation) one for the loss and one per weight after a training step; one per cost example (the
        lecture's counts beside :func:`twinnet.cost`'s).
    """
    names = example_names() + cost_example_names() if names is None else list(names)
    docs = [load_example(name) for name in names]  # an unknown name is refused before Keras loads
    from .quiet import import_tensorflow_quietly

    import_tensorflow_quietly()  # TensorFlow's start-up noise dropped (where it is the backend, not yet loaded)
    import keras
    import numpy as np

    from .build import build_model
    from .expand import expand
    from .spec import load_spec

    rows: list[ExampleRow] = []
    for name, doc in zip(names, docs, strict=True):
        if name in cost_example_names():
            rows.extend(_cost_rows(name, doc))
            continue
        spec = load_spec(doc["spec"])
        outputs = expand(spec)["outputs"]
        model = build_model(spec)
        x = np.asarray(doc["input"], dtype="float32")
        got = model(x, training=False)  # not predict(): no tf.function to trace for each small model
        got = [keras.ops.convert_to_numpy(y) for y in (got if isinstance(got, list | tuple) else [got])]
        expected = doc["expected"] if isinstance(doc["expected"], dict) else {outputs[0]: doc["expected"]}
        for output, y in zip(outputs, got, strict=True):
            rows.append(_row(name, spec.title, f"output '{output}'", doc, expected[output], y))
        if "train" in doc:
            rows.extend(_train_rows(name, spec.title, doc, model, spec.data["compile"], x))
    return rows


def _number(v: float) -> str:
    if v != v:  # NaN: a value the lecture does not give
        return "?"
    return f"{v + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0


def _lines(a: Any) -> list[str]:
    """An array without its length-1 axes, one line per row."""
    import numpy as np

    a = np.squeeze(np.asarray(a, dtype="float64"))
    if a.ndim == 0:
        return [_number(float(a))]
    rows = a.reshape(-1, a.shape[-1])
    return ["[" + ", ".join(_number(float(v)) for v in row) + "]" for row in rows]


def _verdict(row: ExampleRow) -> str:
    if not row.agrees:
        return f"DIFFERENT (largest difference {row.difference:.3g})"
    if row.tolerance == 0:
        return "equal, exactly"
    return f"equal within {row.tolerance:g} (largest difference {row.difference:.2g})"


def format_examples(rows: list[ExampleRow]) -> str:
    """The rows of :func:`run_examples` as text: per example, the expected numbers beside the model's."""
    out: list[str] = []
    names: list[str] = []
    for row in rows:
        if row.example not in names:
            names.append(row.example)
            if out:
                out.append("")
            doc = load_example(row.example)
            out += [f"{row.title} [{row.example}]", f"  lecture: {doc['lecture']}"]
            if "note" in doc:
                out.append(f"  note: {doc['note']}")
        left = "the lecture" if row.expected_from == "lecture" else "by hand"
        want, have = _lines(row.expected), _lines(row.model)
        width = max(len(s) for s in [left, *want])
        out.append(f"  {row.what}: {_verdict(row)}")
        out.append(f"    {left.ljust(width)}   the model")
        for i in range(max(len(want), len(have))):
            a = want[i] if i < len(want) else ""
            b = have[i] if i < len(have) else ""
            out.append(f"    {a.ljust(width)}   {b}".rstrip())
    bad = sum(not r.agrees for r in rows)
    out += ["", f"{len(names)} worked examples, {len(rows)} comparisons: "
            + ("all equal" if not bad else f"{bad} DIFFERENT")]
    return "\n".join(out)
