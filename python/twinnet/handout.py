"""The handout: one self-contained HTML page about a spec, for students to keep.

``handout(spec, file)`` fills ``shared_specs/handout/template.html`` with the spec's title,
description and source, the R (keras3) and the Python code side by side, the layer table (with each
layer's multiply-accumulates), the diagram and, when given, the training curves. Everything is inline
(styles and SVG pictures), so the page works offline. R's ``handout()`` writes the same page, byte for byte.
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import Any

from .codegen import to_code
from .cost import CostRow, layer_costs
from .diagram import GraphvizError, check_drawable, check_output_file, dot_text, html_escape, render_dot, type_text
from .errors import SpecError, json_kind
from .expand import spec_graph
from .formatting import format_count, format_shape
from .limits import MAX_SPEC_BYTES
from .read import parse_json
from .registry import SPECS_DIR, shared
from .schema import ecma_pattern
from .spec import Spec, load_spec

__all__ = ["curves_svg", "handout", "history_series", "read_history"]

History = Mapping[str, Sequence[float]] | Any

# The template's placeholders and the learning curves' style, shared with R: shared_specs/handout/handout.json.
_HANDOUT = shared("handout/handout.json")
_PLACEHOLDER = ecma_pattern(_HANDOUT["placeholder"])
CURVES: dict[str, Any] = _HANDOUT["curves"]
CURVE_COLORS: dict[str, str] = CURVES["colors"]


def _what(value: Any) -> str:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return json_kind(value)
    return type(value).__name__


def _series(key: str, values: Any) -> list[float]:
    """One metric's values per epoch as floats; a ValueError unless they are a list of numbers."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"a history holds a list of numbers per metric, one per epoch; {key!r} holds "
                         f"{_what(values)}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Real):
            raise ValueError(f"a history holds a list of numbers per metric, one per epoch; {key!r} holds "
                             f"{_what(v)} among its values")
        out.append(float(v))
    return out


def history_series(history: History) -> dict[str, dict[str, list[float]]]:
    """A training history as metric -> data set ("training", "validation") -> values per epoch.

    Takes a Keras ``History`` (what ``model.fit`` returns) or its ``.history`` dict, where
    ``val_loss`` is the validation series of ``loss``.

    Raises:
        TypeError: ``history`` is neither a History nor a dict.
        ValueError: a metric's values are not a list of numbers.
    """
    raw = getattr(history, "history", history)
    if not isinstance(raw, Mapping):
        raise TypeError("history must be a keras History or a dict of metric name -> values per epoch, "
                        f"not {type(history).__name__}")
    out: dict[str, dict[str, list[float]]] = {}
    for key, values in raw.items():
        validation = str(key).startswith("val_")
        metric = str(key)[4:] if validation else str(key)
        out.setdefault(metric, {})["validation" if validation else "training"] = _series(str(key), values)
    return {m: {d: s[d] for d in ("training", "validation") if d in s} for m, s in out.items()}


