#!/usr/bin/env bash
# Builds the images' base root file system from Debian packages into a tarball for `podman import`
# (no container registry is needed): Debian 13 "trixie", whose nodejs is Node 20, with openvpn 2.6,
# iptables (legacy and nft, both families) and iproute2. Usage: build-rootfs.sh OUTPUT.tar
#
# The essential set is what dpkg and a shell need. What only a login system, a package manager's scripts
# or a human reader needs is taken out: packages nothing here runs are purged, then documentation (except
# the copyright files), manual pages, translations and charset converters are deleted.
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUTPUT.tar}
packages=nodejs,openvpn,iptables,iproute2

# Purged in two rounds: maintainer scripts of the first round still need debconf and perl, and dpkg refuses
# to start without diff and find.
unused=(
  node-corepack util-linux ncurses-bin sysvinit-utils login hostname bsdutils init-system-helpers
  libpam-modules libpam-modules-bin libpam-runtime libdb5.3t64
)
purge="dpkg --purge --force-remove-essential --force-depends"
# Runs on the host with the root file system as $1.
trim='cd "$1" && find usr/share/doc -type f ! -name copyright -delete && find usr/share/doc -type d -empty -delete &&
  rm -rf usr/share/man usr/share/info usr/share/locale usr/share/lintian usr/share/bash-completion usr/share/debconf \
    usr/lib/*-linux-gnu/gconv usr/share/nodejs/@types usr/share/nodejs/undici-types var/cache/* var/log/* var/lib/dpkg/*-old'

mmdebstrap --variant=essential --include="$packages" \
  --customize-hook="chroot \"\$1\" $purge ${unused[*]} >/dev/null" \
  --customize-hook="chroot \"\$1\" $purge debconf perl-base diffutils findutils >/dev/null" \
  --customize-hook="$trim" \
  --customize-hook='chroot "$1" openvpn --version >/dev/null && chroot "$1" node --version >/dev/null && chroot "$1" ip -V >/dev/null' \
  trixie "$out"
