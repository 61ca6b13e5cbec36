"""The built-in specs."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .formatting import format_significant
from .spec import catalog_names, catalog_path

__all__ = ["CatalogEntry", "catalog", "format_catalog"]


@dataclass(frozen=True)
class CatalogEntry:
    """One row of the catalog: the same columns as R's ``catalog()`` data frame.

    ``gmacs`` is the model's multiply-accumulates per sample (:func:`twinnet.cost`'s total) in billions.
    """

    name: str
    title: str
    input: str
    output: str
    parameters: int
    gmacs: float
    tags: str


def _shapes(shapes: dict[str, list[int | None]], names: list[str]) -> str:
    """Shapes without the batch axis, as "32x32x1" ("?" for a length that varies; "; " between several)."""
    return "; ".join("x".join("?" if v is None else str(v) for v in shapes[n][1:]) for n in names)


def catalog() -> list[CatalogEntry]:
    """The built-in specs, one entry each, sorted by name.

    ``str()`` of an entry's name is what :func:`twinnet.load_spec` takes.
    """
    from .cost import layer_costs
    from .expand import expand

    rows = []
    for name in catalog_names():
        doc = json.loads(catalog_path(name).read_text(encoding="utf-8"))
        g = expand(name)
        shapes = {layer["name"]: layer["output_shape"] for layer in g["layers"]}
        macs = sum(r.macs for r in layer_costs(g))
        rows.append(CatalogEntry(name, doc.get("title", name), _shapes(shapes, g["inputs"]),
                                 _shapes(shapes, g["outputs"]), g["params"]["total"], macs / 1e9,
                                 ", ".join(doc.get("tags", []))))
    return rows


def format_catalog(rows: list[CatalogEntry]) -> str:
    """The catalog as a plain-text table; GMACs with three significant digits (0.000417 for LeNet-5)."""
    head = ("name", "title", "input", "output", "parameters", "GMACs", "tags")
    body = [(r.name, r.title, r.input, r.output, f"{r.parameters:,}", format_significant(r.gmacs), r.tags)
            for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=False)]
    lines = ["  ".join(str(x).rjust(w) if i in (4, 5) else str(x).ljust(w)
                       for i, (x, w) in enumerate(zip(row, widths, strict=True)))
             for row in [head, *body]]
    return "\n".join(line.rstrip() for line in lines)
