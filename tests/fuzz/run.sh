#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs libFuzzer harnesses: usage run.sh BINDIR SECONDS NAME...
# For each NAME: every checked-in crash input (tests/fuzz/regress/NAME/)
# once, then SECONDS of fuzzing from the seeds (tests/fuzz/corpus/NAME/)
# and the corpus grown by earlier runs (BINDIR/corpus/NAME/). Prints one
# line of figures per harness; a crash leaves its input in
# BINDIR/artifacts/ (check it in under regress/NAME/ with the fix).
set -u
bindir=$1
seconds=$2
shift 2
here=$(dirname "$0")
status=0
mkdir -p "$bindir/artifacts"
for name in "$@"; do
	bin="$bindir/fuzz_$name"
	log="$bindir/fuzz_$name.log"
	corpus="$bindir/corpus/$name"
	mkdir -p "$corpus"
	set -- "$here"/regress/"$name"/*
	if [ -e "$1" ]; then
		if ! "$bin" "$@" >"$log" 2>&1; then
			echo "fuzz $name: a checked-in crash input fails again:"
			tail -n 30 "$log"
			status=1
			continue
		fi
		echo "fuzz $name: $# regression input(s) pass"
	fi
	if ! "$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$bindir/artifacts/$name-" "$corpus" "$here/corpus/$name" \
		>"$log" 2>&1; then
		echo "fuzz $name: FAILED, see $log; the input:"
		grep -E '^(invariant broken|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
			"$log" | head -n 10
		status=1
		continue
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
	cov=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	files=$(find "$corpus" -type f | wc -l)
	echo "fuzz $name: $runs execs in ${seconds}s ($speed exec/s), cov $cov, corpus $files files, peak rss ${rss}MB"
done
exit $status
