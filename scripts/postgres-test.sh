#!/usr/bin/env bash
# postgres-test.sh: throwaway PostgreSQL servers for the tests, from the
# Debian packages (scripts/apt-install.sh installs them). Never prompts.
#
#   postgres-test.sh run [--] COMMAND...
#       start a server in a fresh temporary directory, run COMMAND with
#       SWITCHBOARD_TEST_POSTGRES_DSN set to it, then stop the server and
#       delete the directory, whether COMMAND passed, failed or was
#       interrupted. Exits with COMMAND's status.
#   postgres-test.sh start DIR
#       create (once) and start a server whose files live in DIR, on a free
#       loopback port kept in DIR/port across restarts; prints its DSN.
#   postgres-test.sh stop DIR
#       stop that server (fast shutdown); its data stays for a later start.
#
# The server listens on 127.0.0.1 only, trusts local connections (it holds
# nothing but test data), and trades durability for speed (fsync off).
# PostgreSQL refuses to run as root: as root, the server runs as the
# `postgres` user that the Debian package creates.
set -euo pipefail

die() { echo "postgres-test.sh: $*" >&2; exit 1; }

bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  die "PostgreSQL server binaries not found (install the Debian package postgresql, or set PG_BINDIR)"
}

# as_server runs a command as the user the server runs as.
as_server() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres user to run the server as"
  if command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free loopback port found"
}

dsn() { echo "postgres://postgres@127.0.0.1:$(cat "$1/port")/postgres?sslmode=disable"; }

start() {
  local dir=$1 bin
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    chmod 0755 "$dir"
    chown postgres "$dir"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_server "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  local attempt
  for attempt in 1 2 3; do
    [ -f "$dir/port" ] || free_port >"$dir/port"
    if as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null; then
      dsn "$dir"
      return
    fi
    # Someone took the port between the check and the start: pick another
    # (a restart keeps its port unless it is taken).
    rm -f "$dir/port"
  done
  tail -n 20 "$dir/server.log" >&2 || true
  die "the server did not start"
}

stop() {
  local dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_server "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

run() {
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || die "run: no command given"
  local dir started
  dir=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-pg.XXXXXX")
  # shellcheck disable=SC2064 # expand dir now
  trap "stop '$dir' || true; rm -rf '$dir'" EXIT
  trap 'exit 130' INT TERM
  started=$(date +%s.%N)
  SWITCHBOARD_TEST_POSTGRES_DSN=$(start "$dir")
  export SWITCHBOARD_TEST_POSTGRES_DSN
  echo "postgres-test.sh: PostgreSQL $("$(bindir)/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$(cat "$dir/port")" \
    "in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  local status=0
  "$@" || status=$?
  return $status
}

case "${1:-}" in
  run) shift; run "$@" ;;
  start) [ $# -eq 2 ] || die "usage: start DIR"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: stop DIR"; stop "$2" ;;
  *) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac
