#!/usr/bin/env bash
# The Python package as users install it: a wheel built from the repository (not editable), installed in
# .venv-numpy2 (made by setup.sh: the reference versions with NumPy 2 and TensorFlow, no R), then
# tests/python run against it.
#   tools/test_wheel.sh [pytest args...]      (from the repository root, after `make setup`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${WHEEL_WORK:-$ROOT/out/wheel}
VENV2=$ROOT/.venv-numpy2
[[ -x $VENV2/bin/python ]] || { echo "tools/test_wheel.sh: no .venv-numpy2; run make setup first" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK/dist"
.venv/bin/python -m pip wheel -q --no-deps --no-build-isolation -w "$WORK/dist" . >/dev/null
# The wheel alone (its dependencies are the environment's), then pip's check that they meet what it requires
"$VENV2/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall \
  "$(ls "$WORK"/dist/twinnet-*.whl)"
"$VENV2/bin/python" -m pip check --disable-pip-version-check
cd "$WORK"  # away from the source tree: `import twinnet` must find the installed wheel
"$VENV2/bin/python" - <<'PY'
import numpy, twinnet
assert numpy.__version__.startswith("2."), numpy.__version__
assert "site-packages" in twinnet.__file__, twinnet.__file__
print(f"wheel: twinnet {twinnet.__version__} from {twinnet.__file__}, NumPy {numpy.__version__}")
PY
# (building the packages themselves is tested from the source tree, in the main pytest run)
"$VENV2/bin/python" -m pytest -p no:cacheprovider -q --rootdir="$ROOT" -c "$ROOT/pyproject.toml" \
  --deselect tests/python/test_package.py::test_wheel_and_r_tarball_carry_shared_files "$ROOT/tests/python" "$@"
