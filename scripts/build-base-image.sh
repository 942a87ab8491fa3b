#!/usr/bin/env bash
# Builds a stand-in for the official Node base image (node:22-bookworm-slim) on
# a machine that cannot pull images: a minimal Debian bookworm root filesystem
# (debootstrap, from the apt mirror this machine already uses), this machine's
# `node` and `npm` and trusted CA bundle, and a `node` user (uid/gid 1000) as
# in the official image.
# The result is imported as $EPYCLOUD_BASE_IMAGE (default epycloud-base:local).
# Skips the work when the image already exists (set EPYCLOUD_REBUILD_BASE=1 to force).
#
#   scripts/build-base-image.sh            # prints the image name on stdout
set -euo pipefail

IMAGE="${EPYCLOUD_BASE_IMAGE:-epycloud-base:local}"
SUITE=bookworm

if [ "${EPYCLOUD_REBUILD_BASE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-base-image: $IMAGE already exists" >&2
  echo "$IMAGE"
  exit 0
fi

for tool in debootstrap node docker; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "build-base-image: $tool not found (run scripts/setup.sh)" >&2
    exit 1
  }
done
[ "$(id -u)" -eq 0 ] || {
  echo "build-base-image: debootstrap needs root" >&2
  exit 1
}

# The mirror apt uses here (deb822 or one-line sources), else Debian's default.
mirror="$(grep -rhoE '^URIs: *https?://[^ ]+/debian/?$' /etc/apt/sources.list.d/ 2>/dev/null | head -n1 | sed -E 's/^URIs: *//')"
[ -n "$mirror" ] || mirror="$(grep -hoE '^deb +https?://[^ ]+/debian/? ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')"
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

work="$(mktemp -d /tmp/epycloud-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
start=$(date +%s)

echo "build-base-image: debootstrap --variant=minbase $SUITE from $mirror" >&2
debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

# Node and npm from this machine, where the official image keeps them.
node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$(readlink -f "$npm_dir")" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# The certificate authorities this machine trusts (a TLS-inspecting proxy's
# among them), so `npm ci` in the Dockerfile's build stage reaches the registry
# the way the host does.
ca_bundle="${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
ca_env=()
if [ -f "$ca_bundle" ]; then
  mkdir -p "$root/etc/ssl/certs"
  cp "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
  ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi

# The official image's unprivileged user.
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# Trim what a container never needs.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/usr/share/info/*

chroot "$root" node --version >/dev/null
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "${ca_env[@]}" --change 'CMD ["node"]' - "$IMAGE" >/dev/null

echo "build-base-image: built $IMAGE in $(($(date +%s) - start))s ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)" >&2
echo "$IMAGE"
