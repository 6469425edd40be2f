#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# fake_status.py: status sockets as a hostile or hung gateway would serve
# them, for the --status tests of test/integration.sh.
#   fake_status.py RUNDIR READYFILE MAXSECS SILENT
# In RUNDIR: status-192.0.2.1-1.sock serves a malformed record (control
# characters, bytes above ASCII, repeated and bad keys, out-of-range
# numbers); status-192.0.2.1-2.sock a well-formed one; SILENT sockets
# status-192.0.2.9-N.sock accept and never answer.  Ends after MAXSECS.
import os
import select
import socket
import sys
import time

rundir, ready, maxsecs, silent = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])

HOSTILE = (b"server=192.0.2.1\ncall_id=1\npeer_call_id=9\x1b]0;owned\x07\n"
           b"state=up\x1b[2J\x1b[31m\r\x07\x08\n"
           b"\x1b[31mkey=1\nserver=203.0.113.66\ncall_id=2\n"
           b"pid=\xff\xfe\x80\x9b\nuptime=99999999999999999999999999\n"
           b"tty=/dev/pts/1\ttab\nrx_accepted=-0\nrx_lost=1e9\n"
           b"rx_invalid=0x10\ntx_sent=18446744073709551616\n"
           b"rtt_us=-9223372036854775809\n" + b"long=" + b"A" * 300 + b"\n"
           b"\xff\xff=\xff\n" + b"x" * 100 + b"=1\nnoequals\n")
GOOD = (b"server=192.0.2.1\ncall_id=2\npeer_call_id=3\nstate=up\npid=42\n"
        b"tty=/dev/pts/4\nuptime=5\nrx_accepted=10\nrx_lost=0\nrx_invalid=0\n"
        b"tx_sent=11\nrtt_us=250\n")

def listener(name):
    path = os.path.join(rundir, name)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(64)
    return s

serving = {listener("status-192.0.2.1-1.sock"): HOSTILE,
           listener("status-192.0.2.1-2.sock"): GOOD}
hung = [listener("status-192.0.2.9-%d.sock" % i) for i in range(1, silent + 1)]
held = []
open(ready, "w").close()
end = time.time() + maxsecs
while time.time() < end:
    r, _, _ = select.select(list(serving) + hung, [], [], 0.2)
    for s in r:
        c, _ = s.accept()
        if s in serving:
            c.sendall(serving[s])
            c.close()
        else:
            held.append(c)          # never answered, never closed
