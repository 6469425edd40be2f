#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh: a million frames each way through the tunnel; the resident
# memory of the gateway and the call manager must not grow with traffic
# (nothing is allocated per packet), and what a burst touched is given
# back once the call idles.  Bounded: 60 s per direction, 20 s for the
# burst.
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
# After a burst the gateway gives back what the burst touched
# (pptp_gre.c, GW_TRIM_IDLE_US): 30 000 frames of 1400 bytes flat out
# (full receive batches, a backlog for pppd), then the call idles; once
# the server has sent them all and the gateway has used no CPU for 1 s,
# its anonymous memory (smaps_rollup) is within 64 kB of what it was
# before the burst (measured: 8-24 kB more; a gateway that keeps what it
# touched: 300-500 kB more).  A sanitizer build's shadow memory and
# quarantine grow with what it touches and frees: 256 kB there (measured
# +96 kB; 300-500 kB before the trim).  About 6 s.
anon_kb() { awk '/^Anonymous:/ {print $2}' /proc/$1/smaps_rollup 2>/dev/null; }
cpu_ticks() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null; }
mem_after_burst() {
	local n=mem_burst r gw="" p a a0="" a1="" peak=0 c last="" quiet=0 t=0 bound=64
	grep -q __asan_init "$PPTP" && bound=256
	tsrv_start $n --data source --count 30000 --size 1404 --rate 0 --source-delay 2 --exit-when-idle --max-time 40 || return
	(TIMEOUT=30 run_pty $n PPPSTUB_LINGER_MS=20000 PPPSTUB_TIMEOUT=25 -- $SRV --nolaunchpppd --nohostroute) &
	r=$!
	# every 0.1 s, at most 20 s: the gateway once the call is up (before
	# the source starts), then until the source is done and it is quiet
	while kill -0 $r 2>/dev/null && [ $t -lt 200 ] && [ -z "$a1" ]; do
		sleep 0.1; t=$((t + 1))
		if [ -z "$gw" ]; then
			for p in $(pptp_procs); do
				[ "$(cat /proc/$p/comm 2>/dev/null)" = pptpgw ] && gw=$p
			done
			continue
		fi
		a=$(anon_kb $gw); c=$(cpu_ticks $gw)
		[ -n "$a" ] && [ -n "$c" ] || break
		[ -z "$a0" ] && a0=$a
		[ "$a" -gt "$peak" ] && peak=$a
		if [ "$c" != "$last" ] || ! grep -q source-done "$WORK/$n.srv.log"; then
			last=$c; quiet=0
		else
			quiet=$((quiet + 1))
		fi
		[ $quiet -ge 10 ] && a1=$a
	done
	# the call ends: pppstub's side of the pty closes
	for p in $(ip netns pids "$NS_C" 2>/dev/null); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = pppstub ] && kill $p 2>/dev/null
	done
	wait $r
	tsrv_stop
	local got
	got=$(kv "$WORK/$n.stub" received)
	[ "${got:-0}" -ge 3000 ]
	check $n-traffic $? "expected at least 3000 of 30000 frames of 1400 bytes at pppstub, saw ${got:-0}"
	[ -n "$a1" ] && [ $((a1 - a0)) -le $bound ]
	check $n-anon $? "expected the gateway's anonymous memory back within $bound kB of before the burst once idle, saw ${a0:-?} kB before, ${peak} kB at most, ${a1:-(never idle)} kB after"
	echo "  $n: ${got:-0} frames, gateway anonymous memory ${a0:-?} kB before, ${peak} kB at most, ${a1:-?} kB idle after"
	assert_clean $n
}
assert_clean() {
	if wait_until 8 no_pptp_left; then pass "$1-clean"; else fail "$1-clean" "left: $(pptp_procs)"; fi
}

soak soak_down down
soak soak_up up
mem_after_burst
sanitizer_check soak
echo "soak: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
