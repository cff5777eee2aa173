#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# smtpfence import csf: csf.conf files this test writes, converted to the
# equivalent policy (which check-config accepts), every setting that is not
# carried over named with file:line, and bad input refused with file:line,
# exit 2 and nothing on stdout. Usage: import_csf.sh BUILD_DIR
set -eu
bin=$1/smtpfence
dir=$(mktemp -d /tmp/smtpfence-csf.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
has() { grep -qxF -- "$2" "$1" || fail "$1 lacks the line '$2': $(cat "$1")"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$1 has '$2': $(cat "$1")"; }
import() { # conf -> $dir/out, $dir/err, $rc
	rc=0
	"$bin" import csf "$1" >"$dir/out" 2>"$dir/err" || rc=$?
}

# cPanel's usual SMTP_BLOCK setup.
cat >"$dir/csf.conf" <<'CONF'
# Testing flag - enables a CRON job that clears iptables
TESTING = "0"
TCP_OUT = "20,21,25,53,80,110,113,443,587,993,995"
IPV6 = "0"
SMTP_BLOCK = "1"
SMTP_ALLOWLOCAL = "1"
SMTP_REDIRECT = "0"
SMTP_PORTS = "25,465,587"
SMTP_ALLOWUSER = "nobody,nosuchuser-csf"
SMTP_ALLOWGROUP = "root,nosuchgroup-csf"
SMTPAUTH_RESTRICT = "1"
LF_SMTPAUTH = "5"
LF_SCRIPT_ALERT = "1"
RT_RELAY_ALERT = "100"
DROP_OUT = "DROP"
PORTFLOOD = ""
CONF
import "$dir/csf.conf"
[ "$rc" -eq 0 ] || fail "import exited $rc: $(cat "$dir/err")"
has "$dir/out" "ports = 25 465 587"
has "$dir/out" "default = deny"
has "$dir/out" "exempt = 127.0.0.0/8 ::1/128"
has "$dir/out" "allow = user:root"
has "$dir/out" "allow = user:nobody"
has "$dir/out" "allow = group:root"
lacks "$dir/out" "allow = user:nosuch"
lacks "$dir/out" "allow = group:nosuch"
e=$dir/csf.conf
for want in "$e:9: SMTP_ALLOWUSER: no user 'nosuchuser-csf' on this host" \
	"$e:10: SMTP_ALLOWGROUP: no group 'nosuchgroup-csf' on this host" \
	"$e:3: TCP_OUT: does not open port 465, so CSF blocks it for everyone" \
	"$e:4: IPV6: CSF left IPv6 alone" \
	"$e:6: SMTP_ALLOWLOCAL: CSF accepts everything routed over lo" \
	"$e:11: SMTPAUTH_RESTRICT: not carried over: it restricts inbound SMTP AUTH" \
	"$e:12: LF_SMTPAUTH: not carried over: it blocks inbound" \
	"$e:13: LF_SCRIPT_ALERT: not carried over" \
	"$e:14: RT_RELAY_ALERT: not carried over" \
	"$e:15: DROP_OUT: DROP left callers waiting"; do
	grep -qF -- "$want" "$dir/err" || fail "no note '$want' in: $(cat "$dir/err")"
done
[ "$(wc -l <"$dir/err")" -eq 10 ] || fail "expected 10 notes: $(cat "$dir/err")"
grep -q "^# SMTPAUTH_RESTRICT (line 11): not carried over" "$dir/out" || fail "notes are not in the policy"
# The policy is valid as printed, and judges as CSF did.
printf 'rules_dir = %s/rules.d\n' "$dir" >"$dir/extra"
sed "/^\[global\]/r $dir/extra" "$dir/out" >"$dir/smtpfence.conf"
"$bin" --config "$dir/smtpfence.conf" check-config >"$dir/check" 2>&1 ||
	fail "check-config refuses the imported policy: $(cat "$dir/check")"
grep -q "ok, 3 rules and the default" "$dir/check" || fail "check-config: $(cat "$dir/check")"

# --output writes a new file, the same text; never over an existing one.
"$bin" import csf "$dir/csf.conf" --output "$dir/written.conf" 2>/dev/null || fail "--output failed"
cmp -s "$dir/out" "$dir/written.conf" || fail "--output wrote other text than import prints"
rc=0
"$bin" import csf "$dir/csf.conf" -o "$dir/written.conf" 2>"$dir/err" || rc=$?
[ "$rc" -eq 1 ] || fail "--output over an existing file: exit $rc, want 1"
grep -qF "failed to write $dir/written.conf: File exists (it is never overwritten)" "$dir/err" ||
	fail "--output over an existing file: $(cat "$dir/err")"

# SMTP_BLOCK off: CSF restricts nothing, nor does the policy.
printf 'SMTP_BLOCK = "0"\nSMTP_PORTS = "25"\n' >"$dir/off.conf"
import "$dir/off.conf"
[ "$rc" -eq 0 ] || fail "off: exit $rc"
has "$dir/out" "default = allow"
lacks "$dir/out" "[rules]"
grep -qF "$dir/off.conf:1: SMTP_BLOCK: off" "$dir/err" || fail "off: no note: $(cat "$dir/err")"

# REJECT and redirect.
printf 'SMTP_BLOCK = "1"\nSMTP_ALLOWLOCAL = "0"\nDROP_OUT = "REJECT"\nSMTP_REDIRECT = "1"\n' >"$dir/rej.conf"
import "$dir/rej.conf"
[ "$rc" -eq 0 ] || fail "reject: exit $rc"
has "$dir/out" "deny_errno = ECONNREFUSED"
has "$dir/out" "ports = 25 465 587" # CSF's default SMTP_PORTS
lacks "$dir/out" "exempt ="
grep -qF "$dir/rej.conf:4: SMTP_REDIRECT: not carried over" "$dir/err" || fail "no redirect note"

# Bad input: file:line, exit 2, nothing printed.
bad() { # text, expected message
	printf '%b' "$1" >"$dir/bad.conf"
	import "$dir/bad.conf"
	[ "$rc" -eq 2 ] || fail "bad input '$1': exit $rc, want 2"
	[ ! -s "$dir/out" ] || fail "bad input '$1' printed a policy"
	grep -qF -- "$dir/bad.conf:$2" "$dir/err" || fail "bad input '$1': want '$2' in: $(cat "$dir/err")"
}
bad 'SMTP_BLOCK = "1"\nSMTP_PORTS = "25,smtp"\n' "2: SMTP_PORTS: "
bad 'SMTP_BLOCK = "1"\nSMTP_PORTS = "25,70000"\n' "2: SMTP_PORTS: "
bad '# c\nSMTP_BLOCK = "yes"\n' "2: SMTP_BLOCK: 'yes' is not 0 or 1"
bad 'SMTP_BLOCK = 1\n' '1: SMTP_BLOCK: value 1 is not in double quotes'
bad 'SMTP_BLOCK = "1"\nthis is not a setting\n' '2: syntax error'
bad 'SMTP_BLOCK = "1"\nDROP_OUT = "TARPIT"\n' "2: DROP_OUT: 'TARPIT' is not DROP or REJECT"
bad 'SMTP_BLOCK = "1"\nSMTP_ALLOWUSER = "a b,x:y"\n' "2: SMTP_ALLOWUSER: "
import "$dir/absent.conf"
[ "$rc" -eq 1 ] || fail "a missing file: exit $rc, want 1"
grep -qF "failed to read $dir/absent.conf: No such file or directory" "$dir/err" || fail "missing: $(cat "$dir/err")"
rc=0
"$bin" import iptables >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "import iptables: exit $rc, want 2"
echo "import csf: policy, 10 notes with file:line, valid for check-config; off, REJECT, redirect; 7 bad inputs refused"
