#!/usr/bin/env bash
# Starts, stops or reports a local Docker engine for epycloud's local mode and tests.
#
#   scripts/docker-engine.sh start    # idempotent; waits until `docker info` answers
#   scripts/docker-engine.sh stop     # stops only an engine this script started (by its recorded PID)
#   scripts/docker-engine.sh status   # exit 0 when an engine answers
#
# The engine runs without a bridge network and without iptables rules: local
# mode needs no container network (services use `network_mode: none`) and
# builds use `--network host`. The PID and log live in $EPYCLOUD_DOCKER_STATE
# (default /tmp/epycloud-docker).
set -euo pipefail

STATE_DIR="${EPYCLOUD_DOCKER_STATE:-/tmp/epycloud-docker}"
PID_FILE="$STATE_DIR/dockerd.pid"
LOG_FILE="$STATE_DIR/dockerd.log"
WAIT_SECONDS="${EPYCLOUD_DOCKER_WAIT:-60}"

answers() { docker info >/dev/null 2>&1; }

# Whether a process runs; a zombie (exited, not reaped: orphans here may
# never be reaped) does not count.
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

recorded_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  alive "$pid" || return 1
  echo "$pid"
}

start() {
  if answers; then
    echo "docker-engine: an engine already answers" >&2
    return 0
  fi
  command -v dockerd >/dev/null 2>&1 || {
    echo "docker-engine: dockerd not found; install it with: apt-get install -y docker.io (or run scripts/setup.sh)" >&2
    return 1
  }
  mkdir -p "$STATE_DIR"
  # dockerd refuses to start while its pid file names a process, even a zombie.
  for stale in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [ -f "$stale" ] && ! alive "$(cat "$stale")"; then rm -f "$stale"; fi
  done
  if ! recorded_pid >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
    # setsid: the engine outlives this shell and is not in its process group.
    "${SUDO[@]}" setsid dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false >"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  fi
  local waited=0
  until answers; do
    if ! recorded_pid >/dev/null; then
      echo "docker-engine: dockerd exited; last lines of $LOG_FILE:" >&2
      tail -n 20 "$LOG_FILE" >&2 || true
      return 1
    fi
    if [ "$waited" -ge "$((WAIT_SECONDS * 2))" ]; then
      echo "docker-engine: no answer after ${WAIT_SECONDS}s; see $LOG_FILE" >&2
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "docker-engine: started (pid $(cat "$PID_FILE"), log $LOG_FILE)" >&2
}

stop() {
  local pid
  if ! pid="$(recorded_pid)"; then
    rm -f "$PID_FILE"
    echo "docker-engine: no engine started by this script is running" >&2
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 60); do
    alive "$pid" || break
    sleep 0.5
  done
  if alive "$pid"; then kill -9 "$pid" || true; fi
  rm -f "$PID_FILE"
  echo "docker-engine: stopped (pid $pid)" >&2
}

status() {
  if answers; then
    echo "docker-engine: running$(recorded_pid >/dev/null && echo " (pid $(cat "$PID_FILE"), started by this script)")"
    return 0
  fi
  echo "docker-engine: not running"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
