# SPDX-License-Identifier: GPL-2.0-only
# Connect rate against the number of rules, one line a filter: solid for
# the watched port (allowed traffic), dashed for an unwatched port.
# Variables from bench/report.sh: data, out, none_w, empty_w, subtitle.
set terminal pngcairo size 900,540 font "DejaVu Sans,10"
set output out
set title "Loopback connect+accept rate against the number of rules\n{/*0.8 ".subtitle."}"
set logscale x 10
set xrange [0.7:150000]
set format x "10^{%L}"
set xlabel "rules (allowed users / UIDs in the set / owner-match rules)"
set ylabel "connects per second (thousands)"
set yrange [0:*]
set grid
set key outside right top Left reverse
set style line 1 lc rgb "#1b7837" lw 2 pt 7
set style line 2 lc rgb "#2166ac" lw 2 pt 5
set style line 3 lc rgb "#b2182b" lw 2 pt 9
set style line 4 lc rgb "#444444" lw 1
set style line 5 lc rgb "#e08214" lw 2 pt 11
plot none_w/1000 with lines ls 4 title "no filter", \
     empty_w/1000 with lines ls 4 dt 3 title "empty connect4 and egress programs", \
     data index 0 using 1:($2/1000) with linespoints ls 1 title "smtpfence, port 25", \
     data index 0 using 1:($3/1000) with linespoints ls 1 dt 2 title "smtpfence, port 8080", \
     data index 1 using 1:($2/1000) with linespoints ls 2 title "nftables set, port 25", \
     data index 1 using 1:($3/1000) with linespoints ls 2 dt 2 title "nftables set, port 8080", \
     data index 2 using 1:($2/1000) with linespoints ls 3 title "iptables owner chain, port 25", \
     data index 2 using 1:($3/1000) with linespoints ls 3 dt 2 title "iptables owner chain, port 8080", \
     data index 3 using 1:($2/1000) with linespoints ls 5 title "iptables-legacy owner chain, port 25", \
     data index 3 using 1:($3/1000) with linespoints ls 5 dt 2 title "iptables-legacy owner chain, port 8080"
