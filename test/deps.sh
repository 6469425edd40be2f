#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh: make sure the tools the suites use are there; as root on a
# Debian system, install what is missing (the same list as .ci/run).
set -u
need=""
command -v socat >/dev/null || need="$need socat"
command -v ip >/dev/null || need="$need iproute2"
command -v ss >/dev/null || need="$need iproute2"
command -v pgrep >/dev/null || need="$need procps"
command -v clang >/dev/null || need="$need clang libclang-rt-14-dev"
command -v qemu-system-x86_64 >/dev/null || need="$need qemu-system-x86"
command -v cpio >/dev/null || need="$need cpio"
command -v xz >/dev/null || need="$need xz-utils"
command -v zstd >/dev/null || need="$need zstd"
command -v dpkg-buildpackage >/dev/null || need="$need dpkg-dev"
command -v dh >/dev/null || need="$need debhelper"
command -v lintian >/dev/null || need="$need lintian"
command -v groff >/dev/null || need="$need groff-base"
[ -f /usr/include/pppd/pppd.h ] || need="$need ppp-dev"
command -v nft >/dev/null || need="$need nftables"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "deps: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $need >/dev/null
	exit $?
fi
echo "deps: missing$need (the suites that need them will fail and say so)"
exit 0
