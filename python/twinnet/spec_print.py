"""How a spec prints: its one-line description, and its layer table with what each layer costs, from
:func:`twinnet.cost`'s rows (R: R/spec_print.R, ``summary()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .formatting import format_count, format_shape

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["spec_repr", "summary_text"]


def spec_repr(spec: Spec) -> str:
    """"<twinnet spec 'lenet5': 9 layers, 61,706 parameters>" (R: format.twinnet_spec())."""
    from .expand import spec_graph  # local: expansion imports spec.py, which prints with this module

    g = spec_graph(spec)
    return f"<twinnet spec '{spec.name}': {len(g['layers'])} layers, {format_count(g['params']['total'])} parameters>"


def summary_text(spec: Spec) -> str:
    """The layer table that ``twinnet summary`` prints: each layer's output shape, parameters, and its
    multiply-accumulates and connections per sample (:func:`twinnet.cost`), then the totals (R: the columns
    of print(summary(spec)))."""
    from .cost import layer_costs  # local, as in spec_repr()
    from .diagram import type_text
    from .expand import spec_graph

    g = spec_graph(spec)
    costs = layer_costs(g)
    rows = [("layer", "type", "output shape", "params", "MACs", "connections")]
    for layer, r in zip(g["layers"], costs, strict=True):
        rows.append((layer["name"], type_text(layer), format_shape(layer["output_shape"]),
                     format_count(layer["params"]),
                     format_count(r.macs), format_count(r.connections)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i >= 3 else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    p = g["params"]
    lines.append(f"total {format_count(p['total'])} parameters ({format_count(p['trainable'])} trainable, "
                 f"{format_count(p['non_trainable'])} non-trainable)")
    macs, connections = sum(r.macs for r in costs), sum(r.connections for r in costs)
    lines.append(f"total {format_count(macs)} MACs and {format_count(connections)} connections per sample")
    return "\n".join(lines)
