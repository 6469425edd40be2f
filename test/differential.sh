#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# differential.sh: the same scenarios against pptp-linux 1.10 and our pptp;
# the control messages and GRE packets the test server receives from each
# are compared field by field.  Needs root.  See test/differential.md.
#   bash test/differential.sh [--only PATTERN] [--pptp PATH] [--keep]
# Env: PPTP_LINUX_CACHE (default /var/cache/pptp-test/pptp-linux) holds the
# unpacked pptp-linux package; it is fetched with apt-get download when
# missing (never installed).
#
# Every comparison prints PASS or FAIL; a difference listed below prints
# "PASS name (known difference: ...)", anything else must match exactly.
#
# Known differences (pptp-linux 1.10 vs ours):
# | what                     | pptp-linux 1.10              | ours                          | why                       |
# |--------------------------|------------------------------|-------------------------------|---------------------------|
# | OCRQ after SCCRP         | ~1 s later (measured)        | at once                       | deliberate                |
# | call ids                 | random per connection, then  | lowest free (0, 1, ...)       | both legal; normalised    |
# |                          | consecutive                  |                               |                           |
# | end of the last call     | CCRQ, then close (FIN), no   | CCRQ, StopCCRQ, close (FIN)   | deliberate, RFC 2637      |
# |                          | StopCCRQ                     |                               | orderly shutdown          |
# | (filled in below)        |                              |                               |                           |
set -u
SUITE_ARGS=("$@")
ONLY=""
while [ $# -gt 0 ]; do
	case "$1" in
	--only) ONLY=$2; shift 2 ;;
	--pptp) PPTP=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	*) echo "unknown argument $1"; exit 2 ;;
	esac
done
SUFFIX=${SUFFIX:-d$$}
. "$(dirname "$0")/lib.sh"
OURS=$PPTP
CACHE=${PPTP_LINUX_CACHE:-/var/cache/pptp-test/pptp-linux}
LIN=$CACHE/usr/sbin/pptp
# Both clients' call managers find each other through a unix socket in
# /var/run/pptp (pptp-linux) or $PPTP_RUNDIR (ours).  pptp-linux's path is
# fixed and shared by every namespace on the host, so each client here runs
# with a private directory bind-mounted over it (ip netns exec already
# gives every command its own mount namespace).
LINRUN=$WORK/linrun
TIMEOUT=${TIMEOUT:-12}

finish() {
	[ "$FAILED" -gt 0 ] && echo "failed:$FAILED_NAMES (logs in $WORK)" && KEEP=1
	echo "differential: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

if [ "$(id -u)" != 0 ]; then
	fail differential "needs root (network namespaces, raw sockets)"
	finish
fi
for b in "$OURS" "$TSRV" "$STUB"; do
	[ -x "$b" ] || { fail differential "$b not built (run make pptp tests)"; finish; }
done
for c in socat perl awk; do
	command -v $c >/dev/null || { fail differential "$c missing"; finish; }
done

# fetch_linux: unpack pptp-linux into $CACHE unless it is there already.
fetch_linux() {
	local tmp deb
	[ -x "$LIN" ] && return 0
	tmp=$(mktemp -d /tmp/pptp-linux-deb.XXXXXX) || return 1
	chmod 755 "$tmp"	# apt's sandbox user writes here
	if ! (cd "$tmp" && apt-get download pptp-linux) >"$tmp/log" 2>&1; then
		apt-get update >>"$tmp/log" 2>&1
		(cd "$tmp" && apt-get download pptp-linux) >>"$tmp/log" 2>&1
	fi
	deb=$(ls "$tmp"/pptp-linux_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		FETCH_ERR="apt-get download pptp-linux failed: $(tail -2 "$tmp/log" | tr '\n' ' ')"
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$CACHE" && dpkg -x "$deb" "$CACHE"
	local rc=$?
	rm -rf "$tmp"
	[ $rc = 0 ] && [ -x "$LIN" ] || { FETCH_ERR="dpkg -x $deb into $CACHE failed"; return 1; }
}
FETCH_ERR=""
if ! fetch_linux; then
	fail pptp-linux "cannot get pptp-linux: $FETCH_ERR"
	finish
fi
LIN_VERSION=$("$LIN" --version 2>&1 | head -1)
case "$LIN_VERSION" in
*"1.10"*) ;;
*) fail pptp-linux "expected pptp-linux 1.10 in $CACHE, it says '$LIN_VERSION'"; finish ;;
esac

trap cleanup_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$PPTP_RUNDIR" "$LINRUN" /var/run/pptp
ns_setup || { fail setup "cannot create namespaces"; finish; }

want() { [ -z "$ONLY" ] || [[ "$1" == *$ONLY* ]]; }

