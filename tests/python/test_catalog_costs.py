"""What each layer costs, where people look: the catalog's GMACs column and the summary's MACs and
connections, each the numbers of twinnet.cost() (tests/testthat/test-catalog.R and test-print.R in R)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import twinnet
from twinnet.formatting import format_significant
from twinnet.spec_print import summary_text

CATALOG = twinnet.catalog()


@pytest.mark.parametrize("row", CATALOG, ids=lambda r: r.name)
def test_catalog_gmacs_is_the_cost_total(row: twinnet.CatalogEntry) -> None:
    assert row.gmacs == twinnet.cost(row.name).macs / 1e9


def test_catalog_text_shows_gmacs_for_every_spec() -> None:
    text = twinnet.format_catalog(CATALOG)
    lines = text.splitlines()
    head = lines[0]
    assert re.match(r"^name +title +input +output +parameters +GMACs +tags$", head)
    column = head.index("GMACs") + len("GMACs")  # right-aligned under its heading
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert set(by_name) == {r.name for r in CATALOG}
    for row in CATALOG:
        line = by_name[row.name]
        cell = line[:column].split()[-1]
        assert cell == format_significant(row.gmacs), row.name
        assert float(cell) == pytest.approx(row.gmacs, rel=5e-3), row.name
        assert (cell == "0") == (row.gmacs == 0), row.name  # a small model never shows 0.000
    assert by_name["resnet50"][:column].endswith(" 3.86")
    assert by_name["lenet5"][:column].endswith(" 0.000417")
    assert by_name["vgg16"][:column].endswith(" 15.5")
    assert by_name["example_max_pooling"][:column].endswith(" 0")


def test_cli_catalog_has_the_gmacs_column() -> None:
    res = subprocess.run([sys.executable, "-m", "twinnet", "catalog"], capture_output=True, text=True, check=True)
    assert re.search(r"^resnet50 .* 25,636,712 +3\.86 +cnn, residual", res.stdout, re.M)


@pytest.mark.parametrize(("x", "text"), [
    (0.0, "0"), (3.857973248, "3.86"), (0.00041652, "0.000417"), (15.47026432, "15.5"), (20.28515328, "20.3"),
    (0.025003264, "0.0250"), (1.6e-8, "0.0000000160"), (0.00099996, "0.00100"), (999.96, "1000"), (12345.6, "12346"),
])
def test_format_significant(x: float, text: str) -> None:
    assert format_significant(x) == text


def test_summary_shows_the_macs_and_connections_of_cost() -> None:
    text = summary_text(twinnet.load_spec("lenet5"))
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "type", "output", "shape", "params", "MACs", "connections"]
    assert re.search(r"^c3 +Conv2D +\(None, 10, 10, 16\) +2,416 +240,000 +241,600$", text, re.M)
    assert lines[-1] == "total 416,520 MACs and 429,342 connections per sample"
    assert lines[-2] == "total 61,706 parameters (61,706 trainable, 0 non-trainable)"
    rows = twinnet.cost("lenet5").rows
    for line, row in zip(lines[1:-2], rows, strict=True):
        cells = line.split()
        assert cells[0] == row.name
        assert [int(c.replace(",", "")) for c in cells[-2:]] == [row.macs, row.connections]


def test_summary_of_a_recurrent_model_counts_the_sequence() -> None:
    text = summary_text(twinnet.load_spec("imdb_lstm"))
    lstm = twinnet.cost("imdb_lstm").row("lstm")
    assert lstm.macs == 100 * lstm.macs_per_step
    assert re.search(rf"^lstm +LSTM +\(None, 32\) +8,320 +{lstm.macs:,} +{lstm.connections:,}$", text, re.M)


def test_cli_summary_prints_the_summary_text() -> None:
    res = subprocess.run([sys.executable, "-m", "twinnet", "summary", "lenet5"], capture_output=True, text=True,
                         check=True)
    assert res.stdout == summary_text(twinnet.load_spec("lenet5")) + "\n"
