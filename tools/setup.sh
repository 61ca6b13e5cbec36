#!/usr/bin/env bash
# Set up everything twinnet needs, from nothing; safe to run again (it skips what is done).
#   1. Debian packages: R, reticulate, jsonlite, testthat, roxygen2, ggplot2, knitr, rmarkdown and pandoc
#      (the vignette, and the R Markdown lessons); Graphviz for the
#      diagrams and Chromium for the handout's browser test (installed when run as root with apt)
#   2. .venv: a virtual environment on a Python whose executable links libpython dynamically,
#      with the reference versions in constraints.txt and twinnet installed editable with the extras
#      TWINNET_EXTRAS (default: test, Keras's three backends: tensorflow, jax, torch, and notebook: Jupyter,
#      IPython and matplotlib for the lessons of twinnet.notebook()), after
#      tools/sync_specs.py has made the packages' git-ignored copies of shared_specs/ and shared_data/.
#      PyTorch is pinned to 2.13.0, a CPU build (PyPI's torch for Linux is a CUDA build of several GB):
#      here it installed in 26 s and takes 0.87 GB with what it needs; JAX (CPU), 14 s and 0.53 GB.
#      TWINNET_EXTRAS=test,tensorflow,jax leaves it out (tests/backends then skips PyTorch, or fails
#      under CI=true).
#   2b. .venv-numpy2: the Python package's tests as users install it (tools/test_wheel.sh, part of `make test`):
#      the reference versions with NumPy 2 and TensorFlow, without R, rpy2 or the other backends; the tests
#      install the wheel they build into it (without its dependencies, then `pip check`)
#   3. the R package, installed from the repo root (its configure script copies them too)
#   4. reticulate pointed at .venv (~/.virtualenvs/r-twinnet), then a check that R and Python
#      use the same interpreter
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
say() { printf '[setup] %s\n' "$*"; }

# -- 1. Debian packages -------------------------------------------------------
DEB_PACKAGES=(r-base-core r-base-dev r-cran-reticulate r-cran-jsonlite r-cran-testthat r-cran-roxygen2
              r-cran-withr r-cran-ggplot2 r-cran-png r-cran-knitr r-cran-rmarkdown pandoc graphviz chromium fonts-dejavu-core
              time)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing Debian packages: ${missing[*]}"
    say "install them with: sudo apt-get install ${missing[*]}"
    exit 1
  fi
fi

# -- 2. the Python environment -------------------------------------------------
# R embedded in Python (rpy2) loads reticulate, which needs the running interpreter's libpython
# as a shared library. Debian's /usr/bin/python3.11 is linked statically, so prefer an
# interpreter that links libpython3.11.so dynamically. TWINNET_BASE_PYTHON overrides.
links_libpython() { ldd "$1" 2>/dev/null | grep -q 'libpython3'; }
resolve() { "$1" -c 'import sys; print(sys.executable)' 2>/dev/null; }
pick_python() {
  local c exe
  for c in ${TWINNET_BASE_PYTHON:-} python3.11 /root/.pyenv/versions/3.11*/bin/python3.11 \
           /usr/local/bin/python3.11 /usr/bin/python3.11; do
    command -v "$c" >/dev/null 2>&1 || [[ -x $c ]] || continue
    exe=$(resolve "$c") || continue
    [[ -n $exe ]] || continue
    exe=$(readlink -f "$exe")
    if links_libpython "$exe"; then echo "$exe"; return 0; fi
  done
  return 1
}
VENV=$ROOT/.venv
STAMP=$VENV/.twinnet-stamp
EXTRAS=${TWINNET_EXTRAS:-test,tensorflow,jax,torch,notebook}
want_stamp=$( (cat constraints.txt pyproject.toml setup.py VERSION; echo "$EXTRAS") | sha256sum | cut -c1-16)
if [[ ! -x $VENV/bin/python ]]; then
  BASE=$(pick_python) || {
    say "no Python 3.11 here links libpython dynamically (ldd shows no libpython3.11.so);"
    say "R embedded in Python needs one. Set TWINNET_BASE_PYTHON to such an interpreter."
    exit 1; }
  say "creating .venv on $BASE"
  "$BASE" -m venv "$VENV"
