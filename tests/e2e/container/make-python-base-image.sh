#!/usr/bin/env bash
# Copied unchanged (but for these two lines) from shared/container/make-python-base-image.sh, this workplace's
# infrastructure scripts; refresh the copy from there.
# Builds a local stand-in for the official `python:3.11-slim` image, so a Dockerfile
# can be built and run on a machine that reaches Debian's and Python's package
# registries but no container registry.
#
#   shared/container/make-python-base-image.sh            # idempotent; prints the image name
#
# Needs root, podman, runc and debootstrap (apt-get install -y podman runc debootstrap).
# Afterwards build and run with the flags in shared/container/podman-flags.sh, e.g.
#   source ../shared/container/podman-flags.sh
#   podman "${PODMAN_GLOBAL[@]}" build "${PODMAN_BUILD[@]}" -t localhost/demo:latest .
#   podman "${PODMAN_GLOBAL[@]}" run "${PODMAN_RUN[@]}" localhost/demo:latest python main.py ...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/podman-flags.sh"
image=docker.io/library/python:3.11-slim
if podman "${PODMAN_GLOBAL[@]}" image exists "$image"; then echo "$image"; exit 0; fi

# The Debian mirror that apt on this machine already uses.
mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1)
[ -n "$mirror" ] || mirror=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1)
[ -n "$mirror" ] || { echo "no Debian mirror found in apt's sources" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
  bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# Make it behave like the official image: `python` and `pip` on PATH, pip may install system-wide.
rm -f "$work"/rootfs/usr/lib/python3*/EXTERNALLY-MANAGED
ln -sf python3 "$work/rootfs/usr/bin/python"
ln -sf pip3 "$work/rootfs/usr/bin/pip"
rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
tar -C "$work/rootfs" -c . | podman "${PODMAN_GLOBAL[@]}" import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' - "$image" >/dev/null
echo "$image"
