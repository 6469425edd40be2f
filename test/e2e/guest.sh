# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the e2e guest (busybox sh): sets up the server and client
# network namespaces and the PoPToP server, then runs each test in its own
# process with a hard time limit and prints "E2E-RESULT PASS|FAIL name".
#
# Note: busybox sh prefers its own applets, so iproute2 is always called as
# /usr/sbin/ip (busybox ip has no netns support).

IP=/usr/sbin/ip
PPPD=/usr/sbin/pppd
PPTP=/usr/sbin/pptp
SERVER=192.0.2.1
CLIENT_LAN=192.0.2.2
LOCAL_PPP=203.0.113.1
USER_NAME=e2euser
USER_PASS=e2epass
LOGROOT=/tmp/logs
# Hard limit for one test process; every wait inside a test is shorter.
TEST_LIMIT=100
# Seconds to wait for a tunnel to come up (MS-CHAPv2 + MPPE under TCG).
UP_WAIT=40
# Seconds pptp processes may take to go away after their peer did.
EXIT_BOUND=10

. /e2e/config

say() { echo "e2e-guest: $*"; }

# ------------------------------------------------------------------ helpers
cli() { $IP netns exec cli "$@"; }
srv() { $IP netns exec srv "$@"; }

# Seconds since boot, as an integer.
now() { cut -d. -f1 /proc/uptime; }
# Hundredths of a second since boot.
now_cs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }
# CPU time spent busy since boot, in hundredths (USER_HZ): everything but
# idle and iowait, kernel work (softirq: GRE, MPPE) included.
cpu_busy_cs() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.25 s until it succeeds.
wait_until() {
	local limit=$1 end
	shift
	end=$(( $(now) + limit ))
	while [ "$(now)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.25
	done
	"$@"
}

# PIDs of running processes whose executable is the client under test.
pptp_pids() {
	local d exe
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		[ "$exe" = "$PPTP" ] && echo "${d#/proc/}"
	done
}
no_pptp() { [ -z "$(pptp_pids)" ]; }

# PIDs of a given executable inside a namespace.
ns_pids_of() { # ns exe
	local p exe
	for p in $($IP netns pids "$1" 2>/dev/null); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		[ "$exe" = "$2" ] && echo "$p"
	done
}

cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# PIDs of client processes in a role: the process title (argv, as
# pptp-linux's upstream sets it) contains a string, or the comm name (as
# Debian's pptp-linux 1.10 sets it with prctl) is the given short name.
pptp_titled() { # title-substring comm-name
	local p
	for p in $(pptp_pids); do
		case "$(cmdline "$p")" in
		*"$1"*) echo "$p" ;;
		*) [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p" ;;
		esac
	done
}
pptp_list() { # for failure messages
	local p
	for p in $(pptp_pids); do echo "[$p $(cat "/proc/$p/comm") $(cmdline "$p")]"; done
}

# A process counts as alive until it is reaped or a zombie.
alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ]
}
gone() { ! alive "$1"; }

# ppp interface in cli whose peer is the server end: "ifname local-address".
cli_ppp() {
	$IP -n cli -o -4 addr show 2>/dev/null |
		awk -v peer="$LOCAL_PPP" '$4 ~ /^203\.0\.113\./ && $6 ~ "^" peer "/" { split($4, a, "/"); print $2, a[1] }' |
		head -1
}
cli_if_up() { # ifname
	$IP -n cli -o -4 addr show dev "$1" 2>/dev/null | grep -q "peer $LOCAL_PPP/"
}
cli_has_ppp() { [ -n "$(cli_ppp)" ]; }
cli_if_gone() { ! $IP -n cli link show dev "$1" >/dev/null 2>&1; }
cli_ppp_addr() { $IP -n cli -o -4 addr show dev "$1" 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }'; }

# Established TCP connections to port 1723 (06BB) seen from a namespace.
tcp_1723() {
	$IP netns exec "$1" cat /proc/net/tcp | awk '$3 ~ /:06BB$/ && $4 == "01"' | wc -l
}
listening_1723() {
	srv cat /proc/net/tcp | awk '$2 ~ /:06BB$/ && $4 == "0A"' | grep -q .
}

ping_ok() { # ns [ping args] dest
	local ns=$1
	shift
	$IP netns exec "$ns" ping -c 3 -w 15 -q "$@" >>"$LOG/ping.log" 2>&1
}

# Syslog position bookkeeping: lines logged since the test started.
SYSLOG=/tmp/messages
syslog_mark() { wc -l <"$SYSLOG"; }
syslog_since() { tail -n +"$(( ${SYSLOG_START:-0} + 1 ))" "$SYSLOG"; }
syslog_has() { syslog_since | grep -q -E "$1"; }

# Process, socket and interface state, for the logs of a failed test.
diag() {
	local d
	{
		echo "== processes"
		for d in /proc/[0-9]*; do
			[ -r "$d/cmdline" ] || continue
			echo "${d#/proc/} ppid=$(sed 's/.*) //' "$d/stat" | cut -d' ' -f2) exe=$(readlink "$d/exe") comm=$(cat "$d/comm") cmd=[$(tr '\0' ' ' <"$d/cmdline")]"
		done
		echo "== /var/run/pptp"; ls -la /var/run/pptp
		echo "== cli"; $IP -n cli addr; cli netstat -tan
		echo "== srv"; $IP -n srv addr; srv netstat -tan
	} >"$LOG/diag" 2>&1
}
fail() { echo "FAIL: $*" >"$LOG/result"; diag; exit 1; }
pass() { echo "PASS" >"$LOG/result"; exit 0; }

# ------------------------------------------------------------------ server
write_server_config() {
	mkdir -p /etc/ppp/peers
	: >/etc/ppp/options
	cat >/etc/ppp/chap-secrets <<-EOF
	# client	server	secret	addresses
	$USER_NAME	pptpd	$USER_PASS	*
	$USER_NAME	PPTP	$USER_PASS	*
	EOF
	chmod 600 /etc/ppp/chap-secrets
	cat >/etc/ppp/options.pptpd <<-EOF
	name pptpd
	refuse-pap
	refuse-chap
	refuse-mschap
	require-mschap-v2
	require-mppe-128
	ms-dns 203.0.113.53
	noproxyarp
	nodefaultroute
	nodeflate
	nobsdcomp
	debug
	EOF
	sed -e '/require-mppe-128/d' -e '$a nomppe' /etc/ppp/options.pptpd \
		>/etc/ppp/options.pptpd-nomppe
}

