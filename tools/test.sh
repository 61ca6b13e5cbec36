#!/usr/bin/env bash
# All the tests: derived-file drift, lint, the environment check, then the test legs: the rpy2
# cross-language harness, the lessons (notebooks and R Markdown, executed), the cross-backend harness
# (TensorFlow, JAX, PyTorch), training beyond one device, the Python tests against the wheel with NumPy 2,
# R CMD check and testthat. The legs do not depend on each other, and one alone keeps about 1.2 cores busy
# (Python and R building Keras models): they run in lanes side by side, two a core while memory allows
# (TWINNET_TEST_LANES=N: N lanes, 1 for one after another; TWINNET_TEST_LEGS="cross testthat": only those).
# On the reference machine (2 cores), from a fresh clone on one day: 20 min in two lanes (177 % CPU) against
# 32.7 min one after another (116 % CPU), the same CPU time; on another day, in runs alternated within 45 minutes,
# four of the legs took 496 and 509 s in four lanes and 551 s in two (about 180 % and 164 % CPU). The legs are
# CPU-bound: one thread per lane for TensorFlow and BLAS changed their time by under 5 %. A leg's output is printed
# whole when it ends, with its time; a table of the legs' times and the last line sum them up.
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

# -- the legs: each a function, its output in $OUT/legs/NAME.log --------------------------------------------
declare -A TITLE=(
  [cross]="the cross-language harness (and the packages built from the source tree)"
  [lessons]="the lessons (twinnet notebook), run headless: Jupyter with nbclient, R Markdown with rmarkdown"
  [backends]="the cross-backend harness (each Keras backend in its own worker processes)"
  [distribute]="training beyond one device (TensorFlow replicas on a split CPU, JAX processes; R and Python)"
  [wheel]="tests/python against the wheel, installed with NumPy 2"
  [rcheck]="R CMD check --no-manual"
  [testthat]="testthat (the installed package)"
)

# TWINNET_TEST_LEGS="cross testthat": only those legs (the checks before the legs always run)
legs=" ${TWINNET_TEST_LEGS:-${!TITLE[*]}} "
for leg in $legs; do
  [[ -v "TITLE[$leg]" ]] || { echo "TWINNET_TEST_LEGS: no leg '$leg' (the legs: ${!TITLE[*]})" >&2; exit 2; }
done
pick() { local leg; for leg in "$@"; do [[ $legs == *" $leg "* ]] && echo "$leg"; done; }

step "derived files (shared_specs -> schema, package copies)"
$PY tools/sync_specs.py --check || status=1

step "ruff"
$PY -m ruff check python tests tools bench inst/python || status=1

# mypy and the environment check side by side (mostly start-up: 12 s and 8 s alone, one after the other before)
$PY -m mypy >"$OUT/mypy.log" 2>&1 & mypy=$!

step "environment: R and Python on one interpreter"
$PY -m twinnet doctor || status=1

step "mypy"
wait $mypy || status=1
cat "$OUT/mypy.log"

leg_cross() {
  $PY -m pytest -p no:cacheprovider --durations=12 --junitxml="$OUT/pytest.xml" \
    tests/cross tests/python/test_package.py::test_wheel_and_r_tarball_carry_shared_files
}

leg_lessons() {
  # tests/lessons: a notebook of LeNet-5 (the MNIST sample), of the IMDB LSTM (generated data) and of ResNet-18
  # (train = FALSE), each on a kernel of .venv's Python with R in it (rpy2's %%R), and LeNet-5's R Markdown.
  $PY -m pytest -p no:cacheprovider --durations=5 --junitxml="$OUT/lessons.xml" tests/lessons
}

leg_backends() {
  # Every catalog spec but the giants (TWINNET_BACKEND_GIANTS=1 adds them) on TensorFlow, JAX and PyTorch;
  # portable initial weights; compiled models and files across backends; training across backends and in R.
  $PY -m pytest -p no:cacheprovider --durations=5 --junitxml="$OUT/backends.xml" tests/backends
}

leg_distribute() {
  # LeNet-5 for 2 epochs on 1, 2 and 4 replicas and in 1 and 2 JAX processes, each in its own process, from
  # Python and from R; 1 GB per process.
  $PY -m pytest -p no:cacheprovider --durations=5 --junitxml="$OUT/distribute.xml" tests/distribute
}

leg_wheel() {
  bash tools/test_wheel.sh --durations=8 --junitxml="$OUT/wheel.xml"
}

leg_rcheck() {
  # R CMD build copies the whole folder before it applies .Rbuildignore (.venv and out/ are gigabytes):
  # build from a copy of the files git knows (tracked, or new and not ignored) instead
  rm -rf "$OUT/rpkg" && mkdir -p "$OUT/rpkg/twinnet"
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$OUT/rpkg/twinnet" 2>/dev/null
  # The vignette (vignettes/lenet5-lesson.Rmd) runs Python (RETICULATE_PYTHON) and trains LeNet-5 for two epochs in
  # each language: R CMD build renders it, which runs all its code (an error fails the build), and the check leaves
  # it alone (--ignore-vignettes: running it again took 23 s more). It is the lesson notebook("lenet5", epochs = 2)
  # writes (tests/python/test_notebook.py), which the lessons leg renders: in a run with that leg, R CMD build
  # leaves it to that leg (45 s of CPU less; the check's status is the same).
  local build=(R CMD build)
  [[ $legs == *" lessons "* ]] && build+=(--no-build-vignettes)
  ( cd "$OUT" && "${build[@]}" "$OUT/rpkg/twinnet" >build.log 2>&1 && \
    _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests --ignore-vignettes twinnet_*.tar.gz \
      >check.log 2>&1 )
  tail -n 4 "$OUT/check.log"
  grep -q "^Status: OK" "$OUT/check.log" && return 0
  grep -E "(WARNING|ERROR|NOTE)" -A6 "$OUT/check.log" | head -60
  grep -q "^Status:" "$OUT/check.log" && ! grep -qE "^Status: .*(ERROR|WARNING)" "$OUT/check.log"
}

