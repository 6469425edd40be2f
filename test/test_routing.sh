#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_routing.sh: check routing.c's host route add/del in throw-away network namespaces (needs root).
#
# usage: bash test/test_routing.sh BUILD_DIR   (runs BUILD_DIR/test_routing)
#
# Layout: namespace A has rt0 198.51.100.2/24 with default via 198.51.100.1
# (namespace B, the other veth end), and a fwmark 0x5 rule to table 100
# whose default goes via 198.51.100.3; namespace C has only lo and no route.
set -u

BUILD=${1:?usage: test_routing.sh BUILD_DIR}
BIN=$BUILD/test_routing
NSA=rtA$$
NSB=rtB$$
NSC=rtC$$
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: expected $2 seen $3"; failed=$((failed + 1)); }
finish() {
	echo "routing: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

cleanup() {
	local ns
	for ns in "$NSA" "$NSB" "$NSC"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$BIN" ]; then
	fail setup "an executable $BIN" "none"
	finish
fi
if [ "$(id -u)" != 0 ]; then
	fail setup "root (network namespaces)" "uid $(id -u)"
	finish
fi

setup() {
	ip netns add "$NSA" && ip netns add "$NSB" && ip netns add "$NSC" &&
	ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up &&
	ip -n "$NSC" link set lo up &&
	ip -n "$NSA" link add rt0 type veth peer name rt1 netns "$NSB" &&
	ip -n "$NSA" addr add 198.51.100.2/24 dev rt0 &&
	ip -n "$NSB" addr add 198.51.100.1/24 dev rt1 &&
	ip -n "$NSA" link set rt0 up && ip -n "$NSB" link set rt1 up &&
	ip -n "$NSA" route add default via 198.51.100.1 dev rt0 &&
	ip -n "$NSA" rule add fwmark 0x5 lookup 100 &&
	ip -n "$NSA" route add default via 198.51.100.3 dev rt0 table 100
}
if ! setup; then
	fail setup "namespaces $NSA $NSB $NSC created" "an ip(8) error"
	finish
fi

# run NS ARGS...: run the program in NS; sets OUT (one line) and RC.
run() {
	local ns=$1
	shift
	OUT=$(ip netns exec "$ns" "$BIN" "$@" 2>&1)
	RC=$?
	OUT=$(printf '%s' "$OUT" | tr '\n' '|')
}
# shown DST: the main-table route with exactly DST/32 in namespace A.
shown() {
	ip -n "$NSA" -4 route show table main "$1" | sed 's/ *$//' | tr '\n' '|' | sed 's/|$//'
}
# expect_out NAME PATTERN: OUT must contain PATTERN and RC be 0.
expect_out() {
	case "$OUT" in
	*"$2"*) [ "$RC" -eq 0 ] && return 0 ;;
	esac
	fail "$1" "'$2' rc=0" "'$OUT' rc=$RC"
	return 1
}
# expect_route NAME DST WANT: the main table must show WANT for DST.
expect_route() {
	local seen
	seen=$(shown "$2")
	if [ "$seen" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "route '$3'" "'$seen'"
	fi
}

VIA_GW="203.0.113.7 via 198.51.100.1 dev rt0 proto static"

run "$NSA" add 203.0.113.7
expect_out add_output "add: rc=0 added=1 route=203.0.113.7 via 198.51.100.1 dev rt0" &&
	pass add_output
expect_route add_route 203.0.113.7 "$VIA_GW"

run "$NSA" del 203.0.113.7
expect_out del_output "del: rc=0" && pass del_output
expect_route del_route 203.0.113.7 ""

# An administrator's /32 (proto boot) is neither replaced nor removed.
ip -n "$NSA" route add 203.0.113.9/32 via 198.51.100.1 dev rt0
ADMIN="203.0.113.9 via 198.51.100.1 dev rt0"
run "$NSA" cycle 203.0.113.9
expect_out existing_not_added "add: rc=0 added=0 route=$ADMIN" && pass existing_not_added
expect_route existing_kept_after_cycle 203.0.113.9 "$ADMIN"
run "$NSA" del 203.0.113.9
case "$OUT" in
*"del: rc=-3 "*) pass existing_del_esrch ;;
*) fail existing_del_esrch "'del: rc=-3 (No such process)'" "'$OUT'" ;;
esac
expect_route existing_kept_after_del 203.0.113.9 "$ADMIN"

# Directly connected destination: dst/32 dev rt0 scope link.
run "$NSA" add 198.51.100.9
expect_out direct_output "add: rc=0 added=1 route=198.51.100.9 dev rt0" && pass direct_output
expect_route direct_route 198.51.100.9 "198.51.100.9 dev rt0 proto static scope link"
run "$NSA" del 198.51.100.9
expect_out direct_del_output "del: rc=0" && pass direct_del_output
expect_route direct_del_route 198.51.100.9 ""

# The mark steers the lookup into table 100 (gateway .3); the route goes to main.
run "$NSA" add 203.0.113.20 0x5
expect_out mark_output "add: rc=0 added=1 route=203.0.113.20 via 198.51.100.3 dev rt0" &&
	pass mark_output
expect_route mark_route 203.0.113.20 "203.0.113.20 via 198.51.100.3 dev rt0 proto static"
run "$NSA" del 203.0.113.20 5
expect_out mark_del_output "del: rc=0" && pass mark_del_output
expect_route mark_del_route 203.0.113.20 ""

# add, add again, del, del again, del of a gone route, all in one process.
run "$NSA" cycle 203.0.113.7
expect_out cycle_output "cycle: 4 passed, 0 failed" && pass cycle_output
expect_route cycle_route_gone 203.0.113.7 ""

# Our own address is local: nothing to add.
run "$NSA" add 198.51.100.2
expect_out local_output "add: rc=0 added=0" && pass local_output
expect_route local_no_route 198.51.100.2 ""

# No route at all: the kernel's -ENETUNREACH comes back, exit 1, no crash.
run "$NSC" add 203.0.113.7
case "$OUT|$RC" in
*"add: rc=-101 (Network is unreachable)|1") pass unreachable ;;
*) fail unreachable "'add: rc=-101 (Network is unreachable)' rc=1" "'$OUT' rc=$RC" ;;
esac

run "$NSC" selftest
expect_out selftest "routing-selftest: 8 passed, 0 failed" && pass selftest

finish
