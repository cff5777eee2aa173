#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make install / make uninstall into a DESTDIR: every file where it
# belongs with its mode, for two prefixes; an admin's files under /etc
# never overwritten nor removed; the man pages render cleanly; the example
# configuration is valid as shipped and with every default uncommented.
set -eu
# A DESTDIR outside build/: make reads every *.d under build/, and the
# staged /etc/smtpfence/rules.d is a directory.
stage=$(mktemp -d /tmp/smtpfence-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
mode_of() { stat -c %a "$1"; }
expect_file() { # path mode
	[ -f "$1" ] || fail "missing $1"
	[ "$(mode_of "$1")" = "$2" ] || fail "$1 has mode $(mode_of "$1"), want $2"
}

for prefix in /usr/local /usr; do
	rm -rf "$stage"
	make --no-print-directory install DESTDIR="$stage" PREFIX=$prefix >/dev/null
	root=$stage$prefix
	expect_file "$root/sbin/smtpfence" 755
	expect_file "$root/lib/systemd/system/smtpfence.service" 644
	expect_file "$root/share/man/man8/smtpfence.8" 644
	expect_file "$root/share/man/man5/smtpfence.conf.5" 644
	expect_file "$root/share/man/man7/smtpfence-json.7" 644
	expect_file "$root/share/bash-completion/completions/smtpfence" 644
	expect_file "$stage/etc/smtpfence/smtpfence.conf.example" 644
	[ -d "$stage/etc/smtpfence/rules.d" ] || fail "no rules.d"
	[ ! -e "$stage/etc/smtpfence/smtpfence.conf" ] ||
		fail "install wrote smtpfence.conf: the embedded default must stay in force"
	grep -q "^ExecStart=$prefix/sbin/smtpfence run$" "$root/lib/systemd/system/smtpfence.service" ||
		fail "the unit does not name $prefix/sbin/smtpfence"
	"$root/sbin/smtpfence" --version | grep -q '^smtpfence ' || fail "installed binary does not run"
	n=$(find "$stage" -type f | wc -l)
	[ "$n" -eq 7 ] || fail "expected 7 files under $stage, found $n: $(find "$stage" -type f)"
	for page in "$root/share/man/man8/smtpfence.8" "$root/share/man/man5/smtpfence.conf.5" \
		"$root/share/man/man7/smtpfence-json.7"; do
		warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
		[ -z "$warn" ] || fail "$page: $warn"
	done
	make --no-print-directory uninstall DESTDIR="$stage" PREFIX=$prefix >/dev/null
	left=$(find "$stage" -type f)
	[ -z "$left" ] || fail "uninstall left: $left"
	[ ! -e "$stage/etc/smtpfence" ] || fail "uninstall left $stage/etc/smtpfence"
done

# An admin's configuration: never overwritten, never removed.
rm -rf "$stage"
mkdir -p "$stage/etc/smtpfence"
echo "# mine" >"$stage/etc/smtpfence/smtpfence.conf"
echo "# my notes" >"$stage/etc/smtpfence/smtpfence.conf.example"
make --no-print-directory install DESTDIR="$stage" >/dev/null
make --no-print-directory install DESTDIR="$stage" >/dev/null
[ "$(cat "$stage/etc/smtpfence/smtpfence.conf")" = "# mine" ] || fail "install overwrote smtpfence.conf"
[ "$(cat "$stage/etc/smtpfence/smtpfence.conf.example")" = "# my notes" ] ||
	fail "install overwrote an edited smtpfence.conf.example"
make --no-print-directory uninstall DESTDIR="$stage" >/dev/null
for f in smtpfence.conf smtpfence.conf.example; do
	[ -f "$stage/etc/smtpfence/$f" ] || fail "uninstall removed an admin's $f"
done
[ ! -e "$stage/usr/local/sbin/smtpfence" ] || fail "uninstall left the binary"

# The example as shipped, and with every commented-out key set to the
# default it shows, is a valid configuration.
example=scripts/smtpfence.conf.example
bin=${BUILD:-build}/smtpfence
"$bin" --config "$example" check-config >/dev/null || fail "$example is not valid"
keys="ports default exempt deny_errno rules_dir max_rules max_flows"
for k in $keys; do
	[ "$(grep -c "^#\{0,1\}$k = " "$example")" -eq 1 ] || fail "$example has not exactly one line for $k"
done
sed -E 's/^#(deny_errno|rules_dir|max_rules|max_flows) = /\1 = /' "$example" >"$stage/defaults.conf"
"$bin" --config "$stage/defaults.conf" check-config >/dev/null ||
	fail "$example: its commented-out defaults are not valid"
rm -rf "$stage"
echo "install: every file laid out for /usr/local and /usr, uninstalled, /etc respected"
