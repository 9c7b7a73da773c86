#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The learned prefetcher on a stream that visits its pages out of order:
# stencil at 64 MB writes each 2.8-page row's ends before its middle
# (steps +4, -2, +1, which no step class follows, but which go one way:
# a sweep).  Replayed at 80 us and 37.5%, learned must cover at least
# 0.99 of the faults with accuracy 0.98 and wait for far memory at most
# a quarter as long as the better baseline (0.008 s against readahead's
# 0.763 s), and its training rounds must end (a drift no candidate beats
# once made every fault due for a round).  A replay's wait is its
# simulated time beyond that of the same trace with instant far memory:
# the rest is the recorded program's own time, which a loaded machine
# stretches (compared in total time, 0.75x passed only where the
# recording took under 2.3 s, and failed under load).
# Usage: stencil.sh BUILD_DIR
. "$(dirname "$0")/../uspace/replay-lib.sh"
"$run" --mem-limit 37.5% --far-latency 0 --prefetcher none \
	--trace "$tmp/t" -- "$build/workloads/stencil" --size 64 \
	>/dev/null 2>&1 || { echo "FAIL recording stencil"; exit 1; }
# A quarter of the 24 MiB limit, as the pager's inactive list.
result() { # PREFETCHER [FAR_LATENCY]
	timeout 60 "$replay" --cache 1536 --far-latency "${2:-80us}" \
		--fetch-depth 32 --prefetcher "$1" "$tmp/t" 2>&1 | tail -1
}
ra=$(result readahead)
leap=$(result leap)
lrn=$(result learned)
floor=$(result none 0)
echo "readahead: $ra"
echo "leap:      $leap"
echo "learned:   $lrn"
echo "no wait:   $floor"
case $lrn in RESULT*) ;; *) echo "FAIL: learned replay did not finish"; exit 1 ;; esac
case $floor in RESULT*) ;; *) echo "FAIL: the replay without latency failed"; exit 1 ;; esac
awk -v lc="$(field coverage "$lrn")" -v la="$(field accuracy "$lrn")" \
	-v rt="$(field wall_s "$ra")" -v pt="$(field wall_s "$leap")" \
	-v lt="$(field wall_s "$lrn")" -v z="$(field wall_s "$floor")" \
	'BEGIN { b = rt < pt ? rt : pt
		 printf "waits: learned %.3f s, the better baseline %.3f s\n",
			lt - z, b - z
		 exit !(lc >= 0.99 && la >= 0.98 && b > z &&
			lt - z <= 0.25 * (b - z)) }' ||
	{ echo "FAIL: learned does not sweep stencil's rows"; exit 1; }
