#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh: our pptp against pptp-linux 1.10, same namespaces, same
# server (test/tsrv), same PPP-side load (bench/bload); prints a table and
# writes bench/results/latest.{json,tsv}.  Needs root.  See bench/README.md.
#
#   bash bench/run.sh            (make bench)
#   BENCH_REPS=3 BENCH_ONLY=up bash bench/run.sh
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$TOP/bench
REPS=${BENCH_REPS:-5}
ONLY=${BENCH_ONLY:-}
OURS=${BENCH_OURS:-$TOP/pptp}
# BENCH_BEFORE=PATH: a previous build of ours, run in every pair as well;
# its figures appear as TEST@before (ours column) beside TEST.
BEFORE=${BENCH_BEFORE:-}
TSRV=${BENCH_TSRV:-$TOP/test/tsrv}
CACHE=${PPTP_LINUX_CACHE:-/var/cache/pptp-test/pptp-linux}	# as test/differential.sh
RESULTS=${BENCH_RESULTS:-$BENCH/results}
CC=${CC:-gcc}

# Sizes: the IP packet (what pppd would carry); the PPP frame adds ff 03 00 21.
SMALL=64
BIG=1400
# Counts per run, each sized for roughly 1-3 s on a 2-core machine.
UP_SMALL_N=200000
UP_BIG_N=50000
DOWN_SMALL_N=200000
DOWN_BIG_N=60000
# Paced downstream: the same offered load for both clients, below either
# one's capacity, so CPU per frame compares like with like.
PACED_SMALL_RATE=40000
PACED_SMALL_N=100000
PACED_BIG_RATE=15000
PACED_BIG_N=40000
# A server that keeps RFC 2637's sliding window (tsrv --strict-window):
# flat out, each client's throughput is what its acks allow.
STRICT_SMALL_N=60000
STRICT_BIG_N=40000
# --sync downstream: frames written to the pty one by one.
SYNC_SMALL_N=60000
SCALE_TOTAL_N=240000	# split over the calls of a scaling run
FLOOD_N=1000000		# greblast, flat out
PINGS=2000
GRE_N=1000000
PTY_SMALL_N=400000
PTY_BIG_N=60000
RUN_TIMEOUT=45		# no single run may take longer than this (s)

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (network namespaces, raw sockets)" >&2
	exit 1
fi
for b in "$OURS" "$TSRV"; do
	[ -x "$b" ] || { echo "bench: $b not built (make pptp test/tsrv)" >&2; exit 1; }
done

