#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh: make install / make uninstall into scratch directories
# (DESTDIR, or PREFIX/SYSCONFDIR under /tmp); never touches the system.
# Checks the stripped program, the man page, options.pptp (installed once,
# never overwritten, removed only when still ours), INSTALL_STRIP=, and the
# refusal to replace a file a Debian package owns (with stand-ins for
# dpkg-query and dpkg-divert); also that the man page renders cleanly and
# that README's two first commands need no sudo for root.  Needs no root;
# under 1 s.
set -u
cd "$(dirname "$0")/.."
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
finish() { echo "install: $PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

T=$(mktemp -d /tmp/pptp-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
# Our make, without the caller's make flags (-n, -k, ...).
mk() { env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

if ! mk -s pptp >"$T/build.log" 2>&1; then
	fail build "make pptp: $(tail -3 "$T/build.log" | tr '\n' '|')"
	finish
fi
has_symtab() { LC_ALL=C readelf -S "$1" 2>/dev/null | grep -q '\.symtab'; }
command -v readelf >/dev/null || { fail readelf "readelf is missing (apt-get install binutils)"; finish; }

# ---- default install into DESTDIR -----------------------------------------
D=$T/d1
mk install DESTDIR="$D" >"$T/i1.log" 2>&1
check install-runs $? "make install DESTDIR=$D failed: $(tail -3 "$T/i1.log" | tr '\n' '|')"
BIN=$D/usr/local/sbin/pptp
[ -x "$BIN" ]
check default-prefix-usr-local $? "no executable $BIN (default PREFIX should be /usr/local)"
! has_symtab "$BIN"
check binary-stripped $? "$BIN still has a .symtab (install -s expected)"
[ "$(stat -c %a "$BIN" 2>/dev/null)" = 755 ]
check binary-mode-755 $? "mode of $BIN is $(stat -c %a "$BIN" 2>/dev/null)"
v=$("$BIN" --version 2>&1 | head -1)
[ "$v" = "$(./pptp --version 2>&1 | head -1)" ] && [ -n "$v" ]
check binary-runs $? "installed pptp --version says '$v'"
cmp -s pptp.8 "$D/usr/local/share/man/man8/pptp.8"
check man-page $? "no copy of pptp.8 in $D/usr/local/share/man/man8"
cmp -s etc/options.pptp "$D/etc/ppp/options.pptp"
check options-pptp $? "no copy of etc/options.pptp in $D/etc/ppp (SYSCONFDIR stays /etc)"
[ "$(stat -c %a "$D/etc/ppp/options.pptp" 2>/dev/null)" = 644 ]
check options-mode-644 $? "mode of options.pptp is $(stat -c %a "$D/etc/ppp/options.pptp" 2>/dev/null)"
# every option line of our options.pptp is one pppd knows (a typo would
# stop pppd at start); the list is the options the file may use.
bad=$(grep -vE '^[[:space:]]*(#|$)' etc/options.pptp |
	grep -vxE '(lock|noauth|refuse-(pap|eap|chap|mschap)|nobsdcomp|nodeflate|novj|require-mppe(-128)?|mtu [0-9]+|mru [0-9]+)')
[ -z "$bad" ]
check options-known-lines $? "unexpected lines in etc/options.pptp: $bad"

mk uninstall DESTDIR="$D" >"$T/u1.log" 2>&1
check uninstall-runs $? "make uninstall failed: $(tail -3 "$T/u1.log" | tr '\n' '|')"
left=$(find "$D" -type f -o -type l)
[ -z "$left" ]
check uninstall-removes-all $? "left behind: $left"

# ---- an existing options.pptp is kept, and kept by uninstall too ----------
D=$T/d2
mkdir -p "$D/etc/ppp"
printf 'lock\n# the admin'"'"'s own\n' >"$D/etc/ppp/options.pptp"
cp "$D/etc/ppp/options.pptp" "$T/mine"
mk install DESTDIR="$D" >"$T/i2.log" 2>&1 &&
	cmp -s "$T/mine" "$D/etc/ppp/options.pptp" && grep -q 'kept the existing' "$T/i2.log"
check install-keeps-existing-options $? "existing options.pptp changed or no 'kept' line: $(cat "$T/i2.log" | tr '\n' '|')"
mk uninstall DESTDIR="$D" >"$T/u2.log" 2>&1 && cmp -s "$T/mine" "$D/etc/ppp/options.pptp" &&
	[ ! -e "$D/usr/local/sbin/pptp" ]
check uninstall-keeps-foreign-options $? "uninstall removed or changed a file it did not install: $(tr '\n' '|' <"$T/u2.log")"
# an installed copy the admin edited afterwards also stays
D=$T/d3
mk install DESTDIR="$D" >/dev/null 2>&1 && echo 'mtu 1400' >>"$D/etc/ppp/options.pptp" &&
	mk uninstall DESTDIR="$D" >/dev/null 2>&1 && grep -q 'mtu 1400' "$D/etc/ppp/options.pptp"
check uninstall-keeps-edited-options $? "an edited options.pptp was removed"

# ---- INSTALL_STRIP= keeps symbols; PREFIX=/usr -----------------------------
D=$T/d4
mk install DESTDIR="$D" PREFIX=/usr INSTALL_STRIP= >"$T/i4.log" 2>&1 &&
	has_symtab "$D/usr/sbin/pptp" && cmp -s pptp.8 "$D/usr/share/man/man8/pptp.8"
check prefix-usr-unstripped $? "PREFIX=/usr INSTALL_STRIP=: no unstripped $D/usr/sbin/pptp: $(tail -2 "$T/i4.log" | tr '\n' '|')"

# ---- the kernel data path's pppd plugin -----------------------------------
# Installed only where pppd's plugin directory exists; removed by uninstall.
D=$T/d5
PLUGDIR=/usr/lib/pppd/2.4.9
mk install DESTDIR="$D" >"$T/i5.log" 2>&1 && [ ! -e "$D$PLUGDIR/pptp-kernel.so" ] &&
	grep -q 'pptp-kernel.so not installed' "$T/i5.log"
check plugin-skipped-without-pppd $? "no $PLUGDIR under DESTDIR, yet: $(tail -3 "$T/i5.log" | tr '\n' '|')"
D=$T/d6
mkdir -p "$D$PLUGDIR"
mk install DESTDIR="$D" PPPD_PLUGINDIR=$PLUGDIR >"$T/i6.log" 2>&1
rc=$?
P=$D$PLUGDIR/pptp-kernel.so
[ "$rc" -eq 0 ] && [ -f "$P" ] && ! has_symtab "$P" &&
	LC_ALL=C readelf --dyn-syms "$P" | grep -q ' plugin_init$' &&
	LC_ALL=C readelf --dyn-syms "$P" | grep -q ' pppd_version$'
check plugin-installed-stripped $? "exit $rc, $P: $(ls -l "$P" 2>&1), $(tail -3 "$T/i6.log" | tr '\n' '|')"
mk uninstall DESTDIR="$D" PPPD_PLUGINDIR=$PLUGDIR >/dev/null 2>&1 && [ ! -e "$P" ] &&
	[ -z "$(find "$D" -type f)" ]
check plugin-uninstalled $? "left behind: $(find "$D" -type f | tr '\n' ' ')"

# ---- the guard against replacing a packaged file --------------------------
# No DESTDIR (as for the running system), but every directory under $T;
# dpkg-query and dpkg-divert are stand-ins that report $T/sys/sbin/pptp
# as pptp-linux's file, diverted or not.
FAKE=$T/fakebin
mkdir -p "$FAKE"
cat >"$FAKE/dpkg-query" <<'EOS'
#!/bin/sh
[ "$1" = -S ] || exit 2
case "$2" in
*/sys/sbin/pptp)
	[ -n "${FAKE_DIVERTED:-}" ] && printf 'diversion by local from: %s\ndiversion by local to: %s.distrib\n' "$2" "$2"
	echo "pptp-linux: $2"; exit 0 ;;
esac
echo "dpkg-query: no path found matching pattern $2" >&2; exit 1
EOS
cat >"$FAKE/dpkg-divert" <<'EOS'
#!/bin/sh
[ "$1" = --truename ] || exit 2
if [ -n "${FAKE_DIVERTED:-}" ] && [ "${2##*/sys/sbin/}" = pptp ]; then echo "$2.distrib"; else echo "$2"; fi
EOS
chmod +x "$FAKE/dpkg-query" "$FAKE/dpkg-divert"
SYSDIRS="PREFIX=$T/sys SYSCONFDIR=$T/sys/etc"
mkdir -p "$T/sys/sbin"
echo "pptp-linux's binary" >"$T/sys/sbin/pptp"
PATH=$FAKE:$PATH mk install $SYSDIRS >"$T/g1.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q 'belongs to the Debian package pptp-linux' "$T/g1.log" &&
	grep -q 'dpkg-divert --local --rename --add' "$T/g1.log" &&
	grep -q "pptp-linux's binary" "$T/sys/sbin/pptp" && [ ! -e "$T/sys/share/man/man8/pptp.8" ]
check guard-refuses-packaged $? "install over a packaged file: exit $rc, $(tr '\n' '|' <"$T/g1.log")"
PATH=$FAKE:$PATH mk uninstall $SYSDIRS >"$T/g2.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q "pptp-linux's binary" "$T/sys/sbin/pptp"
check guard-uninstall-refuses $? "uninstall of a packaged file: exit $rc, $(tr '\n' '|' <"$T/g2.log")"
# the same file reached through a symlinked directory (as /sbin is
# /usr/sbin on Debian 12) is still the package's
ln -s "$T/sys/sbin" "$T/sbinlink"
PATH=$FAKE:$PATH mk install $SYSDIRS SBINDIR="$T/sbinlink" >"$T/g5.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q 'belongs to the Debian package pptp-linux' "$T/g5.log" &&
	grep -q "pptp-linux's binary" "$T/sys/sbin/pptp"
check guard-follows-symlinked-dir $? "install through a symlinked SBINDIR: exit $rc, $(tr '\n' '|' <"$T/g5.log")"
PATH=$FAKE:$PATH FAKE_DIVERTED=1 mk install $SYSDIRS >"$T/g3.log" 2>&1 && ! has_symtab "$T/sys/sbin/pptp" &&
	"$T/sys/sbin/pptp" --version >/dev/null 2>&1
check guard-allows-diverted $? "install after dpkg-divert: $(tr '\n' '|' <"$T/g3.log")"
echo "pptp-linux's binary" >"$T/sys/sbin/pptp"
PATH=$FAKE:$PATH FORCE_INSTALL=1 mk install $SYSDIRS >"$T/g4.log" 2>&1 && "$T/sys/sbin/pptp" --version >/dev/null 2>&1
check guard-force-install $? "FORCE_INSTALL=1: $(tr '\n' '|' <"$T/g4.log")"

# ---- README's two commands: for root without sudo and users with sudo -----
# CI and newcomers run "the test command written in README"; its first
# command lines must hold make demo and make check, and call sudo only
# as $(command -v sudo) (a fresh Debian as root has no sudo).
cmds=$(head -12 README | grep -E '^    ')
echo "$cmds" | grep -q 'make demo' && echo "$cmds" | grep -qE '(^|[ )])make check$'
check readme-two-commands $? "README's first lines have no 'make demo' and 'make check' commands: $cmds"
bare=$(echo "$cmds" | sed 's/\$(command -v sudo)//g' | grep -wE 'sudo')
[ -z "$bare" ]
check readme-no-bare-sudo $? "README command calls sudo directly (no sudo on a fresh Debian as root): $bare"

# ---- the man page renders without a warning -------------------------------
if command -v groff >/dev/null; then
	w=$(LC_ALL=C.UTF-8 groff -man -ww -z pptp.8 2>&1)
	[ -z "$w" ]
	check man-page-renders $? "groff -man -ww -z pptp.8: $(echo "$w" | head -5 | tr '\n' '|')"
else
	fail man-page-renders "groff is missing (apt-get install groff-base)"
fi
finish
