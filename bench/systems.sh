# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# shellcheck disable=SC2034 # these are read by the other sourced files
# Sourced by bench.sh: the filters under test, each set up once and left in
# place so that the measurements can be interleaved.
#
# Every filter watches ports 25, 465 and 587 and allows LOAD_UID's traffic;
# DENIED_UID's is refused (a sanity check proves each filter enforces).
#  - smtpfence: attached with --cgroup to its own cgroup; the allowing rule
#    is on the tenant's cgroup (the load runs in it, or 15 levels below
#    it); the other rules allow other users.
#  - nftables: the allowed UIDs in a set, one jump for watched ports.
#  - iptables: an owner chain as CSF's SMTP_BLOCK writes it (SMTP_ALLOWUSER,
#    SMTP_ALLOWLOCAL=0): one rule per allowed user, LOAD_UID's last; with
#    both of Debian's backends, nf_tables (the default) and legacy.

LOAD_UID=60000
DENIED_UID=60001
FIRST_OTHER_UID=200000
SMTP_PORTS="25 465 587"
WATCHED_PORT=25
UNWATCHED_PORT=8080
# Where the redirected load connects (TEST-NET-2, no route needed: the
# connect hook sends it to the relay, the load's own listener, first).
REDIRECT_DEST=198.51.100.25
declare -A SF_PID  # instance -> daemon pid
declare -A CG_DEEP # instance -> its tenant's cgroup 15 levels further down

# sf NAME ARGS...: the CLI on instance NAME.
sf() {
	local name=$1
	shift
	"$SF" --pin-dir "$BPFFS/$name" --config "$WORK/$name/smtpfence.conf" \
		--run-dir "$WORK/$name/run" "$@"
}

# gen_user_rules DIR COUNT PER_FILE: COUNT "allow = user:UID" rules for
# other tenants, PER_FILE of them in each drop-in.
gen_user_rules() {
	awk -v dir="$1" -v n="$2" -v per="$3" -v first="$FIRST_OTHER_UID" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i % per == 0) {
				if (f)
					close(f)
				f = sprintf("%s/users-%07d.conf", dir, i / per)
				print "[rules]" > f
			}
			print "allow = user:" first + i > f
		}
	}'
}

# sf_config NAME RULES_DIR MAX_RULES: the main configuration file. Each
# daemon runs in the bench's network namespace and serves its metrics on a
# port of its own there.
declare -A METRICS_PORT
METRICS_NEXT=19465
sf_config() {
	if [ -z "${METRICS_PORT[$1]:-}" ]; then
		METRICS_PORT[$1]=$METRICS_NEXT
		METRICS_NEXT=$((METRICS_NEXT + 1))
	fi
	{
		echo "[global]"
		echo "ports = $SMTP_PORTS"
		echo "default = deny"
		echo "rules_dir = $2"
		echo "metrics_address = 127.0.0.1:${METRICS_PORT[$1]}"
		if [ "$3" -gt 0 ]; then echo "max_rules = $3"; fi
		# The listing timings fill 1,000,000 flows: a large node's setting.
		if [ "$1" = sfload ]; then echo "max_flows = 1000000"; fi
	} >"$WORK/$1/smtpfence.conf"
}

# sf_start NAME: starts the daemon, waits until it enforces (its pid file
# is written after the policy is in the maps and the programs attached).
# Sets START_SECS to the seconds that took.
sf_start() {
	local name=$1 t0 pid ns
	ns=$(netns_checked plain) || exit 1
	t0=$EPOCHREALTIME
	# nsenter and setpriv exec: $! is the daemon itself.
	nsenter --net="$ns" setpriv --pdeathsig TERM "$SF" --pin-dir "$BPFFS/$name" \
		--config "$WORK/$name/smtpfence.conf" --run-dir "$WORK/$name/run" \
		run --cgroup "$CG/$name" 2>>"$WORK/$name/daemon.log" &
	pid=$!
	DAEMONS="$DAEMONS $pid"
	INSTANCES="$INSTANCES $name"
	while [ ! -s "$WORK/$name/run/smtpfence.pid" ]; do
		kill -0 "$pid" 2>/dev/null || die "smtpfence $name exited: $(cat "$WORK/$name/daemon.log")"
		sleep 0.002
	done
	START_SECS=$(since "$t0")
	SF_PID[$name]=$pid
}

# sf_prog_id NAME LINK: the program behind instance NAME's pinned LINK.
sf_prog_id() {
	bpftool -j link show pinned "$BPFFS/$1/link_$2" | jq -r .prog_id
}

# expect_connect NETNS CGROUP UID WANT [LOADGEN ARGS]: one connect to the
# watched port must end in WANT ("connected", "EPERM", "ECONNREFUSED").
expect_connect() {
	local got
	got=$("$LOADGEN" --once --port "$WATCHED_PORT" --netns "$(netns_path "$1")" \
		--cgroup "$2" --uid "$3" "${@:5}") || true # exit 3: refused, as may be wanted
	[ "$got" = "$4" ] || die "sanity: uid $3 in ${2#"$CG"/} via netns $1 got $got, expected $4"
}

