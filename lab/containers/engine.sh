#!/usr/bin/env bash
# The Docker engine the lab's containers run on.
#
#   engine.sh ensure   install Debian's docker.io (+ docker-compose) when missing and we are root,
#                      start dockerd when it is not answering; exit 0 when the engine answers.
#   engine.sh check    exit 0 when the engine answers, else print why on one line and exit 1.
#
# The lab's containers use host networking (their traffic stays on 127.0.0.x), so the engine runs
# without its own networking: no bridge, no iptables rules, nothing touches the host's firewall.
# dockerd started here logs to $LAB_DOCKERD_LOG and keeps running (it is a daemon: later runs and
# `docker-compose up` reuse it); stop it with `kill $(cat /var/run/docker.pid)`.
set -euo pipefail

LOG=${LAB_DOCKERD_LOG:-/var/log/lab-dockerd.log}
WAIT_S=${LAB_DOCKERD_WAIT_S:-30}

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

why_not() {
  if ! command -v docker >/dev/null 2>&1; then echo "no docker client (Debian package docker.io)"; return; fi
  if [ ! -S /var/run/docker.sock ]; then echo "no Docker engine running (/var/run/docker.sock missing)"; return; fi
  docker version 2>&1 >/dev/null | head -n 1
}

install_missing() {
  local missing=""
  command -v dockerd >/dev/null 2>&1 || missing="$missing docker.io"
  command -v docker-compose >/dev/null 2>&1 || missing="$missing docker-compose"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "engine: missing$missing and not root with apt-get" >&2
    return 1
  fi
  echo "installing:$missing"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

start_daemon() {
  if [ "$(id -u)" != 0 ]; then echo "engine: not answering and not root, cannot start dockerd" >&2; return 1; fi
  command -v dockerd >/dev/null 2>&1 || { echo "engine: no dockerd" >&2; return 1; }
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    echo "engine: dockerd (pid $(cat /var/run/docker.pid)) runs but does not answer; see $LOG" >&2
    return 1
  fi
  echo "starting dockerd (no bridge, no iptables; log $LOG)"
  # The daemon outlives this run, so it must not inherit our descriptors beyond stdio: a lock the
  # caller holds (flock around make test) or a pipe (make test | tee) would stay held by dockerd.
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=overlay2 >>"$LOG" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 $((WAIT_S * 5))); do
    answers && return 0
    sleep 0.2
  done
  echo "engine: dockerd did not answer within ${WAIT_S} s: $(tail -n 1 "$LOG")" >&2
  return 1
}

case "${1:-}" in
  check)
    answers && exit 0
    why_not
    exit 1
    ;;
  ensure)
    answers && exit 0
    install_missing
    answers && exit 0
    start_daemon
    ;;
  *)
    echo "usage: engine.sh ensure|check" >&2
    exit 2
    ;;
esac
