#!/usr/bin/env bash
# All the tests: derived-file drift, lint, the environment check, the rpy2 cross-language harness, the
# lessons (notebooks and R Markdown, executed), the cross-backend harness (TensorFlow, JAX, PyTorch),
# training beyond one device, the Python tests against the wheel with NumPy 2, R CMD check and testthat.
# The last line sums them up.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export RETICULATE_PYTHON=$PWD/.venv/bin/python TF_CPP_MIN_LOG_LEVEL=3
export OUT=$PWD/out/test; rm -rf "$OUT"; mkdir -p "$OUT"
# TensorFlow's oneDNN allocator keeps what it frees for later: with it, building YOLO (272M parameters)
# leaves 3.3 GB resident where 1.1 GB stay without it, and the tests build the catalog's large networks
# one after another. The tests compare R with Python on one TensorFlow, and Python with itself, so the
# kernels oneDNN picks do not change what they check; `make demo` and the benchmarks run with it.
export TF_ENABLE_ONEDNN_OPTS=0
status=0
step() { printf '\n== %s\n' "$*"; }

step "derived files (shared_specs -> schema, package copies)"
$PY tools/sync_specs.py --check || status=1

step "ruff"
$PY -m ruff check python tests tools bench inst/python || status=1

step "mypy"
$PY -m mypy || status=1

step "environment: R and Python on one interpreter"
$PY -m twinnet doctor || status=1

step "pytest: the cross-language harness (and the packages built from the source tree)"
$PY -m pytest -p no:cacheprovider --durations=12 --junitxml="$OUT/pytest.xml" \
  tests/cross tests/python/test_package.py::test_wheel_and_r_tarball_carry_shared_files || status=1

step "pytest: the lessons (twinnet notebook), run headless: Jupyter with nbclient, R Markdown with rmarkdown"
# tests/lessons: a notebook of LeNet-5 (the MNIST sample), of the IMDB LSTM (generated data) and of ResNet-18
# (train = FALSE), each on a kernel of .venv's Python with R in it (rpy2's %%R), and LeNet-5's R Markdown.
$PY -m pytest -p no:cacheprovider --durations=5 --junitxml="$OUT/lessons.xml" tests/lessons || status=1

step "pytest: the cross-backend harness (each Keras backend in its own worker processes)"
# Every catalog spec but the giants (TWINNET_BACKEND_GIANTS=1 adds them) on TensorFlow, JAX and PyTorch;
# portable initial weights; training across backends and in R. About 2 minutes, 2 GB per process.
$PY -m pytest -p no:cacheprovider --durations=5 --junitxml="$OUT/backends.xml" tests/backends || status=1

step "pytest: training beyond one device (TensorFlow replicas on a split CPU, JAX processes; R and Python)"
# LeNet-5 for 2 epochs on 1, 2 and 4 replicas and in 1 and 2 JAX processes, each in its own process, from
# Python and from R; about 85 s on 2 cores, 1 GB per process.
$PY -m pytest -p no:cacheprovider --durations=5 --junitxml="$OUT/distribute.xml" tests/distribute || status=1

step "tests/python against the wheel, installed with NumPy 2"
bash tools/test_wheel.sh --junitxml="$OUT/wheel.xml" || status=1

step "R CMD check --no-manual"
# R CMD build copies the whole folder before it applies .Rbuildignore (.venv and out/ are gigabytes):
# build from a copy of the files git knows (tracked, or new and not ignored) instead
rm -rf "$OUT/rpkg" && mkdir -p "$OUT/rpkg/twinnet"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$OUT/rpkg/twinnet" 2>/dev/null
# The vignette (vignettes/lenet5-lesson.Rmd, a lesson of notebook()) is built here and again by the check; it
# runs Python (RETICULATE_PYTHON) and trains LeNet-5 for two epochs in each language.
( cd "$OUT" && R CMD build "$OUT/rpkg/twinnet" >build.log 2>&1 && \
  _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests twinnet_*.tar.gz >check.log 2>&1 )
tail -n 4 "$OUT/check.log"
if ! grep -q "^Status: OK" "$OUT/check.log"; then
  grep -E "(WARNING|ERROR|NOTE)" -A6 "$OUT/check.log" | head -60
  grep -qE "^Status: .*(ERROR|WARNING)" "$OUT/check.log" && status=1
  grep -q "^Status:" "$OUT/check.log" || status=1
fi

step "testthat (the installed package)"
NOT_CRAN=true Rscript -e '
  res <- as.data.frame(testthat::test_dir("tests/testthat", package = "twinnet", load_package = "installed",
                                          reporter = testthat::ProgressReporter$new(show_praise = FALSE),
                                          stop_on_failure = FALSE))
  bad <- res$failed > 0 | res$error
  cat(sprintf("%d %d %d\n", sum(!bad & !res$skipped), sum(bad), sum(res$skipped & !bad)),
      file = file.path(Sys.getenv("OUT"), "testthat.counts"))
' || status=1
[[ -s $OUT/testthat.counts ]] || status=1

$PY - "$OUT" "$status" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
from pathlib import Path
out, status = Path(sys.argv[1]), int(sys.argv[2])
passed = failed = skipped = 0
for report in ("pytest.xml", "lessons.xml", "backends.xml", "distribute.xml", "wheel.xml"):
    try:
        for suite in ET.parse(out / report).getroot().iter("testsuite"):
            t, f, e, k = (int(suite.get(x, 0)) for x in ("tests", "failures", "errors", "skipped"))
            passed += t - f - e - k; failed += f + e; skipped += k
    except (OSError, ET.ParseError):
        failed += 1
try:
    p, f, k = (int(v) for v in (out / "testthat.counts").read_text().split())
    passed += p; failed += f; skipped += k
except (OSError, ValueError):
    failed += 1
if status and not failed:
    failed = 1  # a step outside the test runners failed (drift, lint, doctor, R CMD check)
print(f"\ntwinnet: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PYEOF
