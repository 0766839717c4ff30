#!/usr/bin/env bash
# The README's figures for `idtui serve --ssh`: builds idtui in release, starts `idtui sandbox
# --generate 10000` and one `idtui serve --ssh` over it on loopback, opens 50 sessions (a
# russh client in the harness, 120x40), and prints the server's RSS with 0, 1, 10 and 50
# sessions and the key-to-frame latency of `j`/`k` (p50/p99) on one session alone, on one
# of 50, with all 50 typing at once, and in a local pty of the same size
# (`tests/measure_ssh.rs`; not part of `cargo test`). Ends with markdown tables.
#
#   scripts/measure-ssh.sh
#   IDTUI_MEASURE_SESSIONS=20 IDTUI_MEASURE_KEYS=100 scripts/measure-ssh.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); $(date -u +%F)"
cargo test --release --test measure_ssh