# ---------------------------------------------------------------------------
# Running one client.

bin_of() { if [ "$1" = linux ]; then echo "$LIN"; else echo "$OURS"; fi; }

# client WHO NAME [env...] -- pptp args...: pptp --nolaunchpppd with pppstub
# on its pty, in the client namespace, bounded by $TIMEOUT.
client() {
	local who=$1 name=$2; shift 2
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" PPPSTUB_RESULT="$WORK/$name.stub" \
		timeout "$TIMEOUT" ip netns exec "$NS_C" \
		sh -c 'mount --bind "$0" /var/run/pptp && exec "$@"' "$LINRUN" \
		socat EXEC:"$STUB",pty,raw,echo=0 \
		EXEC:"$(bin_of "$who") $*",nofork >"$WORK/$name.out" 2>&1
}

# Between runs: no client process may be left (bounded), nor files.
settle() {
	local p
	if ! wait_until 5 no_pptp_left; then
		echo "note: killing leftover client processes: $(pptp_procs | tr '\n' ' ')"
		for p in $(pptp_procs); do kill "$p" 2>/dev/null; done
		wait_until 2 no_pptp_left
	fi
	rm -rf "${LINRUN:?}"/* "${PPTP_RUNDIR:?}"/*
}

# gre_capture NAME: log the first data packets (S bit set) that reach the
# server from the client, as hex of the GRE header and payload, to
# $WORK/NAME.gre.  A second raw socket sees a copy of each packet.
GRE_CAP_PID=""
gre_capture() {
	local out=$WORK/$1.gre
	rm -f "$out" "$out.ready"
	ins perl -e '
		use Socket;
		my ($out, $ready, $max) = @ARGV;
		socket(my $s, PF_INET, SOCK_RAW, 47) or die "socket: $!";
		open(my $o, ">", $out) or die; $o->autoflush(1);
		open(my $r, ">", $ready) or die; close $r;
		alarm 20;
		my $n = 0;
		while ($n < $max) {
			my $from = recv($s, my $b, 65535, 0);
			defined $from or last;
			my $ihl = (ord(substr($b, 0, 1)) & 15) * 4;
			my $g = substr($b, $ihl);
			next unless length($g) >= 8 && (ord(substr($g, 0, 1)) & 0x10);
			print $o unpack("H*", $g), "\n";
			$n++;
		}' "$out" "$out.ready" 3 2>"$WORK/$1.gre.err" &
	GRE_CAP_PID=$!
	BG_PIDS="$BG_PIDS $GRE_CAP_PID"
	wait_until 3 test -f "$out.ready"
}
gre_capture_stop() {
	[ -n "$GRE_CAP_PID" ] && kill "$GRE_CAP_PID" 2>/dev/null
	wait "$GRE_CAP_PID" 2>/dev/null
	GRE_CAP_PID=""
}

# ---------------------------------------------------------------------------
# Scenarios.  Each runs as sc_NAME WHO with logs $WORK/NAME.WHO.*; the same
# tsrv options and pptp arguments for both clients.
COMMON="--nolaunchpppd --nohostroute"

sc_plain() {
	local n=plain.$1
	tsrv_start $n --log-time --log-hex --log-gre --data echo --exit-when-idle || return
	gre_capture $n
	client $1 $n PPPSTUB_SEND=5 PPPSTUB_SIZE=100 PPPSTUB_EXPECT=5 \
		PPPSTUB_LINGER_MS=300 PPPSTUB_TIMEOUT=5 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
	gre_capture_stop
}

sc_phone() {
	local n=phone.$1
	tsrv_start $n --log-time --log-hex --data echo --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=1 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON --phone 5551234
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_quirks() {
	local n=quirks.$1
	tsrv_start $n --log-time --log-hex --data echo --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=1 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON --quirks BEZEQ_ISRAEL
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_refuse_sccrp() {
	local n=refuse_sccrp.$1
	tsrv_start $n --log-time --log-hex --sccrp-result 2 --sccrp-error 0 --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_refuse_ocrp() {
	local n=refuse_ocrp.$1
	tsrv_start $n --log-time --log-hex --ocrp-result 3 --ocrp-error 0 --ocrp-cause 9 --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_echo() {
	local n=echo.$1
	tsrv_start $n --log-time --log-hex --data echo --echo-interval 0.5 --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=1300 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_server_cdn() {
	local n=server_cdn.$1
	tsrv_start $n --log-time --log-hex --data echo --clear-after 0.5 --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=5 PPPSTUB_LINGER_MS=5000 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_server_stop() {
	local n=server_stop.$1
	tsrv_start $n --log-time --log-hex --data echo --stop-after 0.5 --exit-when-idle || return
	client $1 $n PPPSTUB_TIMEOUT=5 PPPSTUB_LINGER_MS=5000 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_two_calls() {
	local n=two_calls.$1
	tsrv_start $n --log-time --log-hex --data echo --exit-when-idle || return
	(client $1 $n.a PPPSTUB_SEND=3 PPPSTUB_EXPECT=3 PPPSTUB_TIMEOUT=5 \
		PPPSTUB_LINGER_MS=1500 -- $SRV $COMMON) &
	local a=$!
	# The second call only once the first is up (its OCRQ seen).
	wait_until 4 grep -q "RX OCRQ" "$WORK/$n.srv.log"
	sleep 0.2
	(client $1 $n.b PPPSTUB_SEND=3 PPPSTUB_EXPECT=3 PPPSTUB_TIMEOUT=5 \
		PPPSTUB_LINGER_MS=300 -- $SRV $COMMON) &
	local b=$!
	wait $b
	wait $a
	wait_until 3 no_pptp_left
	tsrv_stop
}

sc_localbind() {
	local n=localbind.$1
	tsrv_start $n --log-time --log-hex --log-gre --data echo --exit-when-idle || return
	client $1 $n PPPSTUB_SEND=3 PPPSTUB_EXPECT=3 PPPSTUB_TIMEOUT=5 \
		PPPSTUB_LINGER_MS=300 -- $SRV $COMMON --localbind 192.0.2.3
	wait_until 3 no_pptp_left
	tsrv_stop
}

# Client silent, server sends 4 frames 0.625 s apart: ack-only packets.
sc_gre_ack() {
	local n=gre_ack.$1
	tsrv_start $n --log-time --log-gre --data source --count 4 --rate 1.6 \
		--source-delay 0.2 --exit-when-idle || return
	client $1 $n PPPSTUB_EXPECT=4 PPPSTUB_TIMEOUT=5 PPPSTUB_LINGER_MS=900 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

# Stub echoes every frame: acks ride on the client's data packets.
sc_gre_piggy() {
	local n=gre_piggy.$1
	tsrv_start $n --log-time --log-gre --data source --count 5 --rate 10 \
		--source-delay 0.2 --exit-when-idle || return
	client $1 $n PPPSTUB_ECHO=1 PPPSTUB_EXPECT=5 PPPSTUB_TIMEOUT=5 PPPSTUB_LINGER_MS=300 -- $SRV $COMMON
	wait_until 3 no_pptp_left
	tsrv_stop
}

# ---------------------------------------------------------------------------
# Normalising a server log for comparison.

# norm_ctrl LOG: one line per message the server received (RX NAME fields
# hex=...), without the timestamp and the connection number, with the
# client's call ids (OCRQ call_id and the CCRQ/CDN that name it) replaced
# by C1, C2... in order of first use, in the fields and in the hex; plus
# ACCEPT peer=IP and CLOSE eof|rst|... lines for the TCP connection.
norm_ctrl() {
	awk '
	{ sub(/^[0-9.]+ /, "") }
	$1 == "RX" {
		name = $2; line = "RX " name
		own = (name == "OCRQ" || name == "CCR" || name == "CDN")
		for (i = 3; i <= NF; i++) {
			f = $i
			if (f ~ /^conn=/) continue
			if (own && f ~ /^call_id=/) {
				v = substr(f, 9)
				if (name == "OCRQ" && !(v in map)) map[v] = "C" (++nc)
				f = "call_id=" ((v in map) ? map[v] : "unknown:" v)
				cid = (v in map) ? map[v] : "??"
			}
			if (own && f ~ /^hex=/)
				f = substr(f, 1, 28) "[" cid "]" substr(f, 33)
			line = line " " f
		}
		print line; next
	}
	$1 == "EV" && $2 == "tcp-accept" { for (i = 3; i <= NF; i++) if ($i ~ /^peer=/) print "ACCEPT " $i; next }
	$1 == "EV" && $2 == "tcp-close" { for (i = 3; i <= NF; i++) if ($i ~ /^reason=/) print "CLOSE " $i; next }
	$1 == "EV" && $2 == "tcp-rst" { print "CLOSE reason=rst"; next }
	' "$1"
}

run_both() {
	local s=$1 who
	for who in linux ours; do
		sc_$s $who
		settle
	done
}

ip -n "$NS_C" addr add 192.0.2.3/24 dev "v${SUFFIX}c"
for s in plain phone quirks refuse_sccrp refuse_ocrp echo server_cdn \
	server_stop two_calls localbind gre_ack gre_piggy; do
	want "$s" || continue
	run_both $s
	type cmp_$s >/dev/null 2>&1 && cmp_$s
done

finish
