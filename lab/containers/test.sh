#!/usr/bin/env bash
# The containers part of `make test`: where a Docker engine can be started (as root, e.g. on CI),
# build the lab images (cached) and the gateway's production image (`make image`), run the
# happy-path scenario with LAB_BACKEND=containers and place the `docker-compose up` demo call, whose
# gateway is the production image. Where no engine can be started, print one line saying why and
# succeed: the same scenarios ran on the local backend already.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/lab/containers"
cd "$ROOT"

errors=$(mktemp)
if ! "$HERE/engine.sh" ensure 2>"$errors"; then
  echo "containers: skipped, no Docker engine: $(tail -n 1 "$errors")"
  rm -f "$errors"
  exit 0
fi
rm -f "$errors"
started=$(date +%s)
"$HERE/images.sh"
bash "$ROOT/deploy/image/build.sh"

echo "containers: LAB_BACKEND=containers happy-path"
LAB_BACKEND=containers node dist/lab/src/runner/cli.js happy-path

# The compose demo on free SIP and HTTP ports (5060 and 8080 may be taken by a developer's own gateway).
free_port() { node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
port=$(free_port)
http_port=$(free_port)
project=connect-realtime-lab-test
echo "containers: docker-compose up (demo call to the production image at 127.0.0.1:$port)"
compose() { LAB_SIP_PORT=$port LAB_HTTP_PORT=$http_port docker-compose -p "$project" -f "$ROOT/compose.yaml" "$@"; }
trap 'compose down -v --remove-orphans >/dev/null 2>&1 || true' EXIT
if ! compose up --abort-on-container-exit --exit-code-from caller >lab/out/compose-demo.log 2>&1; then
  grep -E 'caller_1|error' lab/out/compose-demo.log | tail -n 5 >&2 || true
  echo "containers: the docker-compose demo call failed; see lab/out/compose-demo.log" >&2
  exit 1
fi
grep -o 'caller: call completed.*' lab/out/compose-demo.log
echo "containers: passed in $(( $(date +%s) - started )) s"
