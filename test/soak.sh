#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh: a million frames each way through the tunnel; the resident
# memory of the gateway and the call manager must not grow with traffic
# (nothing is allocated per packet).  Bounded: 60 s per direction.
set -u
SUITE_ARGS=("$@")
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "FAIL soak: needs root"; echo "soak: 0 passed, 1 failed"; exit 1; }
trap cleanup_all EXIT
mkdir -p "$PPTP_RUNDIR"
ns_setup || { echo "FAIL soak: namespaces"; echo "soak: 0 passed, 1 failed"; exit 1; }
syslog_start
FRAMES=${SOAK_FRAMES:-1000000}

rss_kb() { awk '/^VmRSS/ {print $2}' /proc/$1/status 2>/dev/null; }

# soak NAME DIRECTION: sample RSS once warm (after 10% of the frames)
# and at the end; allow 64 kB of noise (libc arenas, stack pages).
soak() {
	local n=$1 dir=$2 r gw="" cm="" p
	if [ "$dir" = down ]; then
		tsrv_start $n --data source --count "$FRAMES" --size 64 --rate 0 --source-delay 1 --exit-when-idle --max-time 70 || return
		(run_pty $n PPPSTUB_EXPECT="$FRAMES" PPPSTUB_TIMEOUT=60 -- $SRV --nolaunchpppd --nohostroute) &
	else
		tsrv_start $n --data sink --exit-when-idle --max-time 70 || return
		(run_pty $n PPPSTUB_DELAY_MS=1000 PPPSTUB_SEND="$FRAMES" PPPSTUB_SIZE=64 PPPSTUB_LINGER_MS=1000 PPPSTUB_TIMEOUT=60 -- $SRV --nolaunchpppd --nohostroute) &
	fi
	r=$!
	sleep 0.8
	for p in $(pptp_procs); do
		case "$(cat /proc/$p/comm)" in pptpgw) gw=$p ;; pptpcm) cm=$p ;; esac
	done
	local warm_gw=0 warm_cm=0 last_gw=0 last_cm=0 t=0
	while kill -0 $r 2>/dev/null && [ $t -lt 650 ]; do
		sleep 0.1; t=$((t + 1))
		[ -n "$gw" ] && [ -e /proc/$gw ] || continue
		local g c
		g=$(rss_kb $gw); c=$(rss_kb $cm)
		[ -n "$g" ] && [ -n "$c" ] || continue
		last_gw=$g; last_cm=$c
		[ "$warm_gw" = 0 ] && [ $t -ge 20 ] && warm_gw=$g && warm_cm=$c
	done
	wait $r
	tsrv_stop
	local moved
	if [ $dir = down ]; then moved=$(kv "$WORK/$n.stub" received); else moved=$(sed -n 's/^rx_frames=//p' "$WORK/$n.srv.stats" | tail -1); fi
	[ "${moved:-0}" -ge $((FRAMES / 2)) ]
	check $n-traffic $? "expected at least half of $FRAMES frames through, saw ${moved:-0}"
	[ "${warm_gw:-0}" -gt 0 ] && [ "$last_gw" -gt 0 ] && [ $((last_gw - warm_gw)) -le 64 ] && [ $((last_cm - warm_cm)) -le 64 ]
	check $n-rss $? "expected flat RSS, gateway ${warm_gw} -> ${last_gw} kB, call manager ${warm_cm} -> ${last_cm} kB after ${moved:-0} frames"
	echo "  $n: $moved frames, gateway RSS ${warm_gw} -> ${last_gw} kB, call manager ${warm_cm} -> ${last_cm} kB"
	assert_clean $n
}
assert_clean() {
	if wait_until 8 no_pptp_left; then pass "$1-clean"; else fail "$1-clean" "left: $(pptp_procs)"; fi
}

soak soak_down down
soak soak_up up
sanitizer_check soak
echo "soak: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
