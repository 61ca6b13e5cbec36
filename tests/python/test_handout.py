"""Diagrams (Graphviz) and the handout (HTML), with the page checked in headless Chromium."""

from __future__ import annotations

import html.parser
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from support import ROOT

import twinnet
from twinnet.diagram import GraphvizError, details_text, dot_program, html_escape, to_dot, type_text
from twinnet.formatting import format_compact
from twinnet.handout import curves_svg, history_series
from twinnet.registry import layer_types, shared

CATALOG = [entry.name for entry in twinnet.catalog()]
HISTORY = {"loss": [1.2, 0.6, 0.4, 0.3], "accuracy": [0.6, 0.8, 0.9, 0.93],
           "val_loss": [0.9, 0.5, 0.45, 0.44], "val_accuracy": [0.7, 0.85, 0.88, 0.9]}


def need(program: str | None, what: str) -> str:
    """The program's path; a skip with a message locally, a failure under CI=true."""
    if program:
        return program
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {what} is missing (tools/setup.sh installs it)", pytrace=False)
    pytest.skip(f"{what} is not installed")


def graphviz() -> str:
    return need(dot_program(), "Graphviz's dot (Debian package graphviz)")


def chromium() -> str:
    found = os.environ.get("TWINNET_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    return need(found, "Chromium (Debian package chromium)")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_pixels(data: bytes) -> bytes:
    """The decompressed image data of a PNG (filter bytes included): enough to tell a blank page."""
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return zlib.decompress(b"".join(chunks))


class Page(html.parser.HTMLParser):
    """The ids, the text per id and the tags of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []
        self._stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids[str(a["id"])] = tag
            self._open.append(str(a["id"]))
            self.text[str(a["id"])] = []
        if tag not in ("meta", "br", "img", "link", "input"):
            self._stack.append(a.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            closing = self._stack.pop()
            if closing is not None and self._open and self._open[-1] == closing:
                self._open.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        for i in self._open:
            self.text[i].append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    return p


# -- diagrams --------------------------------------------------------------------------------

def test_every_layer_type_has_a_colour() -> None:
    families = shared("diagram.json")["families"]
    typed = [t for fam in families.values() for t in fam["types"]]
    assert sorted(typed) == sorted(layer_types()), "diagram.json must give each registry type exactly one family"


@pytest.mark.parametrize("name", CATALOG)
def test_dot_has_a_node_per_layer_and_an_edge_per_input(name: str) -> None:
    graph = twinnet.expand(name)
    dot = to_dot(name)
    nodes = re.findall(r'^\s*"([A-Za-z0-9_]+)" \[label=<', dot, flags=re.M)
    assert nodes == [layer["name"] for layer in graph["layers"]]
    edges = re.findall(r'^\s*"([A-Za-z0-9_]+)" -> "([A-Za-z0-9_]+)";$', dot, flags=re.M)
    assert edges == [(src, layer["name"]) for layer in graph["layers"] for src in layer["inputs"]]
    for layer, cost in zip(graph["layers"], twinnet.cost(name).rows, strict=True):
        shape = "(" + ", ".join("None" if v is None else str(v) for v in layer["output_shape"]) + ")"
        macs = f"<TR><TD>{format_compact(cost.macs)} MACs</TD></TR>" if cost.macs else ""
        details = details_text(layer)
        details = f"<TR><TD>{html_escape(details)}</TD></TR>" if details else ""
        assert f"<B>{layer['name']}</B>&#160;{type_text(layer)}</TD></TR>{details}<TR><TD>{shape}</TD></TR>" \
               f"<TR><TD>{layer['params']:,} params</TD></TR>{macs}</TABLE>" in dot
    assert dot.count("{") == dot.count("}")
    assert f"{graph['params']['total']:,} parameters" in dot


def test_nodes_show_the_macs_of_cost() -> None:
    """A node with multiply-accumulates shows them in three significant digits; one without has no such line."""
    dot = to_dot("lenet5")
    node = {m.group(1): m.group(0) for m in re.finditer(r'^\s*"([a-z0-9_]+)" \[label=<.*$', dot, flags=re.M)}
    assert "<TR><TD>2,416 params</TD></TR><TR><TD>240K MACs</TD></TR></TABLE>" in node["c3"]  # 240,000
    assert "<TD>118K MACs</TD>" in node["c1"]  # 117,600
    assert "<TD>10.1K MACs</TD>" in node["f6"]  # 10,080
    assert "<TD>840 MACs</TD>" in node["output"]
    assert "MACs" not in node["s2"] and "MACs" not in node["input"]
    vgg = to_dot("vgg16")
    conv = re.search(r'^\s*"block3_conv3" \[label=<.*$', vgg, flags=re.M)
    assert conv is not None and "<TD>1.85G MACs</TD>" in conv.group(0)  # 1,849,688,064


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (999, "999"), (1000, "1K"), (1234, "1.23K"), (117_600, "118K"), (999_499, "999K"), (999_999, "1M"),
    (1_234_567, "1.23M"), (3_857_973_248, "3.86G"), (20_285_153_280, "20.3G"), (2**53 - 1, "9.01P"),
])
def test_format_compact(n: int, text: str) -> None:
    assert format_compact(n) == text
    assert format_compact(float(n)) == text


def test_blocks_become_clusters() -> None:
    dot = to_dot("mini_resnet")
    # stage 1 uses the basic block twice, stage 2 the downsample block and then the basic block once
    assert re.findall(r'label="([a-z_]+)"\];', dot) == ["basic", "basic", "downsample", "basic"]
    plain = to_dot("lenet5")
    assert "subgraph" not in plain


def test_titles_are_escaped() -> None:
    spec = json.loads((ROOT / "shared_specs" / "models" / "mnist_mlp.json").read_text())
    spec["title"] = 'A <b>bold</b> & "quoted" net'
    dot = to_dot(spec)
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; net" in dot


@pytest.mark.parametrize("name", ["lenet5", "mini_resnet", "googlenet"])
def test_svg_and_png(name: str, tmp_path: Path) -> None:
    graphviz()
    svg = Path(twinnet.diagram(name, tmp_path / f"{name}.svg")).read_text()
    assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>")
    assert svg.count('class="node"') == len(twinnet.expand(name)["layers"])
    png = Path(twinnet.diagram(name, tmp_path / "picture.bin", format="png")).read_bytes()
    width, height = png_size(png)
    assert width > 100 and height > width  # a top-to-bottom picture
    dot = Path(twinnet.diagram(name, tmp_path / f"{name}.gv")).read_text()
    assert dot == to_dot(name)


def test_missing_graphviz_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINNET_DOT", str(tmp_path / "no-such-dot"))
    with pytest.raises(GraphvizError, match=r"apt-get install graphviz.*TWINNET_DOT"):
        twinnet.diagram("lenet5", tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()
    # the DOT text needs no Graphviz
    assert twinnet.diagram("lenet5", tmp_path / "x.dot") == str(tmp_path / "x.dot")
    with pytest.warns(UserWarning, match="the handout has no diagram: Graphviz's `dot` program was not found"):
        page = Path(twinnet.handout("lenet5", tmp_path / "h.html")).read_text()
    assert '<p class="missing">No diagram: Graphviz' in page


def test_unknown_diagram_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="svg, png, pdf, dot"):
        twinnet.diagram("lenet5", tmp_path / "x.jpg")


# -- the handout -------------------------------------------------------------------------------

def test_history_series_pairs_training_and_validation() -> None:
    series = history_series(HISTORY)
    assert list(series) == ["loss", "accuracy"]
    assert series["loss"] == {"training": HISTORY["loss"], "validation": HISTORY["val_loss"]}
    with pytest.raises(TypeError, match="History"):
        history_series([1, 2, 3])


def test_curves_are_drawn_to_scale() -> None:
    svg = curves_svg({"loss": [2.0, 1.0, 0.0]})
    points = re.search(r'class="training"[^>]*points="([^"]+)"', svg)
    assert points is not None
    xy = [tuple(map(float, p.split(","))) for p in points.group(1).split()]
    assert [x for x, _ in xy] == sorted(x for x, _ in xy)  # epochs left to right
    assert xy[0][1] < xy[1][1] < xy[2][1]  # a falling loss goes down the picture (SVG's y grows downwards)
    assert xy[1][1] == pytest.approx((xy[0][1] + xy[2][1]) / 2)
    flat = curves_svg({"accuracy": [0.5], "val_accuracy": [0.5]})  # one epoch, constant: no division by zero
    assert flat.count("<polyline") == 2


@pytest.mark.parametrize("name", ["lenet5", "mini_resnet", "imdb_lstm"])
def test_handout_has_every_part(name: str, tmp_path: Path) -> None:
    graphviz()
    page = Path(twinnet.handout(name, tmp_path / "page.html", history=HISTORY)).read_text()
    p = parse(page)
    for part in ("code-r", "code-python", "layers", "diagram", "curves"):
        assert part in p.ids, part
    assert "".join(p.text["code-r"]).endswith(twinnet.to_code(name, "r"))
    assert "".join(p.text["code-python"]).endswith(twinnet.to_code(name, "python"))
    graph = twinnet.expand(name)
    rows = [a for tag, a in p.tags if tag == "td" and a.get("class") == "num"]
    assert len(rows) == 3 * len(graph["layers"]) + 2  # number, parameters and MACs per layer, and the totals
    assert page.count("<svg") == 1 + 2  # the diagram, loss and accuracy
    assert page.count('class="node"') == len(graph["layers"])
    assert '<polyline class="validation"' in page
    assert "http://" not in page.replace("http://www.w3.org/", "")  # self-contained: nothing to fetch
    assert "<script" not in page


def test_handout_layer_table_shows_the_macs_of_cost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINNET_DOT", str(tmp_path / "no-such-dot"))  # the table needs no diagram
    with pytest.warns(UserWarning, match="no diagram"):
        page = Path(twinnet.handout("lenet5", tmp_path / "page.html")).read_text()
    assert '<th class="num">parameters</th><th class="num" title="multiply-accumulates per sample">MACs</th>' in page
    assert ('<tr><td class="num">4</td><td><code>c3</code></td><td>Conv2D</td><td><code>(None, 10, 10, 16)</code>'
            '</td><td class="num">2,416</td><td class="num">240,000</td></tr>') in page
    assert '<td class="num">61,706</td><td class="num">416,520</td></tr></tfoot>' in page
    macs = re.findall(r'<td class="num">([0-9,]+)</td></tr>', page.split("<tbody>")[1].split("</tbody>")[0])
    assert [int(m.replace(",", "")) for m in macs] == [r.macs for r in twinnet.cost("lenet5").rows]


def test_handout_escapes_what_the_spec_says(tmp_path: Path) -> None:
    graphviz()
    spec = json.loads((ROOT / "shared_specs" / "models" / "mnist_mlp.json").read_text())
    spec["description"] = '<script>alert("x")</script> & {{title}}'
    page = Path(twinnet.handout(spec, tmp_path / "x.html")).read_text()
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; {{title}}" in page  # filled once, not twice
    assert 'id="curves"' not in page  # no history, no curves


def test_handout_without_a_file_is_named_after_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graphviz()
    monkeypatch.chdir(tmp_path)
    assert twinnet.handout("mnist_mlp") == "mnist_mlp.html"
    assert (tmp_path / "mnist_mlp.html").stat().st_size > 5000


# -- the command line and the browser ----------------------------------------------------------

CHECK = """
<script>
window.addEventListener("load", () => {
  const box = (sel) => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width, height: r.height}; };
  const out = {
    r: box("#code-r pre"), python: box("#code-python pre"), table: box("#layers"),
    diagram: box("#diagram svg"), curves: box("#curves svg"),
    rows: document.querySelectorAll("#layers tbody tr").length,
    nodes: document.querySelectorAll("#diagram svg g.node").length,
    title: document.querySelector("h1").textContent,
  };
  const pre = document.createElement("pre"); pre.id = "twinnet-check"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=1280,2400"]


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_handout_renders_in_chromium(tmp_path: Path) -> None:
    graphviz()
    browser = chromium()
    assert browser
    history = tmp_path / "history.json"
    history.write_text(json.dumps(HISTORY))
    res = subprocess.run([sys.executable, "-m", "twinnet", "handout", "lenet5", "--history", str(history)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    page = tmp_path / "lenet5.html"
    assert res.stdout.strip() == "lenet5.html" and page.exists()

    # the layout as the browser computed it
    checked = tmp_path / "checked.html"
    checked.write_text(page.read_text().replace("</body>", CHECK + "</body>"))
    dom = run_chromium(["--virtual-time-budget=5000", "--dump-dom", checked.as_uri()], tmp_path / "profile1")
    found = re.search(r'<pre id="twinnet-check">(.*?)</pre>', dom.stdout, flags=re.S)
    assert found, f"the check did not run in Chromium: {dom.stderr[-2000:]}"
    out: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert out["title"] == "LeNet-5"
    for part in ("r", "python", "table", "diagram", "curves"):
        assert out[part] is not None and out[part]["width"] > 100 and out[part]["height"] > 100, (part, out[part])
    r, py = out["r"], out["python"]
    assert r["top"] == py["top"] and r["left"] + r["width"] <= py["left"], "code panels side by side, R first"
    assert out["rows"] == 9 and out["nodes"] == 9

    # and a picture of it
    shot = tmp_path / "handout.png"
    res2 = run_chromium([f"--screenshot={shot}", page.as_uri()], tmp_path / "profile2")
    assert shot.exists(), res2.stderr[-2000:]
    data = shot.read_bytes()
    assert png_size(data) == (1280, 2400)
    assert len(set(png_pixels(data))) > 64, "the screenshot is blank"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "twinnet"
    assert script.exists(), "pip install should create the `twinnet` command"
    res = subprocess.run([str(script), "diagram", "mnist_mlp"], capture_output=True, text=True, timeout=120,
                         check=False)
    assert res.returncode == 0 and res.stdout == to_dot("mnist_mlp")


def test_doctor_reports_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from twinnet.doctor import graphviz_version

    graphviz()
    assert (graphviz_version() or "").startswith("dot - graphviz version")
    monkeypatch.setenv("TWINNET_DOT", str(tmp_path / "missing"))
    assert graphviz_version() is None


# -- bounds on Graphviz, and the command line's edges --------------------------------------------

def long_spec(n: int) -> dict[str, Any]:
    """A chain of n Dense layers after the input: n + 1 layers."""
    return {"format_version": "1.0", "name": "long",
            "layers": [{"type": "Input", "shape": [4]}] + [{"type": "Dense", "units": 4} for _ in range(n)]}


def skip_ladder(n: int) -> dict[str, Any]:
    """Dense layers each added to the input: dot's layout of these grows very fast with n."""
    layers: list[dict[str, Any]] = [{"type": "Input", "name": "x", "shape": [4]},
                                    {"type": "Dense", "name": "a0", "units": 4}]
    for i in range(1, n):
        layers.append({"type": "Dense", "name": f"d{i}", "units": 4, "inputs": [f"a{i - 1}"]})
        layers.append({"type": "Add", "name": f"a{i}", "inputs": [f"d{i}", "x"]})
    return {"format_version": "1.0", "name": "ladder", "layers": layers}


@pytest.fixture
def limits_restored() -> Any:
    from twinnet.limits import DEFAULT_LIMITS

    old = twinnet.set_limits(**DEFAULT_LIMITS)
    yield
    twinnet.set_limits(**old)


def test_a_network_longer_than_the_diagram_limit_is_not_handed_to_graphviz(tmp_path: Path,
                                                                           limits_restored: None) -> None:
    spec = long_spec(1000)  # 1,001 layers, one over the limit (3,601 kept dot busy for minutes)
    with pytest.raises(GraphvizError) as e:
        twinnet.diagram(spec, tmp_path / "long.svg")
    assert str(e.value) == ("the network has 1,001 layers, more than the 1,000 that twinnet hands to Graphviz (a "
                            "large graph can keep it busy for a long time); raise it with "
                            "twinnet.set_limits(max_diagram_layers=...)")
    assert not (tmp_path / "long.svg").exists()
    assert twinnet.diagram(spec, tmp_path / "long.dot") == str(tmp_path / "long.dot")  # DOT text needs no Graphviz
    with pytest.warns(UserWarning, match="the handout has no diagram: the network has 1,001 layers"):
        page = Path(twinnet.handout(spec, tmp_path / "long.html")).read_text(encoding="utf-8")
    assert '<p class="missing">No diagram: the network has 1,001 layers' in page
    twinnet.set_limits(max_diagram_layers=20)
    with pytest.raises(GraphvizError, match="the network has 21 layers, more than the 20"):
        twinnet.diagram(long_spec(20), tmp_path / "twenty.svg")


def test_dot_is_stopped_after_the_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          limits_restored: None) -> None:
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setenv("TWINNET_DOT", str(slow))
    twinnet.set_limits(dot_timeout=1)
    with pytest.raises(GraphvizError) as e:
        twinnet.diagram("lenet5", tmp_path / "lenet5.svg")
    assert str(e.value) == ("Graphviz's dot did not finish within 1 seconds and was stopped; raise it with "
                            "twinnet.set_limits(dot_timeout=...)")


def test_a_graph_that_keeps_dot_busy_is_stopped(tmp_path: Path, limits_restored: None) -> None:
    graphviz()
    twinnet.set_limits(dot_timeout=2)
    with pytest.raises(GraphvizError, match="did not finish within 2 seconds"):
        twinnet.diagram(skip_ladder(150), tmp_path / "ladder.svg")  # more than minutes without the limit


def test_a_file_that_cannot_be_written_is_refused_first(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="there is no directory"):
        twinnet.diagram("lenet5", tmp_path / "missing" / "lenet5.dot")
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        twinnet.diagram("lenet5", tmp_path, format="dot")
    with pytest.raises(FileNotFoundError, match="there is no directory"):
        twinnet.handout("lenet5", tmp_path / "missing" / "lenet5.html")
    (tmp_path / "page.html").mkdir()
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        twinnet.handout("lenet5", tmp_path / "page.html")


def test_a_history_that_is_not_one_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a keras History or a dict"):
        history_series([1.0, 2.0])
    for bad, what in (({"loss": 0.5}, "'loss' holds a number"), ({"loss": "0.5"}, "'loss' holds a string"),
                      ({"loss": [0.5, None]}, "'loss' holds null among its values"),
                      ({"loss": [[0.5]]}, "'loss' holds an array among its values"),
                      ({"val_loss": [True]}, "'val_loss' holds true or false among its values")):
        with pytest.raises(ValueError, match=re.escape(what)):
            history_series(bad)


def run_twinnet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twinnet", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"\xff\xfe{}", "is not UTF-8 text (byte 1 is not)"),
    (b"[1, 2, 3]", "holds an array, not an object of metric name -> values per epoch"),
    (b'{"loss": 3}', "'loss' holds a number"),
    (b'{"loss": [1, "x"]}', "'loss' holds a string among its values"),
    (b"loss = [1, 2]", "is not JSON: invalid JSON at line 1, column 1"),
    (b"[" * 100 + b"]" * 100, "is not JSON: the JSON nests arrays and objects more than 64 levels deep"),
])
def test_cli_refuses_a_history_file_that_is_not_one(tmp_path: Path, content: bytes, message: str) -> None:
    history = tmp_path / "history.json"
    history.write_bytes(content)
    res = run_twinnet("handout", "mnist_mlp", "--history", str(history), cwd=tmp_path)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith(f"twinnet: the history file {str(history)!r} ") and message in res.stderr
    assert not (tmp_path / "mnist_mlp.html").exists()


