"""How a spec prints: its one-line description, and its layer table with what each layer costs, from
:func:`twinnet.cost`'s rows (R: R/spec_print.R, ``summary()``)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .formatting import format_count, format_shape

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["SummaryText", "spec_html", "spec_repr", "summary", "summary_text"]


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


class SummaryText(str):
    """The layer table as text: a ``str`` that shows as itself (no quotes) at a prompt and in Jupyter."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def summary(spec: Any) -> SummaryText:
    """The layer table of a spec, as ``twinnet summary SPEC`` prints it (R: ``summary(spec)``).

    Args:
        spec: anything :func:`twinnet.load_spec` accepts.

    Returns:
        The table as a :class:`SummaryText`, a ``str`` that a prompt or a notebook shows as the table;
        ``print()`` it in a script.
    """
    from .spec import Spec, load_spec  # local, as in spec_repr()

    return SummaryText(summary_text(spec if isinstance(spec, Spec) else load_spec(spec)))


def spec_html(spec: Spec) -> str:
    """What Jupyter shows for a spec: its one-line description, the layer table and, where Graphviz is
    installed and the network is small enough to draw, the diagram as inline SVG (else a line that says why
    there is none)."""
    from .diagram import GraphvizError, check_drawable, dot_program, dot_text, render_dot
    from .expand import spec_graph

    parts = [f"<p><code>{html.escape(spec_repr(spec))}</code></p>",
             f"<pre>{html.escape(summary_text(spec))}</pre>"]
    if dot_program() is None:
        parts.append("<p><em>No diagram: Graphviz's <code>dot</code> is not installed.</em></p>")
    else:
        try:
            g = spec_graph(spec)
            check_drawable(g)
            svg = render_dot(dot_text(spec, g), "svg").decode("utf-8")
        except GraphvizError as e:
            parts.append(f"<p><em>No diagram: {html.escape(str(e))}</em></p>")
        else:
            start = svg.find("<svg")  # inline: without the XML declaration and DOCTYPE
            parts.append(f'<div class="twinnet-diagram">{svg[start:] if start >= 0 else svg}</div>')
    return f'<div class="twinnet-spec">{"".join(parts)}</div>'
