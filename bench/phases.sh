# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Sourced by bench.sh: the four measurements. Rates and program costs are
# taken in rounds, every configuration once a round, the order reversed
# every other round (A B C, C B A, ...) so that drift on a shared machine
# falls on all of them alike.

# Rate cells: system rules netns cgroup (below $CG).
RATE_CELLS="none 0 plain plain
empty-bpf 0 plain empty
smtpfence 1 plain sf1/tenant
smtpfence 10000 plain sf10k/tenant
smtpfence 100000 plain sf100k/tenant
nftables 100 nft100 plain
nftables 2000 nft2000 plain
nftables 100000 nft100k plain
iptables 100 ipt100 plain
iptables 2000 ipt2000 plain
iptables-legacy 100 iptl100 plain
iptables-legacy 2000 iptl2000 plain"

in_round_order() {
	if [ $(($1 % 2)) -eq 1 ]; then cat; else tac; fi
}

rate_phase() {
	local r system rules ns cg port out secs
	for r in $(seq 0 "$ROUNDS"); do
		# Round 0 warms every path up and is not counted.
		secs=$RATE_SECONDS
		if [ "$r" -eq 0 ]; then secs=0.2; fi
		while read -r system rules ns cg; do
			for port in $WATCHED_PORT $UNWATCHED_PORT; do
				out=$("$LOADGEN" --port "$port" --seconds "$secs" \
					--netns "$(netns_path "$ns")" --cgroup "$CG/$cg" \
					--uid "$LOAD_UID") ||
					die "loadgen failed for $system $rules port $port"
				if [ "$r" -eq 0 ]; then continue; fi
				sample rate "$system" "$rules" - "$port" "$r" "$(kv rate "$out")"
				sample cpurate "$system" "$rules" - "$port" "$r" "$(kv cpu_rate "$out")"
			done
		done < <(echo "$RATE_CELLS" | in_round_order "$r")
		progress "rate round $r of $ROUNDS"
	done
}

