# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Sourced by bench.sh: turns $OUT/samples.csv into the table on stdout,
# $OUT/results.csv (one median a row), $OUT/targets.csv and the chart
# $OUT/connect-rate.png.

# fmt_rate N: 140938.9 -> 140,939
fmt_rate() {
	LC_ALL=C awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v)
		while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
		print s }'
}

result() {
	echo "$1,$2,$3,$4,$5,$6,$7,$8,$9" >>"$OUT/results.csv"
}

# rate_cell PHASE SYSTEM RULES PORT: "140,939 (1.000)" and a results row.
rate_cell() {
	local m base ratio
	m=$(median "$1" "$2" "$3" - "$4")
	base=$(median "$1" none 0 - "$4")
	ratio=$(calc "%.3f" "$m / $base")
	result "$1" "$2" "$3" - "$4" "$m" connects/s "$ratio" "$(count "$1" "$2" "$3" - "$4")"
	echo "$(fmt_rate "$m") ($ratio)"
}

# print_rates PHASE TITLE
print_rates() {
	local system rules
	echo "$2, median of $ROUNDS rounds of ${RATE_SECONDS}s (ratio to no filter)"
	printf '  %-15s %6s  %-24s %-24s\n' system rules "port $UNWATCHED_PORT (unwatched)" \
		"port $WATCHED_PORT (watched, allowed)"
	while read -r system rules _; do
		printf '  %-15s %6s  %-24s %-24s\n' "$system" "$rules" \
			"$(rate_cell "$1" "$system" "$rules" "$UNWATCHED_PORT")" \
			"$(rate_cell "$1" "$system" "$rules" "$WATCHED_PORT")"
	done <<<"$RATE_CELLS"
}

# cost_cell OWNER-TYPE RULES DEPTH PORT: "212.4 (+180.1)" and a results row.
cost_cell() {
	local m e delta
	m=$(median cost "$1" "$2" "$3" "$4")
	e=$(median cost "empty-${1##*-}" - 1 "$4")
	delta=$(calc "%.1f" "$m - $e")
	result cost "$1" "$2" "$3" "$4" "$m" ns "$delta" "$(count cost "$1" "$2" "$3" "$4")"
	if [ "${1%%-*}" = empty ]; then
		calc "%.1f" "$m"
	else
		echo "$(calc "%.1f" "$m") ($(calc "%+.1f" "$delta"))"
	fi
}

COST_CELLS="empty - 1
smtpfence 1 1
smtpfence 1 16
smtpfence 100000 1
smtpfence 100000 16"

print_costs() {
	local type owner rules depth
	echo "Program cost per run: kernel run_time_ns / run_cnt, median of $ROUNDS rounds" \
		"(difference to the empty program of the type); connect4 runs once a connect," \
		"egress once a packet; perconnect: both programs' time over the connects"
	printf '  %-20s %6s %5s  %-24s %-24s\n' program rules depth \
		"port $UNWATCHED_PORT (unwatched)" "port $WATCHED_PORT (watched)"
	for type in connect4 egress perconnect; do
		while read -r owner rules depth; do
			printf '  %-20s %6s %5s  %-24s %-24s\n' "$owner $type" "$rules" "$depth" \
				"$(cost_cell "$owner-$type" "$rules" "$depth" "$UNWATCHED_PORT")" \
				"$(cost_cell "$owner-$type" "$rules" "$depth" "$WATCHED_PORT")"
		done <<<"$COST_CELLS"
		# One worker, one instance: a connect allowed, and the same redirected.
		for owner in allowed-1w redirect-1w; do
			printf '  %-20s %6s %5s  %-24s %-24s\n' "$owner $type" 1 1 "-" \
				"$(cost_cell "$owner-$type" 1 1 "$WATCHED_PORT")"
		done
	done
}

# control_row_us LABEL ROW RULES: a sample in nanoseconds (one lookup), in µs.
control_row_us() {
	local m
	m=$(median control "$2" "$3" - -)
	if [ -n "$m" ]; then
		result control "$2" "$3" - - "$(calc "%.3f" "$m / 1000")" us - \
			"$(count control "$2" "$3" - -)"
		printf '  %-50s %10s us\n' "$1" "$(calc "%.2f" "$m / 1000")"
	else
		printf '  %-50s %s\n' "$1" "n/a"
	fi
}

# control_row LABEL ROW RULES: median time in ms, or the note on it.
control_row() {
	local m n
	m=$(median control "$2" "$3" - -)
	n=$(note_of control "$2")
	if [ -n "$m" ]; then
		result control "$2" "$3" - - "$(calc "%.3f" "$m * 1000")" ms - \
			"$(count control "$2" "$3" - -)"
		printf '  %-50s %10s ms\n' "$1" "$(calc "%.1f" "$m * 1000")"
	else
		printf '  %-50s %s\n' "$1" "${n:-n/a}"
	fi
}

