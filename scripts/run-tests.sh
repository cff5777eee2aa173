#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs each test group (a make target) and prints one closing line:
# "N passed, N failed, N skipped" counting groups. A group that cannot run
# (no BPF, not root) prints why and exits 77: counted as skipped, never as
# passed. BUILD names the build directory (default build).
set -u
build=${BUILD:-build}
passed=0
failed=0
skipped=0
failed_names=""
for t in "$@"; do
	echo "=== $t"
	make --no-print-directory "$t"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	elif [ "$rc" -eq 77 ] || [ -f "$build/tests/$t.skipped" ]; then
		skipped=$((skipped + 1))
		echo "SKIPPED: $t"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $t"
	fi
done
[ -n "$failed_names" ] && echo "failed groups:$failed_names"
echo "groups: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
