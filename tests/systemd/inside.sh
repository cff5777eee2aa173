#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the booted container (smtpfence-test.service, systemd as PID
# 1, the .deb installed): start, bad reload, restart and upgrade under a
# tenant's connect loop, watchdog, stop, unload. Every step's result goes
# to /out/log; /out/result says PASS or the first FAIL. The host checks
# where the programs are attached while /out/attached-wait exists.
set -u
exec >>/out/log 2>&1
fail() {
	echo "FAIL: $*"
	echo "FAIL: $*" >/out/result
	journalctl -u smtpfence --no-pager -n 40 >/out/journal 2>&1
	systemctl poweroff
	exit 1
}
step() { echo "== $*"; }
# One connect of the tenant (uid 10001) to 192.0.2.1:25, nothing listens:
# "denied" (EPERM from smtpfence) or "through" (refused by the stack).
tenant_connect() {
	runuser -u tenant -- bash -c 'exec 3<>/dev/tcp/192.0.2.1/25' 2>&1 | grep -q 'Operation not permitted' &&
		echo denied || echo through
}
loop_start() {
	rm -f /out/loop
	runuser -u tenant -- bash -c 'while :; do
		if (exec 3<>/dev/tcp/192.0.2.1/25) 2>&1 | grep -q "Operation not permitted"; then
			echo denied; else echo through; fi
	done' >>/out/loop 2>&1 &
	loop=$!
}
loop_stop() { # -> checks no connect went through while it ran
	kill "$loop"
	wait "$loop" 2>/dev/null
	local through denied
	through=$(grep -c through /out/loop)
	denied=$(grep -c denied /out/loop)
	echo "loop: $denied denied, $through through"
	[ "$through" -eq 0 ] || fail "$1: $through of $((denied + through)) connects went through"
	[ "$denied" -gt 20 ] || fail "$1: only $denied connects were tried"
}

ip addr add 192.0.2.1/32 dev lo
step "before start: nothing enforces"
[ "$(tenant_connect)" = through ] || fail "a connect was denied before smtpfence started"
systemctl is-enabled smtpfence.service && fail "the package enabled the service"
systemctl is-active --quiet smtpfence.service && fail "the package started the service"

step "start: systemctl start returns once READY=1 is sent, and READY means enforcing"
cp /root/smtpfence.conf /etc/smtpfence/smtpfence.conf
systemctl start smtpfence.service || fail "start failed"
[ "$(tenant_connect)" = denied ] || fail "the first connect after start (READY) was not denied"
status=$(systemctl show -P StatusText smtpfence.service)
echo "status: $status"
case $status in enforcing:*) ;; *) fail "StatusText '$status'" ;; esac
[ "$(id -u tenant)" = 10001 ] || fail "no tenant user"
# The host looks at where the programs are attached meanwhile.
touch /out/attached-wait
for _ in $(seq 100); do [ -e /out/attached-wait ] || break; sleep 0.1; done
[ -e /out/attached-wait ] && fail "the host did not check the attachment"

step "reload with a bad file: refused with file:line, policy kept"
echo "deny = nosuchkind:x" >>/etc/smtpfence/smtpfence.conf
if systemctl reload smtpfence.service; then fail "a bad reload succeeded"; fi
journalctl -u smtpfence.service --no-pager | grep -q '/etc/smtpfence/smtpfence.conf:[0-9]*: ' ||
	fail "no file:line in the journal for the refused reload"
systemctl is-active --quiet smtpfence.service || fail "a refused reload stopped the service"
[ "$(tenant_connect)" = denied ] || fail "after a refused reload, the policy is gone"
cp /root/smtpfence.conf /etc/smtpfence/smtpfence.conf
systemctl reload smtpfence.service || fail "a good reload failed"

step "restart under a tenant's connect loop"
loop_start
sleep 1
old=$(systemctl show -P MainPID smtpfence.service)
systemctl restart smtpfence.service || fail "restart failed"
sleep 1
[ "$(systemctl show -P MainPID smtpfence.service)" != "$old" ] || fail "restart kept the same daemon"
loop_stop restart

step "upgrade (dpkg -i, the postinst restarts the running daemon) under the loop"
loop_start
sleep 1
old=$(systemctl show -P MainPID smtpfence.service)
dpkg -i /root/next.deb || fail "upgrade failed"
dpkg -s smtpfence | grep -q '^Version: .*+next1$' || fail "the upgrade did not install"
sleep 1
systemctl is-active --quiet smtpfence.service || fail "not active after the upgrade"
[ "$(systemctl show -P MainPID smtpfence.service)" != "$old" ] || fail "the upgrade did not restart the daemon"
loop_stop upgrade

step "watchdog: a hung daemon is killed and restarted, enforcement never stops"
mkdir -p /etc/systemd/system/smtpfence.service.d
printf '[Service]\nWatchdogSec=2s\n' >/etc/systemd/system/smtpfence.service.d/watchdog.conf
systemctl daemon-reload
systemctl restart smtpfence.service || fail "restart with WatchdogSec=2s failed"
sleep 3 # it keeps pinging: still the same daemon
old=$(systemctl show -P MainPID smtpfence.service)
[ "$(systemctl show -P NRestarts smtpfence.service)" -eq 0 ] || fail "restarted while pinging"
loop_start
kill -STOP "$old"
for _ in $(seq 100); do
	new=$(systemctl show -P MainPID smtpfence.service)
	[ "$new" != "$old" ] && [ "$new" != 0 ] && systemctl is-active --quiet smtpfence.service && break
	sleep 0.1
done
[ "$new" != "$old" ] || fail "the watchdog did not replace the hung daemon"
journalctl -u smtpfence.service --no-pager | grep -q 'Watchdog timeout' || fail "no watchdog timeout logged"
loop_stop watchdog
rm /etc/systemd/system/smtpfence.service.d/watchdog.conf
systemctl daemon-reload

step "stop: enforcement stays; unload lifts it"
systemctl stop smtpfence.service || fail "stop failed"
[ "$(tenant_connect)" = denied ] || fail "stop lifted enforcement"
smtpfence unload || fail "unload failed"
[ "$(tenant_connect)" = through ] || fail "unload did not lift enforcement"

step "remove: the daemon stops, enforcement stays; purge lifts it"
systemctl start smtpfence.service || fail "start before remove failed"
[ "$(tenant_connect)" = denied ] || fail "not enforcing before remove"
dpkg -r smtpfence >/out/remove.log 2>&1 || fail "remove: $(cat /out/remove.log)"
grep -q "enforcement stays pinned at /sys/fs/bpf/smtpfence" /out/remove.log || fail "remove did not say so"
systemctl is-active --quiet smtpfence.service && fail "remove left the daemon running"
[ "$(tenant_connect)" = denied ] || fail "remove lifted enforcement"
dpkg -P smtpfence >/out/purge.log 2>&1 || fail "purge: $(cat /out/purge.log)"
grep -q "enforcement is lifted" /out/purge.log || fail "purge did not say so"
# The links go when the kernel frees them, moments after their pins.
for _ in $(seq 40); do [ "$(tenant_connect)" = through ] && break; sleep 0.05; done
[ "$(tenant_connect)" = through ] || fail "purge did not lift enforcement"
[ ! -e /sys/fs/bpf/smtpfence ] || fail "purge left the pins"
echo PASS >/out/result
systemctl poweroff