def test_cli_refuses_outputs_it_cannot_write(tmp_path: Path) -> None:
    cases = [("diagram", "mnist_mlp", "-o", str(tmp_path / "missing" / "net.svg")),
             ("diagram", "mnist_mlp", "-o", str(tmp_path), "--format", "dot"),
             ("handout", "mnist_mlp", "-o", str(tmp_path / "missing" / "page.html")),
             ("handout", "mnist_mlp", "-o", str(tmp_path)),
             ("handout", "mnist_mlp", "--history", str(tmp_path / "no-history.json"))]
    for args in cases:
        res = run_twinnet(*args, cwd=tmp_path)
        assert res.returncode != 0, args
        assert "Traceback" not in res.stderr, args
        assert res.stderr.startswith("twinnet: cannot write") or "no history file" in res.stderr, (args, res.stderr)


def test_read_history_reads_what_keras_writes(tmp_path: Path) -> None:
    from twinnet.handout import read_history

    path = tmp_path / "history.json"
    path.write_text(json.dumps({"loss": [1, 0.5], "val_loss": [2, 1.5]}))
    assert read_history(path) == {"loss": [1.0, 0.5], "val_loss": [2.0, 1.5]}


# -- diagrams for slides: resolution, PDF, direction, details, collapsed blocks ----------------------

