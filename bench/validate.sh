#!/usr/bin/env bash
# The validator benchmark (issue 5): for every oracle fixture app, the time of
# `appbuilder validate DIR` beside `tcex validate` (tcex-cli 2.0.0), and the validator's per-call
# time in wasm in headless Chromium (the check the editor runs on every keystroke).
#   BENCH_RUNS=5 bench/validate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs=${BENCH_RUNS:-5}

scripts/setup serve >/dev/null
scripts/setup test >/dev/null
scripts/build-site release
cargo build --quiet --locked --release -p server

fixtures=$(mktemp -d)
data=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$fixtures" "$data"' EXIT
ORACLE_FIXTURES_DIR="$fixtures" cargo test --quiet --locked -p apps --test oracle write_fixtures -- --ignored >/dev/null

# Median wall time in ms of running "$@" in directory $1, $runs times.
median_ms() {
  local dir=$1; shift
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    (cd "$dir" && "$@" >/dev/null 2>&1) || true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1000}'
}

printf '%-38s %14s %16s %9s\n' "fixture" "appbuilder ms" "tcex validate ms" "speed-up"
total_ours=0; total_tcex=0
for dir in "$fixtures"/*/; do
  name=$(basename "$dir")
  ours=$(median_ms "$dir" "$PWD/target/release/appbuilder" validate .)
  tcex=$(median_ms "$dir" "$PWD/target/tcex-venv/bin/tcex" validate)
  printf '%-38s %14s %16s %8.0fx\n' "$name" "$ours" "$tcex" "$(echo "$tcex / $ours" | bc -l)"
  total_ours=$(echo "$total_ours + $ours" | bc -l); total_tcex=$(echo "$total_tcex + $tcex" | bc -l)
done
printf '%-38s %14.1f %16.1f %8.0fx   (target: >= 100x)\n' "all fixtures" "$total_ours" "$total_tcex" "$(echo "$total_tcex / $total_ours" | bc -l)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APPBUILDER_DATA="$data" APPBUILDER_ADDR="127.0.0.1:$port" APPBUILDER_LOG=warn target/release/appbuilder serve &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
BENCH_URL="http://127.0.0.1:$port" BENCH_FIXTURES="$fixtures" NODE_PATH=end2end/node_modules node bench/validate-wasm.js
