#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The learned prefetcher on a stream that visits its pages out of order:
# stencil at 64 MB writes each 2.8-page row's ends before its middle
# (steps +4, -2, +1, which no step class follows, but which go one way:
# a sweep).  Replayed at 80 us and 37.5%, learned must cover at least
# 0.99 of the faults with accuracy 0.98 and finish within 0.75x the
# better baseline's simulated time (0.9331 / 0.9255 and 0.81x when
# readahead served these streams), and its training rounds must end (a
# drift no candidate beats once made every fault due for a round).
# Usage: stencil.sh BUILD_DIR
. "$(dirname "$0")/../uspace/replay-lib.sh"
"$run" --mem-limit 37.5% --far-latency 0 --prefetcher none \
	--trace "$tmp/t" -- "$build/workloads/stencil" --size 64 \
	>/dev/null 2>&1 || { echo "FAIL recording stencil"; exit 1; }
# A quarter of the 24 MiB limit, as the pager's inactive list.
result() {
	timeout 60 "$replay" --cache 1536 --far-latency 80us --fetch-depth 32 \
		--prefetcher "$1" "$tmp/t" 2>&1 | tail -1
}
ra=$(result readahead)
leap=$(result leap)
lrn=$(result learned)
echo "readahead: $ra"
echo "leap:      $leap"
echo "learned:   $lrn"
case $lrn in RESULT*) ;; *) echo "FAIL: learned replay did not finish"; exit 1 ;; esac
awk -v lc="$(field coverage "$lrn")" -v la="$(field accuracy "$lrn")" \
	-v rt="$(field wall_s "$ra")" -v pt="$(field wall_s "$leap")" \
	-v lt="$(field wall_s "$lrn")" \
	'BEGIN { b = rt < pt ? rt : pt
		 exit !(lc >= 0.99 && la >= 0.98 && lt <= 0.75 * b) }' ||
	{ echo "FAIL: learned does not sweep stencil's rows"; exit 1; }