write_pptpd_conf() { # options-file
	cat >/etc/pptpd.conf <<-EOF
	ppp $PPPD
	option $1
	localip $LOCAL_PPP
	remoteip 203.0.113.10-20
	EOF
}

SERVER_PID=
start_server() { # [profile]
	local opts=/etc/ppp/options.pptpd
	[ "${1:-}" = nomppe ] && opts=/etc/ppp/options.pptpd-nomppe
	write_pptpd_conf "$opts"
	$IP netns exec srv /usr/sbin/pptpd -f -c /etc/pptpd.conf >>"$LOG/pptpd.out" 2>&1 &
	SERVER_PID=$!
	wait_until 10 listening_1723 || fail "pptpd did not start listening on 1723"
}

stop_ns() { # ns: kill everything in it, stopped processes included
	local p
	for p in $($IP netns pids "$1" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
}

cleanup_all() {
	stop_ns cli
	stop_ns srv
	for p in $(pptp_pids); do kill -KILL "$p" 2>/dev/null; done
	# The fallback test unloads the kernel's PPTP; later tests want it.
	[ -d /sys/module/pptp ] || insmod /modules/pptp.ko 2>/dev/null
	sleep 0.5
	rm -f /var/run/pptp/* 2>/dev/null
}

# ------------------------------------------------------------------ clients
# Client pppd exactly as NetworkManager-pptp starts it, plus logging.
# extra pptp options in $PPTP_OPTS, extra pppd options as arguments.
start_nm_client() { # tag [pppd options...]
	local tag=$1
	shift
	$IP netns exec cli $PPPD pty "$PPTP $SERVER --nolaunchpppd --loglevel 1 --logstring nm-pptp-service-1234${PPTP_OPTS:+ $PPTP_OPTS}" \
		nodetach lock usepeerdns noipdefault nodefaultroute noauth \
		refuse-eap refuse-pap refuse-chap refuse-mschap \
		user "$USER_NAME" password "${PASSWORD:-$USER_PASS}" \
		debug logfile "$LOG/pppd-$tag.log" "$@" \
		>>"$LOG/pppd-$tag.out" 2>&1 &
	PPPD_PID=$!
}

# Wait for a ppp interface in cli; set IFACE and ADDR.
wait_up() { # [ifname]
	if [ -n "${1:-}" ]; then
		wait_until "$UP_WAIT" cli_if_up "$1" || return 1
		IFACE=$1
	else
		wait_until "$UP_WAIT" cli_has_ppp || return 1
		IFACE=$(cli_ppp | cut -d' ' -f1)
	fi
	ADDR=$(cli_ppp_addr "$IFACE")
	say "$T: $IFACE up, $ADDR peer $LOCAL_PPP"
}

# Ping the server end from cli and the client end from srv.
ping_both() { # ifname addr
	ping_ok cli -I "$1" "$LOCAL_PPP" || fail "ping cli -> $LOCAL_PPP over $1 failed"
	ping_ok srv "$2" || fail "ping srv -> $2 failed"
}

# After pppd is gone, every pptp process must go within EXIT_BOUND.
expect_pptp_exit() { # what
	wait_until "$EXIT_BOUND" no_pptp ||
		fail "pptp processes still running ${EXIT_BOUND}s after $1: $(pptp_list)"
}
expect_no_sockets() {
	local left
	left=$(ls /var/run/pptp/ 2>/dev/null)
	[ -z "$left" ] || fail "left behind in /var/run/pptp: $left"
}

mppe_negotiated() { grep -q -E 'MPPE 128-bit (stateless|stateful) compression enabled' "$1"; }

# ------------------------------------------------------------------ tests
t_nm_pty() {
	start_server
	start_nm_client a require-mppe-128
	wait_up || fail "no ppp interface with peer $LOCAL_PPP in cli after ${UP_WAIT}s"
	mppe_negotiated "$LOG/pppd-a.log" || fail "pppd did not report MPPE 128-bit"
	case "$ADDR" in 203.0.113.1[0-9]|203.0.113.20) ;;
	*) fail "local address $ADDR not from the server's pool" ;; esac
	ping_both "$IFACE" "$ADDR"
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd did not exit after SIGTERM"
	expect_pptp_exit "pppd exited"
	pass
}

t_peers_file() {
	start_server
	cat >/etc/ppp/peers/e2e <<-EOF
	pty "$PPTP $SERVER --nolaunchpppd"
	name $USER_NAME
	remotename PPTP
	require-mppe-128
	file /etc/ppp/options.pptp
	ipparam e2e
	EOF
	cat >/etc/ppp/options.pptp <<-EOF
	lock
	noauth
	refuse-pap
	refuse-eap
	refuse-chap
	refuse-mschap
	nobsdcomp
	nodeflate
	EOF
	$IP netns exec cli $PPPD call e2e nodetach debug logfile "$LOG/pppd-a.log" >>"$LOG/pppd-a.out" 2>&1 &
	PPPD_PID=$!
	wait_up || fail "no ppp interface after ${UP_WAIT}s (pppd call e2e)"
	ping_both "$IFACE" "$ADDR"
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd did not exit after SIGTERM"
	expect_pptp_exit "pppd exited"
	pass
}

t_launch() {
	start_server
	$IP netns exec cli $PPTP $SERVER nodetach noauth refuse-eap refuse-pap refuse-chap refuse-mschap \
		require-mppe-128 user "$USER_NAME" password "$USER_PASS" \
		debug logfile "$LOG/pppd-a.log" >>"$LOG/pptp.out" 2>&1 &
	wait_up || fail "no ppp interface after ${UP_WAIT}s (pptp launching pppd)"
	ping_both "$IFACE" "$ADDR"
	PPPD_PID=$(ns_pids_of cli $PPPD | head -1)
	[ -n "$PPPD_PID" ] || fail "no pppd process found in cli"
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd did not exit after SIGTERM"
	expect_pptp_exit "pppd exited"
	pass
}

# bulk BLOCKS: BLOCKS x 64 KiB of random data each way through the tunnel,
# over HTTP, checked by md5; sets BULK_DOWN_S and BULK_UP_S.
bulk() {
	local want got blocks=$1
	mkdir -p /tmp/www-srv /tmp/www-cli
	dd if=/dev/urandom of=/tmp/www-srv/down bs=65536 count="$blocks" 2>/dev/null
	dd if=/dev/urandom of=/tmp/www-cli/up bs=65536 count="$blocks" 2>/dev/null
	$IP netns exec srv httpd -f -p "$LOCAL_PPP:8080" -h /tmp/www-srv &
	H1=$!
	$IP netns exec cli httpd -f -p "$ADDR:8080" -h /tmp/www-cli &
	H2=$!
	sleep 1
	local t0=$(now) c0=$(now_cs) u0=$(cpu_busy_cs)
	cli timeout 60 wget -q -O /tmp/got-down "http://$LOCAL_PPP:8080/down" ||
		fail "download srv -> cli failed"
	local t1=$(now) c1=$(now_cs) u1=$(cpu_busy_cs)
	srv timeout 60 wget -q -O /tmp/got-up "http://$ADDR:8080/up" ||
		fail "upload cli -> srv failed"
	local t2=$(now) c2=$(now_cs) u2=$(cpu_busy_cs)
	# Hundredths of a second, wall and busy CPU (the guest has one).
	BULK_WALL_CS=$((c2 - c0))
	BULK_CPU_CS=$((u2 - u0))
	BULK_DOWN_CS=$((c1 - c0)) BULK_UP_CS=$((c2 - c1))
	BULK_CPU_DOWN_CS=$((u1 - u0)) BULK_CPU_UP_CS=$((u2 - u1))
	kill "$H1" "$H2" 2>/dev/null
	want=$(md5sum </tmp/www-srv/down); got=$(md5sum </tmp/got-down)
	[ "$want" = "$got" ] || fail "download md5 mismatch ($(wc -c </tmp/got-down) bytes)"
	want=$(md5sum </tmp/www-cli/up); got=$(md5sum </tmp/got-up)
	[ "$want" = "$got" ] || fail "upload md5 mismatch ($(wc -c </tmp/got-up) bytes)"
	BULK_DOWN_S=$((t1 - t0))
	BULK_UP_S=$((t2 - t1))
	rm -rf /tmp/www-srv /tmp/www-cli /tmp/got-down /tmp/got-up
}

t_traffic() {
	start_server
	start_nm_client a require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s"
	ping_both "$IFACE" "$ADDR"
	bulk 64
	say "$T: 4 MiB down in ${BULK_DOWN_S}s, 4 MiB up in ${BULK_UP_S}s"
	pass
}

# PoPToP 1.4 handles one call per control connection: when a second
# Outgoing-Call-Request arrives on it, pptpctrl logs "Request to open call
# when call is already open, closing", drops the first call and serves the
# second; and when either call is later cleared it closes the whole control
# connection. So against this server the test demands: one call manager, one
# TCP connection, the second call's data path working, the first call either
# working or closed by the server (as logged), and after the first call's
# teardown either the second call still working or, if the server closed
# the control connection (as logged), a clean exit of everything.
t_two_calls() { two_calls start_nm_client; }

two_calls() { # client-starter [check-after-both-up]
	local n start=$1 check=${2:-true}
	start_server
	$start a require-mppe-128 unit 10
	PID_A=$PPPD_PID
	wait_up ppp10 || fail "first call: no ppp10 after ${UP_WAIT}s"
	ADDR_A=$ADDR
	ping_both ppp10 "$ADDR_A"
	$start b require-mppe-128 unit 11
	PID_B=$PPPD_PID
	wait_up ppp11 || fail "second call: no ppp11 after ${UP_WAIT}s"
	ADDR_B=$ADDR
	$check
	n=$(pptp_titled "call manager" pptpcm | wc -l)
	[ "$n" -eq 1 ] || fail "expected 1 call manager process, found $n: $(pptp_list)"
	n=$(tcp_1723 cli)
	[ "$n" -eq 1 ] || fail "expected 1 TCP connection to 1723, found $n"
	ping_ok cli -I ppp11 "$LOCAL_PPP" || fail "second call: ping cli -> $LOCAL_PPP over ppp11 failed"
	if $IP netns exec cli ping -c 2 -w 6 -q -I ppp10 "$LOCAL_PPP" >>"$LOG/ping.log" 2>&1; then
		say "$T: both calls carry traffic"
	elif syslog_has 'call is already open, closing'; then
		say "$T: first call closed by the server (PoPToP: one call per control connection)"
	else
		fail "first call stopped working when the second came up, and the server did not close it"
	fi
	kill "$PID_A"
	wait_until 15 gone "$PID_A" || fail "first pppd did not exit after SIGTERM"
	wait_until 10 cli_if_gone ppp10 || fail "ppp10 still present"
	sleep 2
	if syslog_has 'CTRL: Client [0-9.]* control connection finished'; then
		# PoPToP tied its only call to whichever Call-ID the client
		# cleared and closed the whole control connection: the second
		# call must then go down cleanly.
		say "$T: server closed the control connection when the first call was cleared (PoPToP)"
		wait_until 20 gone "$PID_B" || fail "second pppd still running 20s after the server closed the control connection"
	else
		alive "$PID_B" || fail "second pppd died with the first call"
		ping_ok cli -I ppp11 "$LOCAL_PPP" || fail "second call: ping over ppp11 failed after the first call ended"
		n=$(tcp_1723 cli)
		[ "$n" -eq 1 ] || fail "after first teardown: expected 1 TCP connection, found $n"
		kill "$PID_B"
		wait_until 15 gone "$PID_B" || fail "second pppd did not exit after SIGTERM"
	fi
	expect_pptp_exit "both pppd exited"
	expect_no_sockets
	pass
}

t_sigusr1() {
	local gw n
	start_server
	start_nm_client a require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s"
	ping_both "$IFACE" "$ADDR"
	gw=$(pptp_titled "GRE-to-PPP" pptpgw | head -1)
	[ -n "$gw" ] || fail "no client process titled 'GRE-to-PPP gateway': $(pptp_list)"
	kill -USR1 "$gw"
	wait_until 10 syslog_has 'rx accepted *= *[0-9]' ||
		fail "no 'rx accepted = N' in syslog after SIGUSR1"
	syslog_has 'GRE statistics' || fail "no 'GRE statistics' in syslog after SIGUSR1"
	n=$(syslog_since | sed -n 's/.*rx accepted *= *\([0-9]*\).*/\1/p' | tail -1)
	[ "${n:-0}" -ge 6 ] || fail "rx accepted = $n, expected at least 6 after pings"
	alive "$gw" || fail "GRE-to-PPP gateway died on SIGUSR1"
	ping_ok cli -I "$IFACE" "$LOCAL_PPP" || fail "tunnel broken after SIGUSR1"
	pass
}

t_sync() {
	start_server nomppe
	PPTP_OPTS=--sync
	# A pty does not keep frame boundaries, so a sync-mode client has to
	# find them from the PPP header: keep address/control and protocol
	# fields uncompressed and the payloads self-describing (no VJ, no CCP).
	start_nm_client a sync noaccomp nopcomp novj noccp
	wait_up || fail "no ppp interface after ${UP_WAIT}s (--sync + pppd sync)"
	ping_both "$IFACE" "$ADDR"
	mppe_negotiated "$LOG/pppd-a.log" && fail "MPPE negotiated although disabled"
	pass
}

t_sync_mppe() {
	local errs0 errs1 rxerr
	start_server
	PPTP_OPTS=--sync
	start_nm_client a sync noaccomp nopcomp novj require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s (--sync + pppd sync + MPPE)"
	ping_both "$IFACE" "$ADDR"
	# Bulk data both ways: two frames run together on the pty would fail
	# MPPE decryption (the kernel logs it) and stall the transfer.
	errs0=$(dmesg | grep -ci mppe)
	bulk 16
	errs1=$(dmesg | grep -ci mppe)
	rxerr=$($IP netns exec cli cat /sys/class/net/"$IFACE"/statistics/rx_errors 2>/dev/null)
	say "$T: 1 MiB down in ${BULK_DOWN_S}s, 1 MiB up in ${BULK_UP_S}s; kernel MPPE complaints $((errs1 - errs0)), client ppp rx_errors ${rxerr:-?}"
	pass
}

# ------------------------------------------- sync downstream bench (opt-in)
# Not a test of the default suite: run.sh --bench sync (bench/sync_qemu.sh).
# Sync mode downstream through the real N_SYNC_PPP line discipline, which
# takes each chunk the pty's flush work hands it as one frame: UDP
# datagrams from the server side of the tunnel to the client's ppp
# address, counted intact and distinct by the receiver (bench/udpflow),
# for our client and pptp-linux 1.10 in the same guest run.
UDPFLOW=/usr/bin/udpflow
PPTP_LINUX_BIN=/usr/lib/pptp-linux/pptp
BENCH_PORT=9000
BENCH_SIZE=${E2E_BENCH_SIZE:-64}

# Sum of the IP/UDP counters that say a datagram died in the client's
# stack rather than in the tunnel: IP header/length errors, truncated
# packets, UDP receive-buffer overflows.
cli_stack_drops() {
	cli cat /proc/net/snmp /proc/net/netstat | awk '
		/^Ip: / { if (++ip == 1) { for (i = 2; i <= NF; i++) h[i] = $i } else { for (i = 2; i <= NF; i++) if (h[i] == "InHdrErrors" || h[i] == "InDiscards") s += $i } }
		/^IpExt: / { if (++ie == 1) { for (i = 2; i <= NF; i++) e[i] = $i } else { for (i = 2; i <= NF; i++) if (e[i] == "InTruncatedPkts" || e[i] == "InCsumErrors") s += $i } }
		/^Udp: / { if (++u == 1) { for (i = 2; i <= NF; i++) g[i] = $i } else { for (i = 2; i <= NF; i++) if (g[i] == "RcvbufErrors" || g[i] == "InCsumErrors") rb += $i } }
		END { print s + 0, rb + 0 }'
}
cli_if_stat() { cli cat "/sys/class/net/$IFACE/statistics/$1" 2>/dev/null || echo 0; }
srv_ppp_if() {
	$IP -n srv -o -4 addr show 2>/dev/null | awk -v peer="$ADDR" '$6 ~ "^" peer "/" { print $2; exit }'
}
srv_if_stat() { srv cat "/sys/class/net/$SIFACE/statistics/$1" 2>/dev/null || echo 0; }
recv_ready() { grep -q '^ready=1' "$1"; }
# The gateway's GRE counters (both clients log them on SIGUSR1, in the
# same words): "accepted lost", cumulative.
usr1_count() { syslog_since | grep -c 'rx accepted *='; }
usr1_more() { [ "$(usr1_count)" -gt "$1" ]; }
gre_counters() {
	local n
	n=$(usr1_count)
	kill -USR1 "$GW" 2>/dev/null || { echo "? ?"; return; }
	wait_until 5 usr1_more "$n" || { echo "? ?"; return; }
	sleep 0.3	# the rest of the block
	echo "$(syslog_since | sed -n 's/.*rx accepted *= *\([0-9]*\).*/\1/p' | tail -1) $(syslog_since | sed -n 's/.*rx lost *= *\([0-9]*\).*/\1/p' | tail -1)"
}
delta() { # after before
	case "$1$2" in *'?'*) echo '?' ;; *) echo $(($1 - $2)) ;; esac
}
kv() { sed -n "s/^$1=//p" "$2" | tail -1; }

