#!/usr/bin/env bash
# The editor page benchmark (issue 4): loads /apps/{app} in headless Chromium over loopback from a
# release server with the optimised site, and prints the bytes of the app's own html+css+wasm(+js
# glue), the bytes of Monaco, and the time until the editor shows the file, on a cold cache (a new
# browser profile each run) and a warm one (a reload).
#   BENCH_RUNS=5 bench/editor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup serve >/dev/null
scripts/setup test >/dev/null
scripts/build-site release
cargo build --quiet --locked --release -p server

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APPBUILDER_DATA="$data" APPBUILDER_ADDR="127.0.0.1:$port" APPBUILDER_ADMIN_PASSWORD="bench password" \
  APPBUILDER_LOG=warn target/release/appbuilder serve &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

BENCH_URL="http://127.0.0.1:$port" BENCH_PASSWORD="bench password" NODE_PATH=end2end/node_modules \
  node bench/editor-load.js
