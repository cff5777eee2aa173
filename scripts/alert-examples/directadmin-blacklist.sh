#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# alert_command for DirectAdmin: a quarantine adds the user to Exim's
# /etc/virtual/blacklist_usernames (DirectAdmin's Exim configuration
# refuses mail from the users listed there), its end removes the user.
#   alert_command = /opt/smtpfence/scripts/alert-examples/directadmin-blacklist.sh
# DA_BLACKLIST overrides the file (for tests).
set -eu
file=${DA_BLACKLIST:-/etc/virtual/blacklist_usernames}
user=${SMTPFENCE_USER:-}
case ${SMTPFENCE_ALERT:-} in
quarantine_start | quarantine_end) ;;
*) exit 0 ;;
esac
if [ -z "$user" ]; then
	echo "directadmin-blacklist: ${SMTPFENCE_TARGET:-?} names no user; nothing done" >&2
	exit 0
fi
touch "$file"
tmp=$(mktemp "$file.XXXXXX")
# every line but the user's, then the user again when quarantined: idempotent
grep -vxF -- "$user" "$file" >"$tmp" || true
[ "$SMTPFENCE_ALERT" = quarantine_start ] && printf '%s\n' "$user" >>"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$file" # atomic: Exim never reads half a file