# sync_load NAME COUNT RATE MAX_S: one load on the live call; says one
# line of key=value figures for bench/sync_qemu.sh.
sync_load() {
	local name=$1 count=$2 rate=$3 maxs=$4 rp r0 e0 d0 b0 t0 st0 cp0 k0 g0 r1 e1 d1 b1 t1 st1 cp1 k1 g1 out in
	out=$LOG/recv-$CLIENT-$name
	r0=$(cli_if_stat rx_packets) e0=$(cli_if_stat rx_errors) d0=$(cli_if_stat rx_dropped) b0=$(cli_if_stat rx_bytes)
	t0=$(srv_if_stat tx_packets) st0=$(cli_stack_drops)
	cp0=$(grep -c -i -E 'unsupported protocol|protrej|protocol-reject|bad|error' "$LOG/pppd-$CLIENT.log")
	k0=$(dmesg | wc -l)
	g0=$(gre_counters)
	cli $UDPFLOW recv "$ADDR" "$BENCH_PORT" "$count" "$BENCH_SIZE" 5000 $((maxs + 30)) >"$out" 2>&1 &
	rp=$!
	wait_until 5 recv_ready "$out" || fail "$CLIENT $name: receiver not ready: $(cat "$out")"
	in=$LOG/send-$CLIENT-$name
	srv $UDPFLOW send "$ADDR" "$BENCH_PORT" "$count" "$BENCH_SIZE" "$rate" "$maxs" >"$in" 2>&1 ||
		fail "$CLIENT $name: sender failed: $(cat "$in")"
	wait_until 40 gone "$rp" || { kill "$rp"; fail "$CLIENT $name: receiver still running 40s after the sender ended"; }
	r1=$(cli_if_stat rx_packets) e1=$(cli_if_stat rx_errors) d1=$(cli_if_stat rx_dropped) b1=$(cli_if_stat rx_bytes)
	t1=$(srv_if_stat tx_packets) st1=$(cli_stack_drops)
	cp1=$(grep -c -i -E 'unsupported protocol|protrej|protocol-reject|bad|error' "$LOG/pppd-$CLIENT.log")
	k1=$(dmesg | wc -l)
	g1=$(gre_counters)
	[ -n "$(kv received "$out")" ] || fail "$CLIENT $name: receiver printed no result: $(cat "$out")"
	say "$T: client=$CLIENT load=$name rate=$rate sent=$(kv sent "$in") send_s=$(kv send_s "$in") srv_ppp_tx=$((t1 - t0)) gre_accepted=$(delta ${g1% *} ${g0% *}) gre_lost=$(delta ${g1#* } ${g0#* }) received=$(kv received "$out") bad=$(kv bad "$out") dup=$(kv dup "$out") reordered=$(kv reordered "$out") recv_s=$(kv recv_s "$out") recv_rate=$(kv recv_rate "$out") cli_ppp_rx=$((r1 - r0)) cli_ppp_rx_bytes=$((b1 - b0)) cli_ppp_rx_errors=$((e1 - e0)) cli_ppp_rx_dropped=$((d1 - d0)) ip_drops=$(( ${st1% *} - ${st0% *} )) udp_rcvbuf_errors=$(( ${st1#* } - ${st0#* } )) pppd_complaints=$((cp1 - cp0)) kernel_log_lines=$((k1 - k0))"
}