def test_nodes_show_kernel_stride_and_activation() -> None:
    by_name = {layer["name"]: layer for layer in twinnet.expand("alexnet")["layers"]}
    assert details_text(by_name["conv1"]) == "11×11 /4 relu"
    assert details_text(by_name["pool1"]) == "3×3 /2"
    assert details_text(by_name["fc8"]) == "softmax"
    assert details_text(by_name["input"]) == ""
    conv = {"config": {"kernel_size": [3, 1], "strides": [2, 1], "activation": "linear"}}
    assert details_text(conv) == "3×1 /2×1"
    assert "<TR><TD>11×11 /4 relu</TD></TR>" in to_dot("alexnet")


@pytest.mark.parametrize("direction", ["TB", "LR", "BT", "RL"])
def test_direction_is_the_rankdir(direction: str) -> None:
    dot = to_dot("lenet5", direction=direction)
    assert f'graph [rankdir="{direction}",' in dot
    assert dot.replace(f'rankdir="{direction}"', 'rankdir="TB"') == to_dot("lenet5")


def test_collapse_draws_one_box_per_block_use() -> None:
    dot = to_dot("mini_resnet", collapse=True)
    nodes = re.findall(r'^\s*"([A-Za-z0-9_]+)" \[label=<', dot, flags=re.M)
    assert nodes == ["input", "stem", "stem_bn", "stem_relu", "stage1", "stage2_down", "stage2", "pool", "output"]
    assert "<B>stage1</B>&#160;basic ×2 (14 layers)" in dot
    assert "<B>stage2_down</B>&#160;downsample (9 layers)" in dot
    edges = re.findall(r'^\s*"([A-Za-z0-9_]+)" -> "([A-Za-z0-9_]+)";$', dot, flags=re.M)
    assert edges == list(itertools.pairwise(nodes))  # the shortcuts are inside the boxes
    assert "cluster" not in dot
    graph = twinnet.expand("mini_resnet")
    stage1 = [layer for layer in graph["layers"] if layer["name"].startswith("stage1_")]
    assert f"<TR><TD>{sum(layer['params'] for layer in stage1):,} params</TD></TR>" in dot
    # GoogLeNet: nine inception modules, each one box; a spec without blocks is drawn as before
    google = to_dot("googlenet", collapse=True)
    assert len(re.findall(r"&#160;inception \(8 layers\)", google)) == 9
    assert to_dot("lenet5", collapse=True) == to_dot("lenet5")


