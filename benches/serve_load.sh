#!/usr/bin/env bash
# A bounded load test of `guidelang serve`: patient-view calls with a
# realistic prefetch (the 482-entry record of examples/fhir/ through the
# discovery templates), from autocannon (npm, pinned in
# benches/serve-load/package-lock.json) on localhost.
#
#   benches/serve_load.sh [SECONDS] [CONNECTIONS]     (default 30 s, 8)
#
# Prints throughput, p50/p99 latency and the server's memory after warm-up
# and at the end. Fails (exit 1) on any error, timeout or non-2xx answer,
# on a request log line missing, or when memory grows by more than 16 MB
# over the run: the service must sustain the load with no error and flat
# memory. It never fails on a time: figures are for docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
connections=${2:-8}
bin=${GUIDELANG:-target/release/guidelang}
[ -n "${GUIDELANG:-}" ] || cargo build --release --quiet --bin guidelang
(cd benches/serve-load && [ -d node_modules/autocannon ] || npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

extra=()
if "$bin" serve --help | grep -q -- --insecure-no-auth; then
  extra+=(--insecure-no-auth)
fi
"$bin" serve --addr 127.0.0.1:0 --as-of 2026-12-01 "${extra[@]}" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/serve.log" && break
  sleep 0.1
done
url=$(grep -o 'listening on http://[0-9.:]*' "$work/serve.log" | sed 's/listening on //')
[ -n "$url" ] || { cat "$work/serve.log"; echo "the service did not start"; exit 1; }

curl -sf "$url/cds-services" > "$work/discovery.json"
python3 examples/serve/make_request.py "$work/discovery.json" als-hyperleukocytosis \
  examples/fhir/synthea-style-als.json > "$work/request.json"
# The request must be answered with cards before it is worth repeating.
curl -sf -H 'content-type: application/json' --data-binary @"$work/request.json" \
  "$url/cds-services/als-hyperleukocytosis" > "$work/answer.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["cards"], a' "$work/answer.json"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
load() {
  node benches/serve-load/node_modules/autocannon/autocannon.js --json \
    -c "$connections" -d "$1" -m POST -H 'content-type=application/json' \
    -i "$work/request.json" "$url/cds-services/als-hyperleukocytosis" 2>/dev/null
}
load 5 > "$work/warm.json"
rss_warm=$(rss)
load "$seconds" > "$work/run.json"
rss_end=$(rss)

python3 - "$work/warm.json" "$work/run.json" "$rss_warm" "$rss_end" "$work/serve.log" \
  "$(wc -c < "$work/request.json")" "$connections" <<'PY'
import json, sys
warm, run = (json.load(open(p)) for p in sys.argv[1:3])
rss_warm, rss_end = int(sys.argv[3]), int(sys.argv[4])
log_lines = sum(1 for line in open(sys.argv[5]) if line.startswith('{'))
body, conns = int(sys.argv[6]), int(sys.argv[7])
total = warm["requests"]["total"] + run["requests"]["total"]
lat = run["latency"]
print(f"patient-view, {body} B request, {conns} connections, {run['duration']:.0f} s:")
print(f"  {run['requests']['total']} requests, {run['requests']['average']:.0f} req/s,"
      f" latency p50 {lat['p50']} ms, p99 {lat['p99']} ms, max {lat['max']} ms")
print(f"  server memory (RSS): {rss_warm/1024:.1f} MB after warm-up, {rss_end/1024:.1f} MB at the end")
problems = []
for name, r in (("warm-up", warm), ("run", run)):
    for k in ("errors", "timeouts", "non2xx"):
        if r.get(k, 0):
            problems.append(f"{name}: {r[k]} {k}")
# Every request logged (plus discovery and the first call): nothing dropped.
if log_lines < total + 2:
    problems.append(f"{log_lines} log lines for {total + 2} requests")
if rss_end - rss_warm > 16 * 1024:
    problems.append(f"memory grew by {(rss_end - rss_warm)/1024:.1f} MB")
if problems:
    print("FAILED: " + "; ".join(problems))
    sys.exit(1)
print("  no error, every request logged, memory flat")
PY