# ---- pptp-linux 1.10 ------------------------------------------------------
. "$TOP/test/pptp_linux.sh"
find_theirs() {
	local c
	for c in "${PPTP_LINUX:-}" "$CACHE/usr/sbin/pptp"; do
		[ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
	done
	# Not cached: fetch the Debian package and unpack it, no install.
	fetch_pptp_linux "$CACHE" >&2 || return 1
	echo "$CACHE/usr/sbin/pptp"
}
THEIRS=$(find_theirs) || { echo "bench: cannot get pptp-linux: ${FETCH_ERR:-apt-get download pptp-linux failed}" >&2; exit 1; }
THEIRS_VERSION=$("$THEIRS" --version 2>&1 | sed -n 's/^pptp version //p' | head -1)
# which build of ours was measured
OURS_ID="sha256 $(sha256sum "$OURS" | cut -c1-16), built $(date -u -r "$OURS" +%FT%TZ)"

# ---- work area, tools, namespaces ---------------------------------------
WORK=$(mktemp -d /tmp/pptp-bench.XXXXXX)
RAW=$WORK/raw.tsv
: >"$RAW"
for p in bload greblast; do
	$CC -std=gnu11 -O2 -g -Wall -Wextra -o "$WORK/$p" "$BENCH/$p.c" ||
		{ echo "bench: cannot build bench/$p.c" >&2; exit 1; }
done
BLOAD=$WORK/bload
GREBLAST=$WORK/greblast

SUF=$$
NS_S=pbS$SUF
NS_C=pbC$SUF
VETH=pbv$SUF
SRV=203.0.113.1
CLI=203.0.113.2
export PPTP_RUNDIR=$WORK/run	# our call manager's socket; pptp-linux ignores it
# BENCH_SMAPS=DIR: bload copies each client process's smaps there at its
# end sample (DIR/TEST.CLIENT.REP/PID.smaps), to see where memory goes
if [ -n "${BENCH_SMAPS:-}" ]; then mkdir -p "$BENCH_SMAPS" || exit 1; fi
mkdir -p "$PPTP_RUNDIR"
BG=""	# pids we started and have not reaped

ns_pids() { ip netns pids "$1" 2>/dev/null; }
# End what we started in our namespaces, by pid.
kill_ns() {
	local ns=$1 p
	for p in $(ns_pids "$ns"); do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $(ns_pids "$ns"); do kill -9 "$p" 2>/dev/null; done
}
cleanup() {
	local p
	for p in $BG; do kill "$p" 2>/dev/null; done
	kill_ns "$NS_C"
	kill_ns "$NS_S"
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	# pptp-linux's call manager socket lives in the shared file system
	[ -S "/var/run/pptp/$SRV" ] && rm -f "/var/run/pptp/$SRV"
	[ -z "${BENCH_KEEP:-}" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_S" && ip netns add "$NS_C" &&
	ip link add "${VETH}s" type veth peer name "${VETH}c" &&
	ip link set "${VETH}s" netns "$NS_S" &&
	ip link set "${VETH}c" netns "$NS_C" &&
	ip -n "$NS_S" addr add $SRV/24 dev "${VETH}s" &&
	ip -n "$NS_C" addr add $CLI/24 dev "${VETH}c" &&
	ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up &&
	ip -n "$NS_S" link set "${VETH}s" up && ip -n "$NS_C" link set "${VETH}c" up ||
	{ echo "bench: cannot set up namespaces" >&2; exit 1; }

want() { [ -z "$ONLY" ] || [[ "$1" == *$ONLY* ]]; }
kv() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -1; }
row() {
	if [ "$2" = before ]; then
		printf '%s@before\tours\t%s\t%s\t%s\n' "$1" "$3" "$4" "$5" >>"$RAW"
	else
		printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$RAW"
	fi
}
fdiv() { awk -v a="$1" -v b="$2" -v m="${3:-1}" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.6g\n", a * m / b }'; }

client_bin() {
	case "$1" in
	ours) echo "$OURS" ;;
	before) echo "$BEFORE" ;;
	*) echo "$THEIRS" ;;
	esac
}

# ---- one run -------------------------------------------------------------
TSRV_PID=""
tsrv_start() {
	rm -f "$WORK/r.ready" "$WORK/r.stats" "$WORK/r.log"
	ip netns exec "$NS_S" "$TSRV" --listen $SRV --log "$WORK/r.log" \
		--stats "$WORK/r.stats" --ready "$WORK/r.ready" --max-time 60 \
		--exit-when-idle "$@" >"$WORK/r.srv.out" 2>&1 &
	TSRV_PID=$!
	BG="$BG $TSRV_PID"
	for _ in $(seq 100); do
		[ -f "$WORK/r.ready" ] && return 0
		sleep 0.02
	done
	echo "bench: tsrv did not start: $(cat "$WORK/r.srv.out")" >&2
	return 1
}
# tsrv leaves by itself once the client is gone (--exit-when-idle) and
# then writes its final counters.
tsrv_wait() {
	local i
	for i in $(seq 150); do
		kill -0 "$TSRV_PID" 2>/dev/null || break
		sleep 0.02
	done
	kill "$TSRV_PID" 2>/dev/null
	wait "$TSRV_PID" 2>/dev/null
	BG=${BG/ $TSRV_PID/}
	TSRV_PID=""
	# no client process may outlive its run
	for i in $(seq 50); do
		[ -z "$(ns_pids "$NS_C")" ] && break
		sleep 0.02
	done
	[ -n "$(ns_pids "$NS_C")" ] && { echo "bench: leftover client processes, ending them" >&2; kill_ns "$NS_C"; }
	# pptp-linux's call manager socket, left if its owner was killed
	[ -z "$(ns_pids "$NS_C")" ] && rm -f "/var/run/pptp/$SRV"
	return 0
}

