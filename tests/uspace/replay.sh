#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# rmt-replay: a trace recorded by rmt-run --trace replays deterministically;
# readahead and leap find the sequential stream in it, none prefetches
# nothing; only pages the trace says are far are prefetched; bad traces
# and options are refused with the reason; rmt-run's oracle prefetcher
# replays it as the future of the same run.
# Usage: replay.sh BUILD_DIR
. "$(dirname "$0")/replay-lib.sh"
"$run" --mem-limit 25% --trace "$tmp/t" -- "$build/workloads/seqscan" --quick \
	>/dev/null 2>&1 || { echo "FAIL recording the trace"; exit 1; }
result() { "$replay" "$@" 2>&1 | tail -1; }
none=$(result --prefetcher none "$tmp/t")
ra=$(result --prefetcher readahead "$tmp/t")
ra2=$(result --prefetcher readahead "$tmp/t")
leap=$(result --prefetcher leap "$tmp/t")
echo "none:      $none"
echo "readahead: $ra"
echo "leap:      $leap"
[ "$(field hits "$none")" = 0 ] && [ "$(field prefetched "$none")" = 0 ] ||
	{ echo "FAIL none prefetched"; fail=1; }
[ "$ra" = "$ra2" ] || { echo "FAIL replay is not deterministic"; fail=1; }
for r in "$ra" "$leap"; do
	awk -v c="$(field coverage "$r")" -v a="$(field accuracy "$r")" \
		'BEGIN { exit !(c > 0.8 && a > 0.95) }' ||
		{ echo "FAIL weak prefetching: $r"; fail=1; }
	awk -v p="$(field wall_s "$r")" -v n="$(field wall_s "$none")" \
		'BEGIN { exit !(p < n) }' ||
		{ echo "FAIL prefetching did not shorten the simulated time"; fail=1; }
done
grep -q '^evict ' "$tmp/t" ||
	{ echo "FAIL the trace has no evictions"; fail=1; }
# A page is far from its eviction to its next fault: readahead on 32
# sequential faults prefetches only pages the trace evicted, not dropped.
stream() {
	local i
	echo "$1"
	for i in $(seq 0 31); do
		printf '%d 7 0x%x 0x100000 0x200000 2 5000\n' $((i * 10000)) \
			$((0x100000 + i * 4096))
	done
}
evictions() {
	local i
	for i in $(seq 0 63); do
		printf 'evict 0 0x%x\n' $((0x100000 + i * 4096))
	done
}
stream "# rmt fault trace v2" >"$tmp/resident"
{ echo "# rmt fault trace v2"; evictions; stream "" | tail -n +2; } \
	>"$tmp/evicted"
{ echo "# rmt fault trace v2"; evictions; echo "drop 0 0x100000 256"
	stream "" | tail -n +2; } >"$tmp/dropped"
stream "# rmt fault trace v1" >"$tmp/v1"
for t in resident evicted dropped v1; do
	out=$("$replay" --prefetcher readahead "$tmp/$t" 2>&1)
	hits=$(field hits "$(tail -1 <<<"$out")")
	echo "far pages, $t: $(tail -1 <<<"$out")"
	case $t in
	evicted|v1) [ "$hits" -ge 24 ] ;;
	*) [ "$hits" = 0 ] && grep -q "prefetches skipped: the page was not" \
		<<<"$out" ;;
	esac || { echo "FAIL far pages, $t: $out"; fail=1; }
done
# A prefetched page stays for --cache page-ins, misses included: after
# readahead's window on 8 sequential faults, 64 scattered misses push its
# pages out of a 32-page cache (not out of 1024 pages) before the 9th.
{ stream "# rmt fault trace v1" | head -9
	for i in $(seq 0 63); do
		printf '%d 7 0x%x 0x10000000 0x20000000 2 5000\n' \
			$((400000 + i * 10000)) $((0x10000000 + i * 409600))
	done
	stream "" | sed -n 10p; } >"$tmp/aging"
