#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sync downstream through the real line discipline: our pptp --sync and
# pptp-linux 1.10's, each under a real sync pppd (N_SYNC_PPP), against
# PoPToP in the qemu guest of test/e2e, in the same guest run.  UDP
# datagrams (bench/udpflow.c) from the server side of the tunnel to the
# client's ppp address, flat out and paced; the receiver counts intact,
# distinct datagrams.  Opt-in (root, a few minutes under TCG); not a test.
#
# usage: bash bench/sync_qemu.sh            (3 repetitions)
# Environment: SYNC_QEMU_REPS (3), BENCH_OURS (./pptp), BENCH_RESULTS
# (bench/results), SYNC_QEMU_KEEP=DIR (keep the guest logs and run.sh's
# output there), SYNC_QEMU_OUTPUT=FILE (tabulate such an output again), and
# the load: E2E_BENCH_FLAT_N (20000 datagrams, at most E2E_BENCH_FLAT_S
# = 8 s of sending), E2E_BENCH_RATE (400/s) with E2E_BENCH_PACED_N (2000,
# at most E2E_BENCH_PACED_S = 10 s), E2E_BENCH_SIZE (64-byte payload).
# Writes $BENCH_RESULTS/$SYNC_QEMU_NAME.txt (table, then every raw line)
# and .tsv; SYNC_QEMU_NAME is sync-qemu unless set.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
REPS=${SYNC_QEMU_REPS:-3}
OURS=${BENCH_OURS:-$TOP/pptp}
RESULTS=${BENCH_RESULTS:-$HERE/results}
NAME=${SYNC_QEMU_NAME:-sync-qemu}
export E2E_BENCH_FLAT_N=${E2E_BENCH_FLAT_N:-20000} E2E_BENCH_FLAT_S=${E2E_BENCH_FLAT_S:-8}
export E2E_BENCH_RATE=${E2E_BENCH_RATE:-400} E2E_BENCH_PACED_N=${E2E_BENCH_PACED_N:-2000}
export E2E_BENCH_PACED_S=${E2E_BENCH_PACED_S:-10} E2E_BENCH_SIZE=${E2E_BENCH_SIZE:-64}

[ -x "$OURS" ] || { echo "sync_qemu: no client binary $OURS (make pptp)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pptp-syncq.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
LOGS=${SYNC_QEMU_KEEP:-$WORK/logs}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date -u '+%Y-%m-%d %H:%M UTC')
if [ -n "${SYNC_QEMU_OUTPUT:-}" ]; then
	# Tabulate a kept run.sh output again (its NOTE lines).
	cp "$SYNC_QEMU_OUTPUT" "$WORK/out"; : >"$WORK/err"; RC=0
else
	echo "sync_qemu: $REPS repetitions in one guest run (a few minutes)" >&2
	bash "$TOP/test/e2e/run.sh" --pptp "$OURS" --bench sync --bench-reps "$REPS" \
		--keep-logs "$LOGS" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	[ -z "${SYNC_QEMU_KEEP:-}" ] || cp "$WORK/out" "$LOGS/run.out"
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
grep -E '^(PASS|FAIL|e2e:)' "$WORK/out" >&2
grep '^NOTE sync-bench-[0-9]*: client=' "$WORK/out" >"$WORK/notes"
if [ ! -s "$WORK/notes" ]; then
	echo "sync_qemu: the guest reported no figures (run.sh exit $RC)" >&2
	tail -20 "$WORK/err" >&2
	exit 1
fi

mkdir -p "$RESULTS"
awk -v reps="$REPS" -v size="$E2E_BENCH_SIZE" -v tsv="$RESULTS/$NAME.tsv" '
function med(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	lo = a[1]; hi = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, v) { vals[key] = (key in vals) ? vals[key] " " v : v }
{
	rep = $2; sub(/^sync-bench-/, "", rep); sub(/:$/, "", rep)
	delete f
	for (i = 3; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); f[k] = v }
	c = f["client"]; l = f["load"]
	if (!(l in rate)) { loads[++nl] = l; rate[l] = f["rate"] }
	add(c SUBSEP l SUBSEP "sent", f["sent"])
	add(c SUBSEP l SUBSEP "tunnel", f["srv_ppp_tx"])
	add(c SUBSEP l SUBSEP "received", f["received"])
	add(c SUBSEP l SUBSEP "loss", f["sent"] > 0 ? sprintf("%.1f", 100 * (f["sent"] - f["received"]) / f["sent"]) : 0)
	add(c SUBSEP l SUBSEP "rps", f["recv_rate"])
	add(c SUBSEP l SUBSEP "pppin", f["cli_ppp_rx"])
	# Datagrams that reached pppd inside another frame: the pty ran them
	# together and the sync discipline took the run as one frame (IP then
	# trims it to its first packet).  rx_bytes counts each frame without
	# its 2 protocol bytes: k datagrams of 28 + size bytes of IP run
	# together make k * (28 + size) + 4 * (k - 1) bytes in one frame.
	mg = int((f["cli_ppp_rx_bytes"] + 4 * f["cli_ppp_rx"]) / (32 + size) - f["cli_ppp_rx"] + 0.5)
	if (mg <= 0) mg = 0	# a short non-load frame (IPv6 ND, LCP) in the counts
	add(c SUBSEP l SUBSEP "merged", mg)
	add(c SUBSEP l SUBSEP "mergedpct", mg + f["cli_ppp_rx"] > 0 ? sprintf("%.1f", 100 * mg / (mg + f["cli_ppp_rx"])) : 0)
	if (f["gre_lost"] != "?")
		add(c SUBSEP l SUBSEP "grelost", f["gre_lost"])
	add(c SUBSEP l SUBSEP "errs", f["cli_ppp_rx_errors"] + f["pppd_complaints"] + f["ip_drops"] + f["bad"])
	add(c SUBSEP l SUBSEP "rcvbuf", f["udp_rcvbuf_errors"])
	r[rep, c, l] = f["recv_rate"]
	if (rep > maxrep) maxrep = rep
}
END {
	printf "%-12s %-40s %-20s %-20s %s\n", "load", "metric", "ours", "pptp-linux", "ours/pptp-linux"
	print "test\tmetric\tours\tpptp_linux\tratio\tratio_min\tratio_max\treps" >tsv
	split("sent tunnel pppin received loss rps merged mergedpct grelost errs rcvbuf", ms, " ")
	split("datagrams sent|entered the tunnel (server ppp tx)|frames pppd got (client ppp rx)|received intact|loss % (of sent)|received/s|merged: rode inside another frame|merged, % of datagrams that reached pppd|GRE lost (client counter)|rx errors+complaints+bad|UDP rcvbuf/csum drops", md, "|")
	for (li = 1; li <= nl; li++) {
		l = loads[li]
		label = l == "flat" ? "flat out" : "paced " rate[l] "/s"
		for (mi = 1; mi <= 11; mi++) {
			m = ms[mi]
			o = ((("ours" SUBSEP l SUBSEP m) in vals)) ? med(vals["ours" SUBSEP l SUBSEP m]) : "?"; olo = lo; ohi = hi
			t = ((("pptp-linux" SUBSEP l SUBSEP m) in vals)) ? med(vals["pptp-linux" SUBSEP l SUBSEP m]) : "?"; tlo = lo; thi = hi
			ratio = ""
			if (m == "rps") {
				rl = ""
				for (k = 1; k <= maxrep; k++)
					if (((k, "ours", l) in r) && ((k, "pptp-linux", l) in r) && r[k, "pptp-linux", l] > 0)
						rl = rl " " sprintf("%.2f", r[k, "ours", l] / r[k, "pptp-linux", l])
				if (rl != "") { rm = med(rl); ratio = sprintf("%.2f [%.2f-%.2f]", rm, lo, hi)
					printf "sync_qemu_%s\trecv_per_s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d\n", l, o, t, rm, lo, hi, split(rl, tmp, " ") >tsv }
			} else if (m == "received" || m == "loss" || m == "merged" || m == "mergedpct")
				printf "sync_qemu_%s\t%s\t%s\t%s\t\t\t\t%d\n", l, m == "loss" ? "loss_pct" : m == "mergedpct" ? "merged_pct" : m, o, t, split(vals["ours" SUBSEP l SUBSEP m], tmp, " ") >tsv
			printf "%-12s %-40s %-20s %-20s %s\n", mi == 1 ? label : "", md[mi],
				o (olo != ohi ? " [" olo "-" ohi "]" : ""), t (tlo != thi ? " [" tlo "-" thi "]" : ""), ratio
		}
	}
}' "$WORK/notes" >"$WORK/table"

{
	echo "# Sync downstream through pppd's sync line discipline (bench/sync_qemu.sh)"
	echo "# $T0, $REPS repetitions in one qemu TCG guest (${E2E_SMP:-1} vCPU), odd ones ours first;"
	echo "# host load before/after: $LOAD0 / $LOAD1; $(nproc) host CPUs"
	echo "# load: UDP, ${E2E_BENCH_SIZE}-byte payload, server side -> client ppp address;"
	echo "#   flat: $E2E_BENCH_FLAT_N datagrams, at most ${E2E_BENCH_FLAT_S}s of sending, as fast as sendto returns;"
	echo "#   paced: $E2E_BENCH_PACED_N at ${E2E_BENCH_RATE}/s.  Medians [min-max]; ratio per repetition, then its median."
	echo "# client: pptp SERVER --sync under pppd sync noaccomp nopcomp novj noccp; server PoPToP 1.4, no MPPE."
	echo
	cat "$WORK/table"
	echo
	echo "# raw, one line per client, load and repetition:"
	sed 's/^NOTE //' "$WORK/notes"
	echo "# $(grep -E '^e2e:' "$WORK/out" | tail -1)"
} >"$RESULTS/$NAME.txt"
cat "$WORK/table"
echo "sync_qemu: wrote $RESULTS/$NAME.txt and $NAME.tsv" >&2
grep -q '^e2e: [0-9]* passed, 0 failed' "$WORK/out"
