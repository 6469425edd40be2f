#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# grediag.sh: the GRE check (--gre-check, gre_diag.c) against the test
# server, with GRE dropped by a firewall rule (nftables, or iptables when
# nft is missing) in the server's namespace:
#   blocked     the server's GRE dropped on its way out: one warning,
#               --status says no-gre-from-server (table, TSV, JSON);
#               at --loglevel 0
#   clean       no rule: no line, --status says ok
#   recovery    the rule goes mid-call: the recovery line, then ok
#   reverse     our GRE dropped on its way in at the server, mid-call,
#               while the server's keeps coming: its own warning, then
#               its recovery line when the rule goes
#   unheard     the same from the start, the server never acks and its
#               pppd only repeats LCP Configure-Requests (test/greinject):
#               the warning; its Configure-Ack brings the recovery line
#   oneway      the server sends for 1 s, then only we do (it acks only
#               on its own data, as Linux's kernel PPTP): no line
#   launch      the same with pptp starting "pppd" (the gateway detaches)
#   idle        rule, but pppd sends nothing: nothing to judge, no line
#   off         --gre-check 0: no line, --status says off
# Window 3 s (--gre-check 3).  Needs root.  Takes about 75 s.
# Last line: "grediag: N passed, N failed".
#   bash test/grediag.sh [--only PATTERN] [--pptp PATH]
set -u
SUITE_ARGS=("$@")
ONLY=""
while [ $# -gt 0 ]; do
	case "$1" in
	--only) ONLY=$2; shift 2 ;;
	--pptp) PPTP=$2; shift 2 ;;
	*) echo "unknown argument $1"; exit 2 ;;
	esac
done
. "$(dirname "$0")/lib.sh"