def read_history(path: str | os.PathLike[str]) -> dict[str, list[float]]:
    """A training history from a JSON file: an object of metric name -> values per epoch.

    That is Keras's ``History.history``, e.g. written with ``json.dump(model.fit(...).history, f)``.

    Raises:
        FileNotFoundError: there is no such file.
        ValueError: the file is too large, not UTF-8 text, not JSON or not such an object.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"there is no history file {str(p)!r}")
    if p.stat().st_size > MAX_SPEC_BYTES:
        raise ValueError(f"the history file {str(p)!r} is larger than {MAX_SPEC_BYTES:,} bytes")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"the history file {str(p)!r} is not UTF-8 text (byte {e.start + 1} is not)") from None
    if not text.strip():
        raise ValueError(f"the history file {str(p)!r} is empty; it holds a JSON object of metric name -> "
                         "values per epoch")
    try:
        value = parse_json(text)
    except SpecError as e:
        raise ValueError(f"the history file {str(p)!r} is not JSON: {e.message}") from None
    if not isinstance(value, dict):
        raise ValueError(f"the history file {str(p)!r} holds {json_kind(value)}, not an object of "
                         "metric name -> values per epoch")
    try:
        return {str(key): _series(str(key), values) for key, values in value.items()}
    except ValueError as e:
        raise ValueError(f"the history file {str(p)!r} is not a training history: {e}") from None


def _num(v: float) -> str:
    return f"{v:.1f}"


def _curve(metric: str, series: dict[str, list[float]]) -> str:
    """One metric's chart as inline SVG: epochs across, values up, one line per data set."""
    margin = CURVES["margin"]
    w, h = float(CURVES["width"]), float(CURVES["height"])
    left, right, top, bottom = (float(margin[side]) for side in ("left", "right", "top", "bottom"))
    finite = [v for values in series.values() for v in values if math.isfinite(v)]
    n = max((len(values) for values in series.values()), default=0)
    lo = min(finite) if finite else 0.0
    hi = max(finite) if finite else 1.0
    if hi - lo < 1e-12:
        lo = lo - 0.5
        hi = hi + 0.5
    pad = (hi - lo) * 0.05
    lo = lo - pad
    hi = hi + pad

    def x_at(epoch: int) -> float:
        if n <= 1:
            return left + (w - left - right) / 2
        return left + (epoch - 1) * (w - left - right) / (n - 1)

    def y_at(v: float) -> float:
        return top + (hi - v) * (h - top - bottom) / (hi - lo)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" '
        f'role="img" aria-label="{html_escape(metric)} per epoch" font-family="DejaVu Sans, sans-serif" '
        'font-size="11">',
        f'<text x="{_num(w / 2)}" y="16" text-anchor="middle" font-weight="bold">{html_escape(metric)}</text>',
        f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(w - left - right)}" height="{_num(h - top - bottom)}" '
        f'fill="none" stroke="{CURVES["frame_color"]}"/>',
    ]
    for v in (hi - pad, (hi + lo) / 2, lo + pad):
        parts.append(f'<text x="{_num(left - 4)}" y="{_num(y_at(v) + 4)}" text-anchor="end">{v:.3g}</text>')
    for epoch in sorted({1, n}) if n else []:
        parts.append(f'<text x="{_num(x_at(epoch))}" y="{_num(h - bottom + 14)}" text-anchor="middle">{epoch}</text>')
    parts.append(f'<text x="{_num(left + (w - left - right) / 2)}" y="{_num(h - 6)}" text-anchor="middle">'
                 "epoch</text>")
    legend_x = left + 6
    for data, values in series.items():
        points = " ".join(f"{_num(x_at(i + 1))},{_num(y_at(v))}" for i, v in enumerate(values) if math.isfinite(v))
        color = CURVE_COLORS[data]
        parts.append(f'<polyline class="{data}" fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{_num(legend_x)}" y="{_num(top + 12)}" fill="{color}">{data}</text>')
        legend_x = legend_x + CURVES["legend_step"]
    parts.append("</svg>")
    return "".join(parts)


def curves_svg(history: History) -> str:
    """The learning curves of a training history, one inline SVG chart per metric."""
    return "\n".join(_curve(metric, series) for metric, series in history_series(history).items())


def _diagram_svg(spec: Spec, graph: dict[str, Any]) -> str:
    try:
        check_drawable(graph)
        svg = render_dot(dot_text(spec, graph), "svg").decode("utf-8")
    except GraphvizError as e:
        warnings.warn(f"the handout has no diagram: {e}", stacklevel=3)
        return f'<p class="missing">No diagram: {html_escape(str(e))}</p>'
    return svg[svg.index("<svg"):].strip()


def _layer_rows(graph: dict[str, Any], costs: list[CostRow]) -> str:
    rows = []
    for i, (layer, cost) in enumerate(zip(graph["layers"], costs, strict=True), start=1):
        rows.append(f'<tr><td class="num">{i}</td><td><code>{html_escape(layer["name"])}</code></td>'
                    f'<td>{html_escape(type_text(layer))}</td><td><code>{format_shape(layer["output_shape"])}</code></td>'
                    f'<td class="num">{format_count(layer["params"])}</td>'
                    f'<td class="num">{format_count(cost.macs)}</td></tr>')
    return "\n".join(rows)


