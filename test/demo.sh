#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh: the main job on a machine without a VPN server.  Two network
# namespaces, our test PPTP server in one, the real pptp client in the
# other with a PPP stand-in on its pty; frames go through the tunnel and
# back, then the statistics, the status table and the teardown are shown.
set -u
SUITE_ARGS=("$@")
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (network namespaces, raw GRE socket): sudo make demo"
	exit 1
fi
trap cleanup_all EXIT
mkdir -p "$PPTP_RUNDIR"
say() { printf '\n== %s\n' "$*"; }

say "namespaces: server $NS_S (192.0.2.1), client $NS_C (192.0.2.2)"
ns_setup || exit 1
syslog_start
tsrv_start demo --data echo --exit-when-idle || exit 1

say "pptp 192.0.2.1 --nolaunchpppd, a PPP stand-in sends 2000 frames; the server echoes them"
(run_pty demo PPPSTUB_SEND=2000 PPPSTUB_SIZE=200 PPPSTUB_RATE=2000 \
	PPPSTUB_LINGER_MS=3000 PPPSTUB_TIMEOUT=10 \
	-- $SRV --nolaunchpppd --nohostroute --loglevel 1) &
RUN=$!
sleep 1.5
say "processes in the client namespace (ps shows which is which)"
for p in $(pptp_procs); do
	printf '%7s %-7s %s\n' "$p" "$(cat /proc/$p/comm)" "$(tr '\0' ' ' </proc/$p/cmdline)"
done
say "pptp --status (also --tsv and --json for scripts)"
"$PPTP" --status
GW=""
for p in $(pptp_procs); do [ "$(cat /proc/$p/comm)" = pptpgw ] && GW=$p; done
say "kill -USR1 $GW: the gateway's statistics in syslog"
[ -n "$GW" ] && kill -USR1 "$GW"
sleep 0.3
grep -A15 "GRE statistics" "$SYSLOG" | sed 's/^<[0-9]*>//'
wait $RUN
tsrv_stop
say "what the PPP side saw"
cat "$WORK/demo.stub"
say "the control messages the server saw"
grep -E '^(RX|TX)' "$WORK/demo.srv.log"
say "our log lines"
grep -v "GRE statistics\|= " "$SYSLOG" | sed 's/^<[0-9]*>//'
if wait_until 8 no_pptp_left && rundir_empty; then
	say "teardown: no pptp process, socket or route left"
else
	say "teardown: something was left behind: $(pptp_procs) $(ls "$PPTP_RUNDIR")"
	exit 1
fi
[ "$(kv "$WORK/demo.stub" received)" = 2000 ]