# One client: the call up in sync mode without MPPE (as t_sync), both
# loads, then a clean teardown and nothing left in either namespace.
sync_bench_client() { # ours|pptp-linux
	CLIENT=$1
	case "$CLIENT" in
	ours) PPTP=/usr/sbin/pptp ;;
	pptp-linux) PPTP=$PPTP_LINUX_BIN ;;
	esac
	[ -x "$PPTP" ] || fail "$CLIENT: no binary $PPTP in the guest"
	start_server nomppe
	PPTP_OPTS=--sync
	start_nm_client "$CLIENT" sync noaccomp nopcomp novj noccp
	wait_up || fail "$CLIENT: no ppp interface after ${UP_WAIT}s (--sync + pppd sync)"
	SIFACE=$(srv_ppp_if)
	GW=$(pptp_titled "GRE-to-PPP" pptpgw | head -1)
	[ -n "$GW" ] || fail "$CLIENT: no GRE-to-PPP gateway process: $(pptp_list)"
	[ -n "$SIFACE" ] || fail "$CLIENT: no server-side ppp interface for $ADDR"
	ping_ok cli -I "$IFACE" "$LOCAL_PPP" || fail "$CLIENT: ping over $IFACE failed"
	sync_load flat "${E2E_BENCH_FLAT_N:-20000}" 0 "${E2E_BENCH_FLAT_S:-10}"
	sync_load paced "${E2E_BENCH_PACED_N:-3000}" "${E2E_BENCH_RATE:-500}" "${E2E_BENCH_PACED_S:-15}"
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "$CLIENT: pppd did not exit after SIGTERM"
	expect_pptp_exit "pppd exited ($CLIENT)"
	stop_ns cli
	stop_ns srv
	sleep 1
	rm -f /var/run/pptp/* 2>/dev/null
}

# Repetition N: odd ones start with our client, even ones with pptp-linux.
t_sync_bench() { # rep
	[ -x "$UDPFLOW" ] || fail "no $UDPFLOW in the guest (run.sh --bench sync puts it there)"
	if [ $(($1 % 2)) -eq 1 ]; then
		sync_bench_client ours
		sync_bench_client pptp-linux
	else
		sync_bench_client pptp-linux
		sync_bench_client ours
	fi
	pass
}

t_teardown_pppd() {
	start_server
	start_nm_client a require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s"
	[ -n "$(pptp_pids)" ] || fail "no pptp processes while the tunnel is up"
	kill -KILL "$PPPD_PID"
	expect_pptp_exit "pppd was killed with SIGKILL"
	expect_no_sockets
	pass
}

t_teardown_server() {
	local p
	start_server
	start_nm_client a require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s"
	for p in $(ns_pids_of srv /usr/sbin/pptpctrl) $SERVER_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	wait_until 20 gone "$PPPD_PID" || fail "client pppd still running 20s after pptpd/pptpctrl were killed"
	expect_pptp_exit "the server went away"
	expect_no_sockets
	pass
}

t_wrong_password() {
	local rc
	start_server
	PASSWORD=wrong-password
	start_nm_client a require-mppe-128
	wait_until 40 gone "$PPPD_PID" || fail "pppd still running 40s after a wrong password"
	grep -q -i -E 'authentication failed|MS-CHAP.*fail|E=691' "$LOG/pppd-a.log" ||
		fail "pppd log does not report an authentication failure "
	cli_has_ppp && fail "a ppp interface came up with a wrong password"
	expect_pptp_exit "pppd exited on auth failure"
	expect_no_sockets
	pass
}

t_no_server() {
	local rc
	start_nm_client a require-mppe-128
	wait_until 30 gone "$PPPD_PID" || fail "pppd still running 30s after connecting to a closed port"
	expect_pptp_exit "connect failed"
	syslog_has '[Rr]efused' || fail "no 'connection refused' message in syslog"
	expect_no_sockets
	pass
}

t_server_silent() {
	local p t0 t1
	start_server
	PPTP_OPTS="--idle-wait 5 --max-echo-wait 5"
	start_nm_client a require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s"
	p=$(ns_pids_of srv /usr/sbin/pptpctrl)
	[ -n "$p" ] || fail "no pptpctrl process in srv"
	t0=$(now)
	kill -STOP $p $(ns_pids_of srv $PPPD)
	# idle-wait 5 + max-echo-wait 5, with slack for TCG.
	wait_until 30 no_pptp || fail "pptp still running 30s after the server went silent (idle-wait 5, max-echo-wait 5)"
	t1=$(now)
	wait_until 20 gone "$PPPD_PID" || fail "client pppd still running 20s after pptp exited"
	say "$T: client gave up $((t1 - t0))s after the server went silent"
	pass
}

# ------------------------------------------------- kernel data path (--kernel)
# pptp places the call, the kernel's pptp module carries the frames, pppd
# gets the PPTP socket through the pptp-kernel.so plugin.
PLUGIN_SO=$(ls /usr/lib/pppd/*/pptp-kernel.so 2>/dev/null | head -1)

