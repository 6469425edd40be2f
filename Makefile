# SPDX-License-Identifier: GPL-2.0-or-later
# pptp: a PPTP VPN client, a drop-in replacement for pptp-linux's pptp(8).

CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -D_GNU_SOURCE
LDFLAGS ?=
LDLIBS  += -lutil
PREFIX  ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
PPPD_BINARY ?= /usr/sbin/pppd

# The pure cores: no I/O, unit-tested and fuzzed.
CORE_OBJS = pptp_msg.o pptp_ctrl.o gre_wire.o hdlc.o reorder.o vector.o ppp_sync.o \
            pptp_quirks.o orckit_quirks.o
# The shells: processes, sockets, the pty.
SHELL_OBJS = pptp.o pptp_callmgr.o pptp_gre.o pptp_status.o routing.o \
             util.o dirutil.o
OBJS = $(CORE_OBJS) $(SHELL_OBJS)

UNIT_TESTS = test/test_msg test/test_gre test/test_hdlc test/test_reorder \
             test/test_vector test/test_ctrl test/test_ppp_sync
TEST_TOOLS = test/tsrv test/pppstub test/test_routing test/logsink

all: pptp

pptp: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

pptp.o: CFLAGS += -DPPPD_BINARY='"$(PPPD_BINARY)"'

%.o: %.c $(wildcard *.h)
	$(CC) $(CFLAGS) -I. -c -o $@ $<

test/test_msg: test/test_msg.c pptp_msg.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_gre: test/test_gre.c gre_wire.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_hdlc: test/test_hdlc.c hdlc.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_reorder: test/test_reorder.c reorder.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_vector: test/test_vector.c vector.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_ctrl: test/test_ctrl.c pptp_ctrl.c pptp_msg.c pptp_quirks.c orckit_quirks.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_ppp_sync: test/test_ppp_sync.c ppp_sync.c
	$(CC) $(CFLAGS) -I. -o $@ $^
test/test_routing: test/test_routing.c routing.c
	$(CC) $(CFLAGS) -I. -o $@ $^
# The test peers define _GNU_SOURCE themselves.
test/tsrv: test/tsrv.c
	$(CC) $(filter-out -D_GNU_SOURCE,$(CFLAGS)) -o $@ $<
test/pppstub: test/pppstub.c
	$(CC) $(filter-out -D_GNU_SOURCE,$(CFLAGS)) -o $@ $<

tests: pptp pptp-asan $(UNIT_TESTS) $(TEST_TOOLS)

# Every test: unit tests, namespace integration tests (root), the qemu
# end-to-end suite. Ends with "N passed, N failed".
check: tests
	bash test/run_all.sh

check-unit: $(UNIT_TESTS)
	bash test/run_all.sh --unit-only

# The main job on a machine without a VPN server: two namespaces, our
# test server, the real client, data through the tunnel, statistics.
demo: pptp test/tsrv test/pppstub test/logsink
	bash test/demo.sh

FUZZERS = fuzz/fuzz_msg fuzz/fuzz_gre fuzz/fuzz_hdlc fuzz/fuzz_reorder fuzz/fuzz_ctrl fuzz/fuzz_ppp_sync
FUZZ_CFLAGS = -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I.
fuzz: $(FUZZERS)
fuzz/fuzz_msg: fuzz/fuzz_msg.c pptp_msg.c
	clang $(FUZZ_CFLAGS) -o $@ $^
fuzz/fuzz_gre: fuzz/fuzz_gre.c gre_wire.c
	clang $(FUZZ_CFLAGS) -o $@ $^
fuzz/fuzz_hdlc: fuzz/fuzz_hdlc.c hdlc.c
	clang $(FUZZ_CFLAGS) -o $@ $^
fuzz/fuzz_reorder: fuzz/fuzz_reorder.c reorder.c
	clang $(FUZZ_CFLAGS) -o $@ $^
fuzz/fuzz_ppp_sync: fuzz/fuzz_ppp_sync.c ppp_sync.c
	clang $(FUZZ_CFLAGS) -o $@ $^
fuzz/fuzz_ctrl: fuzz/fuzz_ctrl.c pptp_ctrl.c pptp_msg.c pptp_quirks.c orckit_quirks.c
	clang $(FUZZ_CFLAGS) -o $@ $^

# The same program built with AddressSanitizer and UBSan, for the suites.
ASAN_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
pptp-asan: $(addsuffix .c,$(basename $(OBJS))) $(wildcard *.h)
	$(CC) -std=gnu11 -Wall -Wextra -D_GNU_SOURCE $(ASAN_CFLAGS) -DPPPD_BINARY='"$(PPPD_BINARY)"' -I. -o $@ $(addsuffix .c,$(basename $(OBJS))) $(LDLIBS)

bench: pptp test/tsrv test/pppstub
	bash bench/run.sh

install: pptp
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 pptp $(DESTDIR)$(SBINDIR)/pptp
	install -m 0644 pptp.8 $(DESTDIR)$(MANDIR)/man8/pptp.8

clean:
	rm -f pptp pptp-asan *.o $(UNIT_TESTS) $(TEST_TOOLS) $(FUZZERS)

.PHONY: all tests check check-unit demo fuzz bench install clean
test/logsink: test/logsink.c
	$(CC) $(CFLAGS) -o $@ $<
