#!/usr/bin/env bash
# Instruction-count benchmarks: callgrind counts the instructions of each
# workload of examples/instructions.rs (evaluate one case, parse one case
# line, lint the 1,000-rule bench guideline), setup excluded. Counts do not
# depend on the machine's load, so they can guard performance where wall
# time would be flaky: the run fails when a count exceeds its recorded
# figure (benches/instructions.txt) by more than 10 %.
#
#   benches/instructions.sh            # measure and compare
#   benches/instructions.sh --record   # measure and record the figures
#
# Needs valgrind (Debian's 3.19; .ci/run installs it) and a release build of
# the workloads, which this script makes: examples/instructions.rs built as
# the `instructions` binary of benches/tools, which needs no dev-dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

record=false
[ "${1:-}" = "--record" ] && record=true
figures=benches/instructions.txt
# Regressions beyond this many per cent fail; improvements only report.
tolerance=10

cargo build --release --quiet -p guidelang-bench-tools --bin instructions
bin=target/release/instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# name, arguments, units the count is divided by
workloads=(
  "evaluate-one-case|eval 10000|10000"
  "parse-one-line|parse 10000|10000"
  "lint-1000-rules|lint 1000|1"
)

status=0
new_figures=""
printf '%-20s %16s %16s\n' workload "instructions" "recorded"
for w in "${workloads[@]}"; do
  IFS='|' read -r name args units <<<"$w"
  # shellcheck disable=SC2086 # the arguments are words
  valgrind --tool=callgrind --toggle-collect='*measured_*' \
    --callgrind-out-file="$out/$name.out" "$bin" $args 2>"$out/$name.log" >/dev/null \
    || { cat "$out/$name.log"; echo "callgrind failed on $name"; exit 1; }
  total=$(sed -n 's/^summary: *//p' "$out/$name.out")
  [ -n "$total" ] || total=$(sed -n 's/^totals: *//p' "$out/$name.out")
  if [ -z "$total" ]; then
    echo "no instruction count in callgrind's output for $name"
    exit 1
  fi
  per=$((total / units))
  recorded=$(awk -v n="$name" '$1 == n { print $2 }' "$figures" 2>/dev/null || true)
  printf '%-20s %16s %16s\n' "$name" "$per" "${recorded:--}"
  new_figures+="$name $per"$'\n'
  if ! $record && [ -n "$recorded" ]; then
    if [ $((per * 100)) -gt $((recorded * (100 + tolerance))) ]; then
      echo "  $name: $per instructions, more than $tolerance % above the recorded $recorded"
      status=1
    fi
  elif ! $record; then
    echo "  $name has no recorded figure in $figures"
    status=1
  fi
done

if $record; then
  {
    echo "# Instructions per unit (callgrind), written by benches/instructions.sh --record."
    echo "# evaluate-one-case and parse-one-line: per case; lint-1000-rules: the whole lint."
    printf '%s' "$new_figures"
  } >"$figures"
  echo "recorded in $figures"
fi
exit "$status"
