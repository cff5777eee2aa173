# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Sourced by bench.sh: the throwaway world the benchmark runs in. A private
# bpffs (this script runs in a private mount namespace), a cgroup named
# smtpfence-bench-PID under the cgroup-v2 mount, network namespaces held by
# sleeping processes that die with this shell, and cleanup of all of it on
# any exit. Nothing here touches the host's network namespace.

# sandbox_reexec SCRIPT ARGS...: runs SCRIPT again, as root, in a private
# mount namespace (once: the inner run sees SMTPFENCE_BENCH_INNER).
sandbox_reexec() {
	if [ -n "${SMTPFENCE_BENCH_INNER:-}" ]; then return 0; fi
	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (BPF, cgroups, namespaces)" >&2; exit 1; }
	exec env SMTPFENCE_BENCH_INNER=1 unshare -m --propagation private "$@"
}

# The build's tools and outputs.
bench_paths() {
	OUT=$PWD/build/bench
	SF=$PWD/build/smtpfence
	LOADGEN=$OUT/loadgen
	EMPTY_BIN=$OUT/empty
}

HOST_NETNS=$(readlink /proc/self/ns/net)
declare -A NETNS # name -> /proc/PID/ns/net of its holder
HOLDERS=""
DAEMONS=""
INSTANCES=""

die() {
	echo "bench: $*" >&2
	exit 1
}

cgroup2_mount() {
	awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

sandbox_init() {
	local mnt
	mnt=$(cgroup2_mount)
	[ -n "$mnt" ] || die "no cgroup-v2 mount in /proc/self/mountinfo"
	CG_MOUNT=$mnt
	CG_REL=/smtpfence-bench-$$
	CG=$CG_MOUNT$CG_REL
	WORK=$(mktemp -d /tmp/smtpfence-bench.XXXXXX)
	BPFFS=$WORK/bpffs
	mkdir -p "$BPFFS"
	mount -t bpf bpf "$BPFFS" || die "failed to mount bpffs on $BPFFS"
	mkdir "$CG" || die "failed to create cgroup $CG"
	trap sandbox_cleanup EXIT
	trap 'exit 130' INT TERM
}

# A cgroup below the bench's own, created with its parents.
cg_make() {
	mkdir -p "$CG/$1"
}

sandbox_cleanup() {
	local pid inst
	set +eu
	for pid in $DAEMONS $HOLDERS; do
		kill "$pid" 2>/dev/null
	done
	# Polled, not waited for: bash's wait can hang on a coprocess's pid.
	for pid in $DAEMONS $HOLDERS; do
		for _ in $(seq 500); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.01
		done
	done
	for inst in $INSTANCES; do
		"$SF" --pin-dir "$BPFFS/$inst" --config "$WORK/$inst/smtpfence.conf" \
			--run-dir "$WORK/$inst/run" unload >/dev/null 2>&1
	done
	umount "$BPFFS" 2>/dev/null
	# Deepest first; every process that sat in them was ours and is ending.
	for _ in $(seq 50); do
		[ -d "$CG" ] || break
		find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
		sleep 0.1
	done
	if [ -d "$CG" ]; then echo "bench: could not remove $CG" >&2; fi
	rm -rf "$WORK"
}

# netns_new NAME: a network namespace with lo up, held by a process that
# is killed when this shell dies (pdeathsig), so it never outlives the run.
netns_new() {
	local name=$1 ready=$WORK/netns-$1.ready pid
	setpriv --pdeathsig KILL unshare -n sh -c \
		"ip link set lo up && touch '$ready' && exec sleep 86400" &
	pid=$!
	HOLDERS="$HOLDERS $pid"
	for _ in $(seq 200); do
		if [ -e "$ready" ]; then break; fi
		sleep 0.01
	done
	[ -e "$ready" ] || die "network namespace $name did not come up"
	[ "$(readlink "/proc/$pid/ns/net")" != "$HOST_NETNS" ] ||
		die "network namespace $name is the host's"
	NETNS[$name]=/proc/$pid/ns/net
}

netns_path() {
	echo "${NETNS[$1]}"
}

# netns_checked NAME: the path of the bench's namespace NAME, checked once
# more not to be the host's.
netns_checked() {
	local path
	path=$(netns_path "$1")
	if [ -z "$path" ] || [ "$(readlink "$path")" = "$HOST_NETNS" ]; then
		die "refusing to use '$1': not a bench network namespace"
	fi
	echo "$path"
}

# in_netns NAME CMD...: runs CMD in the bench's namespace NAME.
in_netns() {
	local path
	path=$(netns_checked "$1") || exit 1
	shift
	nsenter --net="$path" "$@"
}
