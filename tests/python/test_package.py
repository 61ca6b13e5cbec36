"""Packaging: derived files in step with shared_specs/, one version, the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import twinnet

ROOT = Path(__file__).resolve().parents[2]


def test_derived_files_match_shared_specs() -> None:
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_specs.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout


def test_one_version_for_both_packages() -> None:
    version = (ROOT / "VERSION").read_text().strip()
    description = (ROOT / "DESCRIPTION").read_text()
    assert re.search(r"^Version:\s*(\S+)", description, re.M).group(1) == version
    assert twinnet.__version__ == version


def test_import_does_not_load_keras() -> None:
    code = "import sys, twinnet; twinnet.expand('lenet5'); print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twinnet", *args], capture_output=True, text=True)


def test_cli_catalog_lists_every_spec() -> None:
    res = run_cli("catalog")
    assert res.returncode == 0
    for row in twinnet.catalog():
        assert re.search(rf"^{row.name}\s+.*{row.parameters:,}", res.stdout, re.M)


def test_cli_summary_and_error() -> None:
    res = run_cli("summary", "lenet5")
    assert "total 61,706 parameters" in res.stdout
    bad = run_cli("summary", '{"format_version": "1.0", "name": "x", "layers": [{"type": "Dens"}]}')
    assert bad.returncode == 2
    assert "at /layers/0/type" in bad.stderr and "did you mean 'Dense'?" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("row", twinnet.catalog(), ids=lambda r: r.name)
def test_catalog_specs_state_their_expectations(row: twinnet.CatalogEntry) -> None:
    doc = twinnet.load_spec(row.name).data
    assert doc["expect"]["params"]["total"] == row.parameters
    assert {"title", "description", "source", "tags"} <= set(doc)


def test_python_requirements_are_one_list() -> None:
    """pyproject.toml's dependencies are shared_specs/python.json's packages, which R declares to reticulate."""
    import json

    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shared = json.loads((ROOT / "shared_specs" / "python.json").read_text(encoding="utf-8"))
    assert pyproject["project"]["dependencies"] == shared["packages"]
    assert pyproject["project"]["optional-dependencies"]["tensorflow"] == shared["backends"]["tensorflow"]["Linux"]


def test_spec_layer_needs_no_jsonschema() -> None:
    """Specs are checked by twinnet's own schema checker; jsonschema is only the tests' reference."""
    code = ("import sys, twinnet; twinnet.load_spec('resnet50'); twinnet.to_code('lenet5', 'r'); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_doctor_names_a_missing_module_and_the_command_that_installs_it() -> None:
    """A module build_model() needs that cannot be imported is reported, with a pip command for this Python."""
    code = ("import sys; sys.modules['keras'] = None; sys.modules['tensorflow'] = None\n"
            "from twinnet.doctor import install_command, python_info\n"
            "info = python_info(); print(info['missing']); print(install_command(info['missing']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "['keras', 'tensorflow']"
    assert out[1].startswith(f"{sys.executable} -m pip install 'keras>=3.0' 'tensorflow")


def test_wheel_and_r_tarball_carry_shared_files(tmp_path: Path) -> None:
    """The wheel and the R source tarball carry shared_specs/ and shared_data/, byte for byte.

    Neither package's copy is committed: setup.py's build step and the R package's configure
    (run by R CMD build through cleanup) make them, by tools/sync_specs.py's rule.
    """
    import importlib.util
    import shutil
    import tarfile
    import zipfile

    loader = importlib.util.spec_from_file_location("sync_specs", ROOT / "tools" / "sync_specs.py")
    assert loader is not None and loader.loader is not None
    sync = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(sync)
    want = {f"specs/{p.relative_to(sync.SHARED).as_posix()}": p.read_bytes()
            for p in sorted(sync.SHARED.rglob("*")) if p.is_file() and p.suffix in sync.SHARED_SUFFIXES}
    want |= {f"data/{p.name}": p.read_bytes() for p in sorted(sync.DATA.iterdir()) if p.is_file()}
    assert "specs/layers.json" in want and "data/mnist_5k.npz" in want

    def same(got: dict[str, bytes], what: str) -> None:
        assert sorted(got) == sorted(want), f"{what}: files differ from shared_specs/ and shared_data/"
        assert [k for k in want if got[k] != want[k]] == [], f"{what}: contents differ"

    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, cwd=tmp_path)
    with zipfile.ZipFile(next(dist.glob("twinnet-*.whl"))) as whl:
        same({n.removeprefix("twinnet/"): whl.read(n) for n in whl.namelist()
              if n.startswith(("twinnet/specs/", "twinnet/data/")) and not n.endswith("/")}, "wheel")

    if shutil.which("R") is None:
        pytest.skip("R is not installed")
    # R CMD build copies the whole folder before it applies .Rbuildignore: leave out the large
    # top-level entries it ignores (.venv, out, ...), keeping the shared folders the copies come from.
    ignored = [re.compile(line, re.I) for line in (ROOT / ".Rbuildignore").read_text().splitlines() if line.strip()]
    keep = {"shared_specs", "shared_data"}
    stage = tmp_path / "twinnet"
    stage.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in keep or not any(p.search(entry.name) for p in ignored):
            if entry.is_dir():
                shutil.copytree(entry, stage / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, stage / entry.name)
    built = subprocess.run(["R", "CMD", "build", "--no-build-vignettes", str(stage)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    prefixes = {"twinnet/inst/specs/": "specs/", "twinnet/inst/extdata/": "data/"}
    got = {}
    with tarfile.open(next(tmp_path.glob("twinnet_*.tar.gz"))) as tar:
        for member in tar.getmembers():
            for prefix, short in prefixes.items():
                if member.isfile() and member.name.startswith(prefix):
                    data = tar.extractfile(member)
                    assert data is not None
                    got[short + member.name.removeprefix(prefix)] = data.read()
    same(got, "R tarball")
