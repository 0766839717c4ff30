#!/usr/bin/env bash
# Build the real Ory Kratos (v1.3.1, from its Go module, see tests/kratos/go.mod), run it on
# loopback with tests/kratos/kratos.yml, and run idtui's real-server tests against it.
#
#   scripts/real-kratos.sh                 build (once), migrate, serve, run the tests, stop
#   scripts/real-kratos.sh -- FILTER...    the same, passing FILTER... to the test binary
#   scripts/real-kratos.sh --serve         build, migrate, serve and print the URLs until Ctrl-C
#
# Needs Go (1.23 or newer) and the Go module proxy, or a warm module cache. Without them it
# fails loudly: it never passes by skipping. The binary is reused while tests/kratos/go.mod,
# go.sum and the Go version are unchanged; the Go caches keep a rebuild short.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '== real-kratos: %s\n' "$*" >&2; }
die() {
  printf '!!!!!!!! real-kratos: %s !!!!!!!!\n' "$*" >&2
  exit 1
}

mode=test
if [[ "${1:-}" == "--serve" ]]; then
  mode=serve
  shift
fi
[[ "${1:-}" == "--" ]] && shift

command -v go >/dev/null 2>&1 ||
  die "Go is not installed: the real Kratos tests cannot run (install Go 1.23 or newer)"

target_dir=${CARGO_TARGET_DIR:-$root/target}
bin_dir=$target_dir/real-kratos
bin=$bin_dir/kratos
mkdir -p "$bin_dir"

# --- build once -------------------------------------------------------------------------
stamp_want=$( (cat tests/kratos/go.mod tests/kratos/go.sum; go version) | sha256sum | cut -d' ' -f1)
if [[ -x "$bin" && -f "$bin.stamp" && "$(cat "$bin.stamp")" == "$stamp_want" ]]; then
  say "reusing $bin"
else
  say "building Ory Kratos v1.3.1 from its Go module (a first build takes minutes)"
  started=$(date +%s)
  # -mod=readonly: go.sum pins every module; GOTOOLCHAIN=local: never fetch another Go.
  if ! GOFLAGS=-mod=readonly GOTOOLCHAIN=local go -C tests/kratos build -tags sqlite \
    -ldflags "-X github.com/ory/kratos/driver/config.Version=v1.3.1" \
    -o "$bin.tmp" github.com/ory/kratos; then
    die "building Kratos failed (is the Go module proxy reachable, or the module cache warm?)"
  fi
  mv "$bin.tmp" "$bin"
  echo "$stamp_want" >"$bin.stamp"
  say "built in $(($(date +%s) - started)) s"
fi
# Read the whole answer first: `| grep -q` under pipefail fails whenever grep exits before
# kratos writes its last line (kratos then dies of SIGPIPE).
kratos_version=$("$bin" version 2>&1 || true)
[[ "$kratos_version" == *v1.3.1* ]] || die "$bin does not report version v1.3.1: $kratos_version"

# --- migrate and serve ------------------------------------------------------------------
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/idtui-real-kratos.XXXXXX")
kratos_pid=
cleanup() {
  if [[ -n "$kratos_pid" ]] && kill -0 "$kratos_pid" 2>/dev/null; then
    kill "$kratos_pid" 2>/dev/null || true
    wait "$kratos_pid" 2>/dev/null || true
  fi
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two free loopback ports: a port nobody answers on is free enough for a test run.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}
public_port=$(free_port)
admin_port=$(free_port)
while [[ "$admin_port" == "$public_port" ]]; do admin_port=$(free_port); done

export DSN="sqlite://$run_dir/kratos.sqlite?_fk=true&mode=rwc&_journal_mode=WAL&_busy_timeout=15000"
export SERVE_PUBLIC_PORT=$public_port SERVE_ADMIN_PORT=$admin_port
export SERVE_PUBLIC_BASE_URL=http://127.0.0.1:$public_port/
export SERVE_ADMIN_BASE_URL=http://127.0.0.1:$admin_port/
config=tests/kratos/kratos.yml

"$bin" migrate sql -e --yes -c "$config" >"$run_dir/migrate.log" 2>&1 ||
  { cat "$run_dir/migrate.log" >&2; die "kratos migrate failed"; }
"$bin" serve -c "$config" >"$run_dir/serve.log" 2>&1 &
kratos_pid=$!

admin=http://127.0.0.1:$admin_port
public=http://127.0.0.1:$public_port
ready=
for _ in $(seq 1 300); do
  if ! kill -0 "$kratos_pid" 2>/dev/null; then
    cat "$run_dir/serve.log" >&2
    die "kratos serve exited before it was ready"
  fi
  if curl -fsS "$admin/admin/health/ready" >/dev/null 2>&1 &&
    curl -fsS "$public/health/ready" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.2
done
[[ -n "$ready" ]] || { cat "$run_dir/serve.log" >&2; die "kratos was not ready within 60 s"; }
say "Kratos $("$bin" version | awk '/^Version/ {print $2}') ready: admin $admin, public $public"

export IDTUI_REAL_KRATOS_URL=$admin
export IDTUI_REAL_KRATOS_PUBLIC_URL=$public

if [[ "$mode" == serve ]]; then
  say "IDTUI_REAL_KRATOS_URL=$admin IDTUI_REAL_KRATOS_PUBLIC_URL=$public; Ctrl-C stops it"
  wait "$kratos_pid"
  exit 0
fi

# --- the real-server tests --------------------------------------------------------------
started=$(date +%s)
status=0
# One test at a time: Kratos on SQLite answers "database is locked" (500) when two write
# transactions race to upgrade, which no busy timeout covers; a real deployment runs on a
# server database, and these tests are about answers, not about load.
cargo test --locked --test real_kratos -- --test-threads=1 "$@" || status=$?
say "real-server tests took $(($(date +%s) - started)) s (exit $status)"
if [[ $status -ne 0 ]]; then
  say "last lines of the Kratos log:"
  tail -n 40 "$run_dir/serve.log" >&2 || true
fi
exit "$status"