fi
# The derived files: the schema, and the packages' copies of shared_specs/ and shared_data/
# (git-ignored), which the editable install reads in place. Only what changed is written.
"$VENV/bin/python" tools/sync_specs.py >/dev/null
if [[ $(cat "$STAMP" 2>/dev/null) != "$want_stamp" ]]; then
  say "installing reference versions (constraints.txt) and twinnet (editable, with $EXTRAS)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[$EXTRAS]" \
    2> >(grep -v -E "^WARNING: Location" >&2)
  echo "$want_stamp" > "$STAMP"
fi
PY=$VENV/bin/python
export RETICULATE_PYTHON=$PY

# -- 2b. the wheel's environment: the reference versions with NumPy 2 -------------------
WHEEL_VENV=$ROOT/.venv-numpy2
NUMPY2=numpy==2.4.6
want_wheel=$( (cat constraints.txt pyproject.toml setup.py VERSION; echo "$NUMPY2") | sha256sum | cut -c1-16)
if [[ $(cat "$WHEEL_VENV/.twinnet-stamp" 2>/dev/null) != "$want_wheel" ]]; then
  say "installing .venv-numpy2 (the wheel's tests: the reference versions with $NUMPY2, TensorFlow, no R)"
  rm -rf "$WHEEL_VENV"
  "$("$PY" -c 'import sys; print(sys._base_executable)')" -m venv "$WHEEL_VENV"
  # jax 0.4.38 is pinned for NumPy 1.x, and tests/python runs on TensorFlow; matplotlib for plot_history()
  grep -v -E '^(numpy|rpy2|jax|jaxlib|torch)==' constraints.txt > "$WHEEL_VENV/constraints.txt"
  echo "$NUMPY2" >> "$WHEEL_VENV/constraints.txt"
  dist=$(mktemp -d)
  "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$dist" . >/dev/null
  "$WHEEL_VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$WHEEL_VENV/constraints.txt" \
    "$(ls "$dist"/twinnet-*.whl)[tensorflow]" pytest hypothesis jsonschema matplotlib "$NUMPY2" \
    2> >(grep -v -E "^WARNING: Location" >&2)
  "$WHEEL_VENV/bin/python" -m pip uninstall -q -y twinnet  # its dependencies stay; the tests bring the wheel
  rm -rf "$dist"
  echo "$want_wheel" > "$WHEEL_VENV/.twinnet-stamp"
fi

# -- 3. the R package -------------------------------------------------------------
RSTAMP=$VENV/.twinnet-r-stamp
want_r=$(find DESCRIPTION NAMESPACE R inst configure -type f 2>/dev/null | sort | xargs cat 2>/dev/null | sha256sum | cut -c1-16) || true
if [[ $(cat "$RSTAMP" 2>/dev/null) != "$want_r" ]] || ! Rscript -e 'library(twinnet)' >/dev/null 2>&1; then
  lib=$(Rscript -e 'cat(.libPaths()[1])')
  if [[ ! -w $lib ]]; then
    lib=$(Rscript -e 'cat(path.expand(Sys.getenv("R_LIBS_USER")))'); mkdir -p "$lib"
  fi
  say "installing the R package into $lib"
  R CMD INSTALL --no-multiarch --library="$lib" . >/tmp/twinnet-r-install.log 2>&1 || {
    cat /tmp/twinnet-r-install.log; exit 1; }
  echo "$want_r" > "$RSTAMP"
fi

# -- 4. reticulate uses the same environment ------------------------------------
mkdir -p "$HOME/.virtualenvs"
if [[ $(readlink -f "$HOME/.virtualenvs/r-twinnet" 2>/dev/null) != "$VENV" ]]; then
  rm -rf "$HOME/.virtualenvs/r-twinnet"
  ln -s "$VENV" "$HOME/.virtualenvs/r-twinnet"
  say "reticulate will use ~/.virtualenvs/r-twinnet -> .venv"
fi
say "ready: $("$PY" --version) in .venv, $(R --version | head -1)"
