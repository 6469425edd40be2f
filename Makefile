# SPDX-License-Identifier: GPL-2.0-or-later
# pptp: a PPTP VPN client, a drop-in replacement for pptp-linux's pptp(8).

CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -D_GNU_SOURCE
LDFLAGS ?=
LDLIBS  += -lutil
# Every symbol bound at start (as Debian's hardened builds, pptp-linux's
# among them, do): the processes forked from pptp (call manager, gateway)
# then never run the dynamic linker's lazy binding, whose first call to
# each libc function touches ld.so's code and libc's symbol tables, some
# 350 kB of resident memory in the call manager (README "Speed", memory).
# Outside LDFLAGS so that a packager's LDFLAGS keeps it.
LDFLAGS_PPTP = -Wl,-z,relro -Wl,-z,now
# /usr/local by default: next to Debian's pptp-linux (/usr/sbin/pptp), never
# over it.  PREFIX=/usr replaces it only where dpkg does not own the file
# (see install below, and README "Install").
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
INSTALL ?= install
# `make install INSTALL_STRIP=` keeps the symbols (debian/rules does, so
# that dh_strip makes the -dbgsym package).
INSTALL_STRIP ?= -s
PPPD_BINARY ?= /usr/sbin/pppd
# pppd's plugin directory (Debian 12: ppp 2.4.9); the kernel data path's
# plugin goes there, and pptp --kernel looks for it there.
PPPD_PLUGINDIR ?= /usr/lib/pppd/2.4.9

# The pure cores: no I/O, unit-tested and fuzzed.
CORE_OBJS = pptp_msg.o pptp_ctrl.o gre_wire.o gre_session.o hdlc.o reorder.o vector.o ppp_sync.o gre_diag.o \
            pptp_quirks.o orckit_quirks.o netdev.o
# The shells: processes, sockets, the pty.
# (cm_proto: a pure codec with the two functions that read its records.)
SHELL_OBJS = pptp.o pptp_callmgr.o pptp_gre.o pptp_status.o gre_stats.o \
             routing.o util.o dirutil.o pptp_kernel.o kchan.o cm_proto.o
OBJS = $(CORE_OBJS) $(SHELL_OBJS)

all: pptp

pptp: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(LDFLAGS_PPTP) -o $@ $(OBJS) $(LDLIBS)

pptp.o: CFLAGS += -DPPPD_BINARY='"$(PPPD_BINARY)"'
pptp_kernel.o: CFLAGS += -DPPTP_KERNEL_PLUGIN='"$(PPPD_PLUGINDIR)/pptp-kernel.so"'

# The pppd plugin of the kernel data path (pptp --kernel), built against
# pppd's headers (Debian's ppp-dev; plugin/ppp-headers.sh fetches them
# into a cache when they are not installed).  pptp itself needs only libc.
plugin: plugin/pptp-kernel.so
plugin/pptp-kernel.so: plugin/pptp-kernel.c kchan.c pptp_kernel.h plugin/ppp-headers.sh
	inc=$$(sh plugin/ppp-headers.sh) && \
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-field-initializers -fPIC -shared -I. -I"$$inc" $(LDFLAGS) -o $@ plugin/pptp-kernel.c kchan.c