# bload_run CLIENT OUT bload-args...: bload in the client namespace.
bload_run() {
	local c=$1 out=$2; shift 2
	local prof=()
	[ -n "${PERF_OUT:-}" ] &&
		prof=(perf record -q ${PERF_ARGS:--e cpu-clock -F 4999 -g} -o "$PERF_OUT" --)
	local smaps=""
	[ -n "${BENCH_SMAPS:-}" ] && [ -n "${RUN_TAG:-}" ] &&
		smaps=$BENCH_SMAPS/$RUN_TAG && mkdir -p "$smaps"
	BLOAD_SMAPS_DIR=$smaps \
	timeout -k 2 $RUN_TIMEOUT ip netns exec "$NS_C" "${prof[@]}" "$BLOAD" --srvlog "$WORK/r.log" \
		--out "$out" "$@" -- "$(client_bin "$c")" $SRV --nolaunchpppd \
		--nohostroute ${CLIENT_ARGS:-} 2>>"$WORK/client.err"
}

FAILS=0
FAIL_LIST=""
bad_run() {
	FAILS=$((FAILS + 1))
	FAIL_LIST="$FAIL_LIST${FAIL_LIST:+; }$1/$2/rep$3: $4 $(grep -E '^call[0-9]+_exit=' "$WORK/r.out" 2>/dev/null | tr '\n' ' ')"
	echo "  [$1 $2 rep $3 failed: $4]" >&2
	tail -3 "$WORK/client.err" 2>/dev/null | sed 's/^/    client: /' >&2
	grep -E '^(error|end|early|children_killed|call[0-9]+_exit)=' "$WORK/r.out" 2>/dev/null | sed 's/^/    bload: /' >&2
}

# up TEST CLIENT REP IPSIZE COUNT
run_up() {
	local t=$1 c=$2 r=$3 ip=$4 n=$5 o=$WORK/r.out
	tsrv_start --data sink || return
	bload_run "$c" "$o" --mode up --count "$n" --size $((ip + 4))
	tsrv_wait
	local ok sent el cpu
	ok=$(kv "$WORK/r.stats" rx_pattern_ok); sent=$(kv "$o" sent)
	el=$(kv "$o" elapsed_us); cpu=$(kv "$o" cpu_s)
	[ "$(kv "$o" ok)" = 1 ] && [ -n "$ok" ] && [ "$ok" -gt 0 ] ||
		{ bad_run "$t" "$c" "$r" "ok=$(kv "$o" ok) sink=$ok $(kv "$o" error)"; return; }
	local fps
	fps=$(fdiv "$ok" "$el" 1e6)
	row "$t" "$c" "$r" fps "$fps"
	row "$t" "$c" "$r" mbps "$(fdiv "$fps" 1 "$((ip * 8))e-6")"
	row "$t" "$c" "$r" loss_pct "$(fdiv "$((sent - ok))" "$sent" 100)"
	# how fast the client took frames off the pty (the sink may drop)
	row "$t" "$c" "$r" pty_fps "$(fdiv "$sent" "$el" 1e6)"
	# per frame the client carried: a frame the sink drops still cost it
	row "$t" "$c" "$r" cpu_s_per_mframe "$(fdiv "$cpu" "$sent" 1e6)"
}

