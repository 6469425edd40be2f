# SPDX-License-Identifier: GPL-2.0-or-later
# logcmp.sh: compare the syslog lines of pptp-linux and ours.  Sourced by
# test/differential.sh (scenario "loglevels"); usable by any suite that has
# both clients' syslog lines.  Needs pass/fail from test/lib.sh.
#
#   logcmp_lines SYSLOG TAG        lines whose logstring is TAG, as
#                                  "PRIO LABEL: message" (pid, function,
#                                  file and line dropped)
#   logcmp_classify WHO < LINES    one class a line ("?:" + the line when
#                                  no class matches: always a failure)
#   logcmp_compare NAME SCEN LEVEL LINUX-CLASSES OURS-CLASSES
#                                  PASS when the class sets are equal
#                                  once the tolerated differences below
#                                  are taken out; FAIL naming the rest
#
# Both clients say the same thing in different words, so lines are
# compared by what they report (their class), not by their text.
# Classes (who: linux, ours or both; ERE on "PRIO LABEL: message"):
LOGCMP_CLASSES='
sync-option	both	^[0-9]+ log: The synchronous pptp option is (NOT )?activated$
conn-up	both	^[0-9]+ log: Client connection established\.$
call-up	both	^[0-9]+ log: Outgoing call established \(call ID [0-9]+, peer.s call ID [0-9]+\)\.$
msg-trace	linux	^[0-9]+ log: (Sent control packet type is [0-9]+ |Received (Start|Stop) Control Connection Reply|Received Outgoing Call Reply\.|Echo Request received\.|Call disconnect notification received)
msg-trace	ours	^[0-9]+ log: (sent|received) [A-Za-z]+( |$)
result-code	linux	^[0-9]+ log: Result code is [0-9]+ .*Error code is [0-9]+, Cause code is [0-9]+$
result-code	ours	^[0-9]+ log: Call disconnected by server: result=[0-9]+ .* error=[0-9]+ .* cause=[0-9]+$
call-refused	linux	^[0-9]+ log: Our outgoing call request \[callid [0-9]+\] has not been accepted\.$
call-refused	ours	^[0-9]+ warn: Outgoing call failed: result=[0-9]+ \(.*\) error=[0-9]+ \(.*\) cause=[0-9]+$
conn-refused	linux	^[0-9]+ log: (Negative reply received to our Start Control Connection Request|Reply result code is [0-9]+ .*Error code is [0-9]+)$
conn-refused	ours	^[0-9]+ warn: server refused the control connection: result=[0-9]+ \(.*\) error=[0-9]+ \(.*\)$
pptp-conn-close	linux	^[0-9]+ warn: pptp_conn_close\([0-9]+\)$
conn-closing	both	^[0-9]+ log: Closing PPTP connection$
gateway-gone	linux	^[0-9]+ log: Closing connection \(unhandled\)$
gateway-gone	ours	^[0-9]+ log: Closing connection \(call [0-9]+\)$
call-state	linux	^[0-9]+ log: Closing connection \(call state\)$
conn-finished	ours	^[0-9]+ log: control connection to [0-9.]+ finished: .+$
stop-reply	ours	^[0-9]+ log: Stop-Control-Connection-Reply: result=[0-9]+$
tunnel-up	ours	^[0-9]+ log: Tunnel up: server=[0-9.]+ call_id=[0-9]+ peer_call_id=[0-9]+ tty=[^ ]+ pid=[0-9]+$
pty-end	linux	^[0-9]+ warn: (short read \(-?[0-9]+\): .*|pppd may have shutdown, see pppd log)$
pty-end	ours	^[0-9]+ log: pppd closed the pty$
packet-trace	linux	^[0-9]+ log: accepting packet [0-9]+$
tcp-failed	linux	^[0-9]+ warn: connect: .+$
tcp-failed	ours	^[0-9]+ warn: connect to [0-9.]+ port 1723: .+$
no-ctrl-conn	linux	^[0-9]+ fatal: Could not open control connection to [0-9.]+$
no-ctrl-conn	ours	^[0-9]+ warn: Could not open control connection to [0-9.]+(: .+)?$
callmgr-status	linux	^[0-9]+ fatal: Call manager exited with error [0-9]+$
final-cause	ours	^[0-9]+ warn: (Could not reach the PPTP server at [0-9.]+|Call to [0-9.]+ failed): .+$
callmgr-debug	ours	^[0-9]+ log: (call [0-9]+ requested by gateway pid [0-9]+|call manager closing: .+)$
'
# Tolerated differences: class, the only side that has it, the levels and
# scenarios where that is allowed ("*": all), and why.  Anything else
# that only one side writes is a FAIL.
# | class          | only in | levels | scenarios   | why                                                   |
# |----------------|---------|--------|-------------|-------------------------------------------------------|
# | msg-trace      | linux   | 0 1    | *           | pptp-linux names every control message it sends or    |
# |                |         |        |             | receives at every level; ours writes that trace (with |
# |                |         |        |             | every field) at --loglevel 2, and at every level the  |
# |                |         |        |             | milestones and each failure with its codes            |
# | result-code    | linux   | 0 1 2  | plain       | pptp-linux prints the CDN's codes when the server's   |
# |                |         |        |             | CDN beats its teardown (racy); ours at level 2        |
# | result-code    | ours    | 2      | plain       | the same line, ours at level 2 whenever the CDN comes |
# | result-code    | linux   | 0 1 2  | refuse_ocrp | ours puts the codes in its call-refused line          |
# | pptp-conn-close| linux   | 0 1 2  | refuse_sccrp| a trace of an internal function call in pptp-linux    |
# | conn-closing   | ours    | 0 1 2  | plain refuse_ocrp | ours ends the connection with Stop-Control-     |
# |                |         |        |             | Connection-Request (README: deliberate), and says so  |
# | conn-closing   | linux   | 0 1 2  | refuse_sccrp| after a refused SCCRP ours says why (conn-refused),   |
# |                |         |        |             | its StopCCRQ is in the level-2 trace                  |
# | call-state     | linux   | 0 1 2  | *           | pptp-linux's call manager notes each call's end; ours |
# |                |         |        |             | says how the connection ended (conn-finished)         |
# | conn-finished  | ours    | 0 1 2  | *           | the line above, ours                                  |
# | stop-reply     | ours    | 2      | *           | the StopCCRP's result, level 2                        |
# | tunnel-up      | ours    | 0 1 2  | plain       | ours: one stable line naming the call (README)        |
# | pty-end        | ours    | 0 1 2  | plain       | pptp-linux's gateway is usually ended by its call     |
# |                |         |        |             | manager before it reads the pty's end (racy)          |
# | pty-end        | linux   | 2      | plain       | the same, when pptp-linux does see it                 |
# | packet-trace   | linux   | 2      | plain       | pptp-linux writes a line per accepted packet at level |
# |                |         |        |             | 2; ours counts them (--status, SIGUSR1)               |
# | callmgr-debug  | ours    | 2      | *           | call manager detail at level 2                        |
# | no-ctrl-conn   | linux   | 0 1 2  | refuse_sccrp| after a refused SCCRP pptp-linux starts a second call |
# | tcp-failed     | linux   | 0 1 2  | refuse_sccrp| manager, which fails to connect (tsrv has ended) and  |
# | callmgr-status | linux   | 0 1 2  | refuse_sccrp| says so in three lines; ours ends after the refusal   |
# | callmgr-status | linux   | 0 1 2  | noserver    | pptp-linux reports its call manager's exit status;    |
# |                |         |        |             | ours the cause itself (final-cause)                   |
# | final-cause    | ours    | 0 1 2  | refuse_*    | ours ends every failed call with one line naming the  |
# |                |         |        | noserver    | cause; pptp-linux's client is killed by its call      |
# |                |         |        |             | manager (refuse_ocrp) or names an exit status         |
LOGCMP_TOLERATED='
msg-trace	linux	01	*
result-code	linux	012	plain refuse_ocrp
result-code	ours	2	plain
pptp-conn-close	linux	012	refuse_sccrp
conn-closing	ours	012	plain refuse_ocrp
conn-closing	linux	012	refuse_sccrp
call-state	linux	012	*
conn-finished	ours	012	*
stop-reply	ours	2	*
tunnel-up	ours	012	plain
pty-end	ours	012	plain
pty-end	linux	2	plain
packet-trace	linux	2	plain
callmgr-debug	ours	2	*
no-ctrl-conn	linux	012	refuse_sccrp
tcp-failed	linux	012	refuse_sccrp
callmgr-status	linux	012	refuse_sccrp noserver
final-cause	ours	012	refuse_ocrp refuse_sccrp noserver
'