%.o: %.c $(wildcard *.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I. -c -o $@ $<

# ---- unit tests and fuzzers: one line each ------------------------------
# $(call unit_test,NAME,SOURCES) builds test/test_NAME from test/test_NAME.c
# and the pure sources it tests, and lists it in UNIT_TESTS: `make tests`
# builds it, test/run_all.sh and `make check-unit` run it (they ask
# `make print-unit-tests`).  $(call fuzzer,NAME,SOURCES) does the same for
# fuzz/fuzz_NAME.c with clang's libFuzzer; test/fuzz.sh runs every
# fuzz/fuzz_*.c.  So a new unit test or fuzzer is this one line (and its
# .c file); .gitignore already covers test/test_* and fuzz/fuzz_* binaries.
CTRL_SRCS = pptp_ctrl.c pptp_msg.c pptp_quirks.c orckit_quirks.c

UNIT_TESTS =
FUZZERS =
TEST_HEADERS = test/check.h $(wildcard *.h)
FUZZ_CFLAGS = -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I.

define unit_test_rule
UNIT_TESTS += test/test_$(1)
test/test_$(1): test/test_$(1).c $(2) $$(TEST_HEADERS)
	$$(CC) $$(CFLAGS) -I. -o $$@ test/test_$(1).c $(2)
endef
define fuzzer_rule
FUZZERS += fuzz/fuzz_$(1)
fuzz/fuzz_$(1): fuzz/fuzz_$(1).c $(2) $$(wildcard *.h)
	clang $$(FUZZ_CFLAGS) -o $$@ fuzz/fuzz_$(1).c $(2)
endef
unit_test = $(eval $(call unit_test_rule,$(1),$(2)))
fuzzer = $(eval $(call fuzzer_rule,$(1),$(2)))

$(call unit_test,msg,pptp_msg.c)
$(call unit_test,gre,gre_wire.c)
$(call unit_test,hdlc,hdlc.c)
$(call unit_test,reorder,reorder.c)
$(call unit_test,ctrl,$(CTRL_SRCS))
$(call unit_test,vector,vector.c)
$(call unit_test,ppp_sync,ppp_sync.c)
$(call unit_test,gre_diag,gre_diag.c)
$(call unit_test,util,util.c)
$(call unit_test,status,pptp_status.c gre_stats.c util.c dirutil.c)
$(call unit_test,cm_ready,cm_proto.c util.c)
$(call unit_test,cm_proto,cm_proto.c util.c)
$(call unit_test,gre_session,gre_session.c)
$(call unit_test,kernel,netdev.c kchan.c)

$(call fuzzer,msg,pptp_msg.c)
$(call fuzzer,gre,gre_wire.c)
$(call fuzzer,hdlc,hdlc.c)
$(call fuzzer,reorder,reorder.c)
$(call fuzzer,ctrl,$(CTRL_SRCS))
$(call fuzzer,ppp_sync,ppp_sync.c)
$(call fuzzer,gre_diag,gre_diag.c)
$(call fuzzer,status,pptp_status.c gre_stats.c util.c dirutil.c)
$(call fuzzer,gre_session,gre_session.c reorder.c)
$(call fuzzer,cm_proto,cm_proto.c util.c)

# Test tools: run by the namespace suites, not by run_all.sh directly.
test/test_routing: test/test_routing.c routing.c $(TEST_HEADERS)
	$(CC) $(CFLAGS) -I. -o $@ test/test_routing.c routing.c
# The test peers define _GNU_SOURCE themselves.
PEER_TOOLS = test/tsrv test/pppstub test/greinject
$(PEER_TOOLS): %: %.c
	$(CC) $(filter-out -D_GNU_SOURCE,$(CFLAGS)) -o $@ $<
test/logsink: test/logsink.c
	$(CC) $(CFLAGS) -o $@ $<
# Plays the pppd plugin for test/kernel_host.sh.
test/kplugstub: test/kplugstub.c kchan.c pptp_kernel.h
	$(CC) $(CFLAGS) -I. -o $@ test/kplugstub.c kchan.c
TEST_TOOLS = $(PEER_TOOLS) test/test_routing test/logsink test/kplugstub

tests: pptp pptp-asan $(UNIT_TESTS) $(TEST_TOOLS) plugin

print-unit-tests:
	@echo $(UNIT_TESTS)

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

fuzz: $(FUZZERS)

# The same program built with AddressSanitizer and UBSan, for the suites.
ASAN_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
pptp-asan: $(addsuffix .c,$(basename $(OBJS))) $(wildcard *.h)
	$(CC) -std=gnu11 -Wall -Wextra -D_GNU_SOURCE $(ASAN_CFLAGS) -DPPPD_BINARY='"$(PPPD_BINARY)"' -DPPTP_KERNEL_PLUGIN='"$(PPPD_PLUGINDIR)/pptp-kernel.so"' -I. -o $@ $(addsuffix .c,$(basename $(OBJS))) $(LDLIBS)

bench: pptp test/tsrv test/pppstub
	bash bench/run.sh

# ---- install -------------------------------------------------------------
# install: the stripped program, the man page, /etc/ppp/options.pptp
# unless a file of that name exists (it is never overwritten), and the
# kernel data path's pppd plugin in PPPD_PLUGINDIR when that directory
# exists (pppd 2.4.9 installed; otherwise pptp --kernel falls back to the
# pty gateway, and install says so).
# uninstall: the program, the man page and the plugin, and options.pptp
# only when it is still byte for byte ours (an edited or pre-existing one
# stays).
# Both refuse, when installing into the running system (no DESTDIR), to
# touch a file a Debian package owns (pptp-linux's /usr/sbin/pptp and its
# man page, or our own package's files) unless dpkg-divert has moved the
# package's file aside; FORCE_INSTALL=1 overrides.  `make deb` builds a
# package instead.
INST_BIN    = $(DESTDIR)$(SBINDIR)/pptp
INST_MAN    = $(DESTDIR)$(MANDIR)/man8/pptp.8
INST_OPTS   = $(DESTDIR)$(SYSCONFDIR)/ppp/options.pptp
INST_PLUGIN = $(DESTDIR)$(PPPD_PLUGINDIR)/pptp-kernel.so
define refuse_packaged_files
if [ -z "$(DESTDIR)" ] && [ -z "$(FORCE_INSTALL)" ] && command -v dpkg-query >/dev/null 2>&1; then \
	bad=""; \
	for f in $(SBINDIR)/pptp $(MANDIR)/man8/pptp.8 $(MANDIR)/man8/pptp.8.gz \
		$(PPPD_PLUGINDIR)/pptp-kernel.so; do \
		real=$$(readlink -f "$$f" 2>/dev/null); \
		[ "$$real" = "$$f" ] && real=""; \
		for g in "$$f" $$real; do \
			pkg=$$(dpkg-query -S "$$g" 2>/dev/null | grep -v '^diversion' | cut -d: -f1 | head -1); \
			[ -n "$$pkg" ] || continue; \
			[ "$$(dpkg-divert --truename "$$g" 2>/dev/null)" = "$$g" ] || continue; \
			bad="$$bad $$g"; echo "make $@: $$g belongs to the Debian package $$pkg" >&2; \
		done; \
	done; \
	if [ -n "$$bad" ]; then \
		echo "make $@: refusing to change it. Either install next to it (make $@ PREFIX=/usr/local)," >&2; \
		echo "  or move the package's files aside first:" >&2; \
		for f in $$bad; do echo "    dpkg-divert --local --rename --add $$f" >&2; done; \
		echo "  or build and install the package (make deb; apt-get install ./dist/pptp_*.deb)." >&2; \
		exit 1; \
	fi; \
fi
endef

install: pptp
	@$(refuse_packaged_files)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/ppp
	$(INSTALL) -m 0755 $(INSTALL_STRIP) pptp $(INST_BIN)
	$(INSTALL) -m 0644 pptp.8 $(INST_MAN)
	@if [ -e $(INST_OPTS) ] || [ -L $(INST_OPTS) ]; then \
		echo "kept the existing $(INST_OPTS) (ours is etc/options.pptp)"; \
	else \
		echo "$(INSTALL) -m 0644 etc/options.pptp $(INST_OPTS)"; \
		$(INSTALL) -m 0644 etc/options.pptp $(INST_OPTS); \
	fi
	@if [ -z "$(DESTDIR)" ] && [ "$(SBINDIR)" != /usr/sbin ] && [ -x /usr/sbin/pptp ]; then \
		echo "note: /usr/sbin/pptp exists too; a shell finds the first in PATH, NetworkManager-pptp"; \
		echo "      takes /sbin/pptp, then /usr/sbin/pptp, then /usr/local/sbin/pptp (README, Install)"; \
	fi
	@$(MAKE) --no-print-directory install-plugin

uninstall:
	@$(refuse_packaged_files)
	rm -f $(INST_BIN) $(INST_MAN) $(INST_PLUGIN)
	@if [ -f $(INST_OPTS) ] && cmp -s etc/options.pptp $(INST_OPTS); then \
		echo "rm -f $(INST_OPTS)"; rm -f $(INST_OPTS); \
	elif [ -e $(INST_OPTS) ]; then \
		echo "kept $(INST_OPTS): not the file make install put there (edited, or not ours)"; \
	fi

# The kernel data path's pppd plugin, where pppd looks for it, when that
# directory exists (pppd 2.4.9 installed); otherwise say so and go on.
# (Part of install; on its own it skips install's checks.)
install-plugin:
	@if [ -d "$(DESTDIR)$(PPPD_PLUGINDIR)" ]; then \
		$(MAKE) --no-print-directory plugin && \
		echo "$(INSTALL) -m 0644 $(INSTALL_STRIP) plugin/pptp-kernel.so $(INST_PLUGIN)" && \
		$(INSTALL) -m 0644 $(INSTALL_STRIP) plugin/pptp-kernel.so $(INST_PLUGIN); \
	else \
		echo "no $(DESTDIR)$(PPPD_PLUGINDIR) (pppd 2.4.9): pptp-kernel.so not installed, pptp --kernel falls back to the pty gateway"; \
	fi

# ---- Debian package --------------------------------------------------------
# make deb: dist/pptp_VERSION_ARCH.deb from debian/ (dpkg-buildpackage -b,
# needs dpkg-dev and debhelper).  Built in a copy of the source under
# dist/build, so neither this tree nor its parent directory gets build
# output.  test/deb.sh checks the result (contents, metadata, lintian).
DEB_BUILD_DIR = dist/build
deb:
	rm -rf $(DEB_BUILD_DIR) && mkdir -p $(DEB_BUILD_DIR)/pptp
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		echo "copying the source (git ls-files) to $(DEB_BUILD_DIR)/pptp"; \
		git ls-files -z --cached --others --exclude-standard | \
			tar --null --ignore-failed-read -T - -cf - | tar -xf - -C $(DEB_BUILD_DIR)/pptp; \
	else \
		echo "copying the source to $(DEB_BUILD_DIR)/pptp"; \
		tar --exclude=./dist -cf - . | tar -xf - -C $(DEB_BUILD_DIR)/pptp && \
			$(MAKE) -C $(DEB_BUILD_DIR)/pptp clean >/dev/null; \
	fi
	cd $(DEB_BUILD_DIR)/pptp && dpkg-buildpackage -b -us -uc
	mv $(DEB_BUILD_DIR)/*.deb dist/
	@ls dist/*.deb

clean:
	rm -f pptp pptp-asan *.o $(UNIT_TESTS) $(TEST_TOOLS) $(FUZZERS) plugin/pptp-kernel.so
	rm -rf dist

.PHONY: all tests print-unit-tests check check-unit demo fuzz bench install install-plugin plugin uninstall deb clean
