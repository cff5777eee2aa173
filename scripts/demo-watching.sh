#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A real run of the watching commands, for the README: tenants in a
# throwaway cgroup send SMTP from a private network namespace, and top,
# flows and events show it. Nothing leaves the sandbox: its own mount and
# network namespaces, its own bpffs, addresses on its own loopback, and a
# cgroup named smtpfence-test-demo-PID that is removed on exit.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root" >&2; exit 1; }
BIN=$(realpath "${SMTPFENCE_BIN:-build/smtpfence}")
MOUNT=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$MOUNT" ] || { echo "demo: no cgroup2 mount" >&2; exit 1; }
export BIN MOUNT

exec unshare --mount --net --propagation private bash -eu -c '
CG=$MOUNT/smtpfence-test-demo-$$
W=$(mktemp -d /tmp/smtpfence-demo.XXXXXX)
DAEMON=
cleanup() {
	[ -z "$DAEMON" ] || { kill "$DAEMON"; wait "$DAEMON" || true; }
	"$BIN" --pin-dir "$W/bpf/sf" unload >/dev/null 2>&1 || true
	for d in $(find "$CG" -depth -type d 2>/dev/null); do rmdir "$d"; done
	umount "$W/bpf" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/bpf" "$W/run"
mount -t bpf bpf "$W/bpf"
ip link set lo up
ip addr add 192.0.2.1/24 dev lo
ip addr add 198.51.100.1/24 dev lo
R=${CG#$MOUNT}
for d in tenants.slice/acme.slice/php-fpm.service tenants.slice/acme.slice/cron.service \
	tenants.slice/beta.slice/wordpress.service tenants.slice/gamma.slice/app.service \
	system.slice/postfix.service; do
	mkdir -p "$CG/$d"
done
cat > "$W/smtpfence.conf" <<CONF
[global]
ports = 25 587
default = deny
rules_dir = $W/rules.d
metrics_address = off
[rules]
allow = cgroup:$R/system.slice/postfix.service
deny = unit:acme.slice
limit = unit:beta.slice 5/min burst 5
log = unit:gamma.slice
CONF
SF="$BIN --pin-dir $W/bpf/sf --config $W/smtpfence.conf --run-dir $W/run"
$SF run --cgroup "$CG" 2>"$W/daemon.log" &
DAEMON=$!
sleep 1

# COUNT connects to HOST:PORT from a cgroup as a uid, SLEEP seconds apart.
smtp() {
	local cg=$1 uid=$2 host=$3 port=$4 count=$5 pause=${6:-0}
	(
		echo $BASHPID > "$CG/$cg/cgroup.procs"
		exec setpriv --reuid="$uid" --regid="$uid" --clear-groups bash -c "
			for i in \$(seq $count); do
				(exec 3<>/dev/tcp/$host/$port) 2>/dev/null || true
				sleep $pause
			done"
	)
}
smtp tenants.slice/acme.slice/cron.service 10001 198.51.100.9 587 3
smtp tenants.slice/beta.slice/wordpress.service 10002 198.51.100.7 587 8
smtp tenants.slice/gamma.slice/app.service 10003 192.0.2.25 25 4
smtp system.slice/postfix.service 0 192.0.2.1 25 6
# acme hammers port 25 while top watches
smtp tenants.slice/acme.slice/php-fpm.service 10001 198.51.100.7 25 150 0.02 &
ACME=$!
sleep 0.5
echo "\$ smtpfence top --batch -n 2 -d 1"
$SF top --batch -n 2 -d 1
wait $ACME
echo "\$ smtpfence flows"
$SF flows
echo
echo "\$ smtpfence events | tail -n 3"
$SF events | tail -n 3
echo
echo "\$ smtpfence flows -j --target unit:beta.slice"
$SF flows -j --target unit:beta.slice
'
