"""Diagrams: a spec drawn by Graphviz, each layer with its output shape, parameters and MACs.

``to_dot(spec)`` writes the Graphviz DOT text; R's ``to_dot()`` writes the same text, byte for
byte, from the same table (``shared_specs/diagram.json``), so the same ``dot`` program draws the
same picture from either language. ``diagram(spec, file)`` draws it as SVG or PNG.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .cost import layer_costs
from .expand import spec_graph
from .formatting import format_compact, format_count, format_shape
from .limits import HOW_TO_RAISE, get_limit
from .registry import shared
from .schema import ecma_pattern
from .spec import Spec, load_spec

__all__ = ["FORMATS", "GraphvizError", "diagram", "dot_program", "to_dot"]

# The formats, the message without Graphviz and where a layer's source is a block's, shared with R:
# shared_specs/diagram.json (its style, below, too).
FORMATS: tuple[str, ...] = tuple(shared("diagram.json")["formats"])
GRAPHVIZ_MISSING: str = shared("diagram.json")["graphviz_missing"]
_BLOCK_SOURCE = ecma_pattern(shared("diagram.json")["block_source"])


class GraphvizError(RuntimeError):
    """Graphviz is missing, `dot` failed or ran out of time, or the network is too large to draw."""


def html_escape(text: str) -> str:
    """The escaping of HTML text and Graphviz HTML labels, the same in R."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _attrs(values: dict[str, str]) -> str:
    return ", ".join(f'{k}="{v}"' for k, v in values.items())


def _colors() -> dict[str, str]:
    return {t: fam["color"] for fam in shared("diagram.json")["families"].values() for t in fam["types"]}


def type_text(layer: dict[str, Any]) -> str:
    """A layer's type, a wrapper's with the type it wraps: "Bidirectional(LSTM)" (R: type_text())."""
    inner = layer["config"].get("layer")
    return f"{layer['type']}({inner['type']})" if isinstance(inner, dict) else str(layer["type"])


def _node(layer: dict[str, Any], macs: int, color: str) -> str:
    """A layer's node: name and type, output shape, parameters, and its MACs per sample where it has any."""
    cells = [
        f"<B>{html_escape(layer['name'])}</B>&#160;{html_escape(type_text(layer))}",
        format_shape(layer["output_shape"]),
        f"{format_count(layer['params'])} params",
    ]
    if macs > 0:
        cells.append(f"{format_compact(macs)} MACs")
    rows = "".join(f"<TR><TD>{c}</TD></TR>" for c in cells)
    table = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{color}">{rows}</TABLE>'
    return f'"{layer["name"]}" [label=<{table}>];'


def to_dot(spec: Spec | str | dict[str, Any] | os.PathLike[str]) -> str:
    """The network as Graphviz DOT text: one node per layer, blocks as dashed boxes.

    Each node shows the layer's name, type, output shape and parameter count, and its multiply-accumulates
    per sample where it has any (:func:`twinnet.cost`, three significant digits: "118K MACs"), coloured by
    family (convolution, pooling, dense, recurrent, ...). Needs neither Keras nor Graphviz.

    >>> print(to_dot("mnist_mlp").splitlines()[0])
    digraph "mnist_mlp" {
    """
    s = load_spec(spec)
    return dot_text(s, spec_graph(s))


