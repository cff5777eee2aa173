#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The .deb under a real systemd: systemd-nspawn --boot of the cached Debian
# 12 tree (scripts/test-tree.sh) with the package installed, in a private
# network namespace and a throwaway cgroup of its own, with a bpffs of its
# own; inside.sh runs the steps (start, bad reload, restart and upgrade
# under a tenant's connect loop, watchdog, stop). smtpfence inside attaches
# at the container's cgroup-namespace root, which is that throwaway cgroup:
# checked from here with bpftool, and the host's cgroup-v2 root carries
# nothing before, during and after.
# Usage: nspawn.sh DEB
set -eu
deb=$(realpath "$1")
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
if [ "${SFT_IN_NS:-}" != 1 ]; then
	command -v systemd-nspawn >/dev/null || { echo "SKIP: no systemd-nspawn (systemd-container)"; exit 77; }
	tree=$(scripts/test-tree.sh "$deb")
	SFT_IN_NS=1 SFT_TREE=$tree SFT_SRC=$PWD exec unshare --mount --propagation private "$0" "$@"
fi

cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
[ -n "$cg2" ] || { echo "SKIP: no cgroup-v2 mount"; exit 77; }
work=$(mktemp -d /tmp/smtpfence-nspawn.XXXXXX)
cg=$cg2/smtpfence-nspawn-$$
cleanup() {
	[ -n "${nspawn_pid:-}" ] && kill "$nspawn_pid" 2>/dev/null && wait "$nspawn_pid" 2>/dev/null
	umount -R "$work/root" 2>/dev/null || true
	umount "$work/bpf" 2>/dev/null || true
	# the container's cgroups, deepest first
	[ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
host_root_progs() { bpftool cgroup show "$cg2" 2>&1 | grep -v '^ID' || true; }
before=$(host_root_progs)

mkdir -p "$work/upper" "$work/work" "$work/root" "$work/out" "$work/bpf"
mount -t overlay overlay -o "lowerdir=$SFT_TREE,upperdir=$work/upper,workdir=$work/work" "$work/root"
mount -t bpf bpf "$work/bpf" # the container's own bpffs instance
root=$work/root
dpkg --root="$root" -i "$deb" >"$work/out/install.log" 2>&1 || fail "install: $(cat "$work/out/install.log")"
# The upgrade: the same package as a later version.
dpkg-deb -R "$deb" "$work/next"
sed -i 's/^Version: .*/&+next1/' "$work/next/DEBIAN/control"
dpkg-deb -b "$work/next" "$root/root/next.deb" >/dev/null
chroot "$root" useradd -u 10001 -M -s /bin/bash tenant
printf '[global]\nports = 25\ndefault = deny\n\n[rules]\nallow = user:root\n' >"$root/root/smtpfence.conf"
install -m 0755 "$SFT_SRC/tests/systemd/inside.sh" "$root/root/inside.sh"
cat >"$root/etc/systemd/system/smtpfence-test.service" <<'UNIT'
[Unit]
Description=smtpfence package test (tests/systemd/inside.sh)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/inside.sh
UNIT
ln -s /etc/systemd/system/smtpfence-test.service "$root/etc/systemd/system/multi-user.target.wants/"

mkdir "$cg"
# nspawn (and the container's systemd) live in the throwaway cgroup; bpf()
# and CAP_BPF are not in nspawn's defaults.
# sh -c moves itself ($$ is its own pid there), then becomes nspawn, which
# puts the container in a "payload" cgroup below it.
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
	env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 timeout 180 systemd-nspawn --quiet --register=no \
	--keep-unit --private-network --console=pipe --capability=CAP_BPF,CAP_PERFMON \
	--system-call-filter=bpf --bind="$work/out:/out" --bind="$work/bpf:/sys/fs/bpf" \
	-D "$root" --boot </dev/null >"$work/out/console.log" 2>&1 &
nspawn_pid=$!
during=""
while kill -0 "$nspawn_pid" 2>/dev/null; do
	if [ -e "$work/out/attached-wait" ]; then
		during=$(host_root_progs)
		bpftool cgroup tree "$cg" >"$work/out/container-root" 2>&1 || true
		rm "$work/out/attached-wait"
	fi
	sleep 0.1
done
wait "$nspawn_pid" || true
nspawn_pid=""
after=$(host_root_progs)

cat "$work/out/log" 2>/dev/null
result=$(cat "$work/out/result" 2>/dev/null || echo "no result (the container did not run the test)")
if [ "$result" != PASS ]; then
	cat "$work/out/journal" 2>/dev/null
	tail -n 30 "$work/out/console.log"
	fail "$result"
fi
# bpftool cgroup tree: a line naming the cgroup, then its programs.
attached_at=$(awk '/^\// {path=$1} /connect4/ {print path; exit}' "$work/out/container-root")
case $attached_at in
"$cg" | "$cg"/*) ;;
*) fail "smtpfence was not attached inside the container's cgroup: $(cat "$work/out/container-root")" ;;
esac
grep -q 'connect6' "$work/out/container-root" || fail "no connect6 in the container's cgroup"
[ "$before" = "$during" ] && [ "$before" = "$after" ] ||
	fail "the host's cgroup-v2 root changed: before '$before' during '$during' after '$after'"
echo "$during" | grep -q 'connect4\|connect6' && fail "the host's cgroup-v2 root carries a connect program"
echo "systemd: booted, start=enforcing, bad reload refused with file:line, restart/upgrade/watchdog with no connect through, stop kept enforcement, unload lifted it, remove kept it, purge lifted it; attached at $attached_at, the host's cgroup-v2 root ($cg2) untouched"
