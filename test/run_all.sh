#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run_all.sh: every test suite of the project, in order; the last line is
# "N passed, N failed" summed over all of them.  Suites that need what
# this machine lacks (root, qemu) do not skip: they fail and say why.
#   bash test/run_all.sh [--unit-only] [--no-e2e]
set -u
cd "$(dirname "$0")/.."
UNIT_ONLY=0
E2E=1
for a in "$@"; do
	case "$a" in
	--unit-only) UNIT_ONLY=1 ;;
	--no-e2e) E2E=0 ;;
	esac
done
TOTAL_P=0
TOTAL_F=0
SUMMARY=""

# run_suite NAME COMMAND...: run, echo its output, add up its last
# "N passed, N failed" line; a suite that prints none counts as 1 failed.
run_suite() {
	local name=$1; shift
	local out line p f
	echo "=== $name: $*"
	out=$("$@" 2>&1)
	local rc=$?
	echo "$out"
	line=$(echo "$out" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		p=0; f=1
		echo "FAIL $name: no result line (exit status $rc)"
	else
		p=${line%% passed*}
		f=${line#* passed, }
		f=${f%% failed*}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "FAIL $name: exit status $rc"
		fi
	fi
	TOTAL_P=$((TOTAL_P + p))
	TOTAL_F=$((TOTAL_F + f))
	SUMMARY="$SUMMARY
  $name: $p passed, $f failed"
}

# The unit tests are listed once, in the Makefile.
UNIT_TESTS=$(make -s --no-print-directory print-unit-tests)
if [ -z "$UNIT_TESTS" ]; then
	echo "FAIL unit: make print-unit-tests listed no unit test"
	TOTAL_F=$((TOTAL_F + 1))
fi
for t in $UNIT_TESTS; do
	run_suite "$(basename "$t")" "./$t"
done

if [ "$UNIT_ONLY" = 0 ]; then
	bash test/deps.sh
	run_suite install bash test/install.sh
	run_suite deb bash test/deb.sh
	run_suite routing bash test/test_routing.sh test
	run_suite integration bash test/integration.sh
	run_suite integration-asan bash test/integration.sh --pptp "$PWD/pptp-asan"
	run_suite kernel-host bash test/kernel_host.sh
	run_suite kernel-host-asan bash test/kernel_host.sh --pptp "$PWD/pptp-asan"
	run_suite grediag bash test/grediag.sh
	[ -f test/malformed.sh ] && run_suite malformed bash test/malformed.sh
	[ -f test/differential.sh ] && run_suite differential bash test/differential.sh
	[ -f test/matrix.sh ] && run_suite matrix bash test/matrix.sh
	run_suite fuzz bash test/fuzz.sh
	[ -f test/soak.sh ] && run_suite soak bash test/soak.sh
	if [ "$E2E" = 1 ]; then
		run_suite e2e bash test/e2e/run.sh --pptp "$PWD/pptp"
		# The same suite with pptp-linux 1.10, so that a failure above
		# points at us, not at the suite (expected failure: sync-mppe).
		run_suite e2e-pptp-linux bash test/e2e/run.sh --pptp pptp-linux
	fi
fi

echo "=== summary:$SUMMARY"
echo "$TOTAL_P passed, $TOTAL_F failed"
[ "$TOTAL_F" -eq 0 ]