# down TEST CLIENT REP IPSIZE CALLS COUNT-PER-CALL [RATE-PER-CALL, 0=flat out]
# (DOWN_TSRV_ARGS, DOWN_BLOAD_ARGS, CLIENT_ARGS: extra arguments)
run_down() {
	local t=$1 c=$2 r=$3 ip=$4 k=$5 n=$6 rate=${7:-0} o=$WORK/r.out
	# every call is up before the first flood starts
	local delay
	delay=$(awk -v k="$k" 'BEGIN { printf "%.2f", 0.6 + 0.12 * k }')
	tsrv_start --data source --count "$n" --size $((ip + 4)) \
		--rate "$rate" --source-delay "$delay" ${DOWN_TSRV_ARGS:-} || return
	bload_run "$c" "$o" --mode down --calls "$k" --count "$n" \
		--size $((ip + 4)) --idle-ms 400 --max-s 30 ${DOWN_BLOAD_ARGS:-}
	tsrv_wait
	local rx fps cpu tx
	rx=$(kv "$o" received); fps=$(kv "$o" fps); cpu=$(kv "$o" cpu_s)
	tx=$(( $(kv "$WORK/r.stats" tx_frames) - $(kv "$WORK/r.stats" tx_eagain) - $(kv "$WORK/r.stats" tx_errors) ))
	[ "$(kv "$o" ok)" = 1 ] && [ -n "$rx" ] && [ "$rx" -gt 0 ] ||
		{ bad_run "$t" "$c" "$r" "ok=$(kv "$o" ok) rx=$rx $(kv "$o" error)"; return; }
	[ "$(kv "$o" early)" = 1 ] && echo "  [$t $c rep $r: data before all calls were up]" >&2
	row "$t" "$c" "$r" fps "$fps"
	row "$t" "$c" "$r" mbps "$(fdiv "$fps" 1 "$((ip * 8))e-6")"
	row "$t" "$c" "$r" loss_pct "$(fdiv "$((tx - rx))" "$tx" 100)"
	row "$t" "$c" "$r" cpu_s_per_mframe "$(fdiv "$cpu" "$rx" 1e6)"
	row "$t" "$c" "$r" rss_per_call_kb "$(kv "$o" rss_per_call_kb)"
	# the cost of acks: every ack the server got, per frame delivered
	# (downstream the client sends no data, so these are ack-only packets)
	row "$t" "$c" "$r" acks_per_frame "$(fdiv "$(kv "$WORK/r.stats" rx_acks)" "$rx")"
	case "${DOWN_TSRV_ARGS:-}" in *--strict-window*)
		row "$t" "$c" "$r" ack_timeouts "$(kv "$WORK/r.stats" ack_timeouts)" ;;
	esac
	case "${DOWN_BLOAD_ARGS:-}" in *--sync*)
		# a frame that shares a read with another is one frame to a sync
		# pppd (lost): the rate of frames that came alone is what counts
		row "$t" "$c" "$r" merged_pct "$(fdiv "$(kv "$o" merged)" "$rx" 100)"
		row "$t" "$c" "$r" separate_fps "$(fdiv "$(kv "$o" separate)" "$rx" "$fps")" ;;
	esac
}

# ping TEST CLIENT REP
run_ping() {
	local t=$1 c=$2 r=$3 o=$WORK/r.out
	tsrv_start --data echo || return
	bload_run "$c" "$o" --mode ping --count $PINGS --size $((SMALL + 4)) --max-s 20
	tsrv_wait
	[ "$(kv "$o" ok)" = 1 ] && [ "$(kv "$o" pings)" -gt 0 ] 2>/dev/null ||
		{ bad_run "$t" "$c" "$r" "ok=$(kv "$o" ok) $(kv "$o" error)"; return; }
	row "$t" "$c" "$r" rtt_median_us "$(kv "$o" rtt_median_us)"
	row "$t" "$c" "$r" rtt_p99_us "$(kv "$o" rtt_p99_us)"
	row "$t" "$c" "$r" lost "$(kv "$o" lost)"
}

