# SPDX-License-Identifier: GPL-2.0-or-later
# summary.awk: bench raw rows (test, client, rep, metric, value) to the
# table on stdout and the .json/.tsv files.  POSIX awk (mawk is enough).
# Each figure: median of the repetitions, with min and max.

function unit(m) {
	if (m ~ /fps$/) return "frames/s"
	if (m == "mbps") return "Mbit/s"
	if (m == "loss_pct" || m == "delivered_pct") return "%"
	if (m == "cpu_s_per_mframe") return "CPU s/Mframe"
	if (m == "rss_per_call_kb") return "kB/call"
	if (m == "acks_per_frame") return "acks/frame"
	if (m == "merged_pct") return "%"
	if (m == "ack_timeouts") return "count"
	if (m ~ /_us$/) return "us"
	return ""
}
# +1: more is better, -1: less is better, 0: neither
function better(m) {
	if (m == "fps" || m == "pty_fps" || m == "mbps" || m == "delivered_pct" || m == "separate_fps") return 1
	if (m == "offered_fps") return 0
	return -1
}
function sortn(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
}
# stats of key k: sets MED, MIN, MAX, N, VALS
function stats(k,    i, n, v, a) {
	n = cnt[k]
	N = n
	VALS = ""
	if (!n) { MED = MIN = MAX = "nan"; return }
	for (i = 1; i <= n; i++) { a[i] = val[k, i] + 0; VALS = VALS (i > 1 ? "," : "") val[k, i] }
	sortn(a, n)
	MIN = a[1]; MAX = a[n]
	MED = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(x) {
	if (x == "nan" || x == "") return "-"
	x += 0
	if (x >= 10000 || x <= -10000) return sprintf("%.0f", x)
	if (x >= 100 || x <= -100) return sprintf("%.1f", x)
	if (x >= 1 || x <= -1) return sprintf("%.2f", x)
	return sprintf("%.3f", x)
}
function jnum(x) { return (x == "nan" || x == "") ? "null" : sprintf("%.6g", x + 0) }
function jclient(k,    s) {
	stats(k)
	if (!N) return "null"
	return sprintf("{\"median\": %s, \"min\": %s, \"max\": %s, \"n\": %d, \"values\": [%s]}",
		jnum(MED), jnum(MIN), jnum(MAX), N, VALS)
}

{
	k = $1 SUBSEP $2 SUBSEP $4
	cnt[k]++
	val[k, cnt[k]] = $5
	tm = $1 SUBSEP $4
	if (!(tm in seen)) { seen[tm] = 1; order[++norder] = tm }
}

END {
	printf "test\tmetric\tunit\tours_median\tours_min\tours_max\ttheirs_median\ttheirs_min\ttheirs_max\tratio_ours_over_theirs\tbetter\n" > tsv
	printf "{\n  \"generated\": \"%s\",\n  \"machine\": {\"cpus\": %d, \"kernel\": \"%s\", \"loadavg_before\": \"%s\", \"loadavg_after\": \"%s\"},\n", when, ncpu, kern, lb, la > json
	printf "  \"clients\": {\"ours\": \"%s\", \"ours_build\": \"%s\", \"theirs\": \"%s\", \"theirs_version\": \"%s\"},\n", ours, oid, theirs, tver > json
	printf "  \"failures\": \"%s\",\n", faillist > json
	printf "  \"repetitions\": %d,\n  \"elapsed_s\": %d,\n  \"failed_runs\": %d,\n  \"statistic\": \"median of repetitions, with min and max\",\n  \"results\": [\n", reps, elapsed, fails > json

	printf "\n%-17s %-17s %-13s %-26s %-26s %s\n", "test", "metric", "unit", "ours median [min-max]", "pptp-linux median [min-max]", "ours/theirs"
	printf "%s\n", "------------------------------------------------------------------------------------------------------------------"
	last = ""
	for (i = 1; i <= norder; i++) {
		split(order[i], p, SUBSEP)
		t = p[1]; m = p[2]
		if (last != "" && t != last) printf "\n"
		last = t
		ko = t SUBSEP "ours" SUBSEP m
		kt = t SUBSEP "theirs" SUBSEP m
		kn = t SUBSEP "none" SUBSEP m
		if (cnt[kn]) {
			stats(kn)
			printf "%-17s %-17s %-13s %-26s %-26s %s\n", t, m, unit(m),
				fmt(MED) " [" fmt(MIN) "-" fmt(MAX) "]", "(no client)", ""
			printf "%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\t\n", t, m, unit(m), MED, MIN, MAX > tsv
			printf "%s    {\"test\": \"%s\", \"metric\": \"%s\", \"unit\": \"%s\", \"client\": \"none\", \"value\": %s}",
				(i > 1 ? ",\n" : ""), t, m, unit(m), jclient(kn) > json
			continue
		}
		stats(ko); om = MED; on = N; so = fmt(MED) " [" fmt(MIN) "-" fmt(MAX) "]"
		oline = MED "\t" MIN "\t" MAX
		stats(kt); tmed = MED; tn = N; st = fmt(MED) " [" fmt(MIN) "-" fmt(MAX) "]"
		tline = MED "\t" MIN "\t" MAX
		ratio = (on && tn && tmed + 0 != 0) ? om / tmed : "nan"
		if (!on) { so = "-"; oline = "\t\t" }
		if (!tn) { st = "-"; tline = "\t\t" }
		b = better(m)
		printf "%-17s %-17s %-13s %-26s %-26s %s%s\n", t, m, unit(m), so, st,
			fmt(ratio), (ratio == "nan" ? "" : (b > 0 ? " (higher better)" : (b < 0 ? " (lower better)" : "")))
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t, m, unit(m), oline, tline,
			(ratio == "nan" ? "" : sprintf("%.4g", ratio)), (b > 0 ? "higher" : (b < 0 ? "lower" : "")) > tsv
		printf "%s    {\"test\": \"%s\", \"metric\": \"%s\", \"unit\": \"%s\", \"better\": \"%s\", \"ours\": %s, \"theirs\": %s, \"ratio_ours_over_theirs\": %s}",
			(i > 1 ? ",\n" : ""), t, m, unit(m), (b > 0 ? "higher" : (b < 0 ? "lower" : "n/a")),
			jclient(ko), jclient(kt), jnum(ratio) > json
	}
	printf "\n  ]\n}\n" > json
}