need_kernel_path() {
	[ -n "$PLUGIN_SO" ] ||
		fail "no pptp-kernel.so in the guest: this client has no kernel data path"
	[ -d /sys/module/pptp ] || fail "the pptp kernel module is not loaded in the guest"
}

# pptp SERVER --kernel [pppd options]: launch mode.
start_kernel_launch() { # tag [pppd options...]
	local tag=$1
	shift
	$IP netns exec cli env ${KENV:-KENV=} $PPTP $SERVER --kernel ${PPTP_OPTS:-} \
		nodetach noauth refuse-eap refuse-pap refuse-chap refuse-mschap \
		user "$USER_NAME" password "$USER_PASS" \
		debug logfile "$LOG/pppd-$tag.log" "$@" >>"$LOG/pptp-$tag.out" 2>&1 &
}

# pppd plugin pptp-kernel.so pptp_server SERVER: the plugin starts pptp.
start_kernel_plugin() { # tag [pppd options...]
	local tag=$1
	shift
	$IP netns exec cli $PPPD plugin pptp-kernel.so pptp_server $SERVER \
		pptp_options "--loglevel 1${PPTP_OPTS:+ $PPTP_OPTS}" \
		nodetach noauth refuse-eap refuse-pap refuse-chap refuse-mschap \
		user "$USER_NAME" password "$USER_PASS" \
		debug logfile "$LOG/pppd-$tag.log" "$@" >>"$LOG/pppd-$tag.out" 2>&1 &
	PPPD_PID=$!
}

