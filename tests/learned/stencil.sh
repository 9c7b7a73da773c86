#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The learned prefetcher never far behind readahead, on a stream that
# visits its pages out of order: stencil at 64 MB writes each 2.8-page
# row's ends before its middle (steps +4, -2, +1, which no candidate
# class follows).  Replayed at 80 us and 37.5%, learned must cover at
# least readahead's share of the faults and finish within 1.05x the
# better baseline's simulated time, and its training rounds must end
# (a drift no candidate beats once made every fault due for a round).
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
awk -v rc="$(field coverage "$ra")" -v lc="$(field coverage "$lrn")" \
	-v rt="$(field wall_s "$ra")" -v pt="$(field wall_s "$leap")" \
	-v lt="$(field wall_s "$lrn")" \
	'BEGIN { b = rt < pt ? rt : pt; exit !(lc >= rc && lt <= 1.05 * b) }' ||
	{ echo "FAIL: learned behind readahead on stencil"; exit 1; }
