#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench-profile: where a watched connect's time goes. One smtpfence
# instance with 100,000 rules (as in make bench), the allowed tenant's
# loopback connect+accept load on port 25 for PROFILE_SECONDS (10), under
# `perf record -a -g`; then the hottest symbols (perf report, no children)
# and the kernel's own run time of each program (BPF statistics, held by
# a descriptor as in make bench). Same sandbox as make bench. Output:
# build/bench/profile.txt, build/bench/perf.data.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/sandbox.sh
. bench/sandbox.sh
sandbox_reexec "$0" "$@"

bench_paths
SECONDS_=${PROFILE_SECONDS:-10}
RULES_PER_DROPIN=1000
command -v perf >/dev/null || { echo "profile: perf is missing (Debian: linux-perf)" >&2; exit 1; }

# shellcheck source=bench/samples.sh
. bench/samples.sh
# shellcheck source=bench/systems.sh
. bench/systems.sh

mkdir -p "$OUT"
samples_init
sandbox_init
cg_make plain
netns_new plain
empty_system
sf_instance sf100k 100000
ids="$(sf_prog_id sf100k connect4) $(sf_prog_id sf100k egress)"
echo "stats on" >&"${HOLDER[1]}"
read -r _ <&"${HOLDER[0]}"
perf record -q -a -g -o "$OUT/perf.data" -- \
	"$LOADGEN" --port "$WATCHED_PORT" --seconds "$SECONDS_" --netns "$(netns_path plain)" \
	--cgroup "$CG/sf100k/tenant" --uid "$LOAD_UID" \
	--prog-id "${ids% *}" --prog-id "${ids#* }" >"$WORK/load.out"
echo "stats off" >&"${HOLDER[1]}"
read -r _ <&"${HOLDER[0]}"
{
	echo "smtpfence profile, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "watched port $WATCHED_PORT, allowed tenant, 100,000 rules, ${SECONDS_}s: $(cat "$WORK/load.out")"
	echo
	perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio -g none \
		--percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$'
} | tee "$OUT/profile.txt"
