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
DPI: int = shared("diagram.json")["dpi"]["default"]


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


def _sides(value: Any, times: str) -> str:
    """A kernel's or stride's sides: 3 -> "3", [3, 3] -> "3x3"."""
    return times.join(str(v) for v in value) if isinstance(value, list) else str(value)


def details_text(layer: dict[str, Any]) -> str:
    """A layer's kernel, strides (where one is not 1) and activation: "3x3 /2 relu"; "" for none (R: details_text())."""
    table = shared("diagram.json")["details"]
    config = layer["config"]
    parts = []
    size = next((config[k] for k in table["size"] if isinstance(config.get(k), int | list)), None)
    if size is not None:
        parts.append(_sides(size, table["times"]))
    strides = config.get("strides")
    values = strides if isinstance(strides, list) else [strides] if isinstance(strides, int) else []
    if any(v != 1 for v in values):
        same = isinstance(strides, list) and len(set(values)) == 1
        parts.append(table["stride"] + (str(values[0]) if same else _sides(strides, table["times"])))
    activation = config.get("activation")
    if isinstance(activation, str) and activation != table["hide_activation"]:
        parts.append(activation)
    return " ".join(parts)


def _table(cells: list[str], color: str) -> str:
    rows = "".join(f"<TR><TD>{c}</TD></TR>" for c in cells)
    return f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{color}">{rows}</TABLE>'


def _node(layer: dict[str, Any], macs: int, color: str) -> str:
    """A layer's node: name and type, kernel, strides and activation where it has them, output shape,
    parameters, and its MACs per sample where it has any."""
    details = details_text(layer)
    cells = [
        f"<B>{html_escape(layer['name'])}</B>&#160;{html_escape(type_text(layer))}",
        *([html_escape(details)] if details else []),
        format_shape(layer["output_shape"]),
        f"{format_count(layer['params'])} params",
    ]
    if macs > 0:
        cells.append(f"{format_compact(macs)} MACs")
    return f'"{layer["name"]}" [label=<{_table(cells, color)}>];'


def block_uses(s: Spec, g: dict[str, Any]) -> list[tuple[str, str, int, int, int]] | None:
    """The uses of blocks among a spec's layers: (use name, block, repeat, first layer, layer count), the
    layers as indices of the expansion; None where the expansion's layers do not add up (R: block_uses())."""
    blocks = s.data.get("blocks") or {}

    def size(name: str) -> int:
        return sum(int(e.get("repeat", 1)) * size(e["block"]) if "block" in e else 1 for e in blocks[name]["layers"])

    uses = []
    start = 0
    unnamed: dict[str, int] = {}
    for entry in s.data["layers"]:
        if "block" not in entry:
            start += 1
            continue
        block, repeat = str(entry["block"]), int(entry.get("repeat", 1))
        if "name" in entry:
            name = str(entry["name"])
        else:
            unnamed[block] = unnamed.get(block, 0) + 1
            name = f"{block}_{unnamed[block]}"
        n = repeat * size(block)
        uses.append((name, block, repeat, start, n))
        start += n
    return uses if start == len(g["layers"]) else None


def _collapsed_node(use: tuple[str, str, int, int, int], layers: list[dict[str, Any]], macs: int, color: str) -> str:
    """A block use's node: its name, block, repeat and layer count, last output shape, parameters and MACs."""
    name, block, repeat, _start, n = use
    times = shared("diagram.json")["details"]["times"]
    cells = [
        f"<B>{html_escape(name)}</B>&#160;{html_escape(block)}" + (f" {times}{repeat}" if repeat > 1 else "")
        + f" ({format_count(n)} layer{'s' * (n != 1)})",
        format_shape(layers[-1]["output_shape"]),
        f"{format_count(sum(int(layer['params']) for layer in layers))} params",
    ]
    if macs > 0:
        cells.append(f"{format_compact(macs)} MACs")
    return f'"{name}" [label=<{_table(cells, color)}>];'


def to_dot(spec: Spec | str | dict[str, Any] | os.PathLike[str], direction: str = "TB", collapse: bool = False) -> str:
    """The network as Graphviz DOT text: one node per layer, blocks as dashed boxes.

    Each node shows the layer's name and type, its kernel, strides and activation where it has them
    ("3x3 /2 relu"), its output shape and parameter count, and its multiply-accumulates per sample where it
    has any (:func:`twinnet.cost`, three significant digits: "118K MACs"), coloured by family (convolution,
    pooling, dense, recurrent, ...). ``direction`` is where the network runs: ``"TB"`` top to bottom,
    ``"LR"`` left to right (for wide slides), ``"BT"`` or ``"RL"``. ``collapse=True`` draws one box per use
    of a block ("stage1 basic x2 (14 layers)") instead of its layers. Needs neither Keras nor Graphviz.

    >>> print(to_dot("mnist_mlp").splitlines()[0])
    digraph "mnist_mlp" {
    """
    s = load_spec(spec)
    return dot_text(s, spec_graph(s), direction, collapse)


