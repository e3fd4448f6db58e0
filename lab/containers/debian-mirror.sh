#!/usr/bin/env bash
# Prints the Debian mirror apt on this machine uses for `bookworm` (main), so the lab's base image is
# built from the same place apt installs from (no other registry is reachable on CI). Reads the
# deb822 `.sources` files and the one-line `.list` format; LAB_DEBIAN_MIRROR overrides.
set -euo pipefail
SUITE=${1:-bookworm}
if [ -n "${LAB_DEBIAN_MIRROR:-}" ]; then echo "$LAB_DEBIAN_MIRROR"; exit 0; fi

# deb822: stanzas separated by blank lines; take the URIs of a stanza whose Suites list the suite.
from_sources() {
  awk -v suite="$SUITE" '
    function flush() { if (uris != "" && hit && types ~ /(^| )deb( |$)/) { split(uris, u, " "); print u[1]; found = 1; exit } uris = ""; hit = 0; types = "" }
    /^[ \t]*$/ { flush(); next }
    /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
    /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
    /^Suites:/ { sub(/^Suites:[ \t]*/, ""); n = split($0, s, /[ \t]+/); for (i = 1; i <= n; i++) if (s[i] == suite) hit = 1 }
    END { if (!found) flush() }
  ' "$@"
}

# One-line format: deb [options] URI suite components...
from_lists() {
  sed -E 's/\[[^]]*\]//' "$@" | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }'
}

shopt -s nullglob
mirror=""
sources=(/etc/apt/sources.list.d/*.sources)
[ ${#sources[@]} -gt 0 ] && mirror=$(from_sources "${sources[@]}")
if [ -z "$mirror" ]; then
  lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
  existing=()
  for f in "${lists[@]}"; do [ -f "$f" ] && existing+=("$f"); done
  [ ${#existing[@]} -gt 0 ] && mirror=$(from_lists "${existing[@]}")
fi
echo "${mirror:-http://deb.debian.org/debian}"
