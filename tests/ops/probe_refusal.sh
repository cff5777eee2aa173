#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The start probe on a host that mounts cgroup v1 only: in a private mount
# namespace the cgroup2 mount is taken away (the v1 controllers stay, as on
# EL8), and `smtpfence run` must refuse in one line naming the boot
# parameter, exit 1, and leave nothing pinned. Usage: probe_refusal.sh BUILD
set -eu
bin=$(realpath "$1/smtpfence")
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
if [ "${SFT_IN_NS:-}" != 1 ]; then
	SFT_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
dir=$(mktemp -d /tmp/smtpfence-probe.XXXXXX)
trap 'umount "$dir/bpf" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir "$dir/bpf" "$dir/run"
mount -t bpf bpf "$dir/bpf"
# Every cgroup2 mount goes, deepest first; v1 hierarchies stay.
awk '$0 ~ / - cgroup2 / {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
	umount -l "$m"
done
if ! awk '$0 ~ / - cgroup / {found=1} END {exit !found}' /proc/self/mountinfo; then
	# a unified host has no v1 hierarchy to leave behind: mount one
	mkdir -p "$dir/v1"
	mount -t cgroup -o none,name=smtpfence-test cgroup "$dir/v1"
fi
printf '[global]\nports = 25\ndefault = deny\n' >"$dir/smtpfence.conf"
rc=0
"$bin" --pin-dir "$dir/bpf/smtpfence" --config "$dir/smtpfence.conf" --run-dir "$dir/run" run \
	>"$dir/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "run on cgroup v1 only: exit $rc, want 1: $(cat "$dir/out")"
[ "$(wc -l <"$dir/out")" -eq 1 ] || fail "more than one line: $(cat "$dir/out")"
grep -q "cannot enforce here: only cgroup v1 is mounted.*systemd.unified_cgroup_hierarchy=1" "$dir/out" ||
	fail "refusal: $(cat "$dir/out")"
[ ! -e "$dir/bpf/smtpfence" ] || fail "something was pinned: $(ls -R "$dir/bpf/smtpfence")"
echo "probe: $(cat "$dir/out")"
