#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# alert_command for cPanel/WHM: a quarantine suspends the account's
# outgoing mail in cPanel too (so Exim holds it as well), its end lifts it.
#   alert_command = /opt/smtpfence/scripts/alert-examples/cpanel-suspend-outgoing.sh
# The account is SMTPFENCE_USER: the target's user (user:NAME), or the
# user of the process that crossed the threshold.
set -eu
user=${SMTPFENCE_USER:-}
case ${SMTPFENCE_ALERT:-} in
quarantine_start) call=suspend_outgoing_email ;;
quarantine_end) call=unsuspend_outgoing_email ;;
*) exit 0 ;; # other alerts: nothing to do here
esac
if [ -z "$user" ]; then
	echo "cpanel-suspend-outgoing: ${SMTPFENCE_TARGET:-?} names no user; nothing done" >&2
	exit 0
fi
exec whmapi1 "$call" "user=$user"
