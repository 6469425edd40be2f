#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end suite: a PPTP client binary against Debian 12's real pptpd and
# pppd (MS-CHAPv2, MPPE-128) inside a throw-away qemu guest without a NIC.
#
# usage: bash test/e2e/run.sh --pptp PATH|pptp-linux [--cache DIR]
#            [--keep-logs DIR] [--only TEST[,TEST...]] [--xfail TEST[,TEST...]]
#            [--timeout SECONDS] [--plugin PATH]
#        bash test/e2e/run.sh --pptp PATH --bench sync [--bench-reps N]
#
# --plugin: the kernel data path's pppd plugin (default: plugin/pptp-kernel.so
# beside the binary, when there is one). Without it the kernel-* tests fail
# at once and say why (pptp-linux has no kernel data path: XFAIL there).
# --bench sync: instead of the tests, the opt-in sync downstream bench
# (sync-bench-1..N: our client and pptp-linux 1.10 in the same guest, UDP
# from the server side through pppd's sync line discipline; NOTE lines
# carry the figures, bench/sync_qemu.sh turns them into a table).
# Environment: E2E_SMP=N runs the guest with N vCPUs (default 1; N > 1 uses
# TCG's multi-threaded mode, a host thread per vCPU).
#
# Prints "PASS name", "FAIL name: reason" or "XFAIL name: reason" per test and
# ends with "e2e: N passed, N failed". Exit status is non-zero if any test
# failed or the suite could not run at all.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=/var/cache/pptp-e2e
PPTP=
KEEP_LOGS=
ONLY=
XFAIL=
# Whole-run wall-clock limit for qemu: the guest normally powers itself off
# well before this (about 5-6 minutes under TCG on 2 cores).
RUN_TIMEOUT=900
ALL_TESTS="nm-pty peers-file launch traffic two-calls sigusr1 sync sync-mppe
teardown-pppd teardown-server wrong-password no-server server-silent
kernel-launch kernel-peers kernel-two-calls kernel-fallback kernel-bulk"
# The kernel data path (pptp --kernel + pptp-kernel.so): not in pptp-linux.
KERNEL_TESTS="kernel-launch kernel-peers kernel-two-calls kernel-fallback kernel-bulk"
PLUGIN=
BENCH=
BENCH_REPS=3
BENCH_TESTS=

usage() {
	sed -n '6,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--pptp) PPTP=${2:-}; shift 2 ;;
	--cache) CACHE=${2:-}; shift 2 ;;
	--keep-logs) KEEP_LOGS=${2:-}; shift 2 ;;
	--only) ONLY=${2:-}; shift 2 ;;
	--xfail) XFAIL="$XFAIL ${2:-}"; shift 2 ;;
	--timeout) RUN_TIMEOUT=${2:-}; shift 2 ;;
	--plugin) PLUGIN=${2:-}; shift 2 ;;
	--bench) BENCH=${2:-}; shift 2 ;;
	--bench-reps) BENCH_REPS=${2:-}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "e2e: unknown argument: $1" >&2; usage ;;
	esac
done
[ -n "$PPTP" ] || usage
# Known failures of the reference client unless told otherwise: its sync
# mode finds frame boundaries from the PPP length field, which MPPE frames
# do not have.
# It has no kernel data path either: the kernel-* tests fail at once there.
if [ "$PPTP" = pptp-linux ] && [ -z "$XFAIL" ]; then
	XFAIL="sync-mppe $KERNEL_TESTS"
fi
ONLY=$(echo "$ONLY" | tr ',' ' ')
XFAIL=$(echo "$XFAIL" | tr ',' ' ')
# The bench replaces the test selection; it is never part of the suite.
if [ -n "$BENCH" ]; then
	[ "$BENCH" = sync ] || { echo "e2e: unknown bench '$BENCH' (benches: sync)" >&2; exit 2; }
	case "$BENCH_REPS" in [1-9]|10) ;; *) echo "e2e: --bench-reps must be 1..10" >&2; exit 2 ;; esac
	[ -z "$ONLY" ] || { echo "e2e: --bench and --only do not mix" >&2; exit 2; }
	for i in $(seq 1 "$BENCH_REPS"); do BENCH_TESTS="$BENCH_TESTS sync-bench-$i"; done
	ONLY=$(echo $BENCH_TESTS)
	XFAIL=
	# Each repetition: two calls up, two loads each, under TCG.
	[ "$RUN_TIMEOUT" = 900 ] && RUN_TIMEOUT=$((120 + BENCH_REPS * 300))
