#!/usr/bin/env bash
# The version store benchmark (issue 3): API saves beside git's plumbing, and history/diff reads
# on a 10,000-commit app beside `git log -50`. Prints one comparable table. Release build.
#   BENCH_SAVES=200 BENCH_COMMITS=10000 bench/store.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench --locked -p server --bench store
