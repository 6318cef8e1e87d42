#!/usr/bin/env bash
# The runtime benchmark (issue 7): the server's overhead of an on-demand run of the hello
# template beyond the Python process, and webhook deliveries accepted per second with durable
# storage (stored = acknowledged). Release build; one run on this machine.
#   BENCH_RUNS=30 BENCH_DELIVERIES=20000 bench/runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup test >/dev/null
cargo bench --locked -p server --bench runtime