# flood TEST CLIENT REP: greblast in the server namespace sends valid GRE
# for the live call (its call id from the server log) flat out.
run_flood() {
	local t=$1 c=$2 r=$3 o=$WORK/r.out g=$WORK/g.out
	rm -f "$WORK/b.ready"
	tsrv_start --data sink || return
	bload_run "$c" "$o" --mode down --count $FLOOD_N --size $((SMALL + 4)) \
		--idle-ms 500 --max-s 30 --ready "$WORK/b.ready" &
	local bp=$! i cid
	for i in $(seq 500); do
		[ -f "$WORK/b.ready" ] && break
		kill -0 $bp 2>/dev/null || break
		sleep 0.02
	done
	cid=$(sed -n 's/.*call-up .*peer_call=\([0-9]*\).*/\1/p' "$WORK/r.log" | tail -1)
	: >"$g"
	[ -f "$WORK/b.ready" ] && [ -n "$cid" ] &&
		timeout 30 ip netns exec "$NS_S" "$GREBLAST" send --to $CLI \
			--count $FLOOD_N --size $((SMALL + 4)) --call-id "$cid" >"$g"
	wait $bp
	tsrv_wait
	local rx sent
	rx=$(kv "$o" received); sent=$(kv "$g" sent)
	[ "$(kv "$o" ok)" = 1 ] && [ -n "$sent" ] && [ -n "$rx" ] && [ "$rx" -gt 0 ] ||
		{ bad_run "$t" "$c" "$r" "ok=$(kv "$o" ok) rx=$rx sent=$sent"; return; }
	row "$t" "$c" "$r" fps "$(kv "$o" fps)"
	row "$t" "$c" "$r" offered_fps "$(fdiv "$sent" "$(kv "$g" send_us)" 1e6)"
	row "$t" "$c" "$r" delivered_pct "$(fdiv "$rx" "$sent" 100)"
	row "$t" "$c" "$r" cpu_s_per_mframe "$(fdiv "$(kv "$o" cpu_s)" "$rx" 1e6)"
}

# ceilings: no client in the path
run_gre_ceiling() {
	local t=$1 r=$2 ip=$3 o=$WORK/c.out
	rm -f "$WORK/c.ready"
	timeout 30 ip netns exec "$NS_C" "$GREBLAST" recv --count $GRE_N \
		--idle-ms 300 --max-s 20 --ready "$WORK/c.ready" >"$o" &
	local rp=$!
	for _ in $(seq 100); do [ -f "$WORK/c.ready" ] && break; sleep 0.02; done
	timeout 30 ip netns exec "$NS_S" "$GREBLAST" send --to $CLI --count $GRE_N \
		--size $((ip + 4)) >"$WORK/c.send"
	wait $rp
	local fps
	fps=$(kv "$o" fps)
	[ -n "$fps" ] || { bad_run "$t" none "$r" "no result"; return; }
	row "$t" none "$r" fps "$fps"
	row "$t" none "$r" mbps "$(fdiv "$fps" 1 "$((ip * 8))e-6")"
	row "$t" none "$r" loss_pct "$(fdiv "$(( $(kv "$WORK/c.send" sent) - $(kv "$o" received) ))" "$(kv "$WORK/c.send" sent)" 100)"
}
run_pty_ceiling() {
	local t=$1 r=$2 ip=$3 n=$4 o=$WORK/c.out
	timeout 30 "$BLOAD" --mode ptyceil --count "$n" --size $((ip + 4)) \
		--max-s 20 --out "$o"
	local fps
	fps=$(kv "$o" fps)
	[ -n "$fps" ] || { bad_run "$t" none "$r" "no result"; return; }
	row "$t" none "$r" fps "$fps"
	row "$t" none "$r" mbps "$(fdiv "$fps" 1 "$((ip * 8))e-6")"
}

# one FN TEST CLIENT REP ...: one run, tagged for BENCH_SMAPS
one() { RUN_TAG=$2.$3.$4 "$@"; }
# Each repetition runs both clients back to back, alternating who goes
# first, so slow drifts of the machine hit both alike.
pair() {
	local fn=$1 t=$2 r=$3; shift 3
	want "$t" || return 0
	if [ $((r % 2)) = 1 ]; then
		one $fn "$t" ours "$r" "$@"; one $fn "$t" theirs "$r" "$@"
		[ -n "$BEFORE" ] && one $fn "$t" before "$r" "$@"
	else
		[ -n "$BEFORE" ] && one $fn "$t" before "$r" "$@"
		one $fn "$t" theirs "$r" "$@"; one $fn "$t" ours "$r" "$@"
	fi
	return 0
}

