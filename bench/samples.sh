# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Sourced by bench.sh: raw samples and their medians. Every measurement is
# one line of $OUT/samples.csv:
#   phase,system,rules,depth,port,round,value
# (rates in connects/s, program costs in ns, times in s, sizes in bytes).

samples_init() {
	SAMPLES=$OUT/samples.csv
	echo "phase,system,rules,depth,port,round,value" >"$SAMPLES"
}

sample() {
	echo "$1,$2,$3,$4,$5,$6,$7" >>"$SAMPLES"
}

# since T0: seconds from T0 (an $EPOCHREALTIME) to now, to the microsecond.
since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f\n", b - a }'
}

# calc FORMAT EXPR: EXPR in parentheses, so that awk never reads its ">"
# as a redirection.
calc() {
	LC_ALL=C awk "BEGIN { printf \"$1\", ($2) }"
}

# median PHASE SYSTEM RULES DEPTH PORT: the median of the matching
# samples, empty when there are none.
median() {
	awk -F, -v k="$1,$2,$3,$4,$5" 'NR > 1 && $1","$2","$3","$4","$5 == k { print $7 }' \
		"$SAMPLES" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR) printf "%.6f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# count PHASE SYSTEM RULES DEPTH PORT: how many samples the median is of.
count() {
	awk -F, -v k="$1,$2,$3,$4,$5" 'NR > 1 && $1","$2","$3","$4","$5 == k { n++ }
		END { print n + 0 }' "$SAMPLES"
}

# note PHASE SYSTEM TEXT: a row that could not be measured, and why.
note() {
	echo "$1,$2,$3" >>"$OUT/notes.csv"
}

note_of() {
	if [ -f "$OUT/notes.csv" ]; then
		awk -F, -v p="$1" -v s="$2" '$1 == p && $2 == s { print $3 }' "$OUT/notes.csv"
	fi
}
