"""The lesson: a Jupyter notebook (or R Markdown file) that builds a spec in Python and in R and compares them.

``notebook(spec, file)`` fills the cells of ``shared_specs/lesson/lesson.json``: the spec's layer table and
diagram, the model built in Python and in R (``%%R`` cells through rpy2's IPython extension; in R Markdown,
``python`` chunks through reticulate), their parameter counts and outputs on the same inputs, training on
the bundled MNIST sample where the spec takes it (else on generated data of the right shape), both
learning curves, and the comparison. R's ``notebook()`` writes the same file, byte for byte.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .codegen import quote
from .diagram import check_output_file, html_escape
from .expand import spec_graph
from .formatting import format_count
from .read import catalog_names, catalog_path
from .registry import shared, spec_pattern
from .schema import ecma_pattern
from .spec import Spec, load_spec

__all__ = ["LESSON_FORMATS", "notebook"]

# The lesson's cells, prose and settings, shared with R: shared_specs/lesson/lesson.json.
_LESSON: dict[str, Any] = shared("lesson/lesson.json")
_PLACEHOLDER = ecma_pattern(_LESSON["placeholder"])
# A file's suffix (lower case) -> the lesson's format.
LESSON_FORMATS = {".ipynb": "ipynb", ".rmd": "rmd"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _fill(template: str, values: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            raise KeyError(f"internal error: the lesson has the unknown field {{{{{key}}}}}")
        return values[key]

    return _PLACEHOLDER.sub(value, template)


def markdown_text(text: str) -> str:
    """Text from a spec as one line of Markdown that shows it and does nothing else (R: markdown_text()).

    Line breaks become spaces; &, <, > and " are written as HTML entities, and so is the backtick, so that
    no text of a spec starts code, an R Markdown chunk or inline R code.
    """
    return html_escape(_LINE_BREAK.sub(" ", text)).replace("`", "&#96;")


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except (OSError, ValueError):  # a name the system cannot look up (too long, a NUL in it)
        return False


def _spec_reference(source: Any, spec: Spec) -> str:
    """How the lesson's code loads the spec: its catalog name, or the path of its file, as a string literal
    (R: lesson_spec_reference())."""
    if isinstance(source, Spec):
        if spec.origin == str(catalog_path(spec.name)):
            return quote(spec.name)
        if spec.origin not in ("<dict>", "<list>", "<json>") and _is_file(spec.origin):
            return quote(spec.origin)
    elif isinstance(source, str | os.PathLike):
        text = str(source)
        stripped = text.strip()
        if isinstance(source, str) and spec_pattern("name").match(stripped) and stripped in catalog_names():
            return quote(stripped)
        if not stripped.startswith(("{", "[")) and _is_file(text):
            return quote(text)
    raise ValueError("a lesson loads its spec by catalog name or from a file: write the spec to a .json file and "
                     "give its path")


def _dims(shape: list[Any], unknown: int) -> list[int]:
    return [unknown if d is None else int(d) for d in shape]


def _draw(kind: str, key: str, n: int, shape: list[int], **more: int) -> str:
    table = _LESSON["draws"][kind]
    template = table[key] if key in table else table["*"]
    values = {"n": str(n), "shape": ", ".join(str(d) for d in shape), **{k: str(v) for k, v in more.items()}}
    return _fill(template, values)


def _lesson_values(source: Any, spec: Spec, fmt: str, train: bool, epochs: int) -> tuple[set[str], dict[str, str]]:
    """The flags that pick the lesson's cells and the values of its placeholders (R: lesson_values())."""
    graph = spec_graph(spec)
    data = spec.data
    notes: dict[str, str] = _LESSON["notes"]
    layers = {layer["name"]: layer for layer in graph["layers"]}
    inputs = [layers[name] for name in graph["inputs"]]
    outputs = [layers[name] for name in graph["outputs"]]
    unknown = int(_LESSON["generated"]["unknown_length"])
    in_shape = inputs[0]["output_shape"][1:]
    out_shape = outputs[0]["output_shape"][1:]
    single = len(inputs) == 1 and len(outputs) == 1
    compiled = "compile" in graph
    loss = graph["compile"]["loss"] if compiled else None
    sides = _LESSON["mnist_sides"]
    image = (len(in_shape) == 3 and in_shape[0] == in_shape[1] and in_shape[2] == 1 and in_shape[0] is not None
             and sides["min"] <= in_shape[0] <= sides["max"])
    flat = in_shape == [784]
    mnist = (single and (image or flat) and inputs[0]["config"]["dtype"] == "float32" and out_shape == [10]
             and loss in (None, "sparse_categorical_crossentropy"))
    trainable = single and compiled and isinstance(loss, str)
    trained = train and trainable
    flags = {fmt}
    if trained:
        flags.add("train")
    if mnist:
        flags.update({"mnist", "mnist_image" if image else "mnist_flat"})
    else:
        flags.update({"generated", "generated_train" if trained else "generated_check"})

    def draw_inputs(n: int) -> str:
        drawn = []
        for layer in inputs:
            dims = _dims(layer["output_shape"][1:], unknown)
            if layer["config"]["dtype"].startswith("int"):
                vocab = next((lay["config"]["input_dim"] for lay in graph["layers"]
                              if lay["type"] == "Embedding" and layer["name"] in lay["inputs"]), unknown)
                drawn.append(_draw("inputs", "int", n, dims, vocab=int(vocab)))
            else:
                drawn.append(_draw("inputs", "float", n, dims))
        return drawn[0] if len(drawn) == 1 else "[" + ", ".join(drawn) + "]"

    def draw_targets(n: int) -> str:
        dims = _dims(out_shape, unknown)
        return _draw("targets", str(loss), n, dims, classes=dims[-1] if dims else 1)

    n_train, n_test = int(_LESSON["generated"]["train"]), int(_LESSON["generated"]["test"])
    n_check = int(_LESSON["check_samples"])
    fit = graph.get("fit")
    batch_size = fit["batch_size"] if fit else _LESSON["batch_size"]
    words = notes["inputs_int" if inputs[0]["config"]["dtype"].startswith("int") else "inputs_float"]
    counts = {"n_train": str(n_train), "n_test": str(n_test), "n_check": str(n_check), "inputs": words,
              "epochs": str(epochs), "batch_size": str(batch_size), "shape": "x".join(str(d) for d in in_shape)}
    if mnist:
        data_note = _fill(notes["mnist"], counts)
    else:
        data_note = _fill(notes["generated_train" if trained else "generated_check"], counts)
    if trained:
        train_note = _fill(notes["train"], counts)
    else:
        why = notes["why_train_false" if not train else "why_no_compile" if not compiled else "why_shape"]
        train_note = _fill(notes["no_train"], {"why": why})
    title = _LINE_BREAK.sub(" ", str(data.get("title") or data["name"]))
    heading = _fill(notes["heading"], {"title": title})
    values = {
        "heading": markdown_text(heading),
        # knitr runs inline R code (`r ...`) in the header too: no backtick there
        "heading_quoted": quote(heading).replace("`", "\\u0060"),
        "heading_index": re.sub(r"[{}%\\`]", "", heading),
        "name": str(data["name"]),
        "description": markdown_text(str(data.get("description") or "(no description)")),
        "params": format_count(graph["params"]["total"]),
        "spec": _spec_reference(source, spec),
        "seed": str(_LESSON["seed"]),
        "epochs": str(epochs),
        "batch_size": str(batch_size),
        "n_check": str(n_check),
        "side": str(in_shape[0]) if mnist and image else "",
        "x_train": draw_inputs(n_train) if "generated_train" in flags else "",
        "y_train": draw_targets(n_train) if "generated_train" in flags else "",
        "x_test": draw_inputs(n_test) if "generated_train" in flags else "",
        "y_test": draw_targets(n_test) if "generated_train" in flags else "",
        "x_check": draw_inputs(n_check) if "generated_check" in flags else "",
        "data_note": data_note,
        "train_note": train_note,
        "train_sentence": notes["train_sentence" if trained else "no_train_sentence"],
        "compiled": notes["compiled"] if compiled else "",
        "same_training": notes["same_training"] if trained else "",
        "tolerance": str(_LESSON["tolerance"]),
        "tolerance_note": _fill(notes["tolerance_note"], {"tolerance": str(_LESSON["tolerance"])}) if trained else "",
    }
    return flags, values