print_control() {
	local present
	echo "Control plane, median of $CONTROL_REPS (daemon start and check-config: one each)"
	control_row "allow, 1 rule in force" allow 1
	control_row "allow, 100,000 rules in force" allow 100000
	control_row "reload from 1 to 100,000 rules" reload 100000
	control_row "daemon start to enforcing, 1 rule" daemon-start 1
	control_row "daemon start to enforcing, 10,000 rules" daemon-start 10000
	control_row "daemon start to enforcing, 100,000 rules" daemon-start 100000
	control_row "check-config, $(fmt_rate "$DROPIN_FILES") one-rule drop-ins" \
		check-config-dropins "$DROPIN_FILES"
	present=$(fmt_rate "$(median control flows-present 100000 - -)")
	control_row "one top refresh, 100,000 flows ($present in the map)" top 100000
	present=$(fmt_rate "$(median control flows-present 1000000 - -)")
	control_row "flows, 1,000,000 flows ($present in the map)" flows 1000000
	control_row_us "who lookup (policy service), 65,536 slots taken" who-lookup 65536
	control_row "smtpfence who, 65,536 slots taken" who 65536
}

mib() {
	calc "%.1f" "$1 / 1048576"
}

print_memory() {
	local total=0 row name bytes
	echo "Memory"
	while IFS=, read -r _ name _ _ _ _ bytes; do
		total=$((total + bytes))
		result memory "$name" default - - "$bytes" bytes - 1
	done < <(grep '^memory,map ' "$SAMPLES")
	printf '  %-50s %10s MiB\n' "kernel memory of all maps, default sizes" "$(mib "$total")"
	for row in $(grep '^memory,map ' "$SAMPLES" | sort -t, -k7 -rn | head -3 | cut -d, -f2 |
		cut -d' ' -f2); do
		printf '  %-50s %10s MiB\n' "  of which $row" \
			"$(mib "$(median memory "map $row" 1 - -)")"
	done
	for row in 1 100000; do
		bytes=$(median memory daemon-rss "$row" - -)
		result memory daemon-rss "$row" - - "$bytes" bytes - 1
		printf '  %-50s %10s MiB\n' "daemon RSS, $(fmt_rate "$row") rule$([ "$row" = 1 ] || echo s)" \
			"$(mib "$bytes")"
	done
}

# target LABEL VALUE OP LIMIT UNIT [ASIDE]: one verdict line, and a CSV row.
target() {
	local verdict by
	if [ -z "$2" ]; then
		printf '  %-8s %s: not measured\n' "[n/a]" "$1"
		echo "$1,,$3 $4,n/a," >>"$OUT/targets.csv"
		return
	fi
	if LC_ALL=C awk -v v="$2" -v l="$4" -v op="$3" \
		'BEGIN { exit !((op == ">=" && v >= l) || (op == "<=" && v <= l)) }'; then
		verdict=met
		by=""
	else
		verdict=missed
		by=" (missed by $(calc "%.1f" "$2 - $4" | tr -d -) $5)"
	fi
	printf '  %-8s %s: %s %s (target %s %s %s)%s%s\n' "[$verdict]" "$1" "$2" "$5" "$3" "$4" \
		"$5" "$by" "${6:+; $6}"
	echo "$1,$2,$3 $4,$verdict,$5" >>"$OUT/targets.csv"
}

# ratio_of PHASE SYSTEM RULES PEER RULES [PEER2]: watched-port rate of
# SYSTEM over that of PEER (or of the faster of PEER and PEER2).
ratio_of() {
	ratio_at "$WATCHED_PORT" "$@"
}

# ratio_at PORT PHASE SYSTEM RULES PEER RULES [PEER2]: the same at PORT.
ratio_at() {
	local port=$1 phase=$2 a b c
	shift 2
	a=$(median "$phase" "$1" "$2" - "$port")
	b=$(median "$phase" "$3" "$4" - "$port")
	if [ -n "${5:-}" ]; then
		c=$(median "$phase" "$5" "$4" - "$port")
		b=$(calc "%.6f" "$b > $c ? $b : $c")
	fi
	if [ -n "$a" ] && [ -n "$b" ]; then calc "%.3f" "$a / $b"; fi
}

# worst_cost TYPE PORT: the largest difference to the empty program.
worst_cost() {
	awk -F, -v s="smtpfence-$1" -v p="$2" '$1 == "cost" && $2 == s && $5 == p { print $8 }' \
		"$OUT/results.csv" | sort -g | tail -1
}

# rules_growth TYPE: how much more a watched run costs with 100,000 rules
# than with 1, in percent, the worse of the two cgroup depths.
rules_growth() {
	local d a b worst=-1000
	for d in 1 16; do
		a=$(median cost "smtpfence-$1" 1 "$d" "$WATCHED_PORT")
		b=$(median cost "smtpfence-$1" 100000 "$d" "$WATCHED_PORT")
		worst=$(calc "%.1f" "($b - $a) * 100 / $a > $worst ? ($b - $a) * 100 / $a : $worst")
	done
	echo "$worst"
}

