#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Print an include directory that has pppd/pppd.h for building the
# plugin: the system's (Debian: ppp-dev installed), else Debian's ppp-dev
# fetched with apt-get download and unpacked into a cache (no install).
set -u
for d in ${PPPD_INCDIR:-} /usr/include; do
	[ -f "$d/pppd/pppd.h" ] && { echo "$d"; exit 0; }
done
CACHE=${PPP_DEV_CACHE:-/var/cache/pptp-ppp-dev}
ver=$(apt-cache policy ppp-dev 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	echo "ppp-headers: no pppd headers and no ppp-dev package known to apt (apt-get update?)" >&2
	exit 1
fi
dir=$CACHE/$ver
if [ ! -f "$dir/usr/include/pppd/pppd.h" ]; then
	tmp=$(mktemp -d) || exit 1
	chmod 755 "$tmp"
	chown _apt "$tmp" 2>/dev/null
	if ! (cd "$tmp" && apt-get download -q ppp-dev >/dev/null 2>&1); then
		echo "ppp-headers: apt-get download ppp-dev failed" >&2
		rm -rf "$tmp"
		exit 1
	fi
	mkdir -p "$dir" && dpkg -x "$tmp"/ppp-dev_*.deb "$dir" || { rm -rf "$tmp"; exit 1; }
	rm -rf "$tmp"
fi
echo "$dir/usr/include"
