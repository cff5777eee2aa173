#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Validates one candidate drop-in on its own (template's validate:): a
# scratch configuration whose rules.d holds only it. The whole set is
# checked again (check-config) before the reload.
# Usage: check-dropin.sh SMTPFENCE_BINARY FILE
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/rules.d"
cp "$2" "$dir/rules.d/candidate.conf"
printf '[global]\nports = 25\nrules_dir = %s/rules.d\n' "$dir" >"$dir/smtpfence.conf"
exec "$1" --config "$dir/smtpfence.conf" check-config