logcmp_lines() {
	local tag=$2
	awk -v tag="$tag" '
	{
		prio = ""
		if (match($0, /^<[0-9]+>/)) prio = substr($0, 2, RLENGTH - 2)
		i = index($0, "]: " tag " ")
		if (!i) next
		rest = substr($0, i + 3 + length(tag) + 1)
		# LABEL[func:file:line]: message
		if (!match(rest, /^[a-z]+\[[^]]*\]: /)) next
		label = substr(rest, 1, index(rest, "[") - 1)
		print prio " " label ": " substr(rest, RLENGTH + 1)
	}' "$1"
}

logcmp_classify() {
	local who=$1
	awk -v who="$who" -v table="$LOGCMP_CLASSES" '
	BEGIN {
		n = split(table, rows, "\n")
		for (i = 1; i <= n; i++) {
			if (split(rows[i], f, "\t") < 3) continue
			if (f[2] != who && f[2] != "both") continue
			k++; cls[k] = f[1]; re[k] = f[3]
		}
	}
	{
		for (j = 1; j <= k; j++)
			if ($0 ~ re[j]) { print cls[j]; next }
		print "?:" $0
	}'
}

# tolerated CLASS SIDE LEVEL SCEN: 0 when the table allows it.
logcmp_tolerated() {
	awk -v c="$1" -v side="$2" -v lvl="$3" -v scen="$4" -v table="$LOGCMP_TOLERATED" '
	BEGIN {
		n = split(table, rows, "\n")
		for (i = 1; i <= n; i++) {
			if (split(rows[i], f, "\t") < 4) continue
			if (f[1] != c || f[2] != side || index(f[3], lvl) == 0) continue
			m = split(f[4], s, " ")
			for (j = 1; j <= m; j++) if (s[j] == "*" || s[j] == scen) exit 0
		}
		exit 1
	}'
}

logcmp_compare() {
	local name=$1 scen=$2 lvl=$3 lf=$4 of=$5 c bad="" notes=""
	sort -u "$lf" >"$lf.set"; sort -u "$of" >"$of.set"
	for c in $(comm -23 "$lf.set" "$of.set" | tr ' ' '_'); do
		if [[ "$c" != \?:* ]] && logcmp_tolerated "$c" linux "$lvl" "$scen"; then
			notes="$notes ${c}(pptp-linux only)"
		else
			bad="$bad|pptp-linux only: $c"
		fi
	done
	for c in $(comm -13 "$lf.set" "$of.set" | tr ' ' '_'); do
		if [[ "$c" != \?:* ]] && logcmp_tolerated "$c" ours "$lvl" "$scen"; then
			notes="$notes ${c}(ours only)"
		else
			bad="$bad|ours only: $c"
		fi
	done
	if [ -n "$bad" ]; then
		fail "$name" "syslog lines differ beyond the tolerated table:${bad}"
	elif [ -n "$notes" ]; then
		pass "$name (tolerated:$notes)"
	else
		pass "$name"
	fi
}
