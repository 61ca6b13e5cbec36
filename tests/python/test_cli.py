"""The command line at home in a terminal: --version, help everywhere, no traceback, no TensorFlow noise."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import twinnet
from twinnet.__main__ import main, make_parser
from twinnet.demo import _table, why_not_compared, why_not_trained
from twinnet.doctor import format_columns
from twinnet.quiet import is_noise


def run(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TWINNET_TRACEBACK")}
    return subprocess.run([sys.executable, "-m", "twinnet", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)


def test_version() -> None:
    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"twinnet {twinnet.__version__}"


def _parsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(parser.prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_every_command_and_option_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = make_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {c.dest for c in commands._choices_actions} == set(commands.choices), "every command has a help line"
    assert all(c.help for c in commands._choices_actions)
    for prog, p in _parsers(parser):
        assert p.description or prog == "twinnet", f"{prog} has no description"
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"{prog} {action.dest} has no help"
    for name in commands.choices:  # in this process: `--help` ends before a command runs (test_version: a process)
        with pytest.raises(SystemExit) as stop:
            main([name, "--help"])
        out = capsys.readouterr().out
        assert stop.value.code == 0 and "usage: twinnet " + name in out, name


def test_a_missing_file_is_not_found_with_its_path(tmp_path: Path) -> None:
    res = run("summary", "specs/cifar_small.json", cwd=tmp_path)
    assert res.returncode == 2
    assert "there is no file 'specs/cifar_small.json'" in res.stderr and "Traceback" not in res.stderr
    assert "is not a catalog name" not in res.stderr
    with pytest.raises(twinnet.SpecError, match=r"there is no file 'cifar\.json'") as e:
        twinnet.load_spec("cifar.json")
    assert (e.value.kind, e.value.path) == ("not_found", "")
    with pytest.raises(twinnet.SpecError, match="'lenet' is not a catalog name"):
        twinnet.load_spec("lenet")


BAD_INPUTS = [
    ["show", "{"], ["show", "no_such_spec"], ["summary", ""], ["cost", "lenet5", "--batch", "0"],
    ["code", "nope.json"], ["diagram", "lenet5", "--dpi", "1"], ["diagram", "lenet5", "-o", "x.jpg"],
    ["diagram", "lenet5", "-o", "no/such/dir/x.svg"], ["handout", "lenet5", "-o", "no/such/dir/x.html"],
    ["handout", "lenet5", "--history", "missing.json"], ["notebook", "lenet5", "-o", "x.txt"],
    ["examples", "no_such_example"], ["train", "lenet5", "--data", "missing.npz"],
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=lambda a: " ".join(a))
def test_no_traceback_for_bad_input(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chdir(tmp_path)
    try:
        status = main(args)
    finally:
        os.chdir(Path(__file__).parent)
    err = capsys.readouterr().err
    assert status in (1, 2) and err.startswith("twinnet: ") and "Traceback" not in err, err


def test_an_unexpected_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import twinnet.spec_print

    def broken(spec: object) -> str:
        raise KeyError("boom")

    monkeypatch.setattr(twinnet.spec_print, "summary_text", broken)
    monkeypatch.delenv("TWINNET_TRACEBACK", raising=False)
    assert main(["summary", "lenet5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("twinnet: KeyError: 'boom'") and "TWINNET_TRACEBACK=1" in err
    monkeypatch.setenv("TWINNET_TRACEBACK", "1")
    with pytest.raises(KeyError):
        main(["summary", "lenet5"])


NOISE = ("oneDNN custom operations", "absl::InitializeLog", "cpu_feature_guard", "rebuild TensorFlow")


def test_no_tensorflow_start_up_noise() -> None:
    res = run("examples", "max_pooling")
    assert res.returncode == 0, res.stderr
    for noise in NOISE:
        assert noise not in res.stderr, res.stderr
    # what the filter drops, and what it keeps
    assert is_noise("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR")
    assert is_noise("I0000 00:00:1796228562.120849    2662 port.cc:153] oneDNN custom operations are on. You may "
                    "see slightly different numerical results.")
    assert not is_noise("E0000 00:00:1796228562.120849    2662 op_kernel.cc:1] Out of memory")
    assert not is_noise("Traceback (most recent call last):")


def test_noise_is_dropped_and_other_lines_kept() -> None:
    code = ("import os, sys\n"
            "from twinnet import quiet\n"
            "import builtins\n"
            "real = builtins.__import__\n"
            "def fake(name, *a, **k):\n"
            "    if name == 'tensorflow':\n"
            "        os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to"
            " STDERR\\nI0000 00:00:1.5    7 port.cc:153] oneDNN custom operations are on.\\nsomething else\\n')\n"
            "        return sys\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = fake\n"
            "print(quiet.import_tensorflow_quietly())\n")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, check=False)
    assert res.stdout.strip() == "True"
    assert res.stderr == "something else\n"


def test_demo_tables_show_full_names() -> None:
    rows = [("stage1_1_conv1", "Conv2D", "(None, 32, 32, 16)", 2304), ("output", "Dense", "(None, 10)", 330)]
    lines = _table(rows)
    assert lines[1].startswith("stage1_1_conv1  (None, 32, 32, 16)  ") and lines[1].endswith("2,304")
    assert len({len(line) for line in lines}) == 1  # aligned


def test_demo_says_why_it_does_not_compare_or_train() -> None:
    assert why_not_compared(twinnet.expand("lenet5")) is None and why_not_trained(twinnet.expand("lenet5")) is None
    assert why_not_compared(twinnet.expand("ticket_classifier")) is None  # two inputs: fed by name
    two_outputs = why_not_compared(twinnet.expand("example_edge_detection")) or ""
    assert two_outputs.startswith("outputs not compared: example_edge_detection has 2 outputs")
    reason = why_not_trained(twinnet.expand("mini_resnet")) or ""
    assert reason.startswith("not trained: the demo trains on the MNIST sample") and "32 x 32 x 3" in reason


@pytest.mark.skipif(os.environ.get("CI") != "true" and not os.environ.get("TWINNET_SLOW"),
                    reason="runs R and TensorFlow (about a minute); CI=true or TWINNET_SLOW=1 runs it")
def test_demo_on_a_two_input_spec(tmp_path: Path) -> None:
    res = run("demo", "ticket_classifier", "--out", str(tmp_path), timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Traceback" not in res.stderr and "expects 2 named input" not in res.stderr
    assert "parameters equal: yes" in res.stdout and "not trained:" in res.stdout
    assert "largest |Python - R| over the outputs for 8 random samples of each of its 2 inputs: 0" in res.stdout
    assert "title_embedding" in res.stdout  # full layer names
    for noise in NOISE:
        assert noise not in res.stderr


def test_doctor_columns_are_aligned() -> None:
    lines = format_columns([("", "Python", "R"), ("python", "/usr/bin/python3", "same"), ("R", "-", "4.2.2")])
    assert lines == ["        Python            R", "python  /usr/bin/python3  same", "R       -                 4.2.2"]
    out = io.StringIO()
    from twinnet import doctor as doctor_module

    info = {"twinnet": "0.1", "python": "/p", "python_version": "3.11", "prefix": "/x", "libpython": "/l.so",
            "keras": "3", "backend": "tensorflow", "backend_version": "2.21", "backend_by": "default", "numpy": "1",
            "missing": []}
    original = (doctor_module.python_info, doctor_module.r_info, doctor_module.graphviz_version)
    try:
        doctor_module.python_info = lambda: dict(info)  # type: ignore[assignment]
        doctor_module.r_info = lambda timeout=300: {**info, "python_version": "3.11 (main)", "ok": True,  # type: ignore[assignment]
                                                    "same_interpreter": True, "r_version": "4.2.2",
                                                    "reticulate": "1.28", "numpy": "1.26.4"}
        doctor_module.graphviz_version = lambda: "dot - graphviz version 2.43.0 (0)"  # type: ignore[assignment]
        assert doctor_module.doctor(out) is True
    finally:
        doctor_module.python_info, doctor_module.r_info, doctor_module.graphviz_version = original
    table = [line for line in out.getvalue().splitlines()[1:12]]
    columns = {m.start() for line in table[1:] for m in [re.search(r"(?<=  )\S", line[2:])] if m}
    assert len(columns) == 1, table  # the Python column starts at one place
    assert re.search(r"numpy\s+1\s+1\.26\.4$", table[10])