fi

for t in $ONLY $XFAIL; do
	case " $(echo $ALL_TESTS $BENCH_TESTS) " in
	*" $t "*) ;;
	*) echo "e2e: unknown test '$t' (tests: $(echo $ALL_TESTS))" >&2; exit 2 ;;
	esac
done
if [ "$PPTP" != pptp-linux ]; then
	case "$PPTP" in /*) ;; *) PPTP=$PWD/$PPTP ;; esac
	if [ ! -f "$PPTP" ] || [ ! -x "$PPTP" ]; then
		echo "FAIL e2e-setup: client binary '$PPTP' not found or not executable"
		echo "e2e: 0 passed, 1 failed"
		exit 1
	fi
	if [ -z "$PLUGIN" ] && [ -f "$(dirname "$PPTP")/plugin/pptp-kernel.so" ]; then
		PLUGIN=$(dirname "$PPTP")/plugin/pptp-kernel.so
	fi
fi
if [ -n "$PLUGIN" ]; then
	case "$PLUGIN" in /*) ;; *) PLUGIN=$PWD/$PLUGIN ;; esac
fi

START=$(date +%s)
log() { echo "e2e: [$(( $(date +%s) - START ))s] $*" >&2; }

# The whole suite counts as failed when it cannot run: never silent, never
# a pass.
suite_broken() {
	echo "FAIL e2e-setup: $*"
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

WORK=$(mktemp -d /tmp/pptp-e2e.XXXXXX) || suite_broken "mktemp failed"
QEMU_PID=
cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -KILL "$QEMU_PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- host tools
have() { command -v "$1" >/dev/null 2>&1; }

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	apt_updated=1
	log "apt-get update"
	apt-get update -qq >"$WORK/apt-update.log" 2>&1 ||
		{ cat "$WORK/apt-update.log" >&2; return 1; }
}

if ! have qemu-system-x86_64; then
	if [ "$(id -u)" = 0 ] && have apt-get; then
		apt_update_once || suite_broken "apt-get update failed"
		log "installing qemu-system-x86"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends qemu-system-x86 \
			>"$WORK/apt-qemu.log" 2>&1 ||
			{ tail -20 "$WORK/apt-qemu.log" >&2
			  suite_broken "apt-get install qemu-system-x86 failed"; }
	fi
	have qemu-system-x86_64 ||
		suite_broken "qemu-system-x86_64 not found (install qemu-system-x86, needs root + apt)"
fi
for t in apt-get apt-cache dpkg ldd gzip sha256sum; do
	have "$t" || suite_broken "host tool '$t' not found (Debian 12 host expected)"
done

# ------------------------------------------------------------ package cache
# Candidate version of a package, or nothing.
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

KPKG=$(kernel_pkg)
if [ -z "$KPKG" ] || [ -z "$(candidate ppp)" ]; then
	[ "$(id -u)" = 0 ] && apt_update_once
	KPKG=$(kernel_pkg)
fi
[ -n "$KPKG" ] || suite_broken "cannot find the Debian kernel package (apt-cache depends linux-image-amd64)"
MAIN_PKGS="$KPKG busybox-static ppp pptpd pptp-linux iproute2"

# Shared libraries the guest binaries may need that a minimal host may lack:
# the library packages in the dependency closure of ppp, pptpd and iproute2.
# libc6 (and the compiler runtime) come from the host, whose libc the client
# under test was linked against anyway.
lib_pkgs() {
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances --no-pre-depends \
		ppp pptpd iproute2 2>/dev/null |
		grep -E '^lib' | grep -vE '^(libc6|libgcc-s1|libperl|libfile-|libnumber-|libtext-|libdebian-installer|libnewt|libslang|libtextwrap|libpam-runtime|libpam-modules|libncurses|libtinfo|libreadline|libgdbm|libdb5|libproc2|libelogind)' |
		sort -u
}
LIB_PKGS=$(lib_pkgs | tr '\n' ' ')

# One apt-cache call for all candidates (each call costs about a second).
KEY_TEXT=$(apt-cache policy $MAIN_PKGS $LIB_PKGS 2>/dev/null | awk '
	/^[^ ]/ { sub(/:$/, "", $1); pkg = $1 }
	/^  Candidate:/ { if ($2 != "(none)") print pkg "=" $2 }')
for p in $MAIN_PKGS $LIB_PKGS; do
	case "$KEY_TEXT" in
	"$p="*|*"
$p="*) ;;
	*) suite_broken "package $p has no installable candidate (apt-get update?)" ;;
	esac
done
KEY=$(printf '%s\n' "$KEY_TEXT" | sha256sum | cut -c1-16)
PKGDIR="$CACHE/$KEY"

fetch_packages() {
	log "downloading packages into $PKGDIR"
	rm -rf "$PKGDIR.tmp"
	mkdir -p "$PKGDIR.tmp/debs" "$PKGDIR.tmp/root" || return 1
	# apt downloads as _apt into the current directory; let it.
	chmod 755 "$PKGDIR.tmp" "$PKGDIR.tmp/debs"
	chown _apt "$PKGDIR.tmp/debs" 2>/dev/null
	(cd "$PKGDIR.tmp/debs" && apt-get download -q $MAIN_PKGS $LIB_PKGS) \
		>"$WORK/download.log" 2>&1 ||
		{ tail -20 "$WORK/download.log" >&2; return 1; }
	for d in "$PKGDIR.tmp"/debs/*.deb; do
		dpkg -x "$d" "$PKGDIR.tmp/root" || return 1
	done
	# Keep the cache small: drop the .debs and the module trees no test
	# can need (the full kernel tree is about 400 MB).
	rm -rf "$PKGDIR.tmp/debs"
	for d in "$PKGDIR.tmp"/root/lib/modules/*/kernel "$PKGDIR.tmp"/root/usr/lib/modules/*/kernel; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -maxdepth 1 ! -name drivers ! -name lib \
			! -name crypto ! -name net -exec rm -rf {} +
		find "$d/drivers" -mindepth 1 -maxdepth 1 ! -name net -exec rm -rf {} +
	done
	printf '%s\n' "$KEY_TEXT" >"$PKGDIR.tmp/VERSIONS"
	rm -rf "$PKGDIR"
	mv "$PKGDIR.tmp" "$PKGDIR"
}

mkdir -p "$CACHE" || suite_broken "cannot create cache $CACHE"
# Concurrent runs share the cache: one fills it, the others wait.
exec 9>"$CACHE/.lock"
if have flock; then
	flock -w 300 9 || suite_broken "cache $CACHE stayed locked for 300s"
fi
if [ ! -f "$PKGDIR/VERSIONS" ]; then
	fetch_packages || suite_broken "downloading/extracting Debian packages failed"
	# Keep only the current key: older versions are dead weight.
	for old in "$CACHE"/*; do
		[ "$old" = "$PKGDIR" ] || [ ! -f "$old/VERSIONS" ] || rm -rf "$old"
	done
else
	log "using cached packages $PKGDIR"
fi
ROOT=$PKGDIR/root
BUSYBOX=$ROOT/bin/busybox
[ -x "$BUSYBOX" ] || BUSYBOX=$ROOT/usr/bin/busybox
[ -x "$BUSYBOX" ] || suite_broken "busybox missing from busybox-static"

KVER=${KPKG#linux-image-}
MODDIR=$ROOT/lib/modules/$KVER
[ -d "$MODDIR" ] || MODDIR=$ROOT/usr/lib/modules/$KVER
VMLINUZ=$ROOT/boot/vmlinuz-$KVER
[ -f "$VMLINUZ" ] && [ -d "$MODDIR" ] || suite_broken "kernel $KVER not found in $ROOT"

# ------------------------------------------------------------ initramfs tree
LIBPATH="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu"

# Copy one file into the image tree under a usr-merged path.
put() { # src dst-relative
	mkdir -p "$(dirname "$2")" && cp -L "$1" "$2"
}

# Copy the shared libraries an ELF binary needs into the tree.
put_libs() { # tree binary
	local tree=$1 bin=$2 line lib
	ldd "$bin" >"$WORK/ldd.out" 2>&1 || return 0   # static or not ELF
	if grep -q 'not found' "$WORK/ldd.out"; then
		LD_LIBRARY_PATH=$LIBPATH ldd "$bin" >"$WORK/ldd.out" 2>&1
	fi
	if grep -q 'not found' "$WORK/ldd.out"; then
		echo "e2e: unresolved libraries for $bin:" >&2
		grep 'not found' "$WORK/ldd.out" >&2
		return 1
	fi
	while read -r line; do
		case "$line" in
		*"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
		/*) lib=${line%% (*} ;;
		*) continue ;;
		esac
		case "$lib" in
		*/ld-linux-x86-64.so.2) put "$lib" "$tree/usr/lib64/ld-linux-x86-64.so.2" ;;
		*) [ -e "$tree/usr/lib/x86_64-linux-gnu/${lib##*/}" ] ||
			put "$lib" "$tree/usr/lib/x86_64-linux-gnu/${lib##*/}" ;;
		esac || return 1
	done <"$WORK/ldd.out"
}

