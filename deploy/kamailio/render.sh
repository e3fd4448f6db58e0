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
#   TLS_CERT_FILE,    PEM certificate and key: adds a TLS listener on TLS_PORT for connectors with
#   TLS_KEY_FILE      encryption on (Kamailio terminates TLS, SRTP goes to the gateways) [none]
#   TLS_CA_FILE       CA bundle to verify clients with, e.g. AWS's combined-ca-bundle.pem [none]
#   TLS_PORT          [5061]
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
TLS_PORT=${TLS_PORT:-5061}
ADVERTISE_CLAUSE=""
TLS_ADVERTISE_CLAUSE=""
if [ -n "${ADVERTISE:-}" ]; then
  ADVERTISE_CLAUSE=" advertise ${ADVERTISE}:${LISTEN_PORT}"
  TLS_ADVERTISE_CLAUSE=" advertise ${ADVERTISE}:${TLS_PORT}"
fi
TLS_DEFINE=""
if [ -n "${TLS_CERT_FILE:-}" ] || [ -n "${TLS_KEY_FILE:-}" ]; then
  [ -r "${TLS_CERT_FILE:-}" ] && [ -r "${TLS_KEY_FILE:-}" ] || { echo "render.sh: TLS_CERT_FILE and TLS_KEY_FILE must both be readable files" >&2; exit 2; }
  TLS_DEFINE="#!define WITH_TLS"
fi

valid_hostport='^[0-9A-Za-z.:-]+:[0-9]{1,5}$'
for v in "$LISTEN_PORT" "$TLS_PORT" "$PING_INTERVAL_S" "$MAX_TRIES" "$CHILDREN"; do
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

if [ -n "$TLS_DEFINE" ]; then
  {
    echo "# Kamailio tls module settings (rendered by deploy/kamailio/render.sh)"
    echo "[server:default]"
    echo "method = TLSv1.2+"
    echo "certificate = ${TLS_CERT_FILE}"
    echo "private_key = ${TLS_KEY_FILE}"
    if [ -n "${TLS_CA_FILE:-}" ]; then
      echo "ca_list = ${TLS_CA_FILE}"
      echo "verify_certificate = yes"
      echo "require_certificate = yes"
    else
      echo "verify_certificate = no"
      echo "require_certificate = no"
    fi
    echo "[client:default]"
    echo "method = TLSv1.2+"
    echo "verify_certificate = no"
  } >"$OUT/tls.cfg"
fi

sed -e "s#@LISTEN_ADDRESS@#${LISTEN_ADDRESS}#g" \
    -e "s|@TLS_DEFINE@|${TLS_DEFINE}|g" \
    -e "s#@TLS_PORT@#${TLS_PORT}#g" \
    -e "s#@TLS_ADVERTISE@#${TLS_ADVERTISE_CLAUSE}#g" \
    -e "s#@TLS_CONFIG@#${OUT}/tls.cfg#g" \
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
