#!/bin/sh
# Runs one fuzz target for a while: ./run.sh parse_check 600
# The corpus grows in corpus/<target> (not committed); the committed seeds in
# seeds/<target> are read too. A crash is written to artifacts/<target>/.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable toolchain
# provide them.
set -eu
target=${1:?usage: run.sh TARGET [SECONDS]}
seconds=${2:-600}
case $target in
  parse_check) dict=guideline.dict; max_len=16384; seeds=parse_check ;;
  case_load) dict=case.dict; max_len=4096; seeds=case_load ;;
  batch_cohort) dict=cohort.dict; max_len=8192; seeds=batch_cohort ;;
  record_read) dict=fhir.dict; max_len=16384; seeds=record_read ;;
  # The analyses and the renderer read guideline files too.
  analyse|render) dict=guideline.dict; max_len=8192; seeds=parse_check ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
cd "$(dirname "$0")"
mkdir -p "corpus/$target"
RUSTC_BOOTSTRAP=1 exec nice -n 19 cargo fuzz run --debug-assertions "$target" \
  "corpus/$target" "seeds/$seeds" -- \
  -dict="$dict" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -max_total_time="$seconds" -print_final_stats=1
