"""At home in Jupyter: a spec's rich display, summary() and plot_history() (issue 17)."""

from __future__ import annotations

import builtins
import os
import shutil
import sys
from typing import Any

import pytest

import twinnet
from twinnet.spec_print import summary_text

HAS_DOT = shutil.which("dot") is not None


def test_summary_is_the_table_twinnet_summary_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from twinnet.__main__ import main

    table = twinnet.summary("lenet5")
    assert isinstance(table, str) and table == summary_text(twinnet.load_spec("lenet5"))
    assert repr(table) == table  # a prompt shows the table, not a quoted string
    assert table.splitlines()[0].split() == ["layer", "type", "output", "shape", "params", "MACs", "connections"]
    assert "total 61,706 parameters" in table
    assert main(["summary", "lenet5"]) == 0
    assert table in capsys.readouterr().out
    assert "<pre>" in table._repr_html_() and "&lt;" not in summary_text(twinnet.load_spec("lenet5"))


def test_spec_html_shows_the_table_and_the_diagram(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = twinnet.load_spec("lenet5")
    if not HAS_DOT and not os.environ.get("CI"):
        pytest.skip("Graphviz's dot is not installed")
    page = spec._repr_html_()
    assert "&lt;twinnet spec &#x27;lenet5&#x27;: 9 layers, 61,706 parameters&gt;" in page
    assert "total 61,706 parameters" in page
    assert page.count("<svg") == 1 and "<?xml" not in page and "<!DOCTYPE" not in page
    monkeypatch.setenv("TWINNET_DOT", "/nonexistent/dot")  # as without Graphviz: the table alone, and why
    plain = spec._repr_html_()
    assert "<svg" not in plain and "total 61,706 parameters" in plain and "Graphviz" in plain


def history_values() -> dict[str, list[float]]:
    return {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.7, 0.8], "val_loss": [1.1, 0.6, 0.4],
            "val_accuracy": [0.4, 0.6, 0.7]}


def test_plot_history_draws_a_panel_per_metric() -> None:
    from matplotlib.figure import Figure

    fig = twinnet.plot_history(history_values())
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in axes[0].get_lines()] == ["training", "validation"]
    assert list(axes[0].get_lines()[1].get_ydata()) == [1.1, 0.6, 0.4]
    assert list(axes[1].get_lines()[0].get_xdata()) == [1, 2, 3]


def test_plot_history_takes_a_keras_history() -> None:
    import numpy as np

    model = twinnet.build_model({"format_version": "1.0", "name": "tiny", "layers": [
        {"type": "Input", "shape": [2]}, {"type": "Dense", "units": 1}],
        "compile": {"optimizer": "sgd", "loss": "mse", "metrics": ["mae"]}}, seed=1)
    x = np.zeros((8, 2), "float32")
    history = twinnet.fit_model(model, x, np.zeros(8, "float32"), epochs=2, verbose=0, seed=1)
    fig = twinnet.plot_history(history)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["loss", "mae"]
    with pytest.raises(TypeError, match="fit_model"):
        twinnet.plot_history([1, 2])


def test_plot_history_without_matplotlib_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "matplotlib":
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    for mod in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, mod)
    with pytest.raises(ImportError, match=r"pip install 'twinnet\[notebook\]'"):
        twinnet.plot_history(history_values())
