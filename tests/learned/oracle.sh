#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# rmt-replay --prefetcher oracle:TRACE replays the future: on hash join,
# whose faults move between its tables' regions, the oracle replaying
# its own trace must cover at least 0.99 of the faults with accuracy
# 0.99 and finish no later than readahead, leap and learned (it covered
# 0.85 and came last when the replay dropped prefetches outside the
# faulting region).  A trace that cannot be read is a usage error.
# Usage: oracle.sh BUILD_DIR
. "$(dirname "$0")/../uspace/replay-lib.sh"
"$run" --mem-limit 25% --far-latency 0 --prefetcher none \
	--trace "$tmp/t" -- "$build/workloads/hash-join" --size 32 \
	>/dev/null 2>&1 || { echo "FAIL recording hash-join"; exit 1; }
result() {
	timeout 60 "$replay" --far-latency 80us --fetch-depth 32 \
		--prefetcher "$1" "$tmp/t" 2>&1 | tail -1
}
oracle=$(result "oracle:$tmp/t")
echo "oracle:    $oracle"
case $oracle in RESULT*) ;; *) echo "FAIL: the oracle's replay did not finish"; exit 1 ;; esac
awk -v c="$(field coverage "$oracle")" -v a="$(field accuracy "$oracle")" \
	'BEGIN { exit !(c >= 0.99 && a >= 0.99) }' ||
	{ echo "FAIL: the oracle does not see the future"; fail=1; }
for pf in readahead leap learned; do
	other=$(result $pf)
	echo "$(printf '%-10s' "$pf:") $other"
	awk -v o="$(field wall_s "$oracle")" -v t="$(field wall_s "$other")" \
		'BEGIN { exit !(o <= t) }' ||
		{ echo "FAIL: $pf beats the oracle"; fail=1; }
done
"$replay" --prefetcher "oracle:$tmp/missing" "$tmp/t" 2>"$tmp/err"
rc=$?
if [ $rc != 2 ] || ! grep -q "bad --prefetcher: .*missing" "$tmp/err"; then
	echo "FAIL: a missing oracle trace: exit $rc, $(cat "$tmp/err")"
	fail=1
fi
exit $fail
