#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The .deb's life in a throwaway Debian 12 root (dpkg --root on an overlay
# of the cached test tree, in a private mount namespace with its own bpffs,
# so neither the host's /usr nor its pins are touched): install (not
# enabled, not started, says why), upgrade (the admin's files kept, pinned
# enforcement kept and said so), remove (enforcement stays pinned, says how
# to lift it), purge (pins and configuration gone). Then lintian: no errors.
# Usage: deb_lifecycle.sh DEB
set -eu
deb=$(realpath "$1")
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
if [ "${SFT_IN_NS:-}" != 1 ]; then
	tree=$(scripts/test-tree.sh "$deb")
	SFT_IN_NS=1 SFT_TREE=$tree exec unshare --mount --propagation private "$0" "$@"
fi

work=$(mktemp -d /tmp/smtpfence-deb.XXXXXX)
trap 'umount -R "$work/root" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/upper" "$work/work" "$work/root"
mount -t overlay overlay -o "lowerdir=$SFT_TREE,upperdir=$work/upper,workdir=$work/work" "$work/root"
root=$work/root
mkdir -p "$root/sys/fs/bpf"
mount -t bpf bpf "$root/sys/fs/bpf" # a bpffs of our own, not the host's
[ ! -d "$root/run/systemd/system" ] || fail "the tree claims a running systemd"
dpkg_root() { dpkg --root="$root" "$@" 2>&1; }

# The upgrade: the same package as a later version.
mkdir "$work/next"
dpkg-deb -R "$deb" "$work/next/pkg"
sed -i 's/^Version: .*/&+next1/' "$work/next/pkg/DEBIAN/control"
dpkg-deb -b "$work/next/pkg" "$work/next.deb" >/dev/null

# Install
out=$(dpkg_root -i "$deb") || fail "install: $out"
echo "$out" | grep -q "installed, not enabled and not started" || fail "install does not say it did not start: $out"
echo "$out" | grep -q "smtpfence check-config && systemctl enable --now smtpfence" || fail "install does not say how to start"
for f in /usr/sbin/smtpfence /lib/systemd/system/smtpfence.service /usr/share/man/man8/smtpfence.8.gz \
	/usr/share/man/man5/smtpfence.conf.5.gz /usr/share/man/man7/smtpfence-json.7.gz /usr/share/bash-completion/completions/smtpfence \
	/etc/smtpfence/smtpfence.conf.example; do
	[ -f "$root$f" ] || fail "install: no $f"
done
[ -d "$root/etc/smtpfence/rules.d" ] || fail "install: no rules.d"
[ ! -e "$root/etc/smtpfence/smtpfence.conf" ] || fail "install wrote smtpfence.conf"
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/smtpfence.service" ] || fail "install enabled the service"
grep -q '^ExecStart=/usr/sbin/smtpfence run$' "$root/lib/systemd/system/smtpfence.service" || fail "unit: ExecStart"
chroot "$root" /usr/sbin/smtpfence --version | grep -q "^smtpfence " || fail "the installed binary does not run in the tree"

# Enforcement pinned (a real pinned map stands for the daemon's pins), an
# admin's configuration and edited example.
mkdir -p "$root/sys/fs/bpf/smtpfence"
bpftool map create "$root/sys/fs/bpf/smtpfence/rules" type hash key 4 value 4 entries 1 name rules
printf '[global]\nports = 25\ndefault = log\n' >"$root/etc/smtpfence/smtpfence.conf"
printf '[rules]\nallow = user:root\n' >"$root/etc/smtpfence/rules.d/acme.conf"
echo "# my note" >>"$root/etc/smtpfence/smtpfence.conf.example"

# Upgrade
out=$(dpkg_root --force-confold -i "$work/next.deb") || fail "upgrade: $out"
dpkg --root="$root" -s smtpfence | grep -q '^Version: .*+next1$' || fail "upgrade: version not installed"
echo "$out" | grep -q "the programs pinned at /sys/fs/bpf/smtpfence still enforce" ||
	fail "upgrade with the service stopped does not say the pins still enforce: $out"
[ -e "$root/sys/fs/bpf/smtpfence/rules" ] || fail "upgrade removed the pins"
grep -q "default = log" "$root/etc/smtpfence/smtpfence.conf" || fail "upgrade changed smtpfence.conf"
grep -q "# my note" "$root/etc/smtpfence/smtpfence.conf.example" || fail "upgrade overwrote the edited example"
[ -f "$root/etc/smtpfence/rules.d/acme.conf" ] || fail "upgrade removed a drop-in"

# Remove: like systemctl stop, enforcement stays; the way out is said.
out=$(dpkg_root -r smtpfence) || fail "remove: $out"
echo "$out" | grep -q "enforcement stays pinned at /sys/fs/bpf/smtpfence" || fail "remove does not say enforcement stays: $out"
echo "$out" | grep -q "apt purge smtpfence" || fail "remove does not say how to lift enforcement"
[ ! -e "$root/usr/sbin/smtpfence" ] || fail "remove left the binary"
[ -e "$root/sys/fs/bpf/smtpfence/rules" ] || fail "remove lifted enforcement"
[ -f "$root/etc/smtpfence/smtpfence.conf" ] || fail "remove deleted the configuration"

# Purge: the pins (and so enforcement) and the configuration go.
out=$(dpkg_root -P smtpfence) || fail "purge: $out"
echo "$out" | grep -q "enforcement is lifted" || fail "purge does not say it unloaded: $out"
[ ! -e "$root/sys/fs/bpf/smtpfence" ] || fail "purge left the pins"
[ ! -e "$root/etc/smtpfence" ] || fail "purge left /etc/smtpfence: $(find "$root/etc/smtpfence")"
dpkg --root="$root" -s smtpfence >/dev/null 2>&1 && fail "purge: the package is still known"

# Purge straight from installed, with nothing pinned: quiet and clean.
dpkg_root -i "$deb" >/dev/null || fail "second install"
out=$(dpkg_root -P smtpfence) || fail "purge from installed: $out"
[ ! -e "$root/etc/smtpfence" ] || fail "purge from installed left /etc/smtpfence"

lint=$(lintian --suppress-tags package-supports-alternative-init-but-no-init.d-script "$deb" 2>&1 |
	grep -v 'running with root privileges' || true)
echo "$lint" | grep -q '^E:' && fail "lintian errors: $lint"
[ -z "$lint" ] || echo "lintian: $lint"
echo "deb: install (not started), upgrade (pins and conffiles kept), remove (still enforcing), purge (unloaded) in a throwaway root; lintian clean"