def dot_text(s: Spec, g: dict[str, Any]) -> str:
    """The DOT text of a loaded spec and its expansion (see :func:`to_dot`)."""
    style = shared("diagram.json")
    colors = _colors()
    title = str(s.data.get("title") or g["name"])
    graph = dict(style["graph"])
    graph_attrs = _attrs(graph)
    label = f"<<B>{html_escape(title)}</B><BR/>{format_count(g['params']['total'])} parameters>"
    lines = [
        f'digraph "{g["name"]}" {{',
        f"  graph [{graph_attrs}, label={label}];",
        f"  node [{_attrs(style['node'])}];",
        f"  edge [{_attrs(style['edge'])}];",
    ]
    cluster: str | None = None
    n_clusters = 0
    for layer, cost in zip(g["layers"], layer_costs(g), strict=True):
        m = _BLOCK_SOURCE.match(layer["source"])
        block = m.group(1) if m else None
        if cluster is not None and (block != cluster or (m is not None and m.group(2) == "0")):
            lines.append("  }")
            cluster = None
        if block is not None and cluster is None:
            n_clusters += 1
            cluster = block
            lines.append(f'  subgraph "cluster_{n_clusters}" {{')
            lines.append(f'    graph [{_attrs(style["cluster"])}, label="{block}"];')
        indent = "    " if cluster is not None else "  "
        lines.append(indent + _node(layer, cost.macs, colors.get(layer["type"], "#ffffff")))
    if cluster is not None:
        lines.append("  }")
    for layer in g["layers"]:
        for src in layer["inputs"]:
            lines.append(f'  "{src}" -> "{layer["name"]}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def check_drawable(g: dict[str, Any]) -> None:
    """Refuse a network with more layers than Graphviz is given (the limit max_diagram_layers)."""
    limit = get_limit("max_diagram_layers")
    n = len(g["layers"])
    if n > limit:
        raise GraphvizError(f"the network has {n:,} layers, more than the {int(limit):,} that twinnet hands to "
                            "Graphviz (a large graph can keep it busy for a long time); "
                            + HOW_TO_RAISE.format(name="max_diagram_layers"))


def check_output_file(path: Path) -> None:
    """Refuse, before any work, a file that cannot be written: a directory, or one in a missing directory."""
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: there is no directory {str(parent)!r}")


def dot_program() -> str | None:
    """The Graphviz `dot` program: TWINNET_DOT if set, else `dot` on PATH; None when missing."""
    want = os.environ.get("TWINNET_DOT")
    if want:
        return want if os.path.isfile(want) and os.access(want, os.X_OK) else None
    return shutil.which("dot")


def render_dot(dot: str, fmt: str) -> bytes:
    """Graphviz's drawing of DOT text as ``svg`` or ``png`` bytes, stopped after the limit dot_timeout."""
    program = dot_program()
    if program is None:
        raise GraphvizError(GRAPHVIZ_MISSING.format(format=fmt.upper()))
    args = [program, f"-T{fmt}"] + (["-Gdpi=96"] if fmt == "png" else [])
    timeout = get_limit("dot_timeout")
    try:
        res = subprocess.run(args, input=dot.encode("utf-8"), capture_output=True, check=False,
                             timeout=timeout if timeout != float("inf") else None)
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz's dot did not finish within {timeout:g} seconds and was stopped; "
                            + HOW_TO_RAISE.format(name="dot_timeout")) from None
    except OSError as e:
        raise GraphvizError(f"Graphviz's dot cannot be run: {e}") from None
    if res.returncode != 0:
        raise GraphvizError(f"Graphviz's dot failed (exit {res.returncode}): "
                            + res.stderr.decode("utf-8", "replace").strip())
    return res.stdout


def diagram(spec: Spec | str | dict[str, Any] | os.PathLike[str], file: str | os.PathLike[str] | None = None,
            format: str | None = None) -> str:
    """Draw a spec's network, each layer with its output shape, parameters and MACs.

    Without ``file``, returns the DOT text (as :func:`to_dot`). With ``file``, writes the picture
    and returns the file's path; ``format`` (``"svg"``, ``"png"`` or ``"dot"``) defaults to the
    file's extension. SVG and PNG need Graphviz; a missing Graphviz raises :class:`GraphvizError`
    saying how to install it. Graphviz gets at most ``max_diagram_layers`` layers (default 1,000)
    and ``dot_timeout`` seconds (default 30), see :func:`twinnet.set_limits`; beyond either, a
    :class:`GraphvizError`. R's ``diagram()`` draws the same picture.

    Raises:
        GraphvizError: Graphviz is missing, fails, runs out of time, or the network is too large.
        ValueError: an unknown format.
        OSError: ``file`` is a directory, or its directory does not exist (checked first).
    """
    s = load_spec(spec)
    g = spec_graph(s)
    if file is None:
        return dot_text(s, g)
    path = Path(file)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt == "gv":
        fmt = "dot"
    if fmt not in FORMATS:
        raise ValueError(f"diagram format must be one of {', '.join(FORMATS)} (from the file's extension or "
                         f"`format`), not {fmt!r}")
    check_output_file(path)
    dot = dot_text(s, g)
    if fmt == "dot":
        data = dot.encode("utf-8")
    else:
        check_drawable(g)
        data = render_dot(dot, fmt)
    path.write_bytes(data)
    return str(path)
