#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The alert_command examples of scripts/alert-examples call the panel's
# own tool with the right arguments: stand-in whmapi1 and plesk on PATH
# record what they were called with; DirectAdmin's blacklist is a file.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ex=$(cd "$(dirname "$0")/../../scripts/alert-examples" && pwd)
mkdir "$dir/bin"
for tool in whmapi1 plesk; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$dir" >"$dir/bin/$tool"
	chmod 755 "$dir/bin/$tool"
done
PATH="$dir/bin:$PATH"
export PATH SMTPFENCE_TARGET=user:bob DA_BLACKLIST="$dir/blacklist" \
	PLESK_DOMAINS="$dir/domains"
printf 'alice alice.example\nbob bob.example\n' >"$dir/domains"
printf 'carol\n' >"$dir/blacklist"
fail() {
	echo "alert examples: $*" >&2
	exit 1
}
run() { # ALERT USER SCRIPT
	SMTPFENCE_ALERT=$1 SMTPFENCE_USER=$2 "$ex/$3" 2>>"$dir/stderr" || fail "$3 $1 failed"
}

for s in cpanel-suspend-outgoing.sh directadmin-blacklist.sh plesk-mail-off.sh; do
	run quarantine_start bob "$s"
	run quarantine_start bob "$s" # twice: the blacklist keeps bob once
done
[ "$(grep -cx bob "$dir/blacklist")" = 1 ] || fail "bob not listed once: $(cat "$dir/blacklist")"
grep -qx carol "$dir/blacklist" || fail "carol lost from the blacklist"
for s in cpanel-suspend-outgoing.sh directadmin-blacklist.sh plesk-mail-off.sh; do
	run quarantine_end bob "$s"
	run dnsbl_listed "" "$s" # not a quarantine: nothing called
	run quarantine_start "" "$s" # no user: nothing called, said
done
! grep -qx bob "$dir/blacklist" || fail "bob still listed after the end"
grep -qx carol "$dir/blacklist" || fail "carol lost from the blacklist"
want="whmapi1 suspend_outgoing_email user=bob
whmapi1 suspend_outgoing_email user=bob
plesk bin mail --off bob.example
plesk bin mail --off bob.example
whmapi1 unsuspend_outgoing_email user=bob
plesk bin mail --on bob.example"
[ "$(cat "$dir/calls")" = "$want" ] || fail "calls were:
$(cat "$dir/calls")
expected:
$want"
[ "$(grep -c 'nothing done' "$dir/stderr")" = 3 ] || fail "no-user runs: $(cat "$dir/stderr")"
echo "alert examples: cPanel, DirectAdmin and Plesk calls as expected"