small=$(field hits "$("$replay" --prefetcher readahead --cache 32 "$tmp/aging" 2>&1 | tail -1)")
large=$(field hits "$("$replay" --prefetcher readahead --cache 1024 "$tmp/aging" 2>&1 | tail -1)")
echo "aging: $small hits with a 32-page cache, $large with 1024"
[ "$small" -lt "$large" ] ||
	{ echo "FAIL misses did not age the prefetch cache"; fail=1; }
# First touches bring pages in too: 64 of them between two faults push
# the pages readahead prefetched out of a 32-page cache.
{ echo "# rmt fault trace v2"; evictions; stream "" | sed -n 2,9p
	for i in $(seq 0 63); do
		printf 'touch 0 0x%x\n' $((0x20000000 + i * 4096))
	done
	stream "" | tail -n +10; } >"$tmp/touched"
plain=$(field hits "$("$replay" --prefetcher readahead --cache 32 "$tmp/evicted" 2>&1 | tail -1)")
touched=$(field hits "$("$replay" --prefetcher readahead --cache 32 "$tmp/touched" 2>&1 | tail -1)")
echo "first touches: $touched hits with them, $plain without"
[ "$touched" -lt "$plain" ] ||
	{ echo "FAIL first touches did not age the prefetch cache"; fail=1; }
grep -q "a v1 trace, without evictions" <<<"$("$replay" "$tmp/v1" 2>&1)" ||
	{ echo "FAIL no warning for a v1 trace"; fail=1; }
expect() {
	local want=$1 pattern=$2 out rc
	shift 2
	out=$("$replay" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$pattern" <<<"$out"; then
		echo "FAIL rmt-replay $*: rc=$rc (want $want): $out"
		fail=1
	else
		echo "ok rmt-replay $*: $out"
	fi
}
echo "hello" >"$tmp/bad1"
{ head -1 "$tmp/t"; echo "12 1 0x1000 0x1000 0x2000 2"; } >"$tmp/bad2"
{ head -1 "$tmp/t"; echo "12 1 0x1800 0x1000 0x2000 2 5"; } >"$tmp/bad3"
{ head -1 "$tmp/t"; echo "12 1 0x1000 0x1000 0x2000 64 5"; } >"$tmp/bad4"
: >"$tmp/empty"
expect 1 "not a fault trace" "$tmp/bad1"
expect 1 "bad2:2: malformed or missing latency_ns" "$tmp/bad2"
expect 1 "bad3:2: addr not a page" "$tmp/bad3"
expect 1 "bad4:2: unknown flags" "$tmp/bad4"
{ head -1 "$tmp/t"; echo "evict 12 0x1800"; } >"$tmp/bad5"
expect 1 "bad5:2: malformed, missing or unaligned addr" "$tmp/bad5"
printf '# rmt fault trace v1\nevict 12 0x1000\n' >"$tmp/bad6"
expect 1 "bad6:2: a page event in a v1 trace" "$tmp/bad6"
expect 1 "empty trace" "$tmp/empty"
expect 2 "cannot read" "$tmp/missing"
expect 2 "exactly one TRACE"
expect 2 "unknown prefetcher" --prefetcher magic "$tmp/t"
expect 2 "bad --cache" --cache 0 "$tmp/t"
expect 2 "below the faults between rounds" --prefetcher learned \
	--retrain 5000 --retrain-max 4999 "$tmp/t"
expect 2 "bad --retrain-max" --retrain-max x "$tmp/t"
# The same trace as rmt-run's oracle: the run it came from again, with
# its future known, misses only where a region first appears.
want=$("$build/workloads/seqscan" --quick)
got=$("$run" --mem-limit 25% --prefetcher "oracle:$tmp/t" -- \
	"$build/workloads/seqscan" --quick 2>"$tmp/oracle.err")
r=$(tail -1 "$tmp/oracle.err")
echo "oracle:    $r"
if [ "$got" != "$want" ] ||
	! grep -q "oracle: 0 faults were not where" "$tmp/oracle.err" ||
	! awk -v c="$(field coverage "$r")" -v a="$(field accuracy "$r")" \
		'BEGIN { exit !(c > 0.99 && a > 0.99) }'; then
	echo "FAIL the oracle: checksum '$got' (want '$want'):"
	cat "$tmp/oracle.err"
	fail=1
fi
exit $fail