# The call went through the kernel: the plugin said so, nothing fell back.
expect_kernel_call() { # pppd-log
	grep -q "pptp-kernel: call [0-9]* to $SERVER in the kernel" "$1" ||
		fail "pppd log does not show a kernel channel: $(grep pptp-kernel "$1" | tail -2)"
	! syslog_has 'kernel data path not used' ||
		fail "fell back: $(syslog_since | grep 'kernel data path not used' | tail -1)"
}

# Packets dropped by the raw GRE sockets of a namespace (full buffers).
raw_drops() { $IP netns exec "$1" cat /proc/net/raw | awk 'NR > 1 && $2 ~ /:002F$/ { d += $NF } END { print d + 0 }'; }
# TCP segments retransmitted in a namespace so far.
tcp_retrans() { $IP netns exec "$1" cat /proc/net/snmp | awk '/^Tcp:/ { if (++n == 2) print $13 }'; }
# What the transfer cost besides time: retransmissions, the interface.
bulk_detail() { # ifname retrans-cli-before retrans-srv-before
	local mtu st
	mtu=$($IP -n cli -o link show dev "$1" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	st=$(cli cat /proc/net/dev | awk -v i="$1:" '$1 == i { print "rx " $3 " pkts " $4 " errs " $5 " drop, tx " $11 " pkts " $12 " errs " $13 " drop" }')
	echo "mtu $mtu, TCP retransmissions cli $(( $(tcp_retrans cli) - $2 )) srv $(( $(tcp_retrans srv) - $3 )), $st; raw GRE socket drops in srv (the server's pptpctrl) $(raw_drops srv)"
}

holder_pid() { pptp_with_title "in the kernel" | head -1; }
# Client processes whose title (argv) contains a string.
pptp_with_title() {
	local p
	for p in $(pptp_pids); do
		case "$(cmdline "$p")" in *"$1"*) echo "$p" ;; esac
	done
}

t_kernel_launch() {
	local h n
	need_kernel_path
	start_server
	start_kernel_launch a require-mppe-128
	wait_up || fail "no ppp interface after ${UP_WAIT}s (pptp --kernel)"
	expect_kernel_call "$LOG/pppd-a.log"
	mppe_negotiated "$LOG/pppd-a.log" || fail "pppd did not report MPPE 128-bit"
	ping_both "$IFACE" "$ADDR"
	h=$(holder_pid)
	[ -n "$h" ] || fail "no call holder titled 'in the kernel': $(pptp_list)"
	[ -z "$(pptp_with_title 'gateway on')" ] || fail "a pty gateway runs beside the kernel path: $(pptp_list)"
	$PPTP --status >"$LOG/status" 2>&1
	grep -q " kernel " "$LOG/status" || fail "pptp --status does not show state 'kernel': $(cat "$LOG/status")"
	kill -USR1 "$h"
	wait_until 10 syslog_has 'rx accepted *= *[0-9]' || fail "no 'rx accepted = N' in syslog after SIGUSR1"
	n=$(syslog_since | sed -n 's/.*rx accepted *= *\([0-9]*\).*/\1/p' | tail -1)
	[ "${n:-0}" -ge 6 ] || fail "rx accepted = $n (ppp unit's packets), expected at least 6 after pings"
	syslog_has "kernel data path: call [0-9]* on $IFACE" || fail "holder did not learn the interface $IFACE"
	# Teardown from pppd's side: the call is cleared, everything exits.
	PPPD_PID=$(ns_pids_of cli $PPPD | head -1)
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd did not exit after SIGTERM"
	expect_pptp_exit "pppd exited"
	syslog_has 'Closing connection \(call [0-9]*\)' || fail "the call manager did not clear the call"
	expect_no_sockets
	pass
}

