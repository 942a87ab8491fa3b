#!/usr/bin/env bash
# Installs everything a fresh machine lacks: Debian packages (Docker engine,
# Compose v1, debootstrap for the stand-in base image, Chromium for `report --pdf`
# and the browser tests) and the npm packages.
#
#   bash scripts/setup.sh            # packages only (what CI runs)
#   bash scripts/setup.sh --docker   # also start a Docker engine if none answers and build the images
#
# With --docker the images are built on $EPYCLOUD_BASE_IMAGE, default the
# stand-in base `epycloud-base:local` (built here from Debian's packages and
# this machine's node, for machines that cannot pull images). Where images can
# be pulled, EPYCLOUD_BASE_IMAGE=node:22-bookworm-slim uses the official one.
set -euo pipefail
cd "$(dirname "$0")/.."

with_docker=false
case "${1:-}" in
  --docker) with_docker=true ;;
  "") ;;
  *) echo "setup: unknown option $1 (expected --docker or nothing)" >&2; exit 2 ;;
esac

need=()
command -v dockerd >/dev/null 2>&1 || docker info >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# the Python example stage (examples/python-model): Python 3 from Debian
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  echo "setup: installing ${need[*]}" >&2
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund

if $with_docker; then
  bash scripts/docker-engine.sh start
  npx epycloud build local --quiet --base-image "${EPYCLOUD_BASE_IMAGE:-epycloud-base:local}"
fi
