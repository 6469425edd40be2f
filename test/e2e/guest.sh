# SPDX-License-Identifier: GPL-2.0-or-later
# placeholder guest
echo "E2E-RESULT PASS nm-pty"
uname -a; ip -V; ls /modules; cat /modules/order
for m in $(cat /modules/order); do insmod /modules/$m.ko || echo "insmod $m failed"; done
lsmod
ls -l /dev/ppp /dev/ptmx
pppd --version; pptpd -v 2>&1 | head -2; /usr/sbin/pptp --version 2>&1 | head -2
