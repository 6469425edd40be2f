# SPDX-License-Identifier: GPL-2.0-or-later
# pptp_linux.sh: sourced by the suites and the bench that run pptp-linux
# 1.10 beside ours.  fetch_pptp_linux CACHE unpacks Debian's pptp-linux
# package into CACHE (apt-get download + dpkg -x, never installed) unless
# CACHE/usr/sbin/pptp is there already; 0, or 1 with the reason in
# FETCH_ERR.  The one default cache: /var/cache/pptp-test/pptp-linux.
PPTP_LINUX_DEFAULT_CACHE=/var/cache/pptp-test/pptp-linux
FETCH_ERR=""
fetch_pptp_linux() {
	local cache=$1 tmp deb rc
	[ -x "$cache/usr/sbin/pptp" ] && return 0
	tmp=$(mktemp -d /tmp/pptp-linux-deb.XXXXXX) || { FETCH_ERR="mktemp failed"; return 1; }
	chmod 755 "$tmp"	# apt's download sandbox user writes here
	if ! (cd "$tmp" && timeout 120 apt-get download pptp-linux) >"$tmp/log" 2>&1; then
		timeout 300 apt-get update >>"$tmp/log" 2>&1
		(cd "$tmp" && timeout 120 apt-get download pptp-linux) >>"$tmp/log" 2>&1
	fi
	deb=$(ls "$tmp"/pptp-linux_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		FETCH_ERR="apt-get download pptp-linux failed: $(tail -2 "$tmp/log" | tr '\n' ' ')"
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$cache" && dpkg -x "$deb" "$cache"
	rc=$?
	rm -rf "$tmp"
	if [ $rc != 0 ] || [ ! -x "$cache/usr/sbin/pptp" ]; then
		FETCH_ERR="dpkg -x $(basename "$deb") into $cache failed"
		return 1
	fi
}
