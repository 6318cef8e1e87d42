#!/usr/bin/env bash
# The package benchmark (issue 6), one run on this machine, release build:
#   1. `appbuilder package DIR` beside `tcex package` (tcex-cli 2.0.0) on the same fixture apps
#      (every template and a kitchen-sink app with vendored deps, tests and caches);
#   2. a full build through the HTTP API (validate, Python checks, dependencies, package, artifact)
#      of an app whose requirements are already in the dependency cache (warm).
#   BENCH_RUNS=5 BENCH_BUILDS=20 bench/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs=${BENCH_RUNS:-5}
builds=${BENCH_BUILDS:-20}

scripts/setup test >/dev/null
cargo build --quiet --locked --release -p server

fixtures=$(mktemp -d)
data=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$fixtures" "$data"' EXIT
PACKAGE_FIXTURES_DIR="$fixtures" cargo test --quiet --locked -p server --test package_compat write_fixtures -- --ignored >/dev/null

# Median wall time in ms of running "$@" in a fresh copy of directory $1, $runs times (tcex
# package writes into the app folder, so each run gets a clean copy; copying is not timed).
median_ms() {
  local dir=$1; shift
  for _ in $(seq "$runs"); do
    local copy start end
    copy=$(mktemp -d); cp -r "$dir/." "$copy"
    start=$(date +%s%N)
    (cd "$copy" && "$@" >/dev/null 2>&1) || { echo "failed: $* in $dir" >&2; exit 1; }
    end=$(date +%s%N)
    rm -rf "$copy"
    echo $(( (end - start) / 1000 ))
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1000}'
}

echo "== appbuilder package vs tcex package (median of $runs runs, ms)"
printf '%-20s %16s %14s %9s\n' "fixture" "appbuilder ms" "tcex ms" "speed-up"
total_ours=0; total_tcex=0
for dir in "$fixtures"/*/; do
  name=$(basename "$dir")
  ours=$(median_ms "$dir" "$PWD/target/release/appbuilder" package . -o out/)
  tcex=$(median_ms "$dir" "$PWD/target/tcex-venv/bin/tcex" package)
  printf '%-20s %16s %14s %8.0fx\n' "$name" "$ours" "$tcex" "$(echo "$tcex / $ours" | bc -l)"
  total_ours=$(echo "$total_ours + $ours" | bc -l); total_tcex=$(echo "$total_tcex + $tcex" | bc -l)
done
printf '%-20s %16.1f %14.1f %8.0fx   (target: >= 50x)\n' "all fixtures" "$total_ours" "$total_tcex" "$(echo "$total_tcex / $total_ours" | bc -l)"

echo
echo "== a full build through the API with a warm dependency cache ($builds builds)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APPBUILDER_DATA="$data" APPBUILDER_ADDR="127.0.0.1:$port" APPBUILDER_LOG=warn APPBUILDER_ADMIN_PASSWORD=bench-admin-password \
  APPBUILDER_RUFF="$PWD/target/build-tools/bin/ruff" target/release/appbuilder serve &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
BENCH_URL="http://127.0.0.1:$port" BENCH_BUILDS="$builds" python3 bench/build-api.py