def _cells(flags: set[str], values: dict[str, str]) -> list[dict[str, Any]]:
    """The cells the flags pick: their type, their text filled in, and the arguments of an ipynb %%R line."""
    out = []
    for cell in _LESSON["cells"]:
        when = cell.get("when", [])
        if all((w[1:] not in flags) if w.startswith("!") else (w in flags) for w in when):
            out.append({"type": cell["type"], "text": _fill("\n".join(cell["source"]), values),
                        "ipynb_args": cell.get("ipynb_args", "")})
    return out


def _source_lines(text: str) -> list[str]:
    """A cell's text as nbformat writes it: lines that keep their line break, the last without one."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def ipynb_text(cells: list[dict[str, Any]]) -> str:
    """The cells as a Jupyter notebook (nbformat 4), written as nbformat writes it (R: ipynb_text())."""
    out = []
    for i, cell in enumerate(cells, start=1):
        entry: dict[str, Any] = {"id": f"cell-{i:02d}", "metadata": {}}
        if cell["type"] == "markdown":
            entry.update({"cell_type": "markdown", "source": _source_lines(cell["text"])})
        else:
            text = cell["text"]
            if cell["type"] == "r":
                text = ("%%R " + cell["ipynb_args"] if cell["ipynb_args"] else "%%R") + "\n" + text
            entry.update({"cell_type": "code", "execution_count": None, "outputs": [],
                          "source": _source_lines(text)})
        out.append(entry)
    nb = {"cells": out, **_LESSON["ipynb"]}
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def rmd_text(cells: list[dict[str, Any]], values: dict[str, str]) -> str:
    """The cells as R Markdown: the header, then each cell, markdown as text and code as a chunk (R: rmd_text())."""
    parts = [_fill("\n".join(_LESSON["rmd"]["header"]), values)]
    for cell in cells:
        if cell["type"] == "markdown":
            parts.append(cell["text"])
        else:
            parts.append(f"```{{{cell['type']}}}\n{cell['text']}\n```")
    return "\n\n".join(parts) + "\n"


def notebook(spec: Spec | str | os.PathLike[str], file: str | os.PathLike[str] | None = None, train: bool = True,
             epochs: int = 3) -> str:
    """Write a lesson about a spec, a Jupyter notebook or an R Markdown file, and return its path.

    The lesson loads the spec, shows its layer table and diagram, builds the model in Python and in R
    (``%%R`` cells through rpy2's IPython extension; in R Markdown, ``python`` chunks through reticulate),
    compares their layers, parameter counts and outputs on the same inputs, trains both the same way and
    plots both learning curves, and ends with the comparison. Specs that take MNIST digits (one-channel
    square images of 28 to 64 pixels a side, or 784-pixel vectors, and 10 classes) train on the bundled
    MNIST sample; others on generated data of the right shape, and the lesson says so. It needs nothing from
    the internet. R's ``notebook()`` writes the same file, byte for byte.

    Args:
        spec: a catalog name or the path of a spec file (or a :class:`Spec` read from one): the lesson's
            code loads the spec the same way.
        file: ``<spec name>.ipynb`` by default; a name ending in ``.Rmd`` writes R Markdown.
        train: whether the lesson trains the models (``False`` for networks too large to train in a
            lesson: the lesson then compares their outputs only). Specs without ``compile`` settings, or
            with several inputs or outputs, are not trained either way.
        epochs: the training epochs, at least 1.

    Raises:
        SpecError: a bad spec.
        ValueError: a spec given as a dict or JSON text; ``file`` is neither ``.ipynb`` nor ``.Rmd``;
            ``epochs`` below 1.
        OSError: ``file`` is a directory, or its directory does not exist (checked first).
    """
    if not isinstance(train, bool):
        raise TypeError(f"train must be True or False, not {type(train).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number, at least 1, not {epochs!r}")
    s = load_spec(spec)
    path = Path(file) if file is not None else Path(f"{s.name}.ipynb")
    fmt = LESSON_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"a lesson is a Jupyter notebook (.ipynb) or R Markdown (.Rmd), not {str(path)!r}")
    check_output_file(path)
    flags, values = _lesson_values(spec, s, fmt, train, epochs)
    cells = _cells(flags, values)
    text = ipynb_text(cells) if fmt == "ipynb" else rmd_text(cells, values)
    path.write_bytes(text.encode("utf-8"))
    return str(path)
