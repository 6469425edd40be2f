# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: helpers for the namespace integration tests.  Sourced, not run.
#
# Topology (made once per run, removed by the EXIT trap):
#   namespace $NS_S (server)  veth 192.0.2.1/24, also 198.51.100.1/32 on lo
#   namespace $NS_C (client)  veth 192.0.2.2/24, default via 192.0.2.1
# so 192.0.2.1 is on-link and 198.51.100.1 is reached through a gateway
# (the host route test needs that).

# Each suite runs in a private mount namespace with its own /dev/log, so
# that suites (and a host syslog daemon, if any) never steal each other's
# log lines.  /dev/log must exist as a mount point: when the host has no
# syslog socket, an empty file stands in (it takes no messages).
if [ -z "${PPTP_TEST_PRIVATE_NS:-}" ] && [ "$(id -u)" = 0 ]; then
	[ -e /dev/log ] || : >/dev/log
	export PPTP_TEST_PRIVATE_NS=1
	# A suite that parsed (shifted) its arguments before sourcing us
	# saves them first: SUITE_ARGS=("$@").
	if [ -n "${SUITE_ARGS+set}" ]; then
		exec unshare -m --propagation private bash "$0" "${SUITE_ARGS[@]}"
	fi
	exec unshare -m --propagation private bash "$0" "$@"
fi

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PPTP=${PPTP:-$TOP/pptp}
TSRV=${TSRV:-$TOP/test/tsrv}
STUB=${STUB:-$TOP/test/pppstub}
LOGSINK=${LOGSINK:-$TOP/test/logsink}
SUFFIX=${SUFFIX:-$$}
NS_S=ptS$SUFFIX
NS_C=ptC$SUFFIX
SRV=192.0.2.1
SRV_FAR=198.51.100.1
WORK=${WORK:-$(mktemp -d /tmp/pptp-it.XXXXXX)}
export PPTP_RUNDIR=$WORK/run
# A sanitizer build (make pptp-asan) writes any report here; the suites
# fail when such a file appears.
export ASAN_OPTIONS="log_path=$WORK/san:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$WORK/san:print_stacktrace=1:halt_on_error=1"
SYSLOG=$WORK/syslog.txt
PASSED=0
FAILED=0
FAILED_NAMES=""
# Every process we start in the background, to end by pid.
BG_PIDS=""

pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() {
	FAILED=$((FAILED + 1)); FAILED_NAMES="$FAILED_NAMES $1"
	echo "FAIL $1: $2"
}
# check NAME COND-EXIT-STATUS "expected ... seen ..."
check() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

bg() { "$@" & BG_PIDS="$BG_PIDS $!"; }

kill_bg() {
	local p
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	BG_PIDS=""
}

ns_setup() {
	ip netns add "$NS_S" && ip netns add "$NS_C" || return 1
	ip link add "v$SUFFIX"s type veth peer name "v$SUFFIX"c || return 1
	ip link set "v$SUFFIX"s netns "$NS_S"
	ip link set "v$SUFFIX"c netns "$NS_C"
	ip -n "$NS_S" addr add $SRV/24 dev "v$SUFFIX"s
	ip -n "$NS_C" addr add 192.0.2.2/24 dev "v$SUFFIX"c
	ip -n "$NS_S" addr add $SRV_FAR/32 dev lo
	ip -n "$NS_S" link set lo up
	ip -n "$NS_C" link set lo up
	ip -n "$NS_S" link set "v$SUFFIX"s up
	ip -n "$NS_C" link set "v$SUFFIX"c up
	ip -n "$NS_C" route add default via $SRV
}

ns_teardown() {
	kill_bg
	ip netns del "$NS_S" 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
}

# The syslog sink: pptp logs through /dev/log; the host has no syslog
# daemon, so the tests bring their own and take it away again.
SINK_PID=""
syslog_start() {
	"$LOGSINK" "$SYSLOG" "$WORK/log.sock" 3000 &
	SINK_PID=$!
	for _ in $(seq 40); do [ -S "$WORK/log.sock" ] && break; sleep 0.05; done
	mount --bind "$WORK/log.sock" /dev/log
}
syslog_stop() {
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
	SINK_PID=""
}

