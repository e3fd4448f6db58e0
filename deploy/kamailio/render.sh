#!/usr/bin/env bash
# Renders kamailio.cfg and dispatcher.list for Kamailio in front of several gateways.
#
#   GATEWAYS="10.0.1.11:5060,10.0.1.11:5062,10.0.1.12:5060" LISTEN_ADDRESS=10.0.1.10 \
#     deploy/kamailio/render.sh /etc/kamailio
#
# Environment (defaults in brackets):
#   GATEWAYS          comma list of host:port, one per gateway process (required)
#   LISTEN_ADDRESS    address Kamailio binds [0.0.0.0]
#   LISTEN_PORT       SIP port, UDP and TCP [5060]
#   ADVERTISE         public address when Kamailio sits behind NAT (listen ... advertise) [none]
#   PING_INTERVAL_S   OPTIONS probing interval, s [10]
#   MAX_TRIES         gateways an INVITE may be tried on [2]
#   CHILDREN          UDP worker processes [4]
#   CTL_SOCKET        kamcmd's control socket [/run/kamailio/kamailio_ctl]
#   LOG_STDERR        yes: log to stderr (foreground runs) [no]
set -euo pipefail
OUT=${1:?usage: render.sh <output folder>}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${GATEWAYS:?GATEWAYS is required (comma list of host:port)}"
LISTEN_ADDRESS=${LISTEN_ADDRESS:-0.0.0.0}
LISTEN_PORT=${LISTEN_PORT:-5060}
PING_INTERVAL_S=${PING_INTERVAL_S:-10}
MAX_TRIES=${MAX_TRIES:-2}
CHILDREN=${CHILDREN:-4}
CTL_SOCKET=${CTL_SOCKET:-/run/kamailio/kamailio_ctl}
LOG_STDERR=${LOG_STDERR:-no}
ADVERTISE_CLAUSE=""
[ -n "${ADVERTISE:-}" ] && ADVERTISE_CLAUSE=" advertise ${ADVERTISE}:${LISTEN_PORT}"

valid_hostport='^[0-9A-Za-z.:-]+:[0-9]{1,5}$'
for v in "$LISTEN_PORT" "$PING_INTERVAL_S" "$MAX_TRIES" "$CHILDREN"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "render.sh: '$v' is not a number" >&2; exit 2; }
done
[[ "$LOG_STDERR" =~ ^(yes|no)$ ]] || { echo "render.sh: LOG_STDERR must be yes or no" >&2; exit 2; }

mkdir -p "$OUT"
list="$OUT/dispatcher.list"
{
  echo "# setid destination flags priority attributes (rendered by deploy/kamailio/render.sh)"
  IFS=',' read -ra gws <<<"$GATEWAYS"
  for gw in "${gws[@]}"; do
    gw=$(echo "$gw" | tr -d '[:space:]')
    [[ "$gw" =~ $valid_hostport ]] || { echo "render.sh: GATEWAYS entry '$gw' is not host:port" >&2; exit 2; }
    echo "1 sip:${gw} 0 0"
  done
} >"$list"

sed -e "s#@LISTEN_ADDRESS@#${LISTEN_ADDRESS}#g" \
    -e "s#@LISTEN_PORT@#${LISTEN_PORT}#g" \
    -e "s#@ADVERTISE@#${ADVERTISE_CLAUSE}#g" \
    -e "s#@PING_INTERVAL_S@#${PING_INTERVAL_S}#g" \
    -e "s#@MAX_TRIES@#${MAX_TRIES}#g" \
    -e "s#@CHILDREN@#${CHILDREN}#g" \
    -e "s#@CTL_SOCKET@#${CTL_SOCKET}#g" \
    -e "s#@LOG_STDERR@#${LOG_STDERR}#g" \
    -e "s#@DISPATCHER_LIST@#${list}#g" \
    "$HERE/kamailio.cfg.in" >"$OUT/kamailio.cfg"
echo "$OUT/kamailio.cfg"
