#!/usr/bin/env bash
# `npm run images`: builds localhost/vpn-seed-server and localhost/vpn-shoot-client (tags `latest` and the
# package version) with podman, from a base made of Debian packages (images/base/build-rootfs.sh; no
# registry needed). Installs what is missing, reuses the base while its recipe is unchanged, prints sizes.
# BASE_IMAGE=<image> builds on an ordinary image instead (it needs nodejs, openvpn, iptables, iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "npm run images needs root (mmdebstrap and podman build as root)" >&2
  exit 1
fi
WITH_IMAGES=1 bash scripts/ensure-system-deps.sh
bash scripts/ensure-build.sh
node scripts/bundle.js

# podman on Debian 12: crun refuses hybrid cgroup hierarchies, and rlimits podman picks itself exceed what
# a sandboxed shell may grant (so do the shell's own hard limits for nproc, as runc counts differently).
atmost() { if [ "$2" = unlimited ] || [ "$1" -le "$2" ]; then echo "$1"; else echo "$2"; fi; }
nofile=$(atmost 16384 "$(ulimit -Hn)")
nproc=$(atmost 4096 "$(ulimit -Hu)")
podman_opts=(--runtime runc --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
version=$(node -p 'require("./package.json").version')
started=$SECONDS

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  recipe=$(sha256sum images/base/build-rootfs.sh | cut -c1-12)
  base=localhost/vpn-tunnel-base:$recipe
  if ! podman image exists "$base"; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "building the base root file system from Debian packages"
    bash images/base/build-rootfs.sh "$tmp/rootfs.tar" > "$tmp/rootfs.log" 2>&1 || { tail -n 30 "$tmp/rootfs.log" >&2; exit 1; }
    podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$tmp/rootfs.tar" "$base" >/dev/null
    rm -rf "$tmp"
    trap - EXIT
  fi
fi

for image in vpn-seed-server vpn-shoot-client; do
  podman build "${podman_opts[@]}" --quiet --build-arg "BASE=$base" -f "images/$image/Containerfile" \
    -t "localhost/$image:latest" -t "localhost/$image:$version" . >/dev/null
done
echo "built in $((SECONDS - started)) s on $base:"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' --filter reference='localhost/vpn-s*' | sort
