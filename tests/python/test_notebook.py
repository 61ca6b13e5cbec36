"""The lessons that twinnet.notebook() writes: which cells a spec gets, the file formats, what a spec's text can
and cannot do in them, and the arguments. Running them is tests/lessons; R writing the same bytes is
tests/cross/test_notebook_cross.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import twinnet
from twinnet.__main__ import main
from twinnet.notebook import markdown_text

ROOT = Path(__file__).resolve().parents[2]
CATALOG = [row.name for row in twinnet.catalog()]


def ipynb(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def code(nb: dict[str, Any]) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def prose(nb: dict[str, Any]) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_vignette_is_the_lenet5_lesson(tmp_path: Path) -> None:
    """vignettes/lenet5-lesson.Rmd is what notebook() writes; after a change of the lesson, write it again with
    twinnet.notebook("lenet5", "vignettes/lenet5-lesson.Rmd", epochs=2)."""
    mine = twinnet.notebook("lenet5", tmp_path / "lenet5.Rmd", epochs=2)
    assert (ROOT / "vignettes" / "lenet5-lesson.Rmd").read_bytes() == Path(mine).read_bytes(), (
        "vignettes/lenet5-lesson.Rmd has drifted from the lesson: write it again with "
        "twinnet.notebook('lenet5', 'vignettes/lenet5-lesson.Rmd', epochs=2)")


def test_a_notebook_is_nbformat_4_with_R_cells(tmp_path: Path) -> None:
    nb = ipynb(twinnet.notebook("lenet5", tmp_path / "lenet5.ipynb"))
    assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells)
    first = "".join(cells[0]["source"])
    assert "%load_ext rpy2.ipython" in first and "%load_ext twinnet.ipython" in first
    r_cells = ["".join(c["source"]) for c in cells if c["source"][0].startswith("%%R")]
    assert len(r_cells) >= 5
    assert any("model_r <- build_model(spec, seed = 42)" in c for c in r_cells)
    assert 'twinnet.load_spec("lenet5")' in code(nb)
    text = Path(tmp_path / "lenet5.ipynb").read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n "cells": [\n  {\n' in text  # nbformat's own layout


def test_lenet5_trains_on_the_mnist_sample(tmp_path: Path) -> None:
    nb = ipynb(twinnet.notebook("lenet5", tmp_path / "lenet5.ipynb", epochs=4))
    src = code(nb)
    assert "twinnet.pad_digits(split.x_train, 32)" in src and "pad_digits(s$x_train, 32)" in src
    assert "twinnet.fit_model(model_py, x_train, y_train, epochs=4, batch_size=64" in src
    assert "fit_model(model_r, x_train, y_train, epochs = 4, batch_size = 64" in src
    assert "plot(history_r)" in src and "plt.show()" in src
    assert "generated" not in prose(nb) and "MNIST digits (32x32x1)" in prose(nb)


def test_a_vector_spec_gets_the_digits_as_vectors(tmp_path: Path) -> None:
    src = code(ipynb(twinnet.notebook("mnist_mlp", tmp_path / "m.ipynb")))
    assert ".reshape(-1, 784)" in src and "array_reshape(pad_digits(s$x_train, 28)" in src


def test_other_specs_train_on_generated_data(tmp_path: Path) -> None:
    nb = ipynb(twinnet.notebook("imdb_lstm", tmp_path / "imdb.ipynb", epochs=2))
    src = code(nb)
    assert 'x_train = rng.integers(0, 10000, size=(256, 100)).astype("int32")' in src  # the Embedding's input_dim
    assert 'y_train = rng.integers(0, 2, size=(256, 1)).astype("float32")' in src  # binary_crossentropy
    assert "x_train <- py$x_train" in src and "mnist_split" not in src
    assert "generated data of the right shape" in prose(nb)
    src = code(ipynb(twinnet.notebook("stock_gru", tmp_path / "stock.ipynb")))
    assert 'y_train = rng.normal(size=(256, 1)).astype("float32")' in src  # a regression loss


@pytest.mark.parametrize(("name", "train", "why"), [
    ("resnet18", False, "without training (train = FALSE)"),
    ("resnet18", True, "no compile settings"),
    ("example_edge_detection", True, "no compile settings"),
    ("two_outputs", True, "one input and one output"),
])
def test_networks_it_does_not_train(tmp_path: Path, name: str, train: bool, why: str) -> None:
    if name == "two_outputs":  # example_gru (two outputs), compiled
        spec = json.loads((ROOT / "shared_specs" / "models" / "example_gru.json").read_text(encoding="utf-8"))
        spec["compile"] = {"optimizer": "adam", "loss": "mean_squared_error"}
        (tmp_path / "two.json").write_text(json.dumps(spec), encoding="utf-8")
        name = str(tmp_path / "two.json")
    nb = ipynb(twinnet.notebook(name, tmp_path / "n.ipynb", train=train))
    src = code(nb)
    assert "fit_model" not in src and "plt.show()" not in src
    assert why in prose(nb)
    assert "x_check = rng.normal(size=(8, " in src  # generated inputs for the comparison
    assert "Verdict" in src


@pytest.mark.parametrize("name", CATALOG)
@pytest.mark.parametrize("suffix", [".ipynb", ".Rmd"])
def test_every_catalog_spec_gets_a_lesson(tmp_path: Path, name: str, suffix: str) -> None:
    path = Path(twinnet.notebook(name, tmp_path / f"lesson{suffix}", train=name != "yolov1"))
    text = path.read_text(encoding="utf-8")
    assert "{{" not in text.replace("{{{", "")  # every placeholder filled
    if suffix == ".ipynb":
        assert ipynb(path)["cells"]
    else:
        assert text.startswith("---\ntitle: ") and text.count("```{r}") >= 5 and text.count("```{python}") >= 3


def test_r_markdown_has_python_chunks(tmp_path: Path) -> None:
    text = Path(twinnet.notebook("lenet5", tmp_path / "lenet5.Rmd")).read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "LeNet-5: one spec, the same network in Python and in R"\n')
    assert "output: rmarkdown::html_vignette" in text and "%%R" not in text and "%load_ext" not in text
    assert "```{python}\nmodel_py = twinnet.build_model(spec, seed=42)" in text
    assert "knitr::include_graphics(diagram(spec, " in text
    assert text.endswith("```\n")


def hostile_spec(tmp_path: Path) -> Path:
    spec = json.loads((ROOT / "shared_specs" / "models" / "lenet5.json").read_text(encoding="utf-8"))
    spec["title"] = 'A "title" `r system("id")` {{name}}\n---\noutput: x'
    spec["description"] = ("```{r}\nsystem('touch /tmp/pwned')\n```\n`r Sys.time()` <script>alert(1)</script> "
                           "\u00e9\u2028caf\u00e9 \\ done")
    path = tmp_path / "hostile spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_a_spec_text_writes_no_code(tmp_path: Path) -> None:
    spec = hostile_spec(tmp_path)
    plain = Path(twinnet.notebook("lenet5", tmp_path / "plain.Rmd")).read_text(encoding="utf-8")
    text = Path(twinnet.notebook(str(spec), tmp_path / "h.Rmd")).read_text(encoding="utf-8")
    for marker in ("```{r}", "```{python}", "```"):
        assert text.count(marker) == plain.count(marker)
    assert "`r " not in text and "<script>" not in text
    assert "&#96;r Sys.time()&#96;" in text and "&lt;script&gt;" in text
    header = text.split("\n---\n", 1)[0]
    assert header.count("\n") == 6  # the title is one quoted line
    assert 'title: "A \\"title\\" \\u0060r system(\\"id\\")\\u0060 {{name}} --- output: x: one spec' in header
    assert "VignetteIndexEntry{A \"title\" r system(\"id\") name --- output: x: one spec" in header
    assert f"spec = twinnet.load_spec({json.dumps(str(spec))})" in text  # the file, by its path
    nb = ipynb(twinnet.notebook(spec, tmp_path / "h.ipynb"))
    assert "<script>" not in prose(nb) and "`r " not in prose(nb)


def test_markdown_text() -> None:
    assert markdown_text("a\r\nb\rc\nd") == "a b c d"
    assert markdown_text('<b> & "x" `y`') == "&lt;b&gt; &amp; &quot;x&quot; &#96;y&#96;"


def test_the_spec_is_loaded_as_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text((ROOT / "shared_specs" / "models" / "lenet5.json").read_text(encoding="utf-8"), encoding="utf-8")
    for given in (str(path), path, twinnet.load_spec(path)):
        assert f"load_spec({json.dumps(str(path))})" in code(ipynb(twinnet.notebook(given, tmp_path / "a.ipynb")))
    assert 'load_spec("lenet5")' in code(ipynb(twinnet.notebook(twinnet.load_spec(" lenet5 "), tmp_path / "b.ipynb")))


def test_bad_arguments(tmp_path: Path) -> None:
    spec = json.loads((ROOT / "shared_specs" / "models" / "lenet5.json").read_text(encoding="utf-8"))
    for given in (spec, json.dumps(spec), twinnet.load_spec(spec)):
        with pytest.raises(ValueError, match="by catalog name or from a file"):
            twinnet.notebook(given, tmp_path / "x.ipynb")
    with pytest.raises(ValueError, match=r"\(.ipynb\) or R Markdown \(.Rmd\), not"):
        twinnet.notebook("lenet5", tmp_path / "x.html")
    with pytest.raises(ValueError, match="epochs"):
        twinnet.notebook("lenet5", tmp_path / "x.ipynb", epochs=0)
    with pytest.raises(TypeError, match="train"):
        twinnet.notebook("lenet5", tmp_path / "x.ipynb", train="no")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        twinnet.notebook("lenet5", tmp_path / "missing" / "x.ipynb")
    with pytest.raises(twinnet.SpecError):
        twinnet.notebook("lenet6", tmp_path / "x.ipynb")
    assert not list(tmp_path.glob("x.*"))


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["notebook", "lenet5"]) == 0
    assert capsys.readouterr().out == "lenet5.ipynb\n"
    assert "fit_model" in code(ipynb(tmp_path / "lenet5.ipynb"))
    assert main(["notebook", "lenet5", "-o", "small.Rmd", "--no-train"]) == 0
    assert "fit_model" not in (tmp_path / "small.Rmd").read_text(encoding="utf-8")
    assert main(["notebook", "lenet5", "-o", "x.txt"]) == 1
    assert "R Markdown" in capsys.readouterr().err
    assert main(["notebook", "lenet6"]) == 2