def _check_options(direction: Any, collapse: Any) -> None:
    directions = shared("diagram.json")["directions"]
    if not isinstance(direction, str) or direction not in directions:
        raise ValueError(f"direction must be one of {', '.join(directions)}, not {direction!r}")
    if not isinstance(collapse, bool):
        raise ValueError(f"collapse must be True or False, not {collapse!r}")


def dot_text(s: Spec, g: dict[str, Any], direction: str = "TB", collapse: bool = False) -> str:
    """The DOT text of a loaded spec and its expansion (see :func:`to_dot`)."""
    _check_options(direction, collapse)
    style = shared("diagram.json")
    colors = _colors()
    title = str(s.data.get("title") or g["name"])
    graph = {**style["graph"], "rankdir": direction}
    graph_attrs = _attrs(graph)
    label = f"<<B>{html_escape(title)}</B><BR/>{format_count(g['params']['total'])} parameters>"
    lines = [
        f'digraph "{g["name"]}" {{',
        f"  graph [{graph_attrs}, label={label}];",
        f"  node [{_attrs(style['node'])}];",
        f"  edge [{_attrs(style['edge'])}];",
    ]
    costs = layer_costs(g)
    uses = block_uses(s, g) if collapse else None
    if uses is not None:
        node_of = {layer["name"]: layer["name"] for layer in g["layers"]}
        first = {use[3]: use for use in uses}
        i = 0
        while i < len(g["layers"]):
            if i in first:
                use = first[i]
                members = g["layers"][i:i + use[4]]
                for layer in members:
                    node_of[layer["name"]] = use[0]
                macs = sum(c.macs for c in costs[i:i + use[4]])
                lines.append("  " + _collapsed_node(use, members, macs, style["block_color"]))
                i += use[4]
            else:
                layer = g["layers"][i]
                lines.append("  " + _node(layer, costs[i].macs, colors.get(layer["type"], "#ffffff")))
                i += 1
        seen: set[tuple[str, str]] = set()
        for layer in g["layers"]:
            for src in layer["inputs"]:
                edge = (node_of[src], node_of[layer["name"]])
                if edge[0] != edge[1] and edge not in seen:
                    seen.add(edge)
                    lines.append(f'  "{edge[0]}" -> "{edge[1]}";')
        lines.append("}")
        return "\n".join(lines) + "\n"
    cluster: str | None = None
    n_clusters = 0
    for layer, cost in zip(g["layers"], costs, strict=True):
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


def render_dot(dot: str, fmt: str, dpi: int = DPI) -> bytes:
    """Graphviz's drawing of DOT text as ``svg``, ``png`` (at ``dpi``) or ``pdf`` bytes, stopped after the
    limit dot_timeout."""
    program = dot_program()
    if program is None:
        raise GraphvizError(GRAPHVIZ_MISSING.format(format=fmt.upper()))
    args = [program, f"-T{fmt}"] + ([f"-Gdpi={dpi}"] if fmt == "png" else [])
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
            format: str | None = None, dpi: int | None = None, direction: str = "TB", collapse: bool = False) -> str:
    """Draw a spec's network, each layer with its kernel, strides, activation, output shape, parameters and MACs.

    Without ``file``, returns the DOT text (as :func:`to_dot`). With ``file``, writes the picture
    and returns the file's path; ``format`` (``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"``) defaults to
    the file's extension. ``dpi`` is a PNG's resolution (default 150, sharp on a projector; 30 to 1,200).
    ``direction`` is where the network runs (``"TB"`` top to bottom, ``"LR"`` left to right for wide
    slides, ``"BT"``, ``"RL"``); ``collapse=True`` draws each use of a block as one box
    ("stage1 basic x2 (14 layers)"). SVG, PNG and PDF need Graphviz; a missing Graphviz raises
    :class:`GraphvizError` saying how to install it. Graphviz gets at most ``max_diagram_layers`` layers
    (default 1,000) and ``dot_timeout`` seconds (default 30), see :func:`twinnet.set_limits`; beyond
    either, a :class:`GraphvizError`. R's ``diagram()`` takes the same arguments and draws the same picture.

    Raises:
        GraphvizError: Graphviz is missing, fails, runs out of time, or the network is too large.
        ValueError: an unknown format or direction, or a ``dpi`` out of range.
        OSError: ``file`` is a directory, or its directory does not exist (checked first).
    """
    limits = shared("diagram.json")["dpi"]
    if dpi is None:
        dpi = DPI
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not limits["min"] <= dpi <= limits["max"]:
        raise ValueError(f"dpi must be a whole number from {limits['min']} to {limits['max']:,}, not {dpi!r}")
    _check_options(direction, collapse)
    s = load_spec(spec)
    g = spec_graph(s)
    if file is None:
        return dot_text(s, g, direction, collapse)
    path = Path(file)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt == "gv":
        fmt = "dot"
    if fmt not in FORMATS:
        raise ValueError(f"diagram format must be one of {', '.join(FORMATS)} (from the file's extension or "
                         f"`format`), not {fmt!r}")
    check_output_file(path)
    dot = dot_text(s, g, direction, collapse)
    if fmt == "dot":
        data = dot.encode("utf-8")
    else:
        check_drawable(g)
        data = render_dot(dot, fmt, dpi)
    path.write_bytes(data)
    return str(path)
