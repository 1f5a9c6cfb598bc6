#!/usr/bin/env bash
# redis-test.sh: throwaway Redis servers for the tests, from the Debian
# package redis-server (scripts/apt-install.sh installs it). Never prompts.
#
#   redis-test.sh run [--] COMMAND...
#       start a server in a fresh temporary directory, run COMMAND with
#       SWITCHBOARD_TEST_REDIS_URL set to it (redis://127.0.0.1:PORT/0),
#       then stop the server and delete the directory, whether COMMAND
#       passed, failed or was interrupted. Exits with COMMAND's status.
#   redis-test.sh start DIR
#       start a server whose files live in DIR, on a free loopback port kept
#       in DIR/port across restarts; prints its URL.
#   redis-test.sh stop DIR
#       stop that server. Nothing is persisted: a restarted server is empty.
#
# The server listens on 127.0.0.1 only, with no password (it holds nothing
# but test data) and no persistence (no RDB snapshots, no AOF). Redis runs
# as whoever calls this script, root included.
set -euo pipefail

die() { echo "redis-test.sh: $*" >&2; exit 1; }

server_bin() {
  if [ -n "${REDIS_SERVER:-}" ]; then echo "$REDIS_SERVER"; return; fi
  command -v redis-server 2>/dev/null ||
    die "redis-server not found (install the Debian package redis-server: make deps-redis, or set REDIS_SERVER)"
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free loopback port found"
}

url() { echo "redis://127.0.0.1:$(cat "$1/port")/0"; }

# answers_ping reports whether a Redis server answers PING on the port.
# Plain bash, so that the script needs no redis-cli.
answers_ping() (
  reply=""
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || true
  [[ $reply == +PONG* ]]
) 2>/dev/null

# alive reports whether a process runs: a server that exited stays a
# zombie until its parent (init, or whichever process adopted it) reaps it.
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)
  [ "$state" != Z ]
}

# running_pid prints the pid of DIR's server when it is alive (and is a
# redis-server: a stale pid file may name a recycled pid).
running_pid() {
  local pid
  [ -f "$1/redis.pid" ] || return 1
  pid=$(cat "$1/redis.pid")
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q redis-server || return 1
  echo "$pid"
}

start() {
  local dir=$1 bin
  bin=$(server_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running_pid "$dir" >/dev/null; then url "$dir"; return; fi
  local attempt port pid
  for attempt in 1 2 3; do
    [ -f "$dir/port" ] || free_port >"$dir/port"
    port=$(cat "$dir/port")
    # No persistence at all: save "" disables RDB snapshots, appendonly no
    # the AOF. The server stays in the foreground (so that a failed bind is
    # seen as its exit) and writes its pid file once it listens; its output
    # goes to the log, so that whoever reads this script's output is not
    # kept waiting by the server.
    cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1
port $port
protected-mode yes
daemonize no
pidfile $dir/redis.pid
save ""
appendonly no
dir $dir
logfile $dir/server.log
EOF
    "$bin" "$dir/redis.conf" </dev/null >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
      if answers_ping "$port" && running_pid "$dir" >/dev/null; then url "$dir"; return; fi
      alive "$pid" || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Someone took the port between the check and the start: pick another
    # (a restart keeps its port unless it is taken).
    rm -f "$dir/port"
  done
  tail -n 20 "$dir/server.log" >&2 || true
  die "the server did not start"
}

stop() {
  local dir=$1 pid
  pid=$(running_pid "$dir") || { rm -f "$dir/redis.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive "$pid" || { rm -f "$dir/redis.pid"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/redis.pid"
}

run() {
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || die "run: no command given"
  local dir started
  dir=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-redis.XXXXXX")
  # shellcheck disable=SC2064 # expand dir now
  trap "stop '$dir' || true; rm -rf '$dir'" EXIT
  trap 'exit 130' INT TERM
  started=$(date +%s.%N)
  SWITCHBOARD_TEST_REDIS_URL=$(start "$dir")
  export SWITCHBOARD_TEST_REDIS_URL
  echo "redis-test.sh: Redis $("$(server_bin)" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') ready on 127.0.0.1:$(cat "$dir/port")" \
    "in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  local status=0
  "$@" || status=$?
  return $status
}

case "${1:-}" in
  run) shift; run "$@" ;;
  start) [ $# -eq 2 ] || die "usage: start DIR"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: stop DIR"; stop "$2" ;;
  *) sed -n '2,18p' "$0" >&2; exit 2 ;;
esac
