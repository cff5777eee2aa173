#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The Ansible role with ansible-playbook -c local against a staging root:
# the main configuration and one drop-in a tenant from inventory variables,
# check-config before the reload, changed on the first run and 0 changed on
# the second, a tenant's change reloads once, a removed tenant's drop-in
# goes, and a bad rule fails the play with file:line, files and policy kept.
# Usage: ansible.sh BUILD_DIR
set -eu
bin=$(realpath "$1/smtpfence")
stage=$(mktemp -d /tmp/smtpfence-ansible.XXXXXX)
trap 'rm -rf "$stage"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
export ANSIBLE_ROLES_PATH="$PWD/ansible/roles" ANSIBLE_LOCAL_TEMP="$stage/tmp" \
	ANSIBLE_REMOTE_TEMP="$stage/tmp" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_HOME="$stage/home" ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
	ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
vars() { # tenants YAML -> $stage/vars.yml
	cat >"$stage/vars.yml" <<VARS
smtpfence_install_package: false
smtpfence_root: $stage/root
smtpfence_binary: $bin
smtpfence_reload_command: sh -c 'echo reload >> $stage/reloads'
smtpfence_global:
  ports: "25 587"
  default: deny
  exempt: "127.0.0.0/8 ::1/128"
smtpfence_rules:
  - allow user:root
  - limit group:mail 100/min burst 20
smtpfence_tenants:
$1
VARS
}
play() { # -> $stage/log, $rc
	rc=0
	ansible-playbook -i localhost, -c local -e "@$stage/vars.yml" ansible/site.yml >"$stage/log" 2>&1 || rc=$?
}
recap() { sed -n 's/.*changed=\([0-9]*\).*/\1/p' "$stage/log" | tail -n 1; }
reloads() { [ -f "$stage/reloads" ] && wc -l <"$stage/reloads" || echo 0; }
conf=$stage/root/etc/smtpfence

vars '  - {name: acme, rules: ["deny unit:acme.slice"]}
  - {name: beta, rules: ["limit unit:beta.slice 10/min burst 5", "log user:nobody"]}'
play
[ "$rc" -eq 0 ] || fail "first run: $(cat "$stage/log")"
[ "$(recap)" -gt 0 ] || fail "first run reported nothing changed"
[ "$(reloads)" -eq 1 ] || fail "first run: $(reloads) reloads, want 1: $(cat "$stage/log")"
grep -qx "deny = unit:acme.slice" "$conf/rules.d/acme.conf" || fail "acme drop-in: $(cat "$conf/rules.d/acme.conf")"
grep -qx "limit = unit:beta.slice 10/min burst 5" "$conf/rules.d/beta.conf" || fail "beta drop-in"
grep -qx "log = user:nobody" "$conf/rules.d/beta.conf" || fail "beta drop-in: log"
grep -qx "ports = 25 587" "$conf/smtpfence.conf" || fail "main: ports"
grep -qx "limit = group:mail 100/min burst 20" "$conf/smtpfence.conf" || fail "main: rules"
grep -qx "rules_dir = $conf/rules.d" "$conf/smtpfence.conf" || fail "main: rules_dir"
"$bin" --config "$conf/smtpfence.conf" check-config >/dev/null || fail "the written configuration is not valid"

play
[ "$rc" -eq 0 ] || fail "second run: $(cat "$stage/log")"
[ "$(recap)" = 0 ] || fail "second run changed $(recap): $(grep -B2 'changed:' "$stage/log")"
[ "$(reloads)" -eq 1 ] || fail "second run reloaded"

# A tenant changes, another leaves: changed, one reload, its file gone.
vars '  - {name: acme, rules: ["allow unit:acme.slice"]}'
play
[ "$rc" -eq 0 ] || fail "third run: $(cat "$stage/log")"
[ "$(recap)" -eq 3 ] || fail "third run changed $(recap), want 3 (acme written, beta removed, reload)"
[ "$(reloads)" -eq 2 ] || fail "third run: $(reloads) reloads, want 2"
[ ! -e "$conf/rules.d/beta.conf" ] || fail "beta's drop-in stayed"

# A bad rule: refused by validate with file:line, nothing replaced, no reload.
vars '  - {name: acme, rules: ["deny user:"]}'
play
[ "$rc" -ne 0 ] || fail "a bad rule passed: $(cat "$stage/log")"
grep -q "candidate.conf:4: invalid target 'user:'" "$stage/log" || fail "no file:line in: $(cat "$stage/log")"
grep -qx "allow = unit:acme.slice" "$conf/rules.d/acme.conf" || fail "a refused drop-in replaced the good one"
[ "$(reloads)" -eq 2 ] || fail "a refused change reloaded"
echo "ansible: written from inventory, validated, 0 changed on the second run, one reload per change, bad rule refused"
