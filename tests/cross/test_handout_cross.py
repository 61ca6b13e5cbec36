"""Diagrams and handouts across languages: R writes the same DOT text, the same pictures and the
same HTML page as Python, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import twinnet
from twinnet.diagram import dot_program

CATALOG = [row.name for row in twinnet.catalog()]
HISTORY = {"loss": [1.2, 0.6, 0.4, 0.3], "accuracy": [0.6, 0.8, 0.9, 0.93],
           "val_loss": [0.9, 0.5, 0.45, 0.44], "val_accuracy": [0.7, 0.85, 0.88, 0.9]}


def assign_history(r: Any) -> None:
    """HISTORY as R's list h of numeric vectors, put together in R (rpy2's ListVector of a dict would
    evaluate R's list() through rpy2, which lets go of Python's lock: see rsession.py)."""
    for key, values in HISTORY.items():
        r.assign(key, r.ro.FloatVector(values))
    r(f"h <- list({', '.join(f'{key} = {key}' for key in HISTORY)}); rm({', '.join(HISTORY)})")


@pytest.fixture(scope="module")
def dot() -> str:
    found = dot_program()
    if found is None:
        pytest.fail("Graphviz's dot is missing (tools/setup.sh installs the Debian package graphviz)", pytrace=False)
    return found


def r_string(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("name", CATALOG)
def test_r_writes_the_same_dot(r: Any, name: str) -> None:
    assert r(f'as.character(twinnet::to_dot("{name}"))')[0] == twinnet.to_dot(name)


@pytest.mark.parametrize("name", ["lenet5", "mini_resnet"])
def test_r_draws_the_same_pictures(r: Any, dot: str, name: str, tmp_path: Path) -> None:
    for fmt in ("svg", "png"):
        mine = Path(twinnet.diagram(name, tmp_path / f"py.{fmt}"))
        r(f'twinnet::diagram("{name}", {r_string(tmp_path / f"r.{fmt}")})')
        assert (tmp_path / f"r.{fmt}").read_bytes() == mine.read_bytes(), fmt


def test_history_data_frame_from_r(r: Any) -> None:
    """R's fit_model() history (a data frame) draws the same curves as Keras's History.history."""
    from twinnet.handout import curves_svg

    assign_history(r)
    got = r("twinnet:::curves_svg(twinnet:::history_frame(h))")[0]
    assert got == curves_svg(HISTORY)


@pytest.mark.parametrize("name", ["lenet5", "mini_resnet", "imdb_lstm", "googlenet", "conv1d_forecaster"])
def test_r_writes_the_same_handout(r: Any, dot: str, name: str, tmp_path: Path) -> None:
    # the footer names the file, so both write a page.html (in two folders)
    (tmp_path / "py").mkdir()
    (tmp_path / "r").mkdir()
    mine = Path(twinnet.handout(name, tmp_path / "py" / "page.html",
                                history=HISTORY if name != "googlenet" else None))
    assign_history(r)
    history = "h" if name != "googlenet" else "NULL"
    r(f'twinnet::handout("{name}", {r_string(tmp_path / "r" / "page.html")}, history = {history})')
    theirs = (tmp_path / "r" / "page.html").read_bytes()
    assert theirs == mine.read_bytes()
    assert len(theirs) > 10_000


@pytest.mark.parametrize("given", ["file", "data"])
def test_r_writes_the_same_footer_for_a_file_or_data(r: Any, dot: str, given: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The footer's command names a spec file as given (here relative, with a ./), or `spec` for data."""
    spec_file = tmp_path / "specs" / "small.json"
    spec_file.parent.mkdir()
    spec_file.write_text((Path(twinnet.__file__).parent / "specs" / "models" / "lenet5.json").read_text())
    monkeypatch.chdir(tmp_path)
    source_py = "./specs/small.json" if given == "file" else twinnet.load_spec("lenet5").data
    source_r = '"./specs/small.json"' if given == "file" else 'twinnet::load_spec("lenet5")$data'
    mine = Path(twinnet.handout(source_py, "py.html")).read_bytes().replace(b"py.html", b"X.html")
    r(f'local({{ old <- setwd({r_string(tmp_path)}); on.exit(setwd(old)); twinnet::handout({source_r}, "r.html") }})')
    theirs = (tmp_path / "r.html").read_bytes().replace(b"r.html", b"X.html")
    assert theirs == mine
    assert (b"handout(&quot;specs/small.json&quot;" if given == "file" else b"handout(spec, ") in mine


@pytest.mark.parametrize("name", ["mini_resnet", "googlenet", "resnet50", "ticket_classifier", "alexnet"])
def test_r_writes_the_same_dot_for_slides(r: Any, name: str) -> None:
    for direction, collapse in (("LR", False), ("TB", True), ("RL", True)):
        call = f'twinnet::to_dot("{name}", direction = "{direction}", collapse = {str(collapse).upper()})'
        assert r(f"as.character({call})")[0] == twinnet.to_dot(name, direction=direction,
                                                               collapse=collapse), (direction, collapse)


def test_r_draws_the_same_png_and_pdf_for_slides(r: Any, dot: str, tmp_path: Path) -> None:
    mine = Path(twinnet.diagram("mini_resnet", tmp_path / "py.png", dpi=200, direction="LR", collapse=True))
    r(f'twinnet::diagram("mini_resnet", {r_string(tmp_path / "r.png")}, dpi = 200, direction = "LR", '
      "collapse = TRUE)")
    assert (tmp_path / "r.png").read_bytes() == mine.read_bytes()
    r(f'twinnet::diagram("lenet5", {r_string(tmp_path / "r.pdf")})')
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")


def test_a_network_too_long_to_draw_gets_the_same_page(r: Any, dot: str, tmp_path: Path) -> None:
    import warnings

    spec = "mini_resnet"  # 41 layers
    old = twinnet.set_limits(max_diagram_layers=10)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mine = Path(twinnet.handout(spec, tmp_path / "py.html"))
        r(f'withr::with_options(list(twinnet.max_diagram_layers = 10), suppressWarnings('
          f'twinnet::handout("{spec}", {r_string(tmp_path / "r.html")})))')
    finally:
        twinnet.set_limits(**old)
    page = mine.read_bytes()
    assert b'<p class="missing">No diagram: the network has ' in page
    assert b"raise it with" in page  # each language names its own way to raise the limit
    theirs = (tmp_path / "r.html").read_bytes()
    cut = page.index(b"raise it with")
    assert theirs[:cut] == page[:cut]
