"""The Spec object and load_spec(): a catalog name, a file, JSON text or a dict, to a validated spec (R: R/spec.R).

Reading is read.py's, checking check.py's, printing spec_print.py's.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from .check import validate_document
from .read import catalog_names, catalog_path, parse_json, read_source
from .spec_print import spec_html, spec_repr

__all__ = ["Spec", "catalog_names", "catalog_path", "load_spec", "parse_json", "validate_document"]


@dataclass(frozen=True, repr=False)
class Spec:
    """A validated spec document.

    Attributes:
        data: the JSON value as written (a dict).
        origin: where it came from (a catalog file, a file, ``"<json>"``, ``"<dict>"``).
        graph: the expansion :func:`load_spec` made when it checked the document (read-only;
            :func:`twinnet.expand` gives a fresh copy), with the limits it was made under.
    """

    data: dict[str, Any]
    origin: str = field(default="<dict>", compare=False)
    graph: dict[str, Any] | None = field(default=None, compare=False)
    graph_limits: tuple[float, ...] | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def title(self) -> str:
        return str(self.data.get("title", self.data["name"]))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.data, indent=indent)

    def __repr__(self) -> str:
        return spec_repr(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: the one-line description, the layer table and the diagram (SVG, where Graphviz is)."""
        return spec_html(self)


def load_spec(source: Any) -> Spec:
    """Load and validate a spec.

    Args:
        source: a catalog name (``"lenet5"``), a path to a ``.json`` file, JSON text,
            a dict, or a :class:`Spec`.

    Returns:
        A :class:`Spec` whose document passed the JSON Schema and the semantic checks.

    Raises:
        SpecError: with ``path`` (a JSON Pointer) and a message saying what was expected.

    Warns:
        SpecWarning: for each thing a valid spec probably gets wrong (:func:`twinnet.spec_warnings`).
    """
    if isinstance(source, Spec):
        doc, origin = copy.deepcopy(source.data), source.origin
    else:
        doc, origin = read_source(source)
    validate_document(doc)
    from .expand import expand_document, expansion_limits  # the semantic checks live with the expansion

    limits = expansion_limits()
    graph = expand_document(doc)
    if not isinstance(source, Spec):  # a Spec was warned about when it was loaded
        from .advice import warn_spec

        warn_spec(doc, graph)
    return Spec(doc, origin, graph, limits)