ms_of() {
	local m
	m=$(median control "$1" "$2" - -)
	if [ -n "$m" ]; then calc "%.1f" "$m * 1000"; fi
}

# rate_targets PORT NAME NONE_LIMIT: smtpfence with 100,000 rules against
# no filter and the nftables set of 100,000, per second and per CPU-second.
rate_targets() {
	local port=$1 name=$2 limit=$3 phase per
	for phase in rate cpurate; do
		per=""
		if [ "$phase" = cpurate ]; then per=", per CPU-second"; fi
		target "$name, 100,000 rules against no filter$per" \
			"$(ratio_at "$port" "$phase" smtpfence 100000 none 0)" ">=" "$limit" x
		target "$name, 100,000 rules against an nftables set of 100,000$per" \
			"$(ratio_at "$port" "$phase" smtpfence 100000 nftables 100000)" ">=" 1.00 x
	done
}

# The total of print_memory's rows, in MiB.
maps_mib() {
	local total=0 bytes
	while IFS=, read -r _ _ _ _ _ _ bytes; do
		total=$((total + bytes))
	done < <(grep '^memory,map ' "$SAMPLES")
	mib "$total"
}

print_targets() {
	echo "target,value,limit,verdict,unit" >"$OUT/targets.csv"
	echo "Targets (issue 14; allowed traffic)"
	local type
	rate_targets "$WATCHED_PORT" "watched port" 0.97
	rate_targets "$UNWATCHED_PORT" "unwatched port" 0.98
	target "watched, 100,000 rules against a 2,000-user iptables chain (faster backend)" \
		"$(ratio_of rate smtpfence 100000 iptables 2000 iptables-legacy)" ">=" 4.00 x
	target "connect4, watched, worst case over the empty program" \
		"$(worst_cost connect4 "$WATCHED_PORT")" "<=" 250 ns
	target "connect4, unwatched, worst case over the empty program" \
		"$(worst_cost connect4 "$UNWATCHED_PORT")" "<=" 10 ns
	target "egress, per packet, unwatched, worst case over the empty program" \
		"$(worst_cost egress "$UNWATCHED_PORT")" "<=" 10 ns
	target "egress, per packet, watched, worst case over the empty program (earlier target)" \
		"$(worst_cost egress "$WATCHED_PORT")" "<=" 250 ns
	for type in connect4 egress perconnect; do
		target "$type, watched, 100,000 rules against 1 (flat)" \
			"$(rules_growth "$type")" "<=" 10 "% more"
	done
	target "kernel memory of the maps, default sizes" "$(maps_mib)" "<=" 64 MiB
	target "one allow, 1 rule in force" "$(ms_of allow 1)" "<=" 20 ms
	target "one allow, 100,000 rules in force" "$(ms_of allow 100000)" "<=" 20 ms
	target "load 100,000 rules (reload)" "$(ms_of reload 100000)" "<=" 1000 ms
	target "top refresh at 100,000 flows" "$(ms_of top 100000)" "<=" 100 ms
}

# One data block a filter: rules, watched rate, unwatched rate.
chart_data() {
	local system rules s
	for system in smtpfence nftables iptables iptables-legacy; do
		echo "# $system"
		while read -r s rules _ _; do
			[ "$s" = "$system" ] || continue
			echo "$rules $(median rate "$s" "$rules" - "$WATCHED_PORT")" \
				"$(median rate "$s" "$rules" - "$UNWATCHED_PORT")"
		done <<<"$RATE_CELLS"
		printf '\n\n'
	done
}

draw_chart() {
	chart_data >"$OUT/rate.dat"
	gnuplot -e "data='$OUT/rate.dat'; out='$OUT/connect-rate.png'" \
		-e "none_w=$(median rate none 0 - "$WATCHED_PORT")" \
		-e "empty_w=$(median rate empty-bpf 0 - "$WATCHED_PORT")" \
		-e "subtitle='$(machine_line)'" bench/chart.gp ||
		echo "bench: gnuplot failed; the data is in $OUT/rate.dat" >&2
}

report() {
	echo "section,name,rules,depth,port,median,unit,ratio_or_delta,samples" >"$OUT/results.csv"
	echo
	echo "smtpfence benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')${QUICK:+, BENCH_QUICK=1}"
	echo "machine: $(machine_line)"
	echo "peers: $(nft --version), $(iptables --version)"
	echo
	print_rates rate "Loopback connect+accept rate, connects/s, $WORKERS load processes"
	echo
	print_rates cpurate "The same per CPU-second the load processes used (steadier on a shared machine)"
	echo
	print_costs
	echo
	print_control
	echo
	print_memory
	echo
	print_targets
	draw_chart
	echo
	echo "CSV: $OUT/results.csv, $OUT/targets.csv, raw $OUT/samples.csv; chart: $OUT/connect-rate.png"
}
