#!/usr/bin/env bash
# The README's benchmark figures: builds idtui in release, generates (once) a sandbox of
# 1,000,000 records per provider, and prints the plain HTTP walk, `:export` to JSON Lines
# and `G` in a 200x60 pty and their ratios (Kratos identities, then MATTR users), RSS at
# 100k and 1M rows and during the export, first frame, bytes per `j`, idle CPU and key
# latency during a slow request. Then the micro-benchmarks (`cargo bench --bench pages`).
#
#   scripts/measure.sh [DB]      DB defaults to /tmp/idtui-measure.db (about 2.5 GB)
#   IDTUI_MEASURE_ROWS=100000 scripts/measure.sh /tmp/small.db
#   IDTUI_MEASURE_EXPORT_ONLY=1 scripts/measure.sh   # the walks and exports alone
set -euo pipefail
cd "$(dirname "$0")/.."
export IDTUI_MEASURE_DB="${1:-/tmp/idtui-measure.db}"
export IDTUI_MEASURE_ROWS="${IDTUI_MEASURE_ROWS:-1000000}"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); $(date -u +%F)"
cargo test --release --test measure -- 
# `:set` over 10,000 identities against a plain client (IDTUI_MEASURE_BULK changes the count).
if [ -z "${IDTUI_MEASURE_EXPORT_ONLY:-}" ]; then
  cargo test --release --test measure_bulk
fi
if [ "${IDTUI_MEASURE_BENCHES:-1}" = 1 ]; then
  cargo bench --bench pages
fi
