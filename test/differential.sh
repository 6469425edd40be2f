#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# differential.sh: the same scenarios against pptp-linux 1.10 and our pptp;
# what the test server (tsrv) receives from each is compared field by field
# and byte by byte.  Needs root.  Notes in test/differential.md.
#   bash test/differential.sh [--only PATTERN] [--pptp PATH] [--keep]
# PPTP_LINUX_CACHE (default /var/cache/pptp-test/pptp-linux) holds the
# unpacked pptp-linux package; when it is missing it is fetched with
# apt-get download and unpacked with dpkg -x (never installed).
#
# Each scenario runs once with each client: same tsrv options, same pptp
# arguments, pppstub on the pty.  Per scenario the messages the server
# received (RX lines of tsrv --log-hex: every field and every byte) are
# compared in order after normalising only what may legally differ: the
# timestamps and the client's call ids (see norm_ctrl).  The GRE data path
# is compared from tsrv --log-gre and a raw capture of the first packets.
# Every comparison prints PASS or FAIL; a difference listed here prints
# "PASS name (known difference: ...)" and must be exactly that difference;
# anything else must match exactly.
#
# Known differences (pptp-linux 1.10 vs ours):
# | what                        | pptp-linux 1.10                  | ours                             | status          |
# |-----------------------------|----------------------------------|----------------------------------|-----------------|
# | OCRQ after SCCRP            | 1.0 s later (its timer tick)     | at once (< 1 ms)                 | deliberate      |
# | call ids                    | random for every call            | random base per connection, then | both legal; ids |
# |                             |                                  | the next free id                 | normalised      |
# | end of the last call        | CCRQ, then FIN; no StopCCRQ      | CCRQ, StopCCRQ, StopCCRP, FIN    | deliberate (RFC |
# |                             | (same after OCRP refusal or CDN) |                                  | 2637 3.1.1)     |
# | --quirks BEZEQ_ISRAEL OCRQ  | call_id 0 (its hook rebuilds the | its own call id, so the call     | ours right      |
# |                             | message), so its own OCRP lookup | comes up and the Orckit SLI is   | (pptp-linux     |
# |                             | fails: no call, no SLI           | sent                             | bug)            |
# | SCCRP refused (result != 1) | StopCCRQ reason=2, waits for the | the same (fixed)                 | identical       |
# |                             | reply, then FIN                  |                                  |                 |
# | first GRE sequence number   | 1                                | 0                                | deliberate: RFC |
# |                             |                                  |                                  | 2637 4.3 starts |
# |                             |                                  |                                  | each session at |
# |                             |                                  |                                  | zero (PoPToP    |
# |                             |                                  |                                  | copes with 1)   |
# | ack-only delay (1 pending)  | 0.5 s                            | 0.5 ms to a server that keeps    | deliberate:     |
# |                             |                                  | the window, 20 ms to one seen    | never keep a    |
# |                             |                                  | beyond it (gre_session.h)        | sender waiting  |
# | exit status, OCRP refused   | 143 (SIGTERM from its call mgr)  | 1                                | deliberate      |
# | syslog lines, --loglevel    | see the table in test/logcmp.sh  | (scenario "loglevels": a normal  | each listed     |
# | 0, 1, 2                     | (lines compared by what they     | call, OCRP and SCCRP refused, no | there with its  |
# |                             | report, not by their words)      | server)                          | reason          |
# | garbage on the control      | bytes skipped, no bound, a line  | skipped, a line per run (rate-   | deliberate      |
# | connection (malformed.sh)   | per read; a length that does not | limited); closes after 64 KiB in |                 |
# |                             | fit the type: waits for all the  | a row, or an unanswered keep-    |                 |
# |                             | bytes it promises                | alive during garbage             |                 |
# | CDN answering the server's  | result 1 (Lost Carrier)          | result 4 (Request, RFC 2637      | deliberate      |
# | Call-Clear-Request          |                                  | 2.13)                            |                 |
# | ICRQ from the server        | ignored                          | refused: ICRP result 3           | deliberate      |
# | Set-Link-Info log lines     | 2 per message                    | 1 per change, <= 8 a second      | deliberate      |
# Each known difference passes with its note; anything else fails.
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
. "$(dirname "$0")/logcmp.sh"
OURS=$PPTP
CACHE=${PPTP_LINUX_CACHE:-/var/cache/pptp-test/pptp-linux}
LIN=$CACHE/usr/sbin/pptp
# pptp-linux's call manager socket lives in /var/run/pptp, a path every
# namespace on the host shares (ours honours $PPTP_RUNDIR).  Each client
# here gets this private directory bind-mounted over it (ip netns exec
# gives every command its own mount namespace), so that no other run on
# the host can meet ours.
LINRUN=$WORK/linrun
TIMEOUT=${TIMEOUT:-12}
SRV_ALT=192.0.2.3	# second client address, for --localbind

