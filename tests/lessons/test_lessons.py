"""The lessons of twinnet.notebook(), run headless from top to bottom: Jupyter notebooks with nbclient on a
kernel of this Python (R in it through rpy2's %%R cells), R Markdown with rmarkdown::render() in Rscript.

Each must run every cell without an error, end with the verdict that Python and R built the same model, and
draw its figures: the diagram and, where it trains, both learning curves. Locally a missing piece (Jupyter's
packages, R, rmarkdown) skips with a message; under CI=true it fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import twinnet

VERDICT = "Verdict: Python and R built the same model."
TIMEOUT = 600  # seconds a cell may take


def _missing(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the lessons cannot run: {why}", pytrace=False)
    pytest.skip(f"lessons skipped: {why}")


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Jupyter kernel "python3", pointed at this interpreter (found first through JUPYTER_PATH)."""
    # found, not imported: rpy2 would start R in this process
    missing = [m for m in ("ipykernel", "matplotlib", "nbclient", "nbformat", "rpy2", "IPython")
               if importlib.util.find_spec(m) is None]
    if missing:
        _missing(f"no {', '.join(missing)} here (install the Python package's notebook extra: "
                 "pip install -c constraints.txt -e '.[notebook]')")
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (twinnet's tests)", "language": "python"}), encoding="utf-8")
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(folder), *([old] if old else [])])
    os.environ.setdefault("RETICULATE_PYTHON", sys.executable)
    try:
        yield "python3"
    finally:
        if old is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = old


def run_notebook(path: Path, kernel: str) -> Any:
    """Execute a notebook in its folder; the executed notebook is saved beside it (name.out.ipynb)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    client = nbclient.NotebookClient(nb, timeout=TIMEOUT, kernel_name=kernel,
                                     resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, path.with_suffix(".out.ipynb"))
    return nb


def text_of(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def check_notebook(nb: Any, trained: bool) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "a cell did not run"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    kinds = [kind for c in code for o in c.outputs if o.output_type in ("display_data", "execute_result")
             for kind in o.get("data", {})]
    assert kinds.count("image/svg+xml") >= 1  # the diagram
    assert kinds.count("image/png") == (2 if trained else 0)  # the learning curves: Python's, then R's
    r_setup = next(c for c in code if "py_config()$python" in c.source)
    assert sys.executable in text_of(r_setup)  # R runs on this kernel's Python
    assert VERDICT in text_of(code[-1]), text_of(code[-1])
    assert "yes the same outputs before training" in text_of(code[-1])
    if trained:
        assert "yes the same trained weights" in text_of(code[-1])


def test_the_cli_lenet5_notebook_runs(kernel: str, tmp_path: Path) -> None:
    """`twinnet notebook lenet5`: the MNIST sample, 3 epochs in each language, both learning curves."""
    res = subprocess.run([sys.executable, "-m", "twinnet", "notebook", "lenet5"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "lenet5.ipynb\n"
    nb = run_notebook(tmp_path / "lenet5.ipynb", kernel)
    check_notebook(nb, trained=True)
    assert (tmp_path / "lenet5.svg").is_file()


def test_imdb_lstm_trains_on_generated_data(kernel: str, tmp_path: Path) -> None:
    nb = run_notebook(Path(twinnet.notebook("imdb_lstm", tmp_path / "imdb_lstm.ipynb", epochs=2)), kernel)
    check_notebook(nb, trained=True)
    assert any("generated data" in c.source for c in nb.cells if c.cell_type == "markdown")


def test_a_large_network_without_training(kernel: str, tmp_path: Path) -> None:
    nb = run_notebook(Path(twinnet.notebook("resnet18", tmp_path / "resnet18.ipynb", train=False)), kernel)
    check_notebook(nb, trained=False)
    assert not any("fit_model" in c.source for c in nb.cells)


@pytest.fixture(scope="module")
def rscript() -> str:
    found = shutil.which("Rscript")
    if found is None:
        _missing("Rscript is not on PATH")
    assert found is not None
    ok = subprocess.run([found, "-e", 'stopifnot(requireNamespace("rmarkdown"), rmarkdown::pandoc_available(), '
                         'requireNamespace("twinnet"))'], capture_output=True, text=True, timeout=120)
    if ok.returncode != 0:
        _missing(f"R cannot render R Markdown with twinnet: {ok.stderr[-500:]}")
    return found


def test_the_r_markdown_lesson_renders(rscript: str, tmp_path: Path) -> None:
    """R writes notebook("lenet5", "lenet5.Rmd") and renders it; knitr stops at the first error."""
    env = {**os.environ, "RETICULATE_PYTHON": os.environ.get("RETICULATE_PYTHON", sys.executable)}
    expr = ('a <- commandArgs(trailingOnly = TRUE)[-1L]; '
            'f <- twinnet::notebook("lenet5", a[[1L]], epochs = 2L); rmarkdown::render(f, quiet = TRUE)')
    res = subprocess.run([rscript, "-e", expr, "--args", "lenet5.Rmd"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert res.returncode == 0, res.stderr[-3000:]
    page = (tmp_path / "lenet5.html").read_text(encoding="utf-8")
    assert f"## {VERDICT}" in page  # knitr's output, not the code that prints it
    assert "## yes the same trained weights" in page
    assert "## Error" not in page
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 2  # both learning curves
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', page)) == 1  # the diagram