# sanitizer_check NAME: fail if a sanitizer wrote a report.
sanitizer_check() {
	local f
	f=$(ls "$WORK"/san.* 2>/dev/null | head -1)
	if [ -n "$f" ]; then
		fail "$1-sanitizer" "report in $f: $(grep -m3 -E 'ERROR|runtime error|SUMMARY' "$WORK"/san.* | tr '\n' '|')"
	else
		pass "$1-sanitizer"
	fi
}

cleanup_all() {
	ns_teardown
	syslog_stop
	if [ -z "${KEEP:-}" ] && [ "$FAILED" -eq 0 ]; then rm -rf "$WORK"; fi
}

inc() { ip netns exec "$NS_C" "$@"; }
ins() { ip netns exec "$NS_S" "$@"; }

# tsrv_start NAME [tsrv options...]: start the test server; its log is
# $WORK/NAME.srv.log.  Waits until it listens.
TSRV_PID=""
TSRV_NAME=""
tsrv_start() {
	local name=$1; shift
	TSRV_NAME=$name
	rm -f "$WORK/$name.ready"
	ins "$TSRV" --listen 0.0.0.0 --log "$WORK/$name.srv.log" \
		--ready "$WORK/$name.ready" --stats "$WORK/$name.srv.stats" \
		--max-time 60 "$@" >"$WORK/$name.srv.out" 2>&1 &
	TSRV_PID=$!
	BG_PIDS="$BG_PIDS $TSRV_PID"
	for _ in $(seq 50); do
		[ -f "$WORK/$name.ready" ] && return 0
		sleep 0.05
	done
	echo "tsrv did not start: $(cat "$WORK/$name.srv.out")"
	return 1
}
tsrv_stop() {
	# TSRV_PID is the "ip netns exec" wrapper; the server's own pid is in
	# its ready file.
	local real=""
	[ -n "$TSRV_NAME" ] && real=$(head -c 16 "$WORK/$TSRV_NAME.ready" 2>/dev/null | tr -dc 0-9)
	[ -n "$real" ] && kill "$real" 2>/dev/null
	[ -n "$TSRV_PID" ] && kill "$TSRV_PID" 2>/dev/null
	wait "$TSRV_PID" 2>/dev/null
	TSRV_PID=""
	TSRV_NAME=""
}

# wait_until SECONDS COMMAND...: poll every 50 ms.
wait_until() {
	local t=$1; shift
	local end=$(( $(date +%s%N) / 1000000 + t * 1000 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# Processes of ours still alive (by comm), in the client namespace or not.
# (pptp-linux uses the same comm names, so we look only at our namespace.)
pptp_procs() {
	local p
	for p in $(ip netns pids "$NS_C" 2>/dev/null); do
		case "$(cat /proc/$p/comm 2>/dev/null)" in
		pptp|pptpgw|pptpcm) echo "$p" ;;
		esac
	done
}
no_pptp_left() { [ -z "$(pptp_procs)" ]; }
rundir_empty() { [ -z "$(ls -A "$PPTP_RUNDIR" 2>/dev/null)" ]; }

# syslog_has PATTERN: the sink may write a line a moment after it was sent.
syslog_has() { wait_until 3 grep -q "$1" "$SYSLOG"; }

# kv FILE KEY: value of KEY=VALUE lines (pppstub results, tsrv stats).
kv() { sed -n "s/^$2=//p" "$1" | tail -1; }

# run_stub NAME [env...] -- pptp args...: run pptp --nolaunchpppd with the
# stub on its pty, in the client namespace, bounded by TIMEOUT (10 s).
run_pty() {
	local name=$1; shift
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" PPPSTUB_RESULT="$WORK/$name.stub" \
		timeout "${TIMEOUT:-15}" ip netns exec "$NS_C" \
		socat EXEC:"$STUB",pty,raw,echo=0 \
		EXEC:"$PPTP $*",nofork >"$WORK/$name.out" 2>&1
}