# Until the namespaces exist there is nothing worth keeping in $WORK.
EARLY=1
finish() {
	if [ -n "$EARLY" ]; then
		rm -rf "$WORK"
	elif [ "$FAILED" -gt 0 ]; then
		echo "failed:$FAILED_NAMES (logs in $WORK)"
		KEEP=1
	fi
	echo "differential: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

if [ "$(id -u)" != 0 ]; then
	fail differential "needs root (network namespaces, raw sockets)"
	finish
fi
for b in "$OURS" "$TSRV" "$STUB" "$LOGSINK"; do
	[ -x "$b" ] || { fail differential "$b not built (run make pptp tests)"; finish; }
done
for c in socat perl awk apt-get dpkg; do
	command -v $c >/dev/null || { fail differential "$c missing"; finish; }
done
"$TSRV" --help 2>&1 | grep -q -- --log-hex ||
	{ fail differential "$TSRV has no --log-hex (rebuild: make tests)"; finish; }

. "$TOP/test/pptp_linux.sh"
if ! fetch_pptp_linux "$CACHE"; then
	fail pptp-linux "cannot get pptp-linux: $FETCH_ERR"
	finish
fi
LIN_VERSION=$("$LIN" --version 2>&1 | head -1)
case "$LIN_VERSION" in
*" 1.10"*) ;;
*) fail pptp-linux "expected pptp-linux 1.10 in $CACHE, it says '$LIN_VERSION'"; finish ;;
esac

trap cleanup_all EXIT
trap 'exit 130' INT TERM
EARLY=""
mkdir -p "$PPTP_RUNDIR" "$LINRUN" /var/run/pptp
ns_setup || { fail setup "cannot create namespaces"; finish; }
ip -n "$NS_C" addr add $SRV_ALT/24 dev "v${SUFFIX}c"
syslog_start

want() { [ -z "$ONLY" ] || [[ "$1" == *$ONLY* ]]; }

# ---------------------------------------------------------------------------
# Running one client.

bin_of() { if [ "$1" = linux ]; then echo "$LIN"; else echo "$OURS"; fi; }

# client WHO NAME [env...] -- pptp args...: pptp (WHO: linux or ours)
# --nolaunchpppd with pppstub on its pty, in the client namespace, bounded
# by $TIMEOUT.
client() {
	local who=$1 name=$2; shift 2
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	# In a subshell with stderr to the log: pptp-linux's client ends by
	# SIGTERM from its call manager when a call fails, and bash would
	# print "Terminated" for it.  The exit status goes to NAME.rc.
	(env "${envs[@]}" PPPSTUB_RESULT="$WORK/$name.stub" \
		timeout "$TIMEOUT" ip netns exec "$NS_C" \
		sh -c 'mount --bind "$0" /var/run/pptp && exec "$@"' "$LINRUN" \
		socat EXEC:"$STUB",pty,raw,echo=0 \
		EXEC:"$(bin_of "$who") $*",nofork
	echo $? >"$WORK/$name.rc") >"$WORK/$name.out" 2>&1
}

# kill_clients: end every client process in our namespace (all started by
# this script): TERM, then KILL what is left a second later (pptp-linux's
# call manager can hang in a futex once its client is gone).
kill_clients() {
	local p
	[ -z "$(pptp_procs)" ] && return 0
	for p in $(pptp_procs); do kill "$p" 2>/dev/null; done
	wait_until 1 no_pptp_left && return 0
	for p in $(pptp_procs); do kill -KILL "$p" 2>/dev/null; done
	wait_until 2 no_pptp_left
}

