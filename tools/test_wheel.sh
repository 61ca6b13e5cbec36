#!/usr/bin/env bash
# The Python package as users install it: a wheel built from the repository (not editable),
# installed in a clean virtual environment with NumPy 2, then tests/python run against it.
#   tools/test_wheel.sh [pytest args...]      (from the repository root; .venv made by setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${WHEEL_WORK:-$ROOT/out/wheel}
NUMPY2=numpy==2.4.6
rm -rf "$WORK"; mkdir -p "$WORK/dist"
base=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
.venv/bin/python -m pip wheel -q --no-deps --no-build-isolation -w "$WORK/dist" . >/dev/null
"$base" -m venv "$WORK/venv"
# The reference versions, with NumPy 2 instead of 1.x (rpy2 and R are not needed here, nor Keras's other
# backends: jax 0.4.38 is pinned for NumPy 1.x, and tests/python runs on TensorFlow; matplotlib for plot_history())
grep -v -E '^(numpy|rpy2|jax|jaxlib|torch)==' constraints.txt > "$WORK/constraints.txt"
echo "$NUMPY2" >> "$WORK/constraints.txt"
"$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check -c "$WORK/constraints.txt" \
  "$(ls "$WORK"/dist/twinnet-*.whl)[tensorflow]" pytest hypothesis jsonschema matplotlib "$NUMPY2" \
  2> >(grep -v -E "^WARNING: Location" >&2)
cd "$WORK"  # away from the source tree: `import twinnet` must find the installed wheel
"$WORK/venv/bin/python" - <<'PY'
import numpy, twinnet
assert numpy.__version__.startswith("2."), numpy.__version__
assert "site-packages" in twinnet.__file__, twinnet.__file__
print(f"wheel: twinnet {twinnet.__version__} from {twinnet.__file__}, NumPy {numpy.__version__}")
PY
# (building the packages themselves is tested from the source tree, in the main pytest run)
"$WORK/venv/bin/python" -m pytest -p no:cacheprovider -q --rootdir="$ROOT" -c "$ROOT/pyproject.toml" \
  --deselect tests/python/test_package.py::test_wheel_and_r_tarball_carry_shared_files "$ROOT/tests/python" "$@"
