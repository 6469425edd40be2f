#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb.sh: build the Debian package (make deb) and check what a user of
# pptp-linux's package relies on: /usr/sbin/pptp, the man page,
# /etc/ppp/options.pptp as a conffile (and our pppd plugin), Provides/Conflicts/Replaces:
# pptp-linux, lintian without errors, and apt's view (simulated only:
# nothing is installed): network-manager-pptp is satisfied by it, and it
# takes pptp-linux's place; and dpkg's, in a scratch root: it replaces a
# pptp-linux, keeps its conffile on remove, drops it on purge.  Needs
# dpkg-dev, debhelper, lintian, apt, ppp-dev (test/deps.sh installs them
# as root).
# About 15 s.
set -u
cd "$(dirname "$0")/.."
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
finish() { echo "deb: $PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

missing=""
for t in dpkg-buildpackage dh lintian apt-get readelf; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -f /usr/include/pppd/patchlevel.h ] || missing="$missing pppd-headers"
if [ -n "$missing" ]; then
	fail tools "missing:$missing (apt-get install dpkg-dev debhelper lintian binutils ppp-dev)"
	finish
fi
T=$(mktemp -d /tmp/pptp-deb.XXXXXX)
trap 'rm -rf "$T"' EXIT
mk() { env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

before=$(git status --porcelain 2>/dev/null)
rm -f dist/pptp_*.deb
if ! mk deb >"$T/build.log" 2>&1; then
	fail build "make deb: $(tail -5 "$T/build.log" | tr '\n' '|')"
	finish
fi
pass build
DEB=$(ls dist/pptp_*.deb 2>/dev/null)
[ "$(echo "$DEB" | wc -w)" = 1 ]
check one-deb $? "expected one dist/pptp_*.deb, found '$DEB'"
DEB=$(echo "$DEB" | head -1)
after=$(git status --porcelain 2>/dev/null)
[ "$before" = "$after" ]
check tree-stays-clean $? "git status changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' '|')"

# ---- metadata ---------------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1" 2>/dev/null; }
[ "$(field Package)" = pptp ]
check package-name $? "Package: $(field Package)"
want_v=$(sed -n 's/^#define PPTP_VERSION_STRING "\(.*\)"/\1/p' pptp.c)
[ -n "$want_v" ] && [ "$(field Version)" = "$want_v" ]
check version $? "Version: $(field Version), pptp --version says $want_v"
for f in Provides Conflicts Replaces; do
	echo ", $(field $f) ," | grep -qE '[ ,]pptp-linux[ ,(]'
	check "$f-pptp-linux" $? "$f: '$(field $f)'"
done
echo ", $(field Depends) ," | grep -qE '[ ,]ppp[ ,(]' && field Depends | grep -q 'libc6'
check depends $? "Depends: '$(field Depends)' (ppp and libc6 expected)"

# ---- contents ---------------------------------------------------------------
dpkg-deb -c "$DEB" >"$T/list" 2>&1
for p in ./usr/sbin/pptp ./usr/share/man/man8/pptp.8.gz ./etc/ppp/options.pptp \
	./usr/share/doc/pptp/copyright; do
	grep -q " $p\$" "$T/list"
	check "has-$p" $? "not in the package: $(tr '\n' '|' <"$T/list")"
done
# the kernel data path's plugin, in the directory of the pppd it was
# built for, where pptp looks for it
pppd_v=$(sed -n 's/^#define VERSION[[:space:]]*"\(.*\)"/\1/p' /usr/include/pppd/patchlevel.h)
PLUG=/usr/lib/pppd/$pppd_v/pptp-kernel.so
grep -q " \.$PLUG\$" "$T/list"
check "has-.$PLUG" $? "not in the package: $(grep pppd "$T/list" | tr '\n' '|')"
grep -E ' \./usr/sbin/pptp$' "$T/list" | grep -q '^-rwxr-xr-x root/root '
check binary-owner-mode $? "$(grep ' ./usr/sbin/pptp$' "$T/list")"
! grep -q '/usr/local' "$T/list"
check no-usr-local $? "/usr/local in the package"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles >"$T/conffiles" 2>/dev/null
grep -qx /etc/ppp/options.pptp "$T/conffiles"
check conffile $? "conffiles: '$(cat "$T/conffiles")'"
dpkg-deb -x "$DEB" "$T/unpacked"
! LC_ALL=C readelf -S "$T/unpacked/usr/sbin/pptp" | grep -q '\.symtab'
check binary-stripped $? "/usr/sbin/pptp has a .symtab"
[ "$("$T/unpacked/usr/sbin/pptp" --version 2>&1 | head -1)" = "pptp version $want_v" ]
check binary-runs $? "pptp --version: $("$T/unpacked/usr/sbin/pptp" --version 2>&1 | head -1)"
strings "$T/unpacked/usr/sbin/pptp" | grep -qxF "$PLUG"
check binary-finds-plugin $? "/usr/sbin/pptp does not name $PLUG"
LC_ALL=C readelf --dyn-syms "$T/unpacked$PLUG" 2>/dev/null | grep -q ' plugin_init$'
check plugin-loadable $? "$PLUG has no plugin_init for pppd"
zcat "$T/unpacked/usr/share/man/man8/pptp.8.gz" | cmp -s - pptp.8
check man-page $? "pptp.8.gz differs from pptp.8"
cmp -s etc/options.pptp "$T/unpacked/etc/ppp/options.pptp"
check options-pptp $? "/etc/ppp/options.pptp differs from etc/options.pptp"

# ---- lintian ----------------------------------------------------------------
lintian "$DEB" >"$T/lintian" 2>&1
rc=$?
grep -v 'running with root privileges' "$T/lintian"
[ "$rc" -eq 0 ] && ! grep -q '^E: ' "$T/lintian"
check lintian-no-errors $? "lintian exit $rc: $(grep '^E: ' "$T/lintian" | tr '\n' '|')"

# ---- apt's view, simulated --------------------------------------------------
# network-manager-pptp depends on pptp-linux: our package must satisfy it.
apt-get install --simulate -q "./$DEB" network-manager-pptp >"$T/apt1" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q '^Inst pptp ' "$T/apt1" && grep -q '^Inst network-manager-pptp ' "$T/apt1" &&
	! grep -q '^Inst pptp-linux' "$T/apt1"
check apt-nm-pptp-satisfied $? "apt-get install --simulate ./$DEB network-manager-pptp: exit $rc, $(grep -E '^(E:|Inst pptp|Inst network-manager-pptp)' "$T/apt1" | tr '\n' '|')"
# With pptp-linux installed (a stand-in entry in a copy of dpkg's status
# file), installing ours removes it.
cp /var/lib/dpkg/status "$T/status"
cat >>"$T/status" <<'EOS'

Package: pptp-linux
Status: install ok installed
Priority: optional
Section: net
Installed-Size: 100
Maintainer: stand-in <nobody@example.org>
Architecture: amd64
Version: 1.10.0-1
Description: stand-in for the test
EOS
apt-get -o Dir::State::status="$T/status" install --simulate -q "./$DEB" >"$T/apt2" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q '^Remv pptp-linux' "$T/apt2" && grep -q '^Inst pptp ' "$T/apt2"
check apt-replaces-pptp-linux $? "exit $rc, $(grep -E '^(E:|Remv|Inst pptp)' "$T/apt2" | tr '\n' '|')"

# ---- dpkg itself, in a scratch root -----------------------------------------
# A stand-in pptp-linux (its /usr/sbin/pptp and options.pptp conffile) is
# installed first; ours must take its place, then leave its conffile on
# remove and take it on purge.  Dependencies (libc6, ppp) are not in the
# scratch root, hence --force-depends; the package has no maintainer
# scripts, so nothing runs chrooted.
R=$T/scratch
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/log" "$T/fake/DEBIAN" "$T/fake/usr/sbin" "$T/fake/etc/ppp"
: >"$R/var/lib/dpkg/status"
printf '#!/bin/sh\necho stand-in\n' >"$T/fake/usr/sbin/pptp"
chmod 755 "$T/fake/usr/sbin/pptp"
echo '# the stand-in pptp-linux options' >"$T/fake/etc/ppp/options.pptp"
echo /etc/ppp/options.pptp >"$T/fake/DEBIAN/conffiles"
printf 'Package: pptp-linux\nVersion: 1.10.0-1\nArchitecture: all\nMaintainer: stand-in <nobody@example.org>\nDescription: stand-in for the test\n' >"$T/fake/DEBIAN/control"
sdpkg() { dpkg --root="$R" --force-not-root --force-depends "$@"; }
dpkg-deb --root-owner-group -b "$T/fake" "$T/pptp-linux.deb" >"$T/dpkg.log" 2>&1 &&
	sdpkg -i "$T/pptp-linux.deb" >>"$T/dpkg.log" 2>&1 &&
	sdpkg -i "$DEB" >>"$T/dpkg.log" 2>&1
rc=$?
st=$(dpkg --root="$R" -s pptp-linux 2>/dev/null | sed -n 's/^Status: //p')
[ "$rc" -eq 0 ] && cmp -s "$R/usr/sbin/pptp" "$T/unpacked/usr/sbin/pptp" &&
	cmp -s "$R/etc/ppp/options.pptp" etc/options.pptp && [ "$st" != "install ok installed" ]
check dpkg-takes-pptp-linux-place $? "exit $rc, pptp-linux '$st': $(tail -4 "$T/dpkg.log" | tr '\n' '|')"
sdpkg -r pptp >>"$T/dpkg.log" 2>&1 && [ ! -e "$R/usr/sbin/pptp" ] && [ -f "$R/etc/ppp/options.pptp" ]
check dpkg-remove-keeps-conffile $? "$(tail -3 "$T/dpkg.log" | tr '\n' '|')"
sdpkg -P pptp >>"$T/dpkg.log" 2>&1 && [ ! -e "$R/etc/ppp/options.pptp" ]
check dpkg-purge-removes-conffile $? "$(tail -3 "$T/dpkg.log" | tr '\n' '|')"
finish