def _quoted(text: str) -> str:
    """A string literal that R and Python both read as ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def spec_argument(s: Spec) -> str | None:
    """How a command names the spec as it was given: its catalog name, else its file, both quoted;
    None for a spec given as data (R: spec_argument())."""
    from .read import catalog_path

    name = s.data.get("name")
    if isinstance(name, str) and s.origin.endswith(".json"):
        catalog = catalog_path(name)
        with contextlib.suppress(OSError):
            if catalog.is_file() and Path(s.origin).resolve() == catalog.resolve():
                return _quoted(name)
    if s.origin.startswith("<"):
        return None
    return _quoted(s.origin)


def training_section(s: Spec, graph: dict[str, Any]) -> str:
    """The code that trains and evaluates the model, in both languages, where the spec has compile settings."""
    if not graph.get("compile"):
        return ""
    table = _HANDOUT["training"]
    train = "train" if s.data.get("fit") else "fit"
    code = {lang: "\n".join(table[part][lang] for part in ("comment", train, "evaluate"))
            for lang in ("r", "python")}
    return str(table["section"]).replace("{r}", html_escape(code["r"])).replace("{python}", html_escape(code["python"]))


def handout(spec: Spec | str | dict[str, Any] | os.PathLike[str], file: str | os.PathLike[str] | None = None,
            history: History | None = None) -> str:
    """Write one self-contained HTML page about a spec, and return its path.

    The page has the spec's title, description and source, the R (keras3) and the Python code
    that build the model side by side, the layer table (output shapes, parameters, multiply-accumulates
    per sample as :func:`twinnet.cost` counts them), the Graphviz
    diagram (a note instead, with a warning, where Graphviz is missing, fails, runs out of time or
    gets more layers than ``max_diagram_layers``) and, when ``history`` is
    given (a Keras ``History`` or its ``.history`` dict), the training curves. Where the spec has
    compile settings, the code that trains and evaluates the model follows, in both languages. What the
    spec does not say (description, source, tags) is left out; the footer gives the command that makes
    the page again, with the spec as it was given (catalog name or file). The page prints without empty
    pages. ``file`` defaults to ``<spec name>.html`` in the working directory. R's ``handout()`` writes the
    same page.

    Raises:
        SpecError: a bad spec.
        TypeError, ValueError: ``history`` is not a training history.
        OSError: ``file`` is a directory, or its directory does not exist (checked first).
    """
    from . import __version__

    s = load_spec(spec)
    graph = spec_graph(s)
    data = s.data
    name = str(graph["name"])
    path = Path(file) if file is not None else Path(f"{name}.html")
    check_output_file(path)
    p = graph["params"]
    costs = layer_costs(graph)
    curves = ""
    if history is not None:
        curves = ('<h2>Training</h2>\n<figure class="curves" id="curves">' + curves_svg(history)
                  + "<figcaption>Loss and metrics per epoch, training and validation.</figcaption></figure>")
    tags = data.get("tags") or []
    description, source = data.get("description"), data.get("source")
    given = spec_argument(s)
    values = {
        "version": html_escape(__version__),
        "title": html_escape(str(data.get("title") or name)),
        "name": html_escape(name),
        "params": f"{format_count(p['total'])} parameters",
        "tags": " &middot; " + html_escape(", ".join(str(t) for t in tags)) if tags else "",
        "description": f'<p class="description">{html_escape(str(description))}</p>\n' if description else "",
        "source": f'<p class="source">Source: {html_escape(str(source))}</p>\n' if source else "",
        "spec_arg": html_escape(given if given is not None else _HANDOUT["footer"]["data"]),
        "file_arg": html_escape(_quoted(path.name)),
        "spec_note": "" if given is not None else _HANDOUT["footer"]["data_note"],
        "training": training_section(s, graph),
        "r_code": html_escape(to_code(s, "r")),
        "python_code": html_escape(to_code(s, "python")),
        "layer_rows": _layer_rows(graph, costs),
        "trainable": format_count(p["trainable"]),
        "non_trainable": format_count(p["non_trainable"]),
        "total": format_count(p["total"]),
        "total_macs": format_count(sum(c.macs for c in costs)),
        "diagram": _diagram_svg(s, graph),
        "curves": curves,
    }
    template = (SPECS_DIR / "handout" / "template.html").read_text(encoding="utf-8")
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    path.write_text(page, encoding="utf-8", newline="\n")
    return str(path)
