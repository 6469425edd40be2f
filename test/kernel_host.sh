#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel_host.sh: the kernel data path's code that runs without a PPP
# kernel (this host has none): pptp --kernel must say in one line why it
# uses the pty gateway and then carry the call; the channel protocol to
# the plugin (pptp --kernel-channel, played by test/kplugstub) hands a pty
# with the gateway behind it, or says the call failed.  The kernel path
# itself (a PPTP socket, pppd with the plugin) runs in the qemu suite
# (test/e2e, kernel-*).  Needs root (namespaces).  About 30 s.
#
# usage: bash test/kernel_host.sh [--pptp PATH]
# Ends with "kernel-host: N passed, N failed".

set -u
SUITE_ARGS=("$@")
PPTP_ARG=""
while [ $# -gt 0 ]; do
	case "$1" in
	--pptp) PPTP_ARG=$2; shift 2 ;;
	*) echo "usage: $0 [--pptp PATH]" >&2; exit 2 ;;
	esac
done
[ -n "$PPTP_ARG" ] && PPTP=$PPTP_ARG
. "$(dirname "$0")/lib.sh"
KPLUG=$TOP/test/kplugstub
PLUGIN_FILE=$TOP/plugin/pptp-kernel.so

finish() {
	cleanup_all
	echo "kernel-host: $PASSED passed, $FAILED failed"
}
trap finish EXIT

if [ "$(id -u)" != 0 ]; then
	fail kernel-host-setup "needs root (network namespaces)"
	exit 1
fi
for f in "$PPTP" "$TSRV" "$STUB" "$LOGSINK" "$KPLUG"; do
	[ -x "$f" ] || { fail kernel-host-setup "$f missing (make tests)"; exit 1; }
done
[ -f "$PLUGIN_FILE" ] || { fail kernel-host-setup "$PLUGIN_FILE missing (make plugin)"; exit 1; }
mkdir -p "$WORK" "$PPTP_RUNDIR"
ns_setup || { fail kernel-host-setup "namespaces"; exit 1; }
syslog_start

# Whether this kernel has PPTP sockets decides what to expect: the tests
# are for the fallback, which is what a kernel without PPP gets.
if inc "$KPLUG" --probe; then
	fail kernel-host-setup "this kernel has PPTP sockets: the fallback cannot be tested here (the qemu suite tests the kernel path)"
	exit 1
fi

