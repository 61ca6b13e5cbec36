"""Lessons across languages: R's notebook() writes the same notebook and the same R Markdown as Python's,
byte for byte, for every catalog spec and for a spec file whose texts try to break out of the markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import twinnet

CATALOG = [row.name for row in twinnet.catalog()]
ROOT = Path(__file__).resolve().parents[2]


def r_string(path: Path | str) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def same_lesson(r: Any, spec: str, path: Path, train: bool = True, epochs: int = 3) -> bytes:
    mine = Path(twinnet.notebook(spec, path.with_name(f"py{path.suffix}"), train=train, epochs=epochs)).read_bytes()
    theirs = path.with_name(f"r{path.suffix}")
    r(f'twinnet::notebook({r_string(spec)}, {r_string(theirs)}, train = {"TRUE" if train else "FALSE"}, '
      f"epochs = {epochs}L)")
    assert theirs.read_bytes() == mine
    return mine


@pytest.mark.parametrize("name", CATALOG)
def test_r_writes_the_same_lessons(r: Any, name: str, tmp_path: Path) -> None:
    same_lesson(r, name, tmp_path / "lesson.ipynb")
    same_lesson(r, name, tmp_path / "lesson.Rmd", train=name not in ("vgg16", "vgg19", "yolov1"), epochs=2)


def test_r_writes_the_same_lesson_of_a_hostile_spec_file(r: Any, tmp_path: Path) -> None:
    spec = json.loads((ROOT / "shared_specs" / "models" / "imdb_lstm.json").read_text(encoding="utf-8"))
    spec["title"] = 'A "title" `r 1` {{name}} {x}% \\ \u00e9\u2028\U0001f600\ttab'
    spec["description"] = "```{r}\nsystem('id')\n```\r\n`r 2` <b>&</b> \x01 {{description}}"
    path = tmp_path / 'a "spec" file.json'
    path.write_text(json.dumps(spec), encoding="utf-8")
    for suffix, train in ((".ipynb", True), (".Rmd", True), (".ipynb", False), (".Rmd", False)):
        text = same_lesson(r, str(path), tmp_path / f"lesson{suffix}", train=train).decode("utf-8")
        assert "`r " not in text and "<b>" not in text
