"""How a spec prints: its one-line description (R: R/spec_print.R, with the layer table of summary())."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .formatting import format_count

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["spec_repr"]


def spec_repr(spec: Spec) -> str:
    """"<twinnet spec 'lenet5': 9 layers, 61,706 parameters>" (R: format.twinnet_spec())."""
    from .expand import spec_graph  # local: expansion imports spec.py, which prints with this module

    g = spec_graph(spec)
    return f"<twinnet spec '{spec.name}': {len(g['layers'])} layers, {format_count(g['params']['total'])} parameters>"