t_kernel_peers() {
	local p
	need_kernel_path
	start_server
	cat >/etc/ppp/peers/e2ek <<-EOF
	plugin pptp-kernel.so
	pptp_server $SERVER
	pptp_options "--loglevel 1"
	name $USER_NAME
	remotename PPTP
	require-mppe-128
	file /etc/ppp/options.pptp-kernel
	ipparam e2ek
	EOF
	# As the installed options.pptp: "lock" is a tty option that the
	# plugin accepts and ignores.
	cat >/etc/ppp/options.pptp-kernel <<-EOF
	lock
	noauth
	refuse-pap
	refuse-eap
	refuse-chap
	refuse-mschap
	nobsdcomp
	nodeflate
	EOF
	$IP netns exec cli $PPPD call e2ek nodetach debug logfile "$LOG/pppd-a.log" >>"$LOG/pppd-a.out" 2>&1 &
	PPPD_PID=$!
	wait_up || fail "no ppp interface after ${UP_WAIT}s (pppd call e2ek, plugin pptp-kernel.so)"
	expect_kernel_call "$LOG/pppd-a.log"
	ping_both "$IFACE" "$ADDR"
	# Teardown from the server's side: pppd must hang up and exit.
	for p in $(ns_pids_of srv /usr/sbin/pptpctrl) $SERVER_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	wait_until 20 gone "$PPPD_PID" || fail "client pppd still running 20s after the server ended the call"
	expect_pptp_exit "the server went away"
	expect_no_sockets
	pass
}

both_calls_in_kernel() {
	expect_kernel_call "$LOG/pppd-a.log"
	expect_kernel_call "$LOG/pppd-b.log"
	[ "$(pptp_with_title 'in the kernel' | wc -l)" -eq 2 ] ||
		fail "expected 2 call holders: $(pptp_list)"
}

t_kernel_two_calls() {
	need_kernel_path
	two_calls start_kernel_plugin both_calls_in_kernel
}

t_kernel_fallback() {
	need_kernel_path
	rmmod pptp || fail "rmmod pptp failed"
	start_server
	# Launch mode: pptp finds no PPTP socket, says so once, uses the pty.
	start_kernel_launch a require-mppe-128 unit 20
	wait_up ppp20 || fail "launch mode without the module: no ppp20 after ${UP_WAIT}s"
	n=$(grep -c 'kernel data path not used' "$LOG/pptp-a.out")
	[ "$n" -eq 1 ] || fail "expected one 'kernel data path not used' line from pptp, saw $n"
	grep -q 'kernel data path not used: this kernel has no PPTP socket' "$LOG/pptp-a.out" ||
		fail "the line does not say why: $(grep 'not used' "$LOG/pptp-a.out")"
	[ -n "$(pptp_with_title 'gateway on')" ] || fail "no pty gateway: $(pptp_list)"
	ping_ok cli -I ppp20 "$LOCAL_PPP" || fail "ping over the fallback gateway (launch) failed"
	PPPD_PID=$(ns_pids_of cli $PPPD | head -1)
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd (launch fallback) did not exit"
	expect_pptp_exit "pppd exited (launch fallback)"
	# The plugin started by pppd: it gets a pty with the gateway behind it.
	start_kernel_plugin b require-mppe-128 unit 21
	wait_up ppp21 || fail "plugin without the module: no ppp21 after ${UP_WAIT}s"
	grep -q 'pptp-kernel: kernel data path not used: this kernel has no PPTP socket.*the pty gateway carries the call' "$LOG/pppd-b.log" ||
		fail "pppd log does not say the gateway carries the call: $(grep pptp-kernel "$LOG/pppd-b.log" | tail -2)"
	ping_ok cli -I ppp21 "$LOCAL_PPP" || fail "ping over the fallback gateway (plugin) failed"
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd (plugin fallback) did not exit"
	expect_pptp_exit "pppd exited (plugin fallback)"
	# The module back, the plugin file missing: launch mode says so.
	insmod /modules/pptp.ko || fail "insmod pptp failed"
	KENV=PPTP_KERNEL_PLUGIN=/nonexistent/pptp-kernel.so start_kernel_launch c require-mppe-128 unit 22
	wait_up ppp22 || fail "launch mode without the plugin: no ppp22 after ${UP_WAIT}s"
	n=$(grep -c 'kernel data path not used: no pppd plugin /nonexistent/pptp-kernel.so' "$LOG/pptp-c.out")
	[ "$n" -eq 1 ] || fail "expected one 'no pppd plugin' line from pptp, saw $n"
	ping_ok cli -I ppp22 "$LOCAL_PPP" || fail "ping over the fallback gateway (no plugin) failed"
	PPPD_PID=$(ns_pids_of cli $PPPD | head -1)
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd (no plugin) did not exit"
	expect_pptp_exit "pppd exited (no plugin)"
	expect_no_sockets
	pass
}