# --profile: our client alone under perf (cpu-clock sampling, call
# graphs), one scenario each; reports to $RESULTS/profile-*.txt.
if [ "${1:-}" = --profile ]; then
	command -v perf >/dev/null || { echo "bench: perf missing (apt-get install linux-perf)" >&2; exit 1; }
	mkdir -p "$RESULTS"
	prof() {
		local name=$1 calls=$2 data=$WORK/$1.data out=$RESULTS/profile-$1.txt; shift 2
		want "$name" || return 0
		export PERF_OUT=$data
		"$@"
		unset PERF_OUT
		# a second run counts the gateways' system calls (perf stat on
		# their pids, from when all calls are up until the run ends)
		"$@" &
		local runner=$! gws="" n=0 i p st
		for i in $(seq 250); do
			gws=""; n=0
			for p in $(ns_pids "$NS_C"); do
				[ "$(cat /proc/$p/comm 2>/dev/null)" = pptpgw ] && { gws="$gws${gws:+,}$p"; n=$((n + 1)); }
			done
			[ "$n" -ge "$calls" ] && break
			sleep 0.02
		done
		perf stat -x, -e syscalls:sys_enter_poll -e syscalls:sys_enter_read \
			-e syscalls:sys_enter_write -e syscalls:sys_enter_recvmmsg \
			-e syscalls:sys_enter_sendmmsg -p "$gws" 2>"$data.sc" >/dev/null &
		st=$!
		wait $runner
		kill -INT $st 2>/dev/null
		wait $st
		local frames
		frames=$(kv "$WORK/r.out" received)
		[ -n "$frames" ] || frames=$(kv "$WORK/r.out" sent)
		{
			echo "# profile $name: perf record -e cpu-clock -F 4999 -g, our client, $(date -u +%FT%TZ)"
			echo "## samples by process (all of the run)"
			perf report -i "$data" --sort comm --stdio -g none 2>/dev/null | grep '%'
			echo "## gateway (pptpgw): user space (pptp, libc) vs kernel"
			perf report -i "$data" --comm pptpgw --no-children --sort dso --stdio -g none 2>/dev/null | grep '%'
			echo "## gateway: system calls over the loaded part of a second run (perf stat -p), $frames frames"
			awk -F, -v f="$frames" '$3 ~ /sys_enter/ { sub(/syscalls:sys_enter_/, "", $3);
				printf "  %-10s %8d calls  %7.4f per frame  %7.1f frames per call\n", $3, $1, (f > 0 ? $1 / f : 0), ($1 > 0 ? f / $1 : 0) }' "$data.sc"
			echo "## gateway: inclusive time of system calls and our functions"
			perf report -i "$data" --comm pptpgw --children --sort sym --stdio -g none 2>/dev/null |
				grep -E '__x64_sys_|\[\.\] [a-z_]' | grep -v '0x' | head -25
			echo "## gateway: inclusive time of kernel paths"
			perf report -i "$data" --comm pptpgw --children --sort sym --stdio -g none 2>/dev/null |
				grep -E '\[k\] (raw_sendmsg|ip_finish_output2|net_rx_action|raw_local_deliver|ip_route_output_flow|raw_recvmsg|skb_copy_datagram_iter|file_tty_write|tty_read|do_sys_poll|schedule|queue_work_on|sk_filter_trim_cap|skb_clone)( |$)'
			echo "## gateway: self time, top symbols"
			perf report -i "$data" --comm pptpgw --no-children --sort sym --stdio -g none 2>/dev/null |
				grep '%' | head -25
		} >"$out"
		echo "bench: $out"
	}
	prof up_64 1 run_up up_64 ours 1 $SMALL $UP_SMALL_N
	prof down_64 1 run_down down_64 ours 1 $SMALL 1 $DOWN_SMALL_N
	prof down_1400 1 run_down down_1400 ours 1 $BIG 1 $DOWN_BIG_N
	prof flood_64 1 run_flood flood_64 ours 1
	prof down_64_at40k 1 run_down down_64_at40k ours 1 $SMALL 1 $PACED_SMALL_N $PACED_SMALL_RATE
	prof scale_16calls 16 run_down scale_16calls ours 1 $SMALL 16 $((SCALE_TOTAL_N / 16))
	exit 0
