#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# alert_command for Plesk: a quarantine switches the subscription's mail
# service off with `plesk bin mail --off DOMAIN`, its end switches it on.
#   alert_command = /opt/smtpfence/scripts/alert-examples/plesk-mail-off.sh
# Plesk names subscriptions by domain: PLESK_DOMAINS (default
# /etc/smtpfence/plesk-domains) maps "SYSTEM_USER DOMAIN" one a line.
set -eu
map=${PLESK_DOMAINS:-/etc/smtpfence/plesk-domains}
user=${SMTPFENCE_USER:-}
case ${SMTPFENCE_ALERT:-} in
quarantine_start) switch=--off ;;
quarantine_end) switch=--on ;;
*) exit 0 ;;
esac
domain=$(awk -v u="$user" '$1 == u { print $2; exit }' "$map" 2>/dev/null || true)
if [ -z "$user" ] || [ -z "$domain" ]; then
	echo "plesk-mail-off: no domain for user '${user}' in $map; nothing done" >&2
	exit 0
fi
exec plesk bin mail "$switch" "$domain"
