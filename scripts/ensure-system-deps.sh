#!/usr/bin/env bash
# Installs the Debian packages the programs, the kernel/e2e tests and the image builds use, when any is missing.
set -euo pipefail
need=()
command -v openvpn >/dev/null || need+=(openvpn)
command -v iptables-legacy >/dev/null || need+=(iptables)
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
command -v openssl >/dev/null || need+=(openssl)
command -v ps >/dev/null || need+=(procps)
command -v python3 >/dev/null || need+=(python3)
# Container images: built and run by the image tests and `npm run images` (WITH_IMAGES=0 skips them).
if [ "${WITH_IMAGES:-1}" = 1 ]; then
  command -v podman >/dev/null || need+=(podman)
  command -v runc >/dev/null || need+=(runc)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages: ${need[*]} (run as root to install them)" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
