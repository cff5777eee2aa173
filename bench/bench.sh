#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: smtpfence side by side with no filter, an nftables UID set and
# CSF-style iptables owner chains, in one run, on this machine.
#
#   1. connect+accept rate over loopback (bench/loadgen.c), watched port 25
#      and unwatched port 8080, interleaved rounds, medians and ratios to
#      no filter;
#   2. the kernel's per-run cost of smtpfence's connect4 and egress programs
#      against empty ones of the same types (BPF run-time stats, on only
#      meanwhile), for an allowed connect and for a redirected one (one
#      worker: all of them go to the one relay);
#   3. the control plane: allow, reload, daemon start, drop-in parsing,
#      a top refresh and flows over full flow tables;
#   4. memory: all maps at default sizes, the daemon's RSS.
#
# Everything runs in a private mount namespace (own bpffs), throwaway
# cgroups named smtpfence-bench-PID and network namespaces of its own:
# no rule ever lands in the host's namespace. The full run takes about ten
# minutes, BENCH_QUICK=1 about a minute and a half (BENCH_ROUNDS=N sets the
# rounds). Output: a table on stdout; CSV and a PNG chart in build/bench/.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/sandbox.sh
. bench/sandbox.sh
sandbox_reexec "$0" "$@"

bench_paths
FILLFLOWS=$OUT/fillflows
FILLPEERS=$OUT/fillpeers
WORKERS=$(nproc)
QUICK=${BENCH_QUICK:-}
if [ "$QUICK" = 0 ]; then QUICK=""; fi
RULES_PER_DROPIN=${BENCH_RULES_PER_DROPIN:-1000}
if [ -n "$QUICK" ]; then
	ROUNDS=${BENCH_ROUNDS:-5} RATE_SECONDS=0.3 COST_SECONDS=0.3 CONTROL_REPS=3 DROPIN_FILES=10000
else
	ROUNDS=${BENCH_ROUNDS:-25} RATE_SECONDS=0.5 COST_SECONDS=0.5 CONTROL_REPS=7 DROPIN_FILES=100000
fi

# shellcheck source=bench/samples.sh
. bench/samples.sh
# shellcheck source=bench/systems.sh
. bench/systems.sh
# shellcheck source=bench/phases.sh
. bench/phases.sh
# shellcheck source=bench/report.sh
. bench/report.sh

machine_line() {
	echo "$(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
		"$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
		"Linux $(uname -r)"
}

BENCH_T0=$EPOCHREALTIME
progress() {
	printf 'bench: %6.1fs  %s\n' "$(since "$BENCH_T0")" "$*" >&2
}

for tool in "$SF" "$LOADGEN" "$EMPTY_BIN" "$FILLFLOWS" "$FILLPEERS"; do
	[ -x "$tool" ] || die "$tool is missing: run make bench"
done
rm -f "$OUT"/*.csv "$OUT/rate.dat" "$OUT/connect-rate.png"
samples_init
sandbox_init

progress "setting up: smtpfence with 1, 10,000, 100,000 rules; nftables; iptables"
cg_make plain
netns_new plain
empty_system
sf_instance sf1 1
sf_instance sf10k 10000
sf_instance sf100k 100000
sf_instance sfload 1 100016
sf_redirect_instance sfredir
nft_system nft100 100
nft_system nft2000 2000
nft_system nft100k 100000
ipt_system ipt100 100 iptables-restore
ipt_system ipt2000 2000 iptables-restore
ipt_system iptl100 100 iptables-legacy-restore
ipt_system iptl2000 2000 iptables-legacy-restore
progress "measuring connect rates"
rate_phase
progress "measuring program costs"
cost_phase
progress "measuring the control plane"
control_phase
memory_phase
report
progress "done"