# The same 4 MiB each way through the kernel path and through the pty
# gateway, in this one guest run: qemu's emulation makes absolute figures
# meaningless, their ratio still tells.  Then the holder is killed: the
# kernel must tell pppd (hangup) and the call manager clear the call.
t_kernel_bulk() {
	local h kw kc gw gc rc0 rs0
	need_kernel_path
	start_server
	start_kernel_plugin a require-mppe-128
	wait_up || fail "kernel path: no ppp interface after ${UP_WAIT}s"
	expect_kernel_call "$LOG/pppd-a.log"
	ping_both "$IFACE" "$ADDR"
	rc0=$(tcp_retrans cli) rs0=$(tcp_retrans srv)
	bulk 64
	kw=$BULK_WALL_CS kc=$BULK_CPU_CS
	say "$T: kernel path: 4 MiB down in $((BULK_DOWN_CS * 10)) ms (cpu $((BULK_CPU_DOWN_CS * 10)) ms), 4 MiB up in $((BULK_UP_CS * 10)) ms (cpu $((BULK_CPU_UP_CS * 10)) ms); $(bulk_detail "$IFACE" "$rc0" "$rs0")"
	h=$(holder_pid)
	[ -n "$h" ] || fail "no call holder: $(pptp_list)"
	kill -KILL "$h"
	wait_until 15 gone "$PPPD_PID" || fail "pppd still running 15s after its call holder was killed"
	grep -q 'Modem hangup' "$LOG/pppd-a.log" || fail "pppd did not see a hangup when the holder died"
	expect_pptp_exit "the holder was killed"
	# A killed process cannot remove its status socket (readers skip it).
	rm -f /var/run/pptp/status-*.sock
	expect_no_sockets
	start_nm_client b require-mppe-128
	wait_up || fail "gateway path: no ppp interface after ${UP_WAIT}s"
	ping_both "$IFACE" "$ADDR"
	rc0=$(tcp_retrans cli) rs0=$(tcp_retrans srv)
	bulk 64
	gw=$BULK_WALL_CS gc=$BULK_CPU_CS
	say "$T: pty gateway: 4 MiB down in $((BULK_DOWN_CS * 10)) ms (cpu $((BULK_CPU_DOWN_CS * 10)) ms), 4 MiB up in $((BULK_UP_CS * 10)) ms (cpu $((BULK_CPU_UP_CS * 10)) ms); $(bulk_detail "$IFACE" "$rc0" "$rs0")"
	[ "$gw" -gt 0 ] && [ "$gc" -gt 0 ] || fail "no time measured for the gateway transfer"
	say "$T: kernel/gateway for 4 MiB each way: wall $(awk -v a="$kw" -v b="$gw" 'BEGIN { printf "%.2f", a / b }'), cpu $(awk -v a="$kc" -v b="$gc" 'BEGIN { printf "%.2f", a / b }')"
	kill "$PPPD_PID"
	wait_until 15 gone "$PPPD_PID" || fail "pppd (gateway) did not exit after SIGTERM"
	expect_pptp_exit "pppd exited"
	expect_no_sockets
	pass
}

# ------------------------------------------------------------------ runner
run_one() { # name
	T=$1
	LOG=$LOGROOT/$T
	SYSLOG_START=$(cat "$LOG/syslog-start")
	case "$T" in
	nm-pty) t_nm_pty ;;
	peers-file) t_peers_file ;;
	launch) t_launch ;;
	traffic) t_traffic ;;
	two-calls) t_two_calls ;;
	sigusr1) t_sigusr1 ;;
	sync) t_sync ;;
	sync-mppe) t_sync_mppe ;;
	teardown-pppd) t_teardown_pppd ;;
	teardown-server) t_teardown_server ;;
	wrong-password) t_wrong_password ;;
	no-server) t_no_server ;;
	server-silent) t_server_silent ;;
	kernel-launch) t_kernel_launch ;;
	kernel-peers) t_kernel_peers ;;
	kernel-two-calls) t_kernel_two_calls ;;
	kernel-fallback) t_kernel_fallback ;;
	kernel-bulk) t_kernel_bulk ;;
	sync-bench-[0-9]*) t_sync_bench "${T#sync-bench-}" ;;
	*) fail "unknown test" ;;
	esac
	fail "test ended without a verdict"
}

if [ "${1:-}" = --run ]; then
	run_one "$2"
	exit 1
fi

setup() {
	local m
	for m in $(cat /modules/order); do
		insmod "/modules/$m.ko" || { say "insmod $m failed"; return 1; }
	done
	syslogd -n -O "$SYSLOG" &
	$IP link set lo up
	$IP netns add srv && $IP netns add cli || return 1
	$IP link add vs type veth peer name vc || return 1
	$IP link set vs netns srv && $IP link set vc netns cli || return 1
	$IP -n srv link set lo up && $IP -n cli link set lo up || return 1
	$IP -n srv addr add "$SERVER/24" dev vs || return 1
	$IP -n cli addr add "$CLIENT_LAN/24" dev vc || return 1
	$IP -n srv link set vs up && $IP -n cli link set vc up || return 1
	write_server_config
	sleep 1
	$IP netns exec cli ping -c 1 -w 5 "$SERVER" >/dev/null || { say "veth ping failed"; return 1; }
	[ -x "$PPTP" ] || { say "no client binary"; return 1; }
	say "client: $($PPTP --version 2>&1 | head -1)"
}

selected() {
	[ -z "$E2E_ONLY" ] && return 0
	case " $E2E_ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

mkdir -p "$LOGROOT"
if ! setup >"$LOGROOT/setup.log" 2>&1; then
	cat "$LOGROOT/setup.log"
	for t in $E2E_TESTS; do
		selected "$t" && echo "E2E-RESULT FAIL $t: guest setup failed: $(tail -1 "$LOGROOT/setup.log")"
	done
else
	cat "$LOGROOT/setup.log"
	for t in $E2E_TESTS; do
		selected "$t" || continue
		mkdir -p "$LOGROOT/$t"
		wc -l <"$SYSLOG" >"$LOGROOT/$t/syslog-start" 2>/dev/null || echo 0 >"$LOGROOT/$t/syslog-start"
		t0=$(now)
		lim=$TEST_LIMIT
		case "$t" in sync-bench-*) lim=${E2E_BENCH_LIMIT:-300} ;; esac
		timeout -s KILL "$lim" sh /e2e/guest.sh --run "$t" >"$LOGROOT/$t/trace" 2>&1
		if [ -f "$LOGROOT/$t/result" ]; then
			r=$(cat "$LOGROOT/$t/result")
		else
			r="FAIL: test process hit the ${lim}s limit"
		fi
		tail -n +"$(( $(cat "$LOGROOT/$t/syslog-start") + 1 ))" "$SYSLOG" >"$LOGROOT/$t/syslog"
		grep '^e2e-guest:' "$LOGROOT/$t/trace"
		LOG=$LOGROOT/$t cleanup_all
		case "$r" in
		PASS) echo "E2E-RESULT PASS $t (${t0:+$(( $(now) - t0 ))s})" ;;
		*) echo "E2E-RESULT FAIL $t: ${r#FAIL: } ($(( $(now) - t0 ))s)" ;;
		esac
	done
fi
cp "$SYSLOG" "$LOGROOT/messages" 2>/dev/null
# The logs are small (tens of KB compressed): always send them to the host.
echo
echo "E2E-LOGS-BEGIN"
tar -czf - -C /tmp logs | base64
echo "E2E-LOGS-END"