leg_testthat() {
  NOT_CRAN=true Rscript -e '
    # a line per file when it ends (no spinner: the output goes to a file)
    reporter <- testthat::ProgressReporter$new(show_praise = FALSE, update_interval = Inf)
    res <- as.data.frame(testthat::test_dir("tests/testthat", package = "twinnet", load_package = "installed",
                                            reporter = reporter, stop_on_failure = FALSE))
    bad <- res$failed > 0 | res$error
    cat(sprintf("%d %d %d\n", sum(!bad & !res$skipped), sum(bad), sum(res$skipped & !bad)),
        file = file.path(Sys.getenv("OUT"), "testthat.counts"))
  ' && [[ -s $OUT/testthat.counts ]]
}

# run_leg NAME: leg_NAME, its output kept, then printed whole (one leg at a time) under its title and time
run_leg() {
  local name=$1 start rc=0 title=${TITLE[$1]}
  start=$(date +%s)
  printf -- '-- started: %s\n' "$title"
  "leg_$name" >"$OUT/legs/$name.log" 2>&1 || rc=1
  local took=$(( $(date +%s) - start ))
  echo "$name $took $rc" >>"$OUT/legs/times"
  {
    flock 9
    printf '\n== %s (%d s%s)\n' "$title" "$took" "$([[ $rc == 0 ]] || echo ', FAILED')"
    cat "$OUT/legs/$name.log"
  } 9>"$OUT/legs/print.lock"
  return $rc
}

# The legs wait in one queue, the longest first (their times in two lanes on the reference machine: backends and
# cross 7-9 min, wheel 5-7, testthat 3-5, the lessons, distribution and R CMD check 2 each); each lane takes the
# next leg when it is free. With two lanes a core, the long legs share the cores to their end and the short ones
# fill what the others leave idle; a leg's largest process is 5 GB (the harness with YOLO), so a lane is opened
# for each 5 GB available: all seven legs in four lanes used 8.7 GB at most, together.
mkdir -p "$OUT/legs"
QUEUE=($(pick backends cross wheel testthat lessons distribute rcheck))
echo 0 >"$OUT/legs/next"
lane() {
  local rc=0 i
  while :; do
    i=$( { flock 8; i=$(<"$OUT/legs/next"); echo $(( i + 1 )) >"$OUT/legs/next"; echo "$i"; } 8>"$OUT/legs/queue.lock" )
    (( i < ${#QUEUE[@]} )) || return $rc
    run_leg "${QUEUE[$i]}" || rc=1
  done
}

default_lanes() {
  local cores gb
  cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
  gb=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
  local n=$(( 2 * cores < gb / 5 ? 2 * cores : gb / 5 ))
  echo $(( n < 1 ? 1 : n ))
}
lanes=${TWINNET_TEST_LANES:-$(default_lanes)}
[[ $lanes =~ ^[1-9][0-9]*$ ]] || { echo "TWINNET_TEST_LANES: a number of lanes, 1 or more (not '$lanes')" >&2; exit 2; }
legs_start=$(date +%s)
pids=()
for (( n = 0; n < lanes; n++ )); do lane & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
printf '\n== the legs (%s lane(s), %d s in all)\n' "$lanes" $(( $(date +%s) - legs_start ))
sort -k2 -n -r "$OUT/legs/times" | awk '{ printf "%-12s %5d s%s\n", $1, $2, ($3 == 0 ? "" : "  FAILED") }'

$PY - "$OUT" "$status" $legs <<'PYEOF'
import sys, xml.etree.ElementTree as ET
from pathlib import Path
out, status, legs = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
passed = failed = skipped = 0
reports = {"cross": "pytest.xml", "lessons": "lessons.xml", "backends": "backends.xml",
           "distribute": "distribute.xml", "wheel": "wheel.xml"}
for report in (reports[leg] for leg in legs if leg in reports):
    try:
        for suite in ET.parse(out / report).getroot().iter("testsuite"):
            t, f, e, k = (int(suite.get(x, 0)) for x in ("tests", "failures", "errors", "skipped"))
            passed += t - f - e - k; failed += f + e; skipped += k
    except (OSError, ET.ParseError):
        failed += 1
try:
    if "testthat" in legs:
        p, f, k = (int(v) for v in (out / "testthat.counts").read_text().split())
        passed += p; failed += f; skipped += k
except (OSError, ValueError):
    failed += 1
if status and not failed:
    failed = 1  # a step outside the test runners failed (drift, lint, doctor, R CMD check)
print(f"\ntwinnet: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PYEOF