kv() {
	echo "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}

# empty_say COMMAND: a command to the empty program's holder.
empty_say() {
	local answer
	echo "$1" >&"${HOLDER[1]}"
	read -r answer <&"${HOLDER[0]}" || answer=""
	if [ "$answer" != ok ]; then die "empty: '$1' failed"; fi
}

# per_connect C4 EG OUT: both programs' kernel time over the connects made
# (egress runs at every packet of a connection, both ways on loopback).
per_connect() {
	calc "%.2f" "($(kv "prog${1}_ns" "$3") * $(kv "prog${1}_runs" "$3") + \
		$(kv "prog${2}_ns" "$3") * $(kv "prog${2}_runs" "$3")) / $(kv connects "$3")"
}

# The kernel's own per-run cost of each program, next to the empty program
# of the same type. The statistics are on only meanwhile.
cost_phase() {
	local ids1 ids100k idsr cells r program rules depth cg c4 eg port out
	ids1="$(sf_prog_id sf1 connect4) $(sf_prog_id sf1 egress)"
	idsr="$(sf_prog_id sfredir connect4) $(sf_prog_id sfredir egress)"
	ids100k="$(sf_prog_id sf100k connect4) $(sf_prog_id sf100k egress)"
	cells="empty - 1 empty $EMPTY_IDS
smtpfence 1 1 sf1/tenant $ids1
smtpfence 1 16 ${CG_DEEP[sf1]#"$CG"/} $ids1
smtpfence 100000 1 sf100k/tenant $ids100k
smtpfence 100000 16 ${CG_DEEP[sf100k]#"$CG"/} $ids100k"
	empty_say "stats on"
	for r in $(seq 0 "$ROUNDS"); do
		while read -r program rules depth cg c4 eg; do
			for port in $WATCHED_PORT $UNWATCHED_PORT; do
				out=$("$LOADGEN" --port "$port" --seconds "$COST_SECONDS" \
					--netns "$(netns_path plain)" --cgroup "$CG/$cg" \
					--uid "$LOAD_UID" --prog-id "$c4" --prog-id "$eg") ||
					die "loadgen failed for $program $rules depth $depth"
				if [ "$r" -eq 0 ]; then continue; fi
				sample cost "$program-connect4" "$rules" "$depth" "$port" "$r" \
					"$(kv "prog${c4}_ns" "$out")"
				sample cost "$program-egress" "$rules" "$depth" "$port" "$r" \
					"$(kv "prog${eg}_ns" "$out")"
				sample cost "$program-perconnect" "$rules" "$depth" "$port" "$r" \
					"$(per_connect "$c4" "$eg" "$out")"
			done
		done < <(echo "$cells" | in_round_order "$r")
		redirect_cost "$r" "${idsr% *}" "${idsr#* }"
		progress "cost round $r of $ROUNDS"
	done
	empty_say "stats off"
}

# redirect_cost ROUND CONNECT4 EGRESS: one cost sample of a redirected
# connect and of the same connect allowed, on instance sfredir (watched
# port only: an unwatched one is not redirected). One worker, because every
# redirected connect goes to the one relay, its listener.
redirect_cost() {
	local out cell cg dest
	for cell in allowed redirect; do
		cg=allowed dest=()
		if [ "$cell" = redirect ]; then cg=tenant dest=(--dest "$REDIRECT_DEST"); fi
		out=$("$LOADGEN" --port "$WATCHED_PORT" --seconds "$COST_SECONDS" --workers 1 \
			"${dest[@]}" --netns "$(netns_path plain)" --cgroup "$CG/sfredir/$cg" \
			--uid "$LOAD_UID" --prog-id "$2" --prog-id "$3") ||
			die "loadgen failed for the $cell connect (1 worker)"
		if [ "$1" -eq 0 ]; then continue; fi
		sample cost "$cell-1w-connect4" 1 1 "$WATCHED_PORT" "$1" "$(kv "prog${2}_ns" "$out")"
		sample cost "$cell-1w-egress" 1 1 "$WATCHED_PORT" "$1" "$(kv "prog${3}_ns" "$out")"
		sample cost "$cell-1w-perconnect" 1 1 "$WATCHED_PORT" "$1" \
			"$(per_connect "$2" "$3" "$out")"
	done
}

# wait_idle NAME: a CLI change may poke the daemon (SIGHUP), which then
# applies the policy again; the next timing waits until the daemon's CPU
# time has stood still for 100 ms.
wait_idle() {
	local stat="/proc/${SF_PID[$1]}/stat" last="" now still=0
	for _ in $(seq 1500); do
		now=$(awk '{ print $14 + $15 }' "$stat")
		if [ "$now" = "$last" ]; then
			still=$((still + 1))
			if [ "$still" -ge 5 ]; then return 0; fi
		else
			still=0
		fi
		last=$now
		sleep 0.02
	done
	die "smtpfence $1 stayed busy for 30 s"
}

# One allow from process start to exit, when the rule is in the kernel's
# map; a connect that was refused before then goes through.
time_allow() {
	local name=$1 rules=$2 r t0
	for r in $(seq "$CONTROL_REPS"); do
		expect_connect plain "$CG/$name/guest" "$DENIED_UID" EPERM
		wait_idle "$name"
		t0=$EPOCHREALTIME
		sf "$name" allow "user:$DENIED_UID" >/dev/null 2>"$WORK/cli.err" ||
			die "allow failed on $name: $(cat "$WORK/cli.err")"
		sample control allow "$rules" - - "$r" "$(since "$t0")"
		expect_connect plain "$CG/$name/guest" "$DENIED_UID" connected
		wait_idle "$name"
		sf "$name" unset "user:$DENIED_UID" >/dev/null 2>"$WORK/cli.err" ||
			die "unset failed on $name: $(cat "$WORK/cli.err")"
		wait_idle "$name"
	done
}

# reload from one rule to 100,000 (untimed back to one rule in between).
time_reload() {
	local r t0 got
	for r in $(seq "$CONTROL_REPS"); do
		sf_config sfload "$WORK/sf100k/rules.d" 100016
		wait_idle sfload
		t0=$EPOCHREALTIME
		sf sfload reload 2>"$WORK/cli.err" ||
			die "reload of 100,000 rules failed: $(cat "$WORK/cli.err")"
		sample control reload 100000 - - "$r" "$(since "$t0")"
		got=$(sf sfload -j status | jq .rules)
		[ "$got" -eq 100001 ] || die "after reload $got rules are in the kernel, not 100001"
		wait_idle sfload
		sf_config sfload "$WORK/sfload/rules.d" 100016
		sf sfload reload 2>"$WORK/cli.err" || die "reload of 1 rule failed: $(cat "$WORK/cli.err")"
		wait_idle sfload
	done
}

# The documented layout, one drop-in a tenant, parsed by check-config.
time_dropins() {
	local n=$1 dir=$WORK/tenants.d t0
	mkdir -p "$dir" "$WORK/tenants"
	gen_user_rules "$dir" "$n" 1
	printf '[global]\nports = %s\ndefault = deny\nrules_dir = %s\nmax_rules = %s\n%s\n' \
		"$SMTP_PORTS" "$dir" $((n + 1)) "metrics_address = off" >"$WORK/tenants/smtpfence.conf"
	t0=$EPOCHREALTIME
	"$SF" --config "$WORK/tenants/smtpfence.conf" --run-dir "$WORK/tenants" \
		check-config >/dev/null || die "check-config of $n drop-ins failed"
	sample control check-config-dropins "$n" - - 1 "$(since "$t0")"
	rm -rf "$dir"
}

has_command() {
	"$SF" --help 2>&1 | grep -q "^  $1 "
}

# listing ROW ARGS...: runs one listing command on instance sfload and
# sets LISTING_SECS to its time from start to exit; on failure notes why
# for ROW and returns 1.
listing() {
	local row=$1 t0
	shift
	if ! has_command "$1"; then
		note control "$row" "n/a (command missing)"
		return 1
	fi
	t0=$EPOCHREALTIME
	if ! timeout 60 "$SF" --pin-dir "$BPFFS/sfload" --config "$WORK/sfload/smtpfence.conf" \
		--run-dir "$WORK/sfload/run" "$@" </dev/null >/dev/null 2>"$WORK/listing.err"; then
		note control "$row" "n/a ($* failed: $(head -c 80 "$WORK/listing.err" | tr ',\n' '; '))"
		return 1
	fi
	LISTING_SECS=$(since "$t0")
}

# flows over the whole table, start to exit.
time_flows() {
	local r
	for r in $(seq "$CONTROL_REPS"); do
		listing flows flows || return 0
		sample control flows "$1" - - "$r" "$LISTING_SECS"
	done
}

# One top refresh: top --batch samples the maps, waits an interval, samples
# again and prints a frame; a run of two frames less a run of one, less
# the interval, is one refresh (read, compute, print).
time_top() {
	local r one
	for r in $(seq "$CONTROL_REPS"); do
		listing top top --batch -n 1 -d 0.1 || return 0
		one=$LISTING_SECS
		listing top top --batch -n 2 -d 0.1 || return 0
		sample control top "$1" - - "$r" "$(calc "%.6f" "$LISTING_SECS - $one - 0.1")"
	done
}

# who with every slot of sf_peers taken (N entries, one of them a live
# connection fillpeers holds open): the lookup itself (the slot, then
# sock_diag asking whether the socket still holds the port: what the
# policy service does per request) and `smtpfence who` start to exit.
time_who() {
	local got port r
	coproc FILLPEERS_CO { "$FILLPEERS" "$BPFFS/sfload/sf_peers" "$1"; }
	read -r got <&"${FILLPEERS_CO[0]}" || die "fillpeers failed"
	port=${got##*port=}
	got=${got#*lookup_ns=}
	sample control who-lookup "$1" - - 1 "${got%% *}" # in ns
	for r in $(seq "$CONTROL_REPS"); do
		listing who who "127.0.0.1:$port" || break
		sample control who "$1" - - "$r" "$LISTING_SECS"
	done
	exec {FILLPEERS_CO[1]}>&-
	wait "$FILLPEERS_CO_PID" || true
}

control_phase() {
	local got
	time_allow sf1 1
	time_allow sf100k 100000
	time_reload
	time_dropins "$DROPIN_FILES"
	got=$("$FILLFLOWS" "$BPFFS/sfload/sf_flows" 100000) || die "fillflows failed"
	sample control flows-present 100000 - - 1 "${got#flows=}"
	time_top 100000
	got=$("$FILLFLOWS" "$BPFFS/sfload/sf_flows" 1000000) || die "fillflows failed"
	sample control flows-present 1000000 - - 1 "${got#flows=}"
	time_flows 1000000
	time_who 65536
}

# Kernel memory of every map (bpftool's memlock: what the kernel charges),
# at default sizes (instance sf1), and the daemons' resident memory.
memory_phase() {
	local pin bytes name rules
	for pin in "$BPFFS"/sf1/sf_*; do
		bytes=$(bpftool -j map show pinned "$pin" | jq .bytes_memlock)
		sample memory "map ${pin##*/}" 1 - - 1 "$bytes"
	done
	for name in sf1 sf100k; do
		rules=1
		if [ "$name" = sf100k ]; then rules=100000; fi
		bytes=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${SF_PID[$name]}/status")
		sample memory daemon-rss "$rules" - - 1 "$bytes"
	done
}