fi

START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: ours=$OURS ($OURS_ID) theirs=$THEIRS ($THEIRS_VERSION), $REPS repetitions, $(nproc) CPUs, load $LOAD_BEFORE"
for r in $(seq "$REPS"); do
	echo "bench: repetition $r/$REPS ($(( $(date +%s) - START )) s)"
	pair run_up up_64 "$r" $SMALL $UP_SMALL_N
	pair run_up up_1400 "$r" $BIG $UP_BIG_N
	pair run_down down_64 "$r" $SMALL 1 $DOWN_SMALL_N
	pair run_down down_1400 "$r" $BIG 1 $DOWN_BIG_N
	pair run_down down_64_at40k "$r" $SMALL 1 $PACED_SMALL_N $PACED_SMALL_RATE
	pair run_down down_1400_at15k "$r" $BIG 1 $PACED_BIG_N $PACED_BIG_RATE
	DOWN_TSRV_ARGS=--strict-window pair run_down strict_64 "$r" $SMALL 1 $STRICT_SMALL_N
	DOWN_TSRV_ARGS=--strict-window pair run_down strict_1400 "$r" $BIG 1 $STRICT_BIG_N
	# 128 frames in flight (a server with that window), as issue 9 measured
	CLIENT_ARGS=--sync DOWN_BLOAD_ARGS=--sync DOWN_TSRV_ARGS="--strict-window --window 128" \
		pair run_down sync_down_64 "$r" $SMALL 1 $SYNC_SMALL_N
	pair run_ping latency_64 "$r"
	pair run_down scale_4calls "$r" $SMALL 4 $((SCALE_TOTAL_N / 4))
	pair run_down scale_16calls "$r" $SMALL 16 $((SCALE_TOTAL_N / 16))
	pair run_flood flood_64 "$r"
	if want ceiling; then
		run_gre_ceiling ceiling_gre_64 "$r" $SMALL
		run_gre_ceiling ceiling_gre_1400 "$r" $BIG
		run_pty_ceiling ceiling_pty_64 "$r" $SMALL $PTY_SMALL_N
		run_pty_ceiling ceiling_pty_1400 "$r" $BIG $PTY_BIG_N
	fi
done
ELAPSED=$(( $(date +%s) - START ))
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- summary -------------------------------------------------------------
mkdir -p "$RESULTS"
cp "$RAW" "$RESULTS/latest-raw.tsv"
# (our binary named relative to the tree: the results are committed, and
# a path of the machine that ran the bench means nothing elsewhere)
awk -F'\t' -v json="$RESULTS/latest.json" -v tsv="$RESULTS/latest.tsv" \
	-v ours="${OURS#"$TOP"/}" -v oid="$OURS_ID" -v theirs="$THEIRS" -v tver="$THEIRS_VERSION" \
	-v reps="$REPS" -v elapsed="$ELAPSED" -v lb="$LOAD_BEFORE" \
	-v la="$LOAD_AFTER" -v ncpu="$(nproc)" -v kern="$(uname -r)" \
	-v when="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v fails="$FAILS" \
	-v faillist="$(printf '%s' "$FAIL_LIST" | tr -d '"\\')" \
	-f "$BENCH/summary.awk" "$RAW"
[ -n "$FAIL_LIST" ] && echo "bench: failed runs (left out of the figures): $FAIL_LIST"
echo "bench: $ELAPSED s, $FAILS failed runs; $RESULTS/latest.json, $RESULTS/latest.tsv"
[ "$FAILS" = 0 ]