assert_clean() {
	local name=$1
	if ! wait_until 8 no_pptp_left; then
		fail "$name-clean" "pptp processes left: $(pptp_procs | tr '\n' ' ')"
		for p in $(pptp_procs); do kill "$p" 2>/dev/null; done
		return
	fi
	if ! wait_until 3 rundir_empty; then
		fail "$name-clean" "files left in rundir: $(ls "$PPTP_RUNDIR")"
		rm -f "$PPTP_RUNDIR"/*
		return
	fi
	pass "$name-clean"
}

# count_lines FILE PATTERN
count_lines() { grep -c -- "$2" "$1" 2>/dev/null; }

# Launch mode: one line naming the missing kernel socket, then pppd (the
# stub) on a pty and the frames through the gateway.
t_launch_no_module() {
	local n=launch_no_module f rc
	tsrv_start $n --data echo --exit-when-idle || return
	PPTP_PPPD=$STUB PPTP_KERNEL_PLUGIN=$PLUGIN_FILE PPPSTUB_SEND=200 \
		PPPSTUB_SIZE=120 PPPSTUB_EXPECT=200 PPPSTUB_TIMEOUT=8 \
		PPPSTUB_RESULT=$WORK/$n.stub \
		timeout 15 ip netns exec "$NS_C" "$PPTP" $SRV --kernel \
		--nohostroute lcp-echo-interval 0 >"$WORK/$n.out" 2>&1
	rc=$?
	f=$WORK/$n.stub
	[ "$rc" = 0 ] && [ "$(kv "$f" received)" = 200 ]
	check $n $? "expected exit 0 and 200 frames, rc=$rc $(tr '\n' ' ' <"$f" 2>/dev/null)"
	[ "$(count_lines "$WORK/$n.out" 'kernel data path not used')" = 1 ] &&
		grep -q 'kernel data path not used: this kernel has no PPTP socket (module pptp): .*; using the pty gateway' "$WORK/$n.out"
	check $n-line $? "expected one line 'kernel data path not used: this kernel has no PPTP socket ...' on stderr, saw: $(grep 'not used' "$WORK/$n.out")"
	tsrv_stop
	assert_clean $n
}

# Launch mode without the plugin file: says so (before it tries the
# kernel), gateway.
t_launch_no_plugin() {
	local n=launch_no_plugin f rc
	tsrv_start $n --data echo --exit-when-idle || return
	PPTP_PPPD=$STUB PPTP_KERNEL_PLUGIN=$WORK/none/pptp-kernel.so \
		PPPSTUB_SEND=50 PPPSTUB_EXPECT=50 PPPSTUB_TIMEOUT=8 \
		PPPSTUB_RESULT=$WORK/$n.stub \
		timeout 15 ip netns exec "$NS_C" "$PPTP" $SRV --kernel \
		--nohostroute >"$WORK/$n.out" 2>&1
	rc=$?
	f=$WORK/$n.stub
	[ "$rc" = 0 ] && [ "$(kv "$f" received)" = 50 ]
	check $n $? "expected exit 0 and 50 frames, rc=$rc $(tr '\n' ' ' <"$f" 2>/dev/null)"
	[ "$(count_lines "$WORK/$n.out" 'kernel data path not used')" = 1 ] &&
		grep -q "kernel data path not used: no pppd plugin $WORK/none/pptp-kernel.so (No such file or directory); using the pty gateway" "$WORK/$n.out"
	check $n-line $? "expected one 'no pppd plugin' line, saw: $(grep 'not used' "$WORK/$n.out")"
	tsrv_stop
	assert_clean $n
}

# A gateway option with --kernel: named in the line.
t_gateway_option() {
	local n=gateway_option f
	tsrv_start $n --data echo --exit-when-idle || return
	PPTP_KERNEL_PLUGIN=$PLUGIN_FILE run_pty $n PPPSTUB_SEND=50 \
		PPPSTUB_EXPECT=50 PPPSTUB_TIMEOUT=8 -- $SRV --nolaunchpppd \
		--nohostroute --kernel --nobuffer
	f=$WORK/$n.stub
	[ "$(kv "$f" received)" = 50 ]
	check $n $? "expected 50 frames, saw $(tr '\n' ' ' <"$f" 2>/dev/null)"
	[ "$(count_lines "$WORK/$n.out" 'kernel data path not used')" = 1 ] &&
		grep -q 'kernel data path not used: --nobuffer is a pty gateway option; using the pty gateway' "$WORK/$n.out"
	check $n-line $? "expected one line naming --nobuffer, saw: $(grep 'not used' "$WORK/$n.out")"
	tsrv_stop
	assert_clean $n
}

# The plugin's way (--kernel-channel): no kernel socket, so pptp offers a
# pty with its gateway behind it and says why in the offer; the frames go
# through; when "pppd" ends, the call is cleared.
t_channel_pty() {
	local n=channel_pty f r
	tsrv_start $n --data echo --exit-when-idle || return
	PPPSTUB_SEND=300 PPPSTUB_SIZE=200 PPPSTUB_EXPECT=300 \
		PPPSTUB_TIMEOUT=8 PPPSTUB_RESULT=$WORK/$n.stub \
		timeout 15 ip netns exec "$NS_C" "$KPLUG" "$WORK/$n.offer" \
		"$PPTP" "$STUB" $SRV --nohostroute >"$WORK/$n.out" 2>&1
	r=$WORK/$n.offer
	f=$WORK/$n.stub
	[ "$(kv "$r" kind)" = pty ] && [ "$(kv "$r" server)" = $SRV ] &&
		[ "$(kv "$r" call_id)" != 0 ] &&
		grep -q '^text=kernel data path not used: this kernel has no PPTP socket.*; the pty gateway carries the call$' "$r"
	check $n-offer $? "expected a pty offer naming the missing socket, saw $(tr '\n' ' ' <"$r" 2>/dev/null)"
	[ "$(kv "$f" received)" = 300 ] && [ "$(kv "$f" bad_payload)" = 0 ]
	check $n $? "expected 300 good frames back, saw $(tr '\n' ' ' <"$f" 2>/dev/null)"
	syslog_has 'kernel data path not used: this kernel has no PPTP socket'
	check $n-syslog $? "expected the line in syslog"
	tsrv_stop
	assert_clean $n
	grep -q "^RX CCR" "$WORK/$n.srv.log"
	check $n-clear $? "expected a Call-Clear-Request at the server"
}

# The plugin's way with nobody at the server: the offer says the call
# failed, pptp exits, nothing is left.
t_channel_failed() {
	local n=channel_failed r rc
	timeout 20 ip netns exec "$NS_C" "$KPLUG" "$WORK/$n.offer" "$PPTP" \
		"$STUB" $SRV --nohostroute --connect-timeout 2 >"$WORK/$n.out" 2>&1
	rc=$?
	r=$WORK/$n.offer
	[ "$rc" = 3 ] && [ "$(kv "$r" kind)" = failed ]
	check $n $? "expected a failure offer (exit 3), rc=$rc $(tr '\n' ' ' <"$r" 2>/dev/null)"
	assert_clean $n
}

t_launch_no_module
t_launch_no_plugin
t_gateway_option
t_channel_pty
t_channel_failed
sanitizer_check kernel-host
[ "$FAILED" -eq 0 ]