# sf_instance NAME RULES [MAX_RULES]: an smtpfence instance enforcing
# RULES rules on cgroup NAME: the tenant's cgroup rule and RULES-1 user
# rules. Maps have their default sizes unless MAX_RULES is given or needed.
sf_instance() {
	local name=$1 rules=$2 max=${3:-0} deep
	mkdir -p "$WORK/$name/rules.d" "$WORK/$name/run"
	deep=tenant
	for d in $(seq 2 16); do deep=$deep/d$d; done
	cg_make "$name/$deep"
	cg_make "$name/guest"
	printf '[rules]\nallow = cgroup:%s/%s/tenant\n' "$CG_REL" "$name" \
		>"$WORK/$name/rules.d/tenant.conf"
	gen_user_rules "$WORK/$name/rules.d" $((rules - 1)) "$RULES_PER_DROPIN"
	# The default rule takes a slot of its own in the kernel's table, and
	# the control-plane timings add one rule at a time.
	if [ "$rules" -ge 100000 ] && [ "$max" -eq 0 ]; then max=$((rules + 16)); fi
	sf_config "$name" "$WORK/$name/rules.d" "$max"
	sf_start "$name"
	sample control daemon-start "$rules" - - 0 "$START_SECS"
	expect_connect plain "$CG/$name/tenant" "$LOAD_UID" connected
	expect_connect plain "$CG/$name/$deep" "$LOAD_UID" connected
	expect_connect plain "$CG/$name/guest" "$DENIED_UID" EPERM
	CG_DEEP[$name]=$CG/$name/$deep
}

# uid_list COUNT: COUNT-1 other users, then LOAD_UID.
# sf_redirect_instance NAME: an smtpfence instance whose rule redirects the
# tenant's cgroup to the relay 127.0.0.1:WATCHED_PORT (where loadgen's first
# worker listens) and allows cgroup "allowed" (the same connect, allowed,
# measured the same way); the sanity checks prove a connect to
# REDIRECT_DEST arrives there, and that another tenant is still refused.
sf_redirect_instance() {
	local name=$1
	mkdir -p "$WORK/$name/rules.d" "$WORK/$name/run"
	cg_make "$name/tenant"
	cg_make "$name/guest"
	cg_make "$name/allowed"
	printf '[rules]\nredirect = cgroup:%s/%s/tenant\nallow = cgroup:%s/%s/allowed\n' \
		"$CG_REL" "$name" "$CG_REL" "$name" >"$WORK/$name/rules.d/tenant.conf"
	sf_config "$name" "$WORK/$name/rules.d" 0
	echo "relay = 127.0.0.1:$WATCHED_PORT [::1]:$WATCHED_PORT" >>"$WORK/$name/smtpfence.conf"
	sf_start "$name"
	expect_connect plain "$CG/$name/tenant" "$LOAD_UID" connected --dest "$REDIRECT_DEST"
	expect_connect plain "$CG/$name/guest" "$DENIED_UID" EPERM --dest "$REDIRECT_DEST"
	expect_connect plain "$CG/$name/allowed" "$LOAD_UID" connected
	[ "$(sf "$name" -j status | jq .redirected)" -ge 1 ] ||
		die "sanity: the redirected connect was not counted as redirected"
}

uid_list() {
	seq "$FIRST_OTHER_UID" $((FIRST_OTHER_UID + $1 - 2))
	echo "$LOAD_UID"
}

nft_system() {
	local name=$1 users=$2 f=$WORK/$1.nft
	netns_new "$name"
	{
		echo "table inet smtpfence_bench {"
		echo "	set allowed { typeof meta skuid; elements = {"
		uid_list "$users" | paste -sd, -
		echo "	} }"
		echo "	chain smtp {"
		echo "		meta skuid @allowed accept"
		echo "		reject with tcp reset"
		echo "	}"
		echo "	chain output {"
		echo "		type filter hook output priority filter; policy accept;"
		echo "		tcp dport { ${SMTP_PORTS// /, } } jump smtp"
		echo "	}"
		echo "}"
	} >"$f"
	in_netns "$name" nft -f "$f" || die "nft -f $f failed"
	expect_connect "$name" "$CG/plain" "$LOAD_UID" connected
	expect_connect "$name" "$CG/plain" "$DENIED_UID" ECONNREFUSED
}

# ipt_system NAME USERS RESTORE: RESTORE is iptables-restore (Debian's
# default, the nf_tables backend) or iptables-legacy-restore (x_tables).
ipt_system() {
	local name=$1 users=$2 restore=$3 f=$WORK/$1.iptables ports=${SMTP_PORTS// /,}
	netns_new "$name"
	{
		echo "*filter"
		echo ":INPUT ACCEPT [0:0]"
		echo ":FORWARD ACCEPT [0:0]"
		echo ":OUTPUT ACCEPT [0:0]"
		echo ":LOCALOUTPUT - [0:0]"
		echo "-A OUTPUT -j LOCALOUTPUT"
		uid_list "$users" | awk -v p="$ports" '{
			print "-A LOCALOUTPUT -p tcp -m multiport --dports " p \
				" -m owner --uid-owner " $1 " -j ACCEPT" }'
		echo "-A LOCALOUTPUT -p tcp -m multiport --dports $ports -j REJECT --reject-with tcp-reset"
		echo "COMMIT"
	} >"$f"
	in_netns "$name" "$restore" "$f" || die "$restore $f failed"
	expect_connect "$name" "$CG/plain" "$LOAD_UID" connected
	expect_connect "$name" "$CG/plain" "$DENIED_UID" ECONNREFUSED
}

# The floor for both tables: empty cgroup/connect4 and cgroup_skb/egress
# programs on cgroup "empty", held by a coprocess that also switches the
# BPF statistics.
empty_system() {
	local out c4 eg
	cg_make empty
	coproc HOLDER { exec "$EMPTY_BIN" "$CG/empty"; }
	HOLDERS="$HOLDERS $HOLDER_PID"
	read -r out <&"${HOLDER[0]}" || die "the empty program failed to load"
	read -r c4 eg <<<"$out"
	EMPTY_IDS="${c4#connect4=} ${eg#egress=}"
	expect_connect plain "$CG/empty" "$LOAD_UID" connected
}
