#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sched-plot.sh - run the BVT scenario (three CPU-bound domains, weights
# 1:2:4, the initial domain sleeping on a 10 s timer) in pvx-sim with
# --trace=sched and draw it: build/sched-bvt.png.
#
#   top:    which domain held the CPU, first 120 ms (each bar: a dispatch
#           until the next one)
#   bottom: CPU time of each domain over the 10 s window against the ideal
#           1/7, 2/7, 4/7 lines
#
# Needs build/pvx-sim and the guests (make) and gnuplot (make deps).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build"
out="$b/sched-plot"
mkdir -p "$out"
for i in 1 2 3; do cp "$b/guests/hog.elf" "$out/hog$i.elf"; done

"$b/pvx-sim" --max-time=11s --trace=sched --sched-csv="$out/sched.csv" \
    "$b/guests/bvt-share.elf" "$out/hog1.elf=name=w1 mem=4M" \
    "$out/hog2.elf=name=w2 mem=4M" "$out/hog3.elf=name=w4 mem=4M" > "$out/run.txt"
cp "$out/sched.csv" "$b/sched-bvt.csv"

# Dispatches -> segments "start_ms end_ms domain" and cumulative CPU time.
awk -F, 'NR > 2 { printf "%.6f %.6f %d\n", pt / 1e6, $1 / 1e6, pd }
         NR > 1 { pt = $1; pd = $3 }' "$out/sched.csv" > "$out/segments.dat"
awk '{ run[$3] += $2 - $1; printf "%.6f %.3f %.3f %.3f %.3f\n", $2, run[0], run[1], run[2], run[3] }' \
    "$out/segments.dat" > "$out/cumulative.dat"

# One colour per domain in both panels; the ideal shares dashed in black on
# top of the measured lines, which they would otherwise hide under.
gnuplot <<GP
set terminal pngcairo size 1200,900 font "DejaVu Sans,11"
set output "$b/sched-bvt.png"
colours = "#888888 #1b9e77 #d95f02 #7570b3"
colour(d) = word(colours, d + 1)
set multiplot layout 2,1 title "pvx BVT: domains 1, 2, 3 CPU-bound with weights 1:2:4 (C = 5 ms); domain 0 sleeps on a timer"
set xlabel "virtual time (ms)"
set ylabel "domain"
set yrange [-0.6:3.6]
set ytics ("d0 (controller)" 0, "d1 (w=1)" 1, "d2 (w=2)" 2, "d3 (w=4)" 3)
set xrange [0:120]
set grid xtics
set title "who runs: the first 120 ms (each bar is one dispatch)"
plot for [d=0:3] "$out/segments.dat" using 1:(\$3 == d ? \$3 : NaN):(\$2-\$1):(0) \
         with vectors nohead lw 14 lc rgb colour(d) notitle, \
     "" using 1:(\$3 == 0 ? 0 : NaN) with points pt 7 ps 1.5 lc rgb "black" notitle
set title "CPU time received over 10 s, against the ideal shares"
set xrange [0:10100]
set yrange [0:6000]
set ytics auto
set ylabel "CPU time (ms)"
set key left top
t0 = 15
plot "$out/cumulative.dat" using 1:3 with lines lw 4 lc rgb colour(1) title "d1 (weight 1)", \
     "" using 1:4 with lines lw 4 lc rgb colour(2) title "d2 (weight 2)", \
     "" using 1:5 with lines lw 4 lc rgb colour(3) title "d3 (weight 4)", \
     (x-t0)/7 with lines dt (6,6) lw 1.5 lc rgb "black" title "ideal 1/7, 2/7, 4/7", \
     2*(x-t0)/7 with lines dt (6,6) lw 1.5 lc rgb "black" notitle, \
     4*(x-t0)/7 with lines dt (6,6) lw 1.5 lc rgb "black" notitle
unset multiplot
GP
grep -E "^(info|Test result)" "$out/run.txt" || true
echo "sched-plot: wrote $b/sched-bvt.png and $b/sched-bvt.csv"