# Modules needed in the guest, in load order (dependencies first), read from
# the depends= field of each module's .modinfo (the .deb ships no
# modules.dep).
MODULES="slhc ppp_generic ppp_async ppp_synctty libarc4 ppp_mppe bsd_comp ppp_deflate veth pptp"
mod_file() { find "$MODDIR/kernel" -name "$1.ko" -o -name "$1.ko.xz" | head -1; }
mod_deps() {
	local f
	f=$(mod_file "$1")
	[ -n "$f" ] || return 1
	case "$f" in
	*.xz) xz -dc "$f" ;;
	*) cat "$f" ;;
	esac | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}
ORDERED=
add_mod() {
	local m=$1 d
	case " $ORDERED " in *" $m "*) return 0 ;; esac
	for d in $(mod_deps "$m"); do add_mod "$d" || return 1; done
	[ -n "$(mod_file "$m")" ] || { echo "e2e: module $m missing" >&2; return 1; }
	ORDERED="$ORDERED $m"
}

build_base() {
	local tree=$WORK/base b m f
	rm -rf "$tree"
	mkdir -p "$tree"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64} \
		"$tree"/{proc,sys,dev,tmp,run,etc/ppp/peers,modules,bb,root,e2e}
	ln -s usr/bin "$tree/bin"
	ln -s usr/sbin "$tree/sbin"
	ln -s usr/lib "$tree/lib"
	ln -s usr/lib64 "$tree/lib64"
	mkdir -p "$tree/var"
	ln -s ../run "$tree/var/run"
	ln -s ../run/lock "$tree/var/lock"
	ln -s ../tmp "$tree/var/log"
	cp "$BUSYBOX" "$tree/usr/bin/busybox" || return 1
	for b in usr/sbin/pppd usr/sbin/pptpd usr/sbin/pptpctrl; do
		put "$ROOT/$b" "$tree/$b" && put_libs "$tree" "$ROOT/$b" || return 1
	done
	# iproute2's ip (busybox ip has no netns support).
	f=$ROOT/bin/ip; [ -f "$f" ] && [ ! -L "$f" ] || f=$ROOT/sbin/ip
	put "$f" "$tree/usr/sbin/ip" && put_libs "$tree" "$f" || return 1
	ln -s ../sbin/ip "$tree/usr/bin/ip"   # pppd runs /bin/ip
	# The reference client, for differential runs (--pptp pptp-linux).
	put "$ROOT/usr/sbin/pptp" "$tree/usr/lib/pptp-linux/pptp" &&
		put_libs "$tree" "$ROOT/usr/sbin/pptp" || return 1
	for f in "$ROOT"/usr/lib/pppd/*/*.so "$ROOT"/usr/lib/pptpd/*.so; do
		[ -f "$f" ] || continue
		put "$f" "$tree/${f#"$ROOT"/}" && put_libs "$tree" "$f" || return 1
	done
	for m in $MODULES; do add_mod "$m" || return 1; done
	for m in $ORDERED; do
		f=$(mod_file "$m")
		case "$f" in
		*.xz) xz -dc "$f" >"$tree/modules/$m.ko" ;;
		*) cp "$f" "$tree/modules/$m.ko" ;;
		esac || return 1
	done
	echo "$ORDERED" >"$tree/modules/order"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tree/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\n' >"$tree/etc/group"
	(cd "$tree" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$BASE.tmp" || return 1
	mv "$BASE.tmp" "$BASE"
}

# The base image depends on the packages and on how this script lays it out.
BASE=$PKGDIR/base-$(sha256sum "$HERE/run.sh" | cut -c1-12).cpio.gz
if [ ! -s "$BASE" ]; then
	log "building base initramfs"
	rm -f "$PKGDIR"/base-*.cpio.gz
	build_base || suite_broken "building the base initramfs failed"
fi
exec 9>&-

# The per-run overlay: client under test, its libraries, the guest scripts
# and the run configuration. The kernel unpacks concatenated archives in
# order, so this lands on top of the cached base image.
build_overlay() {
	local tree=$WORK/overlay bin
	mkdir -p "$tree/usr/sbin" "$tree/e2e"
	case "$PPTP" in
	pptp-linux) bin=$ROOT/usr/sbin/pptp ;;
	*) bin=$PPTP ;;
	esac
	[ -f "$bin" ] && [ -x "$bin" ] || { echo "e2e: client binary '$PPTP' not found or not executable" >&2; return 1; }
	put "$bin" "$tree/usr/sbin/pptp" && put_libs "$tree" "$bin" || return 1
	cp "$HERE/init" "$tree/init" && chmod 755 "$tree/init" || return 1
	cp "$HERE/guest.sh" "$tree/e2e/guest.sh" || return 1
	# The kernel data path's plugin, where the guest's pppd looks.
	if [ -n "$PLUGIN" ]; then
		local pdir
		pdir=$(cd "$ROOT" && ls -d usr/lib/pppd/[0-9]* 2>/dev/null | head -1)
		[ -n "$pdir" ] && [ -f "$PLUGIN" ] ||
			{ echo "e2e: plugin '$PLUGIN' or the guest's pppd plugin directory missing" >&2; return 1; }
		put "$PLUGIN" "$tree/$pdir/pptp-kernel.so" || return 1
	fi
	# The bench's datagram source and sink (static: the guest has only
	# the libraries of the programs in it).
	if [ -n "$BENCH" ]; then
		mkdir -p "$tree/usr/bin"
		${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -static -o "$tree/usr/bin/udpflow" \
			"$HERE/../../bench/udpflow.c" || { echo "e2e: cannot build bench/udpflow.c (static)" >&2; return 1; }
	fi
	{
		echo "E2E_ONLY='$ONLY'"
		echo "E2E_BENCH_LIMIT=$((RUN_TIMEOUT / (BENCH_REPS > 0 ? BENCH_REPS : 1)))"
		for v in FLAT_N FLAT_S PACED_N PACED_S RATE SIZE; do
			eval "[ -z \"\${E2E_BENCH_$v:-}\" ] || echo \"E2E_BENCH_$v=\$E2E_BENCH_$v\""
		done
		echo "E2E_XFAIL='$XFAIL'"
		echo "E2E_GUARD=$((RUN_TIMEOUT > 60 ? RUN_TIMEOUT - 20 : RUN_TIMEOUT))"
		echo "E2E_TESTS='$(echo $ALL_TESTS $BENCH_TESTS)'"
	} >"$tree/e2e/config"
	(cd "$tree" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$WORK/overlay.cpio.gz"
}
build_overlay || suite_broken "building the overlay initramfs failed"
cat "$BASE" "$WORK/overlay.cpio.gz" >"$WORK/initrd.gz"

# ------------------------------------------------------------------- guest
# E2E_SMP: the guest's vCPUs (1 unless set; 2 shows what a frame meets on
# a machine where the pty's flush work runs on another CPU).  TCG runs
# more than one vCPU only with one host thread each (thread=multi).
SMP=${E2E_SMP:-1}
case $SMP in ''|*[!0-9]*|0) suite_broken "E2E_SMP='$SMP' is not a vCPU count" ;; esac
ACCEL=
[ "$SMP" -eq 1 ] || ACCEL="-accel tcg,thread=multi"
log "booting guest (kernel $KVER, TCG, $SMP vCPU, limit ${RUN_TIMEOUT}s)"
CONSOLE=$WORK/console.log
timeout -k 5 "$RUN_TIMEOUT" qemu-system-x86_64 $ACCEL \
	-nographic -no-reboot -m 512 -smp "$SMP" -nic none \
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	</dev/null >"$CONSOLE" 2>"$WORK/qemu.err" &
QEMU_PID=$!
wait "$QEMU_PID"
QRC=$?
QEMU_PID=
log "guest finished (qemu exit $QRC)"

tr -d '\r' <"$CONSOLE" >"$WORK/console.txt"

# Guest logs travel as a base64 tar.gz between two marker lines.
mkdir -p "$WORK/guest"
sed -n '/E2E-LOGS-BEGIN$/,/^E2E-LOGS-END$/p' "$WORK/console.txt" | sed '1d;$d' |
	base64 -d 2>/dev/null | tar -xzf - -C "$WORK/guest" 2>/dev/null
if [ -n "$KEEP_LOGS" ]; then
	mkdir -p "$KEEP_LOGS"
	cp "$WORK/console.txt" "$KEEP_LOGS/console.log"
	[ -d "$WORK/guest/logs" ] && cp -r "$WORK/guest/logs" "$KEEP_LOGS/"
	log "logs kept in $KEEP_LOGS (console.log, logs/<test>/)"
fi

# --------------------------------------------------------------- results
PASSED=0
FAILED=0
SEEN=" "
while read -r kind name rest; do
	SEEN="$SEEN$name "
	case "$kind" in
	PASS) PASSED=$((PASSED + 1)); echo "PASS $name" ;;
	FAIL)
		case " $XFAIL " in
		*" $name "*) echo "XFAIL $name: ${rest#: }" ;;
		*) FAILED=$((FAILED + 1)); echo "FAIL $name: ${rest#: }"
		   if [ -z "$KEEP_LOGS" ] && [ -f "$WORK/guest/logs/$name/syslog" ]; then
			echo "e2e: $name: last guest syslog lines (use --keep-logs DIR for all):" >&2
			tail -n 15 "$WORK/guest/logs/$name/syslog" | sed 's/^/    /' >&2
		   fi ;;
		esac ;;
	esac
done < <(sed -n 's/^.*E2E-RESULT \(PASS\|FAIL\) \([^ :]*\)\(.*\)$/\1 \2 \3/p' "$WORK/console.txt")

# What the tests measured (timings, the kernel/gateway ratio), as notes.
sed -n 's/^e2e-guest: \([a-z0-9-]*\): \(.*\)$/NOTE \1: \2/p' "$WORK/console.txt"

# A test that was due but never reported counts as failed.
if [ $QRC -eq 124 ] || [ $QRC -eq 137 ]; then
	why="guest overran the ${RUN_TIMEOUT}s limit and was killed"
else
	why="guest ended without reporting it (qemu exit $QRC)"
fi
for t in $ALL_TESTS $BENCH_TESTS; do
	if [ -n "$ONLY" ]; then
		case " $ONLY " in *" $t "*) ;; *) continue ;; esac
	fi
	case "$SEEN" in *" $t "*) continue ;; esac
	FAILED=$((FAILED + 1))
	echo "FAIL $t: $why"
done
if ! grep -q '^E2E-DONE' "$WORK/console.txt"; then
	echo "e2e: guest console tail:" >&2
	tail -25 "$WORK/console.txt" >&2
	[ -s "$WORK/qemu.err" ] && cat "$WORK/qemu.err" >&2
fi

log "total wall time $(( $(date +%s) - START ))s"
echo "e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