@pytest.mark.parametrize("bad", [{"direction": "up"}, {"direction": "lr"}, {"collapse": "yes"}, {"dpi": 0},
                                 {"dpi": 96.5}, {"dpi": True}, {"dpi": 5000}])
def test_diagram_options_are_checked(bad: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^(direction|collapse|dpi) must be"):
        twinnet.diagram("lenet5", tmp_path / "x.png", **bad)


def test_png_resolution_and_pdf(tmp_path: Path) -> None:
    graphviz()
    sizes = {dpi: png_size(Path(twinnet.diagram("lenet5", tmp_path / f"{dpi}.png", dpi=dpi)).read_bytes())
             for dpi in (75, 150, 300)}
    assert png_size(Path(twinnet.diagram("lenet5", tmp_path / "default.png")).read_bytes()) == sizes[150]
    assert abs(sizes[300][0] / sizes[75][0] - 4) < 0.1 and abs(sizes[300][1] / sizes[150][1] - 2) < 0.05
    pdf = Path(twinnet.diagram("lenet5", tmp_path / "net.pdf", direction="LR")).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf_pages(pdf)) == 1
    wide = png_size(Path(twinnet.diagram("lenet5", tmp_path / "lr.png", direction="LR")).read_bytes())
    assert wide[0] > wide[1] and sizes[150][1] > sizes[150][0]


