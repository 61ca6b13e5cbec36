"""The Python package's copy of shared_specs/ and shared_data/ is made when the package is built.

pyproject.toml holds the package's metadata; this file adds one build step. build_py copies the
.json and .html files of shared_specs/ to twinnet/specs/ and the files of shared_data/ to
twinnet/data/ (the same rule as tools/sync_specs.py; a test compares the wheel with both folders).
A wheel gets them in its build folder; an editable install reads the source tree, so there they
are copied to python/twinnet/specs/ and python/twinnet/data/ (git-ignored). The sdist carries
shared_specs/ and shared_data/ (MANIFEST.in), so a wheel built from it gets the same copies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE = "twinnet"
# (source folder, folder inside the package, the suffixes it takes; None: every file)
SHARED = [("shared_specs", "specs", (".json", ".html")), ("shared_data", "data", None)]


def shared_files() -> dict[str, Path]:
    """The files the package gets: their paths inside the package, and their sources."""
    files: dict[str, Path] = {}
    for src_name, dest_name, suffixes in SHARED:
        src = ROOT / src_name
        if not src.is_dir():
            raise FileNotFoundError(f"{src} is missing: build twinnet from its repository or its sdist")
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            if suffixes is None or path.suffix in suffixes:
                files[f"{dest_name}/{path.relative_to(src).as_posix()}"] = path
    return files


def copy_shared(package_dir: Path) -> list[str]:
    """Make package_dir/specs and package_dir/data hold the shared files and nothing else."""
    files = shared_files()
    written = []
    for rel, src in files.items():
        out = package_dir / rel
        if not out.is_file() or out.read_bytes() != src.read_bytes():
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out)
        written.append(str(out))
    for _, dest_name, _ in SHARED:
        for old in (package_dir / dest_name).rglob("*"):
            if old.is_file() and old.relative_to(package_dir).as_posix() not in files:
                old.unlink()
    return written


class BuildPyWithShared(build_py):
    """build_py, then the package's copies of shared_specs/ and shared_data/."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            copy_shared(ROOT / self.get_package_dir(PACKAGE))
        else:
            copy_shared(Path(self.build_lib) / PACKAGE)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += [str(Path(self.build_lib) / PACKAGE / rel) for rel in shared_files()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithShared})