# Between runs: no client process may be left (bounded), nor files.
settle() {
	if ! wait_until 3 no_pptp_left; then
		echo "note: ending leftover client processes: $(pptp_procs | tr '\n' ' ')"
		kill_clients
	fi
	rm -rf "${LINRUN:?}"/* "${PPTP_RUNDIR:?}"/*
}

# gre_capture NAME: the first GRE_CAP_MAX data packets (S bit set) that
# reach the server, as hex of GRE header and payload, one a line, to
# $WORK/NAME.gre.  A raw socket of our own gets a copy of every packet;
# the capture ends by itself after GRE_CAP_MAX packets or 8 s.
GRE_CAP_MAX=3
GRE_CAP_PID=""
gre_capture() {
	local out=$WORK/$1.gre
	rm -f "$out" "$out.ready"
	ins perl -e '
		use Socket;
		my ($out, $ready, $max) = @ARGV;
		socket(my $s, PF_INET, SOCK_RAW, 47) or die "socket: $!";
		open(my $o, ">", $out) or die "$out: $!";
		$o->autoflush(1);
		open(my $r, ">", $ready) or die; close $r;
		alarm 8;
		my $n = 0;
		while ($n < $max) {
			defined(recv($s, my $b, 65535, 0)) or last;
			my $g = substr($b, (ord($b) & 15) * 4);
			next unless length($g) >= 8 && (ord($g) & 0x10);
			print $o unpack("H*", $g), "\n";
			$n++;
		}' "$out" "$out.ready" $GRE_CAP_MAX 2>"$WORK/$1.gre.err" &
	GRE_CAP_PID=$!
	BG_PIDS="$BG_PIDS $GRE_CAP_PID"
	wait_until 3 test -f "$out.ready"
}
gre_capture_wait() { wait "$GRE_CAP_PID" 2>/dev/null; GRE_CAP_PID=""; }

# ---------------------------------------------------------------------------
# Scenarios.  sc_NAME WHO leaves $WORK/NAME.WHO.srv.log (and .stub, .out);
# the tsrv options and pptp arguments do not depend on WHO.
COMMON="--nolaunchpppd --nohostroute"
LOGOPTS="--log-time --log-hex --log-gre --exit-when-idle"

# srv NAME OPTS...: the server, then the client(s), then srv_end.
SRV_NAME=""
srv() { SRV_NAME=$1; shift; tsrv_start "$SRV_NAME" $LOGOPTS "$@"; }
# lib's TSRV_PID is the subshell around ip netns exec; the server's own
# pid is in its ready file.
srv_end() {
	local pid
	wait_until 3 no_pptp_left
	pid=$(cat "$WORK/$SRV_NAME.ready" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$TSRV_PID" ] && wait_until 2 eval '! kill -0 $TSRV_PID 2>/dev/null'
	tsrv_stop
}

sc_plain() {
	srv plain.$1 --data echo || return
	gre_capture plain.$1
	client $1 plain.$1 PPPSTUB_SEND=5 PPPSTUB_SIZE=100 PPPSTUB_EXPECT=5 \
		PPPSTUB_TIMEOUT=5 -- $SRV $COMMON
	gre_capture_wait
	srv_end
}

sc_phone() {
	srv phone.$1 --data echo || return
	client $1 phone.$1 PPPSTUB_TIMEOUT=2 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON --phone 5551234
	srv_end
}

# pptp-linux's call never comes up here (see the table): bounded by 3 s.
sc_quirks() {
	srv quirks.$1 --data echo || return
	TIMEOUT=3 client $1 quirks.$1 PPPSTUB_TIMEOUT=2 PPPSTUB_LINGER_MS=200 -- \
		$SRV $COMMON --quirks BEZEQ_ISRAEL
	[ $1 = linux ] && kill_clients
	srv_end
}

sc_refuse_sccrp() {
	srv refuse_sccrp.$1 --sccrp-result 2 --sccrp-error 0 || return
	client $1 refuse_sccrp.$1 PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON
	srv_end
}

sc_refuse_ocrp() {
	srv refuse_ocrp.$1 --ocrp-result 3 --ocrp-error 0 --ocrp-cause 9 || return
	client $1 refuse_ocrp.$1 PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON
	srv_end
}

sc_echo() {
	srv echo.$1 --data echo --echo-interval 0.5 || return
	client $1 echo.$1 PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=1300 -- $SRV $COMMON
	srv_end
}

sc_server_cdn() {
	srv server_cdn.$1 --data echo --clear-after 0.5 || return
	client $1 server_cdn.$1 PPPSTUB_TIMEOUT=5 PPPSTUB_LINGER_MS=5000 -- $SRV $COMMON
	srv_end
}

# After the call is up with both clients (pptp-linux places it at 1 s).
sc_server_stop() {
	srv server_stop.$1 --data echo --stop-after 1.5 || return
	client $1 server_stop.$1 PPPSTUB_TIMEOUT=5 PPPSTUB_LINGER_MS=5000 -- $SRV $COMMON
	srv_end
}

# Call a stays up; call b is placed once a's OCRQ was seen, through the
# same call manager, and ends first.
sc_two_calls() {
	local n=two_calls.$1
	srv $n --data echo || return
	(client $1 $n.a PPPSTUB_SEND=3 PPPSTUB_TIMEOUT=6 PPPSTUB_LINGER_MS=2000 \
		-- $SRV $COMMON) &
	local a=$!
	wait_until 4 grep -q "RX OCRQ" "$WORK/$n.srv.log"
	sleep 0.2
	client $1 $n.b PPPSTUB_SEND=3 PPPSTUB_EXPECT=3 PPPSTUB_TIMEOUT=4 -- $SRV $COMMON
	wait $a
	srv_end
}

sc_localbind() {
	srv localbind.$1 --data echo || return
	client $1 localbind.$1 PPPSTUB_SEND=3 PPPSTUB_EXPECT=3 PPPSTUB_TIMEOUT=5 \
		-- $SRV $COMMON --localbind $SRV_ALT
	srv_end
}

# The client is silent; the server sends 3 frames 0.625 s apart, more than
# either client's ack delay: each is answered by an ack-only packet.
GRE_ACK_COUNT=3
sc_gre_ack() {
	srv gre_ack.$1 --data source --count $GRE_ACK_COUNT --rate 1.6 \
		--source-delay 0.2 || return
	client $1 gre_ack.$1 PPPSTUB_EXPECT=$GRE_ACK_COUNT PPPSTUB_TIMEOUT=5 -- $SRV $COMMON
	srv_end
}

# The stub echoes every frame at once: the acks ride on the echoes.
GRE_PIGGY_COUNT=5
sc_gre_piggy() {
	srv gre_piggy.$1 --data source --count $GRE_PIGGY_COUNT --rate 10 \
		--source-delay 0.2 || return
	client $1 gre_piggy.$1 PPPSTUB_ECHO=1 PPPSTUB_EXPECT=$GRE_PIGGY_COUNT \
		PPPSTUB_TIMEOUT=5 -- $SRV $COMMON
	srv_end
}

# Syslog lines at --loglevel 0, 1 and 2 (NetworkManager runs pptp with
# --loglevel 0): a normal call, a call the server refuses (OCRP), a
# control connection it refuses (SCCRP), no server at all.  Each run has
# its own --logstring, so its lines can be told apart in the one sink.
LOGLEVEL_SCENARIOS="plain refuse_ocrp refuse_sccrp noserver"
loglevel_run() {
	local who=$1 scen=$2 lvl=$3 n=loglevels.$2.$3.$1
	local tag=nm-pptp-service-$2-$3-$1
	case $scen in
	plain) srv $n --data echo || return ;;
	refuse_ocrp) srv $n --ocrp-result 3 --ocrp-error 0 --ocrp-cause 9 || return ;;
	refuse_sccrp) srv $n --sccrp-result 2 --sccrp-error 0 || return ;;
	noserver) ;;
	esac
	client $who $n PPPSTUB_SEND=5 PPPSTUB_SIZE=100 PPPSTUB_EXPECT=5 \
		PPPSTUB_TIMEOUT=3 PPPSTUB_LINGER_MS=200 -- $SRV $COMMON \
		--loglevel $lvl --logstring $tag
	if [ $scen = noserver ]; then wait_until 3 no_pptp_left; else srv_end; fi
	settle
}
sc_loglevels() {
	local scen lvl
	for scen in $LOGLEVEL_SCENARIOS; do
		for lvl in 0 1 2; do loglevel_run $1 $scen $lvl; done
	done
}
# Per scenario and level: the class sets of both clients (logcmp.sh);
# then that ours writes its normal lines at --loglevel 0 (the same as at
# 1, as pptp-linux does in these scenarios) and its trace only at 2.
cmp_loglevels() {
	local scen lvl who f
	sleep 0.3	# the sink may write a line a moment after it was sent
	for scen in $LOGLEVEL_SCENARIOS; do
		for lvl in 0 1 2; do
			for who in linux ours; do
				f=$WORK/loglevels.$scen.$lvl.$who
				logcmp_lines "$SYSLOG" nm-pptp-service-$scen-$lvl-$who >"$f.lines"
				logcmp_classify $who <"$f.lines" >"$f.classes"
			done
			logcmp_compare "loglevel-$scen-$lvl" $scen $lvl \
				"$WORK/loglevels.$scen.$lvl.linux.classes" \
				"$WORK/loglevels.$scen.$lvl.ours.classes"
		done
		f=$WORK/loglevels.$scen
		cmp -s "$f.0.ours.classes.set" "$f.1.ours.classes.set"
		check "loglevel-$scen-ours-0-as-1" $? "expected the same lines at --loglevel 0 as at 1; at 0: $(tr '\n' ' ' <"$f.0.ours.classes.set") at 1: $(tr '\n' ' ' <"$f.1.ours.classes.set")"
		! grep -q '^7 ' "$f.0.ours.lines" "$f.1.ours.lines"
		check "loglevel-$scen-ours-no-debug-below-2" $? "expected no LOG_DEBUG line at --loglevel 0 or 1, saw: $(grep -h '^7 ' "$f.0.ours.lines" "$f.1.ours.lines" | head -2 | tr '\n' '|')"
	done
	# The lines NetworkManager users need, at --loglevel 0.
	local p=$WORK/loglevels.plain.0.ours.classes r=$WORK/loglevels.refuse_ocrp.0.ours.classes
	grep -qx sync-option "$p" && grep -qx conn-up "$p" && grep -qx call-up "$p" &&
		grep -qx call-refused "$r" && grep -qx final-cause "$r"
	check loglevel-0-normal-lines $? "expected the normal lines at --loglevel 0; plain: $(sort -u "$p" | tr '\n' ' ') refused: $(sort -u "$r" | tr '\n' ' ')"
	grep -qx msg-trace "$WORK/loglevels.plain.2.ours.classes"
	check loglevel-2-trace $? "expected the control message trace at --loglevel 2"
}

# ---------------------------------------------------------------------------
# Normalising.

# norm_ctrl LOG: what the server saw on the control connection, one line
# per event: "RX NAME field=value... hex=..." for each message received,
# "ACCEPT peer=IP", "CLOSE reason=eof|rst|..." and "GREBAD ..." (GRE from
# the wrong address or for an unknown call).  Dropped: timestamps, tsrv's
# connection numbers.  The client's call ids (OCRQ call_id, and the
# CCRQ/CDN call_id naming it) become C1, C2... in order of first use, in
# the field and in the hex: pptp-linux draws a random id for every call,
# ours a random base per connection and then the next free id.
norm_ctrl() {
	awk '
	{ sub(/^[0-9.]+ /, "") }
	$1 == "RX" {
		name = $2; line = "RX " name; cid = "?"
		own = (name == "OCRQ" || name == "CCR" || name == "CDN")
		for (i = 3; i <= NF; i++) {
			f = $i
			if (f ~ /^conn=/) continue
			if (own && f ~ /^call_id=/) {
				v = substr(f, 9) + 0
				if (name == "OCRQ" && !(v in map)) map[v] = "C" (++nc)
				cid = (v in map) ? map[v] : "unknown:" v
				f = "call_id=" cid
			}
			# hex=: 4 chars, then 2 per byte; call id at bytes 12-13
			if (own && f ~ /^hex=/)
				f = substr(f, 1, 28) "[" cid "]" substr(f, 33)
			line = line " " f
		}
		print line; next
	}
	$1 == "EV" && $2 == "tcp-accept" {
		for (i = 3; i <= NF; i++) if ($i ~ /^peer=/) print "ACCEPT " $i
		next
	}
	$1 == "EV" && $2 == "tcp-close" {
		for (i = 3; i <= NF; i++) if ($i ~ /^reason=/) print "CLOSE " $i
		next
	}
	$1 == "EV" && $2 == "tcp-rst" { print "CLOSE reason=rst"; next }
	$1 == "EV" && $2 == "gre-bad" { $1 = "GREBAD"; $2 = ""; print; next }
	' "$1"
}

# norm_gre LOG: the GRE packets the server received, one a line:
# "data seq=+D ack=A len=L" (D relative to the client's first sequence
# number) or "ackonly ack=A".  The server's sequence numbers (acked) are
# the same in both runs.
norm_gre() {
	awk '
	$2 == "EV" && $3 == "gre-rx" {
		s = ""; a = ""; l = ""
		for (i = 4; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "seq") s = kv[2]
			if (kv[1] == "ack") a = kv[2]
			if (kv[1] == "len") l = kv[2]
		}
		if (s == "-") { print "ackonly ack=" a; next }
		if (!n++) first = s
		printf "data seq=+%d ack=%s len=%s\n", s - first, a, l
	}' "$1"
}

# first_seq LOG: the client's first GRE sequence number.
first_seq() {
	awk '$3 == "gre-rx" { for (i = 4; i <= NF; i++) if ($i ~ /^seq=[0-9]/) { print substr($i, 5); exit } }' "$1"
}

# t_of LOG ERE: timestamp of the first line matching.
t_of() { awk -v re="$2" '$0 ~ re { print $1; exit }' "$1"; }
# secs A B: B - A, 3 decimals.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.3f\n", b - a }'; }

# ---------------------------------------------------------------------------
# Known differences: each a filter (stdin to stdout) that removes exactly
# that difference from a normalised control sequence, and its description.

STOP_NONE_HEX=001000011a2b3c4d0003000001000000	# StopCCRQ reason=1

# The last RX is a StopCCRQ (reason 1) right before an orderly close.
desc_teardown="after the last call ours sends StopCCRQ and closes with FIN; pptp-linux closes with FIN without StopCCRQ"
rule_teardown() {
	awk -v stop="RX STOPCCRQ reason=1 hex=$STOP_NONE_HEX" '
	{ l[++n] = $0 }
	END {
		last = 0
		for (i = 1; i <= n; i++) if (l[i] ~ /^RX /) last = i
		for (i = 1; i <= n; i++) {
			if (i == last && l[i] == stop && l[i + 1] == "CLOSE reason=eof")
				continue
			print l[i]
		}
	}'
}

desc_sccrp_stop="after a refused SCCRP pptp-linux sends StopCCRQ reason=2 and waits for the reply; ours closes at once (to fix, reported)"
rule_sccrp_stop() {
	awk '{ if (prev ~ /^RX SCCRQ / && $0 ~ /^RX STOPCCRQ reason=2 /) next; prev = $0; print }'
}

desc_ack_first="an ack-only packet just before the echoed frame that would have carried it: the echo took longer than the 0.5 ms ours waits for a data packet (gre_session.h, GS_ACK_STRICT_DELAY_US; a loaded machine)"
rule_ack_first() {
	awk '
	/^ackonly ack=/ { if (held != "") print held; held = $0; next }
	held != "" && /^data .* ack=- / {
		a = held; sub(/^ackonly /, "", a); sub(/ ack=- /, " " a " "); print; held = ""; next
	}
	{ if (held != "") print held; held = ""; print }
	END { if (held != "") print held }'
}

desc_orckit="pptp-linux's Orckit OCRQ has call_id 0, so its OCRP lookup fails and the call never comes up (no SLI); ours keeps its call id"
rule_orckit() { awk '{ print } /^RX OCRQ / { exit }'; }

# cmp_seq NAME A B [RULE...]: PASS if the files are equal; else if they are
# equal once the named known differences are taken out, PASS naming those
# that were needed; else FAIL with the diff.
cmp_seq() {
	local name=$1 a=$2 b=$3 r before after used=""
	shift 3
	if cmp -s "$a" "$b"; then pass "$name"; return; fi
	cp "$a" "$a.k"; cp "$b" "$b.k"
	for r in "$@"; do
		before=$(diff "$a.k" "$b.k" | grep -c '^[<>]')
		rule_$r <"$a.k" >"$a.k2"; mv "$a.k2" "$a.k"
		rule_$r <"$b.k" >"$b.k2"; mv "$b.k2" "$b.k"
		after=$(diff "$a.k" "$b.k" | grep -c '^[<>]')
		if [ "$after" -lt "$before" ]; then
			local d="desc_$r"
			used="${used:+$used; }${!d}"
		fi
	done
	if cmp -s "$a.k" "$b.k"; then
		pass "$name (known difference: $used)"
	else
		fail "$name" "pptp-linux (<) and ours (>) differ: $(diff "$a.k" "$b.k" | grep '^[<>]' | cut -c1-240 | head -6 | tr '\n' '|')"
	fi
}

# stub_ok NAME: the stub got what it expected.
stub_ok() { [ "$(kv "$WORK/$1.stub" ok 2>/dev/null)" = 1 ]; }

# both_ran NAME-CHECK FILE-STEM: each client's stub got what it expected
# (otherwise the comparisons after it compare a broken run).
both_ran() {
	stub_ok "$2.linux" && stub_ok "$2.ours"
	check "$1" $? "expected both stubs satisfied; pptp-linux: $(tr '\n' ' ' <"$WORK/$2.linux.stub" 2>/dev/null) ours: $(tr '\n' ' ' <"$WORK/$2.ours.stub" 2>/dev/null)"
}

# ctrl_of SCENARIO WHO: normalised control sequence file.
# pptp-linux sometimes ends its control connection with a TCP reset
# instead of a FIN (its call manager exits with the server's last message
# unread: seen in about one run in ten of phone and plain).  That is its
# nondeterminism, not ours to match: its last CLOSE reason=reset counts as
# eof, and a note says so.  Ours must close with a FIN every time.
ctrl_of() {
	norm_ctrl "$WORK/$1.$2.srv.log" >"$WORK/$1.$2.ctrl"
	if [ "$2" = linux ] && tail -1 "$WORK/$1.$2.ctrl" | grep -qx "CLOSE reason=reset"; then
		sed -i '$ s/^CLOSE reason=reset$/CLOSE reason=eof/' "$WORK/$1.$2.ctrl"
		echo "note $1: pptp-linux closed with a TCP reset this time (counted as its FIN)" >&2
	fi
	echo "$WORK/$1.$2.ctrl"
}

cmp_ctrl() {
	local s=$1; shift
	cmp_seq "$s-ctrl" "$(ctrl_of "$s" linux)" "$(ctrl_of "$s" ours)" "$@"
}

# ---------------------------------------------------------------------------
# Comparisons per scenario.

cmp_plain() {
	local l=$WORK/plain.linux.srv.log o=$WORK/plain.ours.srv.log
	both_ran plain-data plain
	cmp_ctrl plain teardown
	# OCRQ delay after SCCRP.
	local dl do
	dl=$(secs "$(t_of "$l" ' TX SCCRP ')" "$(t_of "$l" ' RX OCRQ ')")
	do=$(secs "$(t_of "$o" ' TX SCCRP ')" "$(t_of "$o" ' RX OCRQ ')")
	OCRQ_DELAY="pptp-linux $dl s, ours $do s"
	if awk -v a="$dl" -v b="$do" 'BEGIN { exit !(a >= 0.5 && a <= 1.5 && b >= 0 && b < 0.2) }'; then
		pass "plain-ocrq-delay (known difference: OCRQ after SCCRP: $OCRQ_DELAY)"
	else
		fail plain-ocrq-delay "expected pptp-linux ~1 s and ours < 0.2 s, saw $OCRQ_DELAY"
	fi
	# GRE: first sequence number, then the data packets (relative seq,
	# ack, length) in order.
	local fl fo
	fl=$(first_seq "$l"); fo=$(first_seq "$o")
	if [ -n "$fl" ] && [ "$fl" = "$fo" ]; then
		pass "gre-first-seq"
	elif [ "$fl" = 1 ] && [ "$fo" = 0 ]; then
		pass "gre-first-seq (known difference: pptp-linux starts at 1, ours at 0 as RFC 2637 says)"
	else
		fail gre-first-seq "pptp-linux sent first seq '$fl', ours '$fo'"
	fi
	norm_gre "$l" | grep '^data' >"$WORK/plain.linux.gre.n"
	norm_gre "$o" | grep '^data' >"$WORK/plain.ours.gre.n"
	if [ -s "$WORK/plain.linux.gre.n" ]; then
		cmp_seq gre-data "$WORK/plain.linux.gre.n" "$WORK/plain.ours.gre.n"
	else
		fail gre-data "no GRE data from pptp-linux"
	fi
	# The first packets byte by byte, sequence number (bytes 8-11) masked.
	local f
	for f in linux ours; do
		awk '{ print substr($0, 1, 16) "xxxxxxxx" substr($0, 25) }' \
			"$WORK/plain.$f.gre" >"$WORK/plain.$f.gre.m" 2>/dev/null
	done
	if [ "$(wc -l <"$WORK/plain.linux.gre.m")" = $GRE_CAP_MAX ]; then
		cmp_seq gre-payload "$WORK/plain.linux.gre.m" "$WORK/plain.ours.gre.m"
	else
		fail gre-payload "captured $(wc -l <"$WORK/plain.linux.gre.m") of $GRE_CAP_MAX packets from pptp-linux: $(cat "$WORK/plain.linux.gre.err")"
	fi
}

cmp_phone() { cmp_ctrl phone teardown; }

cmp_quirks() {
	local raw
	raw=$(grep -o ' RX OCRQ conn=[0-9]* call_id=[0-9]*' "$WORK/quirks.linux.srv.log")
	if [[ "$raw" == *" call_id=0" ]]; then
		cmp_ctrl quirks orckit teardown
	else
		# pptp-linux's quirk fixed?  Then compare everything.
		cmp_ctrl quirks teardown
	fi
	# Ours goes on to the Orckit Set-Link-Info; pptp-linux never gets
	# there, so it is checked against what its hook builds: peer call id
	# (tsrv's, 1), both ACCMs 0xffffffff.
	grep -q "^RX SLI peer_call_id=1 send_accm=0xffffffff recv_accm=0xffffffff hex=001800011a2b3c4d000f000000010000ffffffffffffffff$" "$WORK/quirks.ours.ctrl"
	check quirks-sli $? "expected the Orckit SLI, saw: $(grep SLI "$WORK/quirks.ours.ctrl")"
}

cmp_refuse_sccrp() { cmp_ctrl refuse_sccrp sccrp_stop; }
cmp_refuse_ocrp() { cmp_ctrl refuse_ocrp teardown; }

# Echo replies are compared on their own (pptp-linux answers the first
# before its OCRQ, ours after); the rest of the sequence without them.
cmp_echo() {
	local f
	for f in linux ours; do
		norm_ctrl "$WORK/echo.$f.srv.log" >"$WORK/echo.$f.all"
		grep '^RX ECHORP' "$WORK/echo.$f.all" | head -2 >"$WORK/echo.$f.rp"
		grep -v '^RX ECHORP' "$WORK/echo.$f.all" >"$WORK/echo.$f.ctrl"
	done
	if [ "$(wc -l <"$WORK/echo.linux.rp")" = 2 ]; then
		cmp_seq echo-replies "$WORK/echo.linux.rp" "$WORK/echo.ours.rp"
	else
		fail echo-replies "pptp-linux answered $(wc -l <"$WORK/echo.linux.rp") of 2 echoes"
	fi
	cmp_seq echo-ctrl "$WORK/echo.linux.ctrl" "$WORK/echo.ours.ctrl" teardown
}

cmp_server_cdn() { cmp_ctrl server_cdn teardown; }
cmp_server_stop() { cmp_ctrl server_stop; }

cmp_two_calls() {
	local f n=0
	for f in linux ours; do
		stub_ok two_calls.$f.b && n=$((n + 1))
	done
	check two_calls-data $([ $n = 2 ]; echo $?) "expected both second calls to carry data: $(cat "$WORK"/two_calls.*.b.out | tr '\n' '|')"
	cmp_ctrl two_calls teardown
	local l=$WORK/two_calls.linux.srv.log o=$WORK/two_calls.ours.srv.log
	TWO_CALLS_GAP="pptp-linux $(secs "$(t_of "$l" ' RX OCRQ ')" "$(awk '/ RX OCRQ / { if (++k == 2) { print $1; exit } }' "$l")") s, ours $(secs "$(t_of "$o" ' RX OCRQ ')" "$(awk '/ RX OCRQ / { if (++k == 2) { print $1; exit } }' "$o")") s"
}

cmp_localbind() {
	both_ran localbind-data localbind
	cmp_ctrl localbind teardown
	local f
	for f in linux ours; do
		norm_gre "$WORK/localbind.$f.srv.log" | grep '^data' >"$WORK/localbind.$f.gre.n"
	done
	cmp_seq localbind-gre "$WORK/localbind.linux.gre.n" "$WORK/localbind.ours.gre.n"
}

# Ack-only packets: their ack values (all but the last frame's, which
# races with the end of the run), then the delay from frame to ack.
cmp_gre_ack() {
	local f
	for f in linux ours; do
		norm_gre "$WORK/gre_ack.$f.srv.log" |
			awk -v max=$GRE_ACK_COUNT '{ split($2, kv, "=") } kv[2] + 0 < max' \
			>"$WORK/gre_ack.$f.n"
	done
	if [ -s "$WORK/gre_ack.linux.n" ]; then
		cmp_seq gre-ack-only "$WORK/gre_ack.linux.n" "$WORK/gre_ack.ours.n"
	else
		fail gre-ack-only "no ack from pptp-linux"
	fi
	local dl do
	dl=$(ack_delay "$WORK/gre_ack.linux.srv.log")
	do=$(ack_delay "$WORK/gre_ack.ours.srv.log")
	ACK_DELAY="pptp-linux $dl s, ours $do s"
	if awk -v a="$dl" -v b="$do" 'BEGIN { exit !(a >= 0.4 && a <= 0.6 && b >= 0 && b < 0.1) }'; then
		pass "gre-ack-delay (known difference: one frame unacked: $ACK_DELAY)"
	else
		fail gre-ack-delay "expected pptp-linux ~0.5 s and ours < 0.1 s, saw $ACK_DELAY"
	fi
}

# ack_delay LOG: mean time from the server's frame to the client's ack of it.
ack_delay() {
	awk '
	$3 == "gre-tx" { for (i = 4; i <= NF; i++) if ($i ~ /^seq=[0-9]/) tx[substr($i, 5)] = $1 }
	$3 == "gre-rx" { for (i = 4; i <= NF; i++) if ($i ~ /^ack=[0-9]/) { a = substr($i, 5); if ((a in tx) && !(a in seen)) { seen[a] = 1; sum += $1 - tx[a]; n++ } } }
	END { if (n) printf "%.3f\n", sum / n; else print "?" }' "$1"
}

# Piggy-backed acks on the echoed frames (all but the last, which races
# with the end of the run); no ack-only packet in between.
cmp_gre_piggy() {
	local f
	for f in linux ours; do
		norm_gre "$WORK/gre_piggy.$f.srv.log" | head -$((GRE_PIGGY_COUNT - 1)) \
			>"$WORK/gre_piggy.$f.n"
	done
	if [ "$(grep -c '^data.*ack=[0-9]' "$WORK/gre_piggy.linux.n")" = $((GRE_PIGGY_COUNT - 1)) ]; then
		cmp_seq gre-piggyback "$WORK/gre_piggy.linux.n" "$WORK/gre_piggy.ours.n" ack_first
	else
		fail gre-piggyback "pptp-linux did not piggy-back $((GRE_PIGGY_COUNT - 1)) acks: $(tr '\n' '|' <"$WORK/gre_piggy.linux.n")"
	fi
}

# Exit status of every client run but quirks (pptp-linux's hangs there
# until the time-out), one "run status" line each.
desc_ocrp_status="after a refused OCRP pptp-linux's client is ended by SIGTERM from its call manager (status 143); ours exits 1"
rule_ocrp_status() { sed -E 's/^((loglevels\.)?refuse_ocrp(\.[0-9])?) 143$/\1 1/'; }
cmp_status() {
	local f who
	for who in linux ours; do
		for f in "$WORK"/*.$who.rc "$WORK"/*.$who.?.rc; do
			[ -f "$f" ] || continue
			f=${f##*/}
			case "$f" in quirks.*) continue ;; esac
			echo "${f%%.$who*}${f#*.$who} $(cat "$WORK/$f")" | sed 's/\.rc / /'
		done | sort >"$WORK/status.$who"
	done
	cmp_seq exit-status "$WORK/status.linux" "$WORK/status.ours" ocrp_status
}

# ---------------------------------------------------------------------------
OCRQ_DELAY=""; ACK_DELAY=""; TWO_CALLS_GAP=""
for s in plain phone quirks refuse_sccrp refuse_ocrp echo server_cdn \
	server_stop two_calls localbind gre_ack gre_piggy loglevels; do
	want "$s" || continue
	for who in linux ours; do
		sc_$s $who
		settle
	done
	cmp_$s
done
cmp_status
echo "measured: OCRQ after SCCRP: ${OCRQ_DELAY:-?}; ack-only delay: ${ACK_DELAY:-?}; second OCRQ after the first: ${TWO_CALLS_GAP:-?}"
finish
