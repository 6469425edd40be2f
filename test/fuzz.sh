#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh: build every libFuzzer harness (make fuzz), replay its seed
# corpus and its regression inputs (fuzz/regress/NAME/, every crash ever
# found), then fuzz it for FUZZ_SECONDS (default 60) on a scratch copy of
# the corpus.  Any crash, leak or sanitizer report fails the suite.
set -u
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }

if ! command -v clang >/dev/null; then
	fail fuzz "clang is not installed (apt-get install clang libclang-rt-14-dev)"
	echo "fuzz: $PASSED passed, $FAILED failed"
	exit 1
fi
WORK=$(mktemp -d /tmp/pptp-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	if ! make -s "fuzz/$name" >"$WORK/$name.build" 2>&1; then
		fail "$name-build" "$(tail -3 "$WORK/$name.build" | tr '\n' '|')"
		continue
	fi
	# Replay: seeds and every input that once crashed.
	inputs=""
	[ -d "fuzz/corpus/$short" ] && inputs="fuzz/corpus/$short"
	[ -d "fuzz/regress/$short" ] && inputs="$inputs fuzz/regress/$short"
	if [ -n "$inputs" ]; then
		if "./fuzz/$name" -runs=0 -artifact_prefix="$WORK/" $inputs >"$WORK/$name.replay" 2>&1; then
			pass "$name-replay"
		else
			fail "$name-replay" "$(grep -m3 -E 'ERROR|SUMMARY|runtime error' "$WORK/$name.replay" | tr '\n' '|')"
		fi
	fi
	mkdir -p "$WORK/corpus-$short" "$WORK/art-$short"
	[ -d "fuzz/corpus/$short" ] && cp -r "fuzz/corpus/$short/." "$WORK/corpus-$short/"
	if timeout $((SECS + 60)) "./fuzz/$name" -max_total_time="$SECS" -max_len=20000 \
		-artifact_prefix="$WORK/art-$short/" -print_final_stats=0 \
		"$WORK/corpus-$short" >"$WORK/$name.log" 2>&1; then
		pass "$name-${SECS}s ($(grep -o 'Done [0-9]* runs' "$WORK/$name.log" | tail -1))"
	else
		fail "$name-${SECS}s" "finding saved as $(ls "$WORK/art-$short" | head -1); add it to fuzz/regress/$short/: $(grep -m3 -E 'ERROR|SUMMARY|runtime error' "$WORK/$name.log" | tr '\n' '|')"
		mkdir -p "fuzz/regress/$short" && cp "$WORK/art-$short"/* "fuzz/regress/$short/" 2>/dev/null
	fi
done
echo "fuzz: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
