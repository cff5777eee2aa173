#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bash completion as bash runs it: COMP_LINE, COMP_POINT and COMP_WORDS set
# for a line typed so far, the completion function called, COMPREPLY
# checked. Every subcommand of `smtpfence --help` and every target kind.
# Usage: completion.sh BUILD_DIR
set -u
build=$1
PATH=$(cd "$build" && pwd):$PATH
# shellcheck source=scripts/smtpfence.bash-completion
. scripts/smtpfence.bash-completion
failed=0
mnt=$(_smtpfence_cgroup2)
[ -n "$mnt" ] || { echo "FAIL: no cgroup2 mount" >&2; exit 1; }
unit=smtpfence-test-completion-$$.slice
mkdir "$mnt/$unit" || exit 1
trap 'rmdir "$mnt/$unit"' EXIT

# complete LINE: fills COMPREPLY the way bash would for LINE typed so far.
complete_line()
{
	local line=$1
	COMP_LINE=$line
	COMP_POINT=${#line}
	# bash splits words at COMP_WORDBREAKS, ':' among them
	local IFS=$' \t\n'
	read -ra COMP_WORDS <<<"${line//:/ : }"
	[[ $line == *' ' || $line == *: ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_smtpfence smtpfence "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# expect LINE WORD...: the offered words are exactly these, in any order.
expect()
{
	local line=$1 got want
	shift
	complete_line "$line"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[[ $# -eq 0 ]] && want=""
	[[ ${#COMPREPLY[@]} -eq 0 ]] && got=""
	if [[ $got != "$want" ]]; then
		echo "FAIL: '$line' offered [${got% }], want [${want% }]" >&2
		failed=1
	fi
}

# expect_has LINE WORD: WORD is among the offered words.
expect_has()
{
	complete_line "$1"
	local w
	for w in "${COMPREPLY[@]}"; do
		[[ $w == "$2" ]] && return
	done
	echo "FAIL: '$1' did not offer '$2' (offered: ${COMPREPLY[*]})" >&2
	failed=1
}

# Every subcommand --help lists, and those the service and README rely on.
mapfile -t commands < <(smtpfence --help | awk '/^Commands:/ {on=1; next} /^$/ {on=0} on && NF {print $1}')
for c in run allow deny log limit unset rules status ports default check-config reload unload; do
	[[ " ${commands[*]} " == *" $c "* ]] || { echo "FAIL: --help lacks $c" >&2; failed=1; }
done
expect "smtpfence " "${commands[@]}"
expect "smtpfence --config /tmp/x.conf st" status
expect "smtpfence -j r" run rules reload release redirect

# Target kinds, and values for each.
for action in allow deny log limit redirect unset; do
	expect "smtpfence $action " cgroup: unit: user: group: dest:
done
expect "smtpfence allow us" user:
expect_has "smtpfence deny user:ro" root
expect_has "smtpfence deny user:" root
expect_has "smtpfence log group:roo" root
expect "smtpfence allow unit:smtpfence-test-completion-$$" "$unit"
expect "smtpfence limit unit:smtpfence-test-completion-$$" "$unit"
expect "smtpfence unset cgroup:/smtpfence-test-completion-$$" "/$unit/"
expect "smtpfence allow dest:" # an address is not guessed
expect "smtpfence allow user:root " cgroup: unit: user: group: dest: messages recipients
expect "smtpfence allow user:root us" user:

# Words after the target, and other subcommands' words.
expect "smtpfence limit user:root " 10/min 100/hour 1/sec
expect "smtpfence limit user:root 5/min " burst messages recipients
expect "smtpfence limit user:root 5/min burst 5 " messages recipients
expect "smtpfence limit user:root 5/min burst " # a number
expect "smtpfence redirect user:root me" messages
expect "smtpfence redirect user:root messages " 100/hour 1000/day 10/min
expect "smtpfence redirect user:root messages 100/hour " recipients
expect "smtpfence limit user:root 5/min recipients 10/min " messages
expect "smtpfence unset user:root " cgroup: unit: user: group: dest:
expect "smtpfence ports " add del list
expect "smtpfence ports add " 25 465 587 2525
expect "smtpfence ports list "
expect "smtpfence default " allow deny log limit redirect
expect "smtpfence default limit " 10/min 100/hour 1/sec

# Options, per subcommand.
expect_has "smtpfence allow user:root --ru" --runtime
expect_has "smtpfence run --" --cgroup
expect_has "smtpfence explain --" --pid
expect_has "smtpfence top -" -n
expect_has "smtpfence events -" -f
expect "smtpfence flows --l" --limit # from flows' own table
expect_has "smtpfence --" --pin-dir
expect "smtpfence status --run" --run-dir # no --runtime here
expect_has "smtpfence run --cgroup $mnt/smtpfence-test-completion-$$" "$mnt/$unit/"
expect_has "smtpfence --pin-dir /sy" /sys

[[ $failed -eq 0 ]] && echo "completion: ${#commands[@]} subcommands, 5 target kinds, options: all offered"
exit $failed