def test_cli_diagram_options(tmp_path: Path) -> None:
    graphviz()
    out = tmp_path / "r.png"
    res = subprocess.run([sys.executable, "-m", "twinnet", "diagram", "mini_resnet", "-o", str(out), "--dpi", "75",
                          "--direction", "LR", "--collapse"], capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert png_size(out.read_bytes()) == png_size(Path(twinnet.diagram("mini_resnet", tmp_path / "p.png", dpi=75,
                                                                       direction="LR", collapse=True)).read_bytes())
    res = subprocess.run([sys.executable, "-m", "twinnet", "diagram", "mini_resnet", "--collapse", "--direction",
                          "LR"], capture_output=True, text=True, timeout=120, check=False)
    assert res.stdout == to_dot("mini_resnet", direction="LR", collapse=True)
    res = subprocess.run([sys.executable, "-m", "twinnet", "diagram", "lenet5", "--format", "pdf"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0 and (tmp_path / "lenet5.pdf").read_bytes().startswith(b"%PDF-"), res.stderr


# -- handouts: what a student copies, and how the page prints ------------------------------------

def test_handout_footer_names_the_spec_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINNET_DOT", str(tmp_path / "no-such-dot"))
    monkeypatch.chdir(tmp_path)
    spec_file = tmp_path / "specs" / "cifar.json"
    spec_file.parent.mkdir()
    spec_file.write_text((ROOT / "shared_specs" / "models" / "cifar10_cnn.json").read_text())
    with pytest.warns(UserWarning):
        page = Path(twinnet.handout("specs/cifar.json", "out.html")).read_text()
        by_name = Path(twinnet.handout("lenet5", tmp_path / "l.html")).read_text()
        as_data = Path(twinnet.handout(twinnet.load_spec("lenet5").data, "d.html")).read_text()
    assert "<code>twinnet::handout(&quot;specs/cifar.json&quot;, &quot;out.html&quot;)</code>" in page
    assert "<code>twinnet.handout(&quot;specs/cifar.json&quot;, &quot;out.html&quot;)</code>" in page
    assert "handout(&quot;cifar10_cnn" not in page
    assert "<code>twinnet.handout(&quot;lenet5&quot;, &quot;l.html&quot;)</code>" in by_name
    assert "<code>twinnet.handout(spec, &quot;d.html&quot;)</code> (<code>spec</code>: this spec" in as_data
    # the command in the footer works
    (tmp_path / "out.html").unlink()
    with pytest.warns(UserWarning):
        assert Path(twinnet.handout("specs/cifar.json", "out.html")).read_text() == page


def test_handout_has_training_code_where_the_spec_has_compile_settings(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINNET_DOT", str(tmp_path / "no-such-dot"))
    with pytest.warns(UserWarning):
        pages = {name: parse(Path(twinnet.handout(name, tmp_path / f"{name}.html")).read_text())
                 for name in ("lenet5", "conv1d_forecaster", "example_edge_detection")}
    lenet = pages["lenet5"]
    assert "".join(lenet.text["train-python"]).endswith(
        "history = model.fit(x_train, y_train, epochs=10, validation_split=0.1)\nmodel.evaluate(x_test, y_test)")
    assert "".join(lenet.text["train-r"]).endswith(
        "history <- model |> fit(x_train, y_train, epochs = 10, validation_split = 0.1)\n"
        "model |> evaluate(x_test, y_test)")
    forecaster = pages["conv1d_forecaster"]  # fit settings: the generated code's train_model()
    assert "history = train_model(x_train, y_train)" in "".join(forecaster.text["train-python"])
    assert "history <- train_model(x_train, y_train)" in "".join(forecaster.text["train-r"])
    assert "def train_model(x, y):" in "".join(forecaster.text["code-python"])
    assert "train-python" not in pages["example_edge_detection"].ids  # no compile settings: no training code


def test_handout_leaves_out_what_the_spec_does_not_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINNET_DOT", str(tmp_path / "no-such-dot"))
    spec = twinnet.load_spec("lenet5").data
    for key in ("source", "description", "tags"):
        spec.pop(key, None)
    with pytest.warns(UserWarning):
        page = Path(twinnet.handout(spec, tmp_path / "x.html")).read_text()
        full = Path(twinnet.handout("lenet5", tmp_path / "y.html")).read_text()
    for placeholder in ("(not given)", "(no description)", "no tags", "Source:", 'class="description"'):
        assert placeholder not in page
    assert '<p class="source">Source: ' in full and 'class="description"' in full


def pdf_pages(data: bytes) -> list[bytes]:
    """The content streams of a PDF's pages (as Chromium and Graphviz write them: plain objects, Flate
    streams), one per page, in the order of the objects."""
    starts = {int(m.group(1)): m.start() for m in re.finditer(rb"(\d+) 0 obj", data)}

    def body(n: int) -> bytes:
        return data[starts[n]:data.index(b"endobj", starts[n])]

    pages = []
    for n in sorted(starts):
        obj = body(n)
        if not re.search(rb"/Type\s*/Page\b", obj):
            continue
        refs = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", obj)
        content = b""
        for ref in re.findall(rb"(\d+) 0 R", refs.group(1)) if refs else []:
            stream = body(int(ref))
            raw = stream[stream.index(b"stream") + 6:stream.rindex(b"endstream")].strip(b"\r\n")
            try:
                content += zlib.decompress(raw)
            except zlib.error:
                content += raw
        pages.append(content)
    return pages


@pytest.mark.parametrize("name", ["lenet5", "mini_resnet"])
def test_handout_prints_without_empty_pages(name: str, tmp_path: Path) -> None:
    graphviz()
    page = Path(twinnet.handout(name, tmp_path / f"{name}.html", history=HISTORY))
    pdf = tmp_path / f"{name}.pdf"
    res = run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp_path / "profile")
    assert pdf.exists(), res.stderr[-2000:]
    pages = pdf_pages(pdf.read_bytes())
    assert 2 <= len(pages) <= 8
    texts = [len(re.findall(rb"\bT[Jj]\b", content)) for content in pages]
    # every page has something to read: not a heading alone (as when the diagram's frame broke)
    assert min(texts) >= 5, texts