bail() { echo "FAIL grediag: $1"; echo "grediag: 0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || bail "needs root (network namespaces, raw sockets, firewall rules)"
INJ=${INJ:-$TOP/test/greinject}
for b in "$PPTP" "$TSRV" "$STUB" "$LOGSINK" "$INJ"; do
	[ -x "$b" ] || bail "$b not built (run make tests)"
done
command -v socat >/dev/null || bail "socat missing"
if command -v nft >/dev/null; then FW=nft
elif command -v iptables >/dev/null; then FW=iptables
else bail "neither nft nor iptables is installed (apt-get install nftables)"
fi

trap cleanup_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$PPTP_RUNDIR"
ns_setup || bail "cannot create namespaces"
syslog_start

want() { [ -z "$ONLY" ] || [[ "$1" == *$ONLY* ]]; }
WIN=3

# gre_block in|out: drop GRE arriving at / leaving the server.
gre_block() {
	local hook=input chain=INPUT
	[ "$1" = out ] && hook=output chain=OUTPUT
	if [ $FW = nft ]; then
		ins nft add table inet grediag &&
			ins nft add chain inet grediag c "{ type filter hook $hook priority 0; }" &&
			ins nft add rule inet grediag c meta l4proto gre drop
	else
		ins iptables -A $chain -p 47 -j DROP
	fi
}
gre_unblock() {
	if [ $FW = nft ]; then
		ins nft delete table inet grediag 2>/dev/null
	else
		ins iptables -D INPUT -p 47 -j DROP 2>/dev/null
		ins iptables -D OUTPUT -p 47 -j DROP 2>/dev/null
	fi
	return 0
}

# Lines of one test's call: each call logs with its own --logstring.
lines() { grep "gd_$1 " "$SYSLOG" | grep "GRE check: $2"; }
count() { lines "$1" "$2" | wc -l; }
# The verdict in the three --status styles, or "none".
# gre_check is field 27 of the TSV line (pptp.8: the record's order; keys
# added later come after it, so a script takes it by its position).
verdict_tsv() { "$PPTP" --status --tsv $SRV 2>/dev/null | awk -F'\t' 'NR==1 {print $27}'; }
verdict_json() { "$PPTP" --status --json | sed -n 's/.*"gre_check":"\([^"]*\)".*/\1/p'; }
verdict_table() { "$PPTP" --status | awk 'NR==2 {print $NF}'; }
NO_RX="no GRE packet from the server $SRV"
RX_BACK="GRE from the server $SRV arrives now"
NO_TX="the server $SRV sends GRE but"
TX_BACK="the server $SRV receives our GRE now"

# start_call NAME SECONDS [pptp options]: pppd (the stub) sends 10 frames
# a second for SECONDS, in the background; CALL is the subshell's pid.
CALL=""
start_call() {
	local n=$1 secs=$2; shift 2
	(run_pty $n PPPSTUB_SEND=$((secs * 10)) PPPSTUB_RATE=10 PPPSTUB_LINGER_MS=300 \
		PPPSTUB_TIMEOUT=$((secs + 4)) -- $SRV --nolaunchpppd --nohostroute \
		--logstring gd_$n --gre-check $WIN "$@") &
	CALL=$!
}
end_call() {
	wait "$CALL"
	tsrv_stop
	gre_unblock
	wait_until 8 no_pptp_left || fail "$1-clean" "pptp processes left: $(pptp_procs | tr '\n' ' ')"
}

# ---------------------------------------------------------------------------
t_blocked() {
	local n=blocked v1 v2 v3
	gre_block out || { fail $n "cannot add the $FW rule"; return; }
	tsrv_start $n --data echo || return
	start_call $n 7 --loglevel 0
	wait_until 6 lines $n "$NO_RX" >/dev/null
	check $n-warning $? "expected the warning within 6 s of the call at --loglevel 0; log: $(grep "gd_$n " "$SYSLOG" | tail -3)"
	v1=$(verdict_table); v2=$(verdict_tsv); v3=$(verdict_json)
	[ "$v1" = no-gre-from-server ] && [ "$v2" = no-gre-from-server ] && [ "$v3" = no-gre-from-server ]
	check $n-status $? "expected no-gre-from-server in table, TSV and JSON, saw '$v1' '$v2' '$v3'"
	lines $n "$NO_RX" | grep -q 'protocol 47.*firewall.*NAT.*nf_conntrack_pptp'
	check $n-causes $? "expected the causes named: $(lines $n "$NO_RX")"
	end_call $n
	[ "$(count $n "$NO_RX")" = 1 ] && [ "$(count $n "")" = 1 ]
	check $n-once $? "expected exactly one GRE check line over the call, saw: $(lines $n "" | cut -c1-120)"
}

t_clean() {
	local n=clean v
	tsrv_start $n --data echo || return
	start_call $n 7
	sleep 5.5
	v=$(verdict_tsv)
	[ "$v" = ok ] && [ "$(verdict_json)" = ok ] && [ "$(verdict_table)" = ok ]
	check $n-status $? "expected ok in every --status style, saw '$v'"
	end_call $n
	[ "$(count $n "")" = 0 ] && grep -q "gd_$n .*Tunnel up" "$SYSLOG"
	check $n-quiet $? "expected a call without any GRE check line, saw: $(lines $n "" | cut -c1-120)"
}

t_recovery() {
	local n=recovery
	gre_block out || { fail $n "cannot add the $FW rule"; return; }
	tsrv_start $n --data echo || return
	start_call $n 9
	wait_until 6 lines $n "$NO_RX" >/dev/null
	check $n-warning $? "expected the warning first"
	gre_unblock
	wait_until 3 lines $n "$RX_BACK" >/dev/null
	check $n-line $? "expected '$RX_BACK' within 3 s of the rule's removal; log: $(grep "gd_$n " "$SYSLOG" | tail -2)"
	sleep 0.3
	[ "$(verdict_tsv)" = ok ]
	check $n-status $? "expected ok after the recovery, saw '$(verdict_tsv)'"
	end_call $n
	[ "$(count $n "$NO_RX")" = 1 ] && [ "$(count $n "$RX_BACK")" = 1 ] && [ "$(count $n "")" = 2 ]
	check $n-once $? "expected one warning and one recovery line, saw: $(lines $n "" | cut -c1-100)"
}

t_reverse() {
	local n=reverse
	# The server sends 20 frames a second for 15 s and acks ours on them.
	tsrv_start $n --data source --count 300 --rate 20 --source-delay 0.3 || return
	start_call $n 14
	sleep 3
	[ "$(verdict_tsv)" = ok ]
	check $n-ok-first $? "expected ok before the rule, saw '$(verdict_tsv)'"
	gre_block in || { fail $n "cannot add the $FW rule"; end_call $n; return; }
	wait_until 6 lines $n "$NO_TX" >/dev/null
	check $n-warning $? "expected '$NO_TX' within 6 s of the rule; log: $(grep "gd_$n " "$SYSLOG" | tail -2)"
	[ "$(verdict_tsv)" = no-gre-to-server ] && [ "$(verdict_json)" = no-gre-to-server ]
	check $n-status $? "expected no-gre-to-server, saw '$(verdict_tsv)'"
	lines $n "$NO_TX" | grep -q 'protocol 47.*nf_conntrack_pptp'
	check $n-causes $? "expected the causes named: $(lines $n "$NO_TX")"
	gre_unblock
	wait_until 3 lines $n "$TX_BACK" >/dev/null
	check $n-line $? "expected '$TX_BACK' within 3 s of the rule's removal"
	end_call $n
	[ "$(count $n "$NO_TX")" = 1 ] && [ "$(count $n "$TX_BACK")" = 1 ] && [ "$(count $n "")" = 2 ]
	check $n-once $? "expected one warning and one recovery line, saw: $(lines $n "" | cut -c1-100)"
}

t_unheard() {
	# From the start our GRE is dropped at the server, whose pppd keeps
	# sending LCP Configure-Requests (greinject) and never acks: its PPP
	# shows it has not heard us.  Then the rule goes and it answers
	# (Configure-Ack): the recovery line.
	local n=unheard cid
	gre_block in || { fail $n "cannot add the $FW rule"; return; }
	tsrv_start $n --data sink --no-piggyback-acks || return
	start_call $n 9
	wait_until 3 eval '[ -n "$(verdict_tsv)" ]'
	cid=$("$PPTP" --status --tsv $SRV | cut -f2)
	ins "$INJ" 192.0.2.2 "${cid:-0}" 1 8 700 &
	BG_PIDS="$BG_PIDS $!"
	wait_until 7 lines $n "$NO_TX" >/dev/null
	check $n-warning $? "expected '$NO_TX' (call id ${cid:-none}); log: $(grep "gd_$n " "$SYSLOG" | tail -2)"
	[ "$(verdict_tsv)" = no-gre-to-server ]
	check $n-status $? "expected no-gre-to-server, saw '$(verdict_tsv)'"
	gre_unblock
	ins "$INJ" 192.0.2.2 "${cid:-0}" 2 1 0 100
	wait_until 3 lines $n "$TX_BACK" >/dev/null
	check $n-line $? "expected '$TX_BACK' after the server's Configure-Ack"
	end_call $n
	[ "$(count $n "")" = 2 ]
	check $n-once $? "expected one warning and one recovery line, saw: $(lines $n "" | cut -c1-100)"
}

t_oneway() {
	# Like Linux's kernel PPTP, the server acks only on its own data: it
	# sends for 1 s, then has nothing to say while we keep sending.  That
	# silence is no fault of GRE: no line.
	local n=oneway
	tsrv_start $n --data source --count 20 --rate 20 --source-delay 0.3 || return
	start_call $n 8
	sleep 6
	[ "$(verdict_tsv)" = ok ]
	check $n-status $? "expected ok for a one-way flow to a quiet server, saw '$(verdict_tsv)'"
	end_call $n
	[ "$(count $n "")" = 0 ] && grep -q "gd_$n .*Tunnel up" "$SYSLOG"
	check $n-quiet $? "expected no GRE check line, saw: $(lines $n "" | cut -c1-120)"
}

t_launch() {
	# Launch mode: pptp starts "pppd" (the stub) and the gateway detaches.
	local n=launch
	gre_block out || { fail $n "cannot add the $FW rule"; return; }
	tsrv_start $n --data echo || return
	(PPTP_PPPD=$STUB PPPSTUB_SEND=60 PPPSTUB_RATE=10 PPPSTUB_LINGER_MS=300 \
		PPPSTUB_TIMEOUT=10 PPPSTUB_RESULT=$WORK/$n.stub timeout 15 ip netns exec "$NS_C" \
		"$PPTP" $SRV --nohostroute --logstring gd_$n --gre-check $WIN >"$WORK/$n.out" 2>&1) &
	CALL=$!
	wait_until 6 lines $n "$NO_RX" >/dev/null
	check $n-warning $? "expected the warning from the detached gateway; log: $(grep "gd_$n " "$SYSLOG" | tail -3)"
	[ "$(verdict_tsv)" = no-gre-from-server ]
	check $n-status $? "expected no-gre-from-server, saw '$(verdict_tsv)'"
	end_call $n
}

t_idle() {
	local n=idle
	gre_block out || { fail $n "cannot add the $FW rule"; return; }
	tsrv_start $n --data echo || return
	(run_pty $n PPPSTUB_SEND=0 PPPSTUB_LINGER_MS=6000 PPPSTUB_TIMEOUT=8 -- \
		$SRV --nolaunchpppd --nohostroute --logstring gd_$n --gre-check $WIN) &
	CALL=$!
	sleep 5
	[ "$(verdict_tsv)" = waiting ]
	check $n-status $? "expected waiting while pppd sends nothing, saw '$(verdict_tsv)'"
	end_call $n
	[ "$(count $n "")" = 0 ] && grep -q "gd_$n .*Tunnel up" "$SYSLOG"
	check $n-quiet $? "expected no GRE check line on an idle call, saw: $(lines $n "" | cut -c1-120)"
}

t_off() {
	local n=off
	gre_block out || { fail $n "cannot add the $FW rule"; return; }
	tsrv_start $n --data echo || return
	(run_pty $n PPPSTUB_SEND=60 PPPSTUB_RATE=10 PPPSTUB_LINGER_MS=300 PPPSTUB_TIMEOUT=10 -- \
		$SRV --nolaunchpppd --nohostroute --logstring gd_$n --gre-check 0) &
	CALL=$!
	sleep 5
	[ "$(verdict_tsv)" = off ]
	check $n-status $? "expected off with --gre-check 0, saw '$(verdict_tsv)'"
	end_call $n
	[ "$(count $n "")" = 0 ]
	check $n-quiet $? "expected no line with --gre-check 0, saw: $(lines $n "" | cut -c1-120)"
}

t_option() {
	local n=option out rc
	out=$(inc "$PPTP" $SRV --gre-check 3601 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q -- '--gre-check 3601: must be an integer from 0 to 3600'
	check $n-range $? "expected exit 2 and a clear line, saw $rc: $out"
	"$PPTP" --help | grep -q -- '--gre-check <secs>'
	check $n-help $? "expected --gre-check in --help"
}

for t in t_option t_blocked t_clean t_recovery t_reverse t_unheard t_oneway t_launch t_idle t_off; do
	want "$t" || continue
	$t
done

sanitizer_check grediag
[ "$FAILED" -gt 0 ] && echo "failed:$FAILED_NAMES (logs in $WORK)" && KEEP=1
echo "grediag: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
