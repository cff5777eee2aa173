#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The systemd unit as installed: `systemd-analyze verify` reads it the way
# systemd would (no systemd as PID 1 is needed: --root points it at a
# staged install, where it also finds the binary ExecStart= names and the
# man pages Documentation= names). Any complaint fails the test, and so
# does a hardening regression past the exposure figure it has today.
set -eu
# A DESTDIR outside build/: make reads every *.d under build/, and the
# staged /etc/smtpfence/rules.d is a directory.
stage=$(mktemp -d /tmp/smtpfence-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
threshold=25 # systemd-analyze security's exposure, in tenths (2.5)
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (package systemd)"

make --no-print-directory install DESTDIR="$stage" PREFIX=/usr >/dev/null
unit=$stage/usr/lib/systemd/system/smtpfence.service
[ -f "$unit" ] || fail "make install laid no unit at $unit"
grep -q '^ExecStart=/usr/sbin/smtpfence run$' "$unit" || fail "ExecStart= does not name the installed binary"

out=$(MANPATH="$stage/usr/share/man" systemd-analyze verify --root="$stage" smtpfence.service 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify complained: $out"

# verify itself must be able to fail here: a unit with a bad key does.
sed 's/^Type=notify$/Type=notify\nBogusKey=1/' "$unit" >"$unit.tmp" && mv "$unit.tmp" "$unit"
out=$(MANPATH="$stage/usr/share/man" systemd-analyze verify --root="$stage" smtpfence.service 2>&1) || true
case $out in *BogusKey*) ;; *) fail "verify did not notice a bad key: $out" ;; esac
make --no-print-directory install DESTDIR="$stage" PREFIX=/usr >/dev/null

exposure=$(systemd-analyze security --offline=yes --root="$stage" smtpfence.service 2>&1 | tail -n 1)
systemd-analyze security --offline=yes --root="$stage" --threshold=$threshold \
	smtpfence.service >/dev/null 2>&1 || fail "hardening regressed: $exposure"

# The promises the unit makes, as systemd will read them.
for want in 'Type=notify' 'ExecReload=/usr/sbin/smtpfence reload' 'Restart=on-failure' \
	'RestartPreventExitStatus=2' 'WatchdogSec=' 'Before=network-pre.target' \
	'RuntimeDirectoryPreserve=yes' 'ReadWritePaths=/sys/fs/bpf' 'NoNewPrivileges=yes' \
	'ProtectSystem=strict' 'ProtectHome=yes' \
	'CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_NET_ADMIN'; do
	grep -q "^$want" "$unit" || fail "the unit lacks $want"
done
for workload in systemd-user-sessions.service cron.service php8.2-fpm.service docker.service; do
	grep -q "^Before=.*$workload" "$unit" || fail "the unit is not ordered before $workload"
done
rm -rf "$stage"
echo "unit-file: verified, ${exposure#→ }"
