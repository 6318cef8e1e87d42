#!/usr/bin/env bash
# The version store benchmark (issue 3): API saves beside git's plumbing, and history/diff reads
# on a 10,000-commit app beside `git log -50`. Prints one comparable table. Release build.
#   BENCH_SAVES=200 BENCH_COMMITS=10000 bench/store.sh
#
# The save figures depend on the disk's recent past: on ext4 without a journal (this kind of
# machine), inodes freed in the last ~5 minutes slow every new file down, and a run's clean-up
# frees ~15,000. docs/version-store.md ("Speed") has the figures; compare runs made at least ten
# minutes after the previous one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo bench --locked -p server --bench store --no-run
stamp=target/bench-store.last
if [ -f "$stamp" ]; then
  since=$(( $(date +%s) - $(cat "$stamp") ))
  if [ "$since" -lt 600 ]; then
    echo "note: the previous run ended ${since} s ago; its clean-up still slows file creation down" >&2
    echo "      (save figures up to 2x worse). For comparable figures wait $(( 600 - since )) s more." >&2
  fi
fi
status=0
cargo bench --locked -p server --bench store || status=$?
date +%s > "$stamp"
exit "$status"
