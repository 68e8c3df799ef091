#!/usr/bin/env bash
# The Spark recipe, tested: a synthetic cohort of ROWS rows (default 2,000)
# from the bundled guideline's generator, as Parquet; evaluated by the CLI
# (`guidelang eval --cases cohort.parquet -o direct.parquet`), by Spark in
# local mode through examples/spark/evaluate_cohort.py (mapInArrow and the
# Python package), and by the Python package on the whole table; then
# compared row by row (tests/spark/compare.py). Exits non-zero on any
# difference, printing the first ones.
#
#   tests/spark/run.sh [ROWS]
#
# Needs: a JDK on PATH (.ci/run installs Debian's), python3, and the wheel in
# target/wheels (python/ci.sh builds it; built here with maturin if absent).
# Offline once target/spark-venv holds the pinned packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-2000}
guideline=guidelines/als-hyperleukocytosis.gl
venv=target/spark-venv
work=target/spark-test

command -v java >/dev/null || { echo "no java on PATH: Spark needs a JDK (openjdk-17-jre-headless)"; exit 1; }

# The environment: reused between runs when its pins are met (PySpark is
# 400 MB); the guidelang wheel is always reinstalled, so the test runs
# today's package.
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/spark/requirements.txt
if ! ls target/wheels/guidelang-*.whl >/dev/null 2>&1; then
  "$venv/bin/maturin" build --release --quiet --manifest-path python/Cargo.toml --out target/wheels
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall target/wheels/guidelang-*.whl
py=$PWD/$venv/bin/python
# Spark's Python workers must run the environment's interpreter (with the
# package), not whatever `python3` is first on PATH.
export PYSPARK_PYTHON=$py PYSPARK_DRIVER_PYTHON=$py
# Local mode, no network: the driver binds to the loopback interface.
export SPARK_LOCAL_IP=127.0.0.1

gl=${GUIDELANG:-target/release/guidelang}
[ -x "$gl" ] || cargo build --release --quiet --bin guidelang
# The cohort generator as a plain binary (benches/tools): as an example it
# would compile the package's dev-dependencies in release mode.
[ -x target/release/cohort ] || cargo build --release --quiet -p guidelang-bench-tools --bin cohort

rm -rf "$work"
mkdir -p "$work"
target/release/cohort "$rows" > "$work/cohort.ndjson"
"$py" tests/spark/make_cohort.py "$work/cohort.ndjson" "$work/cohort.parquet" 97

# One evaluation date for every route (a run across midnight must not differ).
day=$(date -u +%F)

# Each route exits 3: the rows the fixture made invalid are reported, not
# evaluated. Any other status is a failure.
expect_3() {
  local status=0
  "$@" || status=$?
  [ "$status" -eq 3 ] || { echo "exit $status, not 3 (some rows invalid): $*"; return 1; }
}

# The direct route. Rows that fail validation are reported on stderr.
expect_3 "$gl" eval "$guideline" --cases "$work/cohort.parquet" --keep patient_id --as-of "$day" \
  -o "$work/direct.parquet" 2> "$work/direct.stderr" || { tail -20 "$work/direct.stderr"; exit 1; }

# The Spark route: two local cores, small splits and batches so that the
# cohort spans several partitions and each worker several batches.
expect_3 "$py" examples/spark/evaluate_cohort.py "$guideline" "$work/cohort.parquet" "$work/spark" \
  --keep patient_id --as-of "$day" --errors "$work/spark-errors.jsonl" --master 'local[2]' --batch-rows 256 \
  --conf spark.sql.files.maxPartitionBytes=16k --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false \
  > "$work/spark.log" 2>&1 || { tail -40 "$work/spark.log"; exit 1; }
grep -v WARN "$work/spark.log" | tail -3 || true

"$py" tests/spark/compare.py "$guideline" "$work/cohort.parquet" "$work/direct.parquet" "$work/spark" \
  --keep patient_id --as-of "$day" --invalid-every 97 \
  --direct-stderr "$work/direct.stderr" --spark-errors "$work/spark-errors.jsonl"
