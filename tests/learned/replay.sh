#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The learned prefetcher with its learner in the loop (rmt-replay
# --prefetcher learned) on fault traces recorded by rmt-run --trace from
# video-resize, conv2d and pointer-chase: on video and convolution its
# coverage beats the better of readahead and leap by at least 0.05 with
# accuracy >= 0.98; on pointer chasing it prefetches at most 5% of the
# faults; replays are deterministic; the learner's summary line, and its
# rounds backing off where they change nothing; --by-region adds up.
# Usage: replay.sh BUILD_DIR
. "$(dirname "$0")/../uspace/replay-lib.sh"
record() {
	local name=$1
	shift
	"$run" --mem-limit 25% --prefetcher none --trace "$tmp/$name" -- "$@" \
		>/dev/null 2>&1 || { echo "FAIL recording $name"; exit 1; }
}
record video "$build/workloads/video-resize" --size 16
record conv "$build/workloads/conv2d" --size 16 --kernel 3
record chase "$build/workloads/pointer-chase" --size 4
# The recorded runs' inactive lists: 25% of a 4 MiB limit.
result() { "$replay" --cache 256 "$@" 2>&1 | tail -1; }
for t in video conv; do
	ra=$(result --prefetcher readahead "$tmp/$t")
	leap=$(result --prefetcher leap "$tmp/$t")
	lrn=$(result --prefetcher learned "$tmp/$t")
	lrn2=$(result --prefetcher learned "$tmp/$t")
	echo "$t readahead: $ra"
	echo "$t leap:      $leap"
	echo "$t learned:   $lrn"
	[ "$lrn" = "$lrn2" ] || { echo "FAIL $t: not deterministic"; fail=1; }
	awk -v r="$(field coverage "$ra")" -v l="$(field coverage "$leap")" \
		-v c="$(field coverage "$lrn")" -v a="$(field accuracy "$lrn")" \
		-v m="$(field models_installed "$lrn")" \
		'BEGIN { b = r > l ? r : l;
			 exit !(m >= 1 && c >= b + 0.05 && c >= 0.95 &&
				a >= 0.98) }' ||
		{ echo "FAIL $t: learned does not beat the baselines"; fail=1; }
done
# The learner's summary: its first model after the first 500 faults; on
# pointer chasing, where its rounds change nothing, fewer rounds than
# without backing off (--retrain-max equal to --retrain).
summary() {
	"$replay" --cache 256 --prefetcher learned "$@" 2>&1 |
		grep '^rmt-replay: learner:'
}
rounds() { sed -n 's/.*learner: \([0-9]*\) rounds.*/\1/p' <<<"$1"; }
sum=$(summary "$tmp/video")
echo "$sum"
first=$(sed -n 's/.*the first after \([0-9]*\) faults.*/\1/p' <<<"$sum")
[ -n "$first" ] && [ "$first" -ge 500 ] && [ "$first" -lt 1000 ] ||
	{ echo "FAIL the learner's summary: '$sum'"; fail=1; }
back=$(summary --retrain 500 "$tmp/chase")
flat=$(summary --retrain 500 --retrain-max 500 "$tmp/chase")
echo "backing off: $back"
echo "not:         $flat"
[ -n "$(rounds "$back")" ] && [ "$(rounds "$back")" -lt "$(rounds "$flat")" ] ||
	{ echo "FAIL pointer chasing: no fewer rounds backing off"; fail=1; }
# --by-region: the regions' faults and misses add up to the totals, and
# the misses after the first model are some of them.
out=$("$replay" --cache 256 --prefetcher learned --by-region "$tmp/video" 2>&1)
awk '/^rmt-replay: +[0-9]+ / { f += $4; m += $5; after += $6;
		bad += $6 > $5; n++ }
     /^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "=");
		v[kv[1]] = kv[2] } }
     END { exit !(n >= 2 && f == v["faults"] && m == v["misses"] &&
		  !bad && after < m) }' <<<"$out" ||
	{ echo "FAIL --by-region does not add up: $out"; fail=1; }
chase=$(result --prefetcher learned "$tmp/chase")
echo "pointer-chase learned: $chase"
awk -v p="$(field prefetched "$chase")" -v f="$(field faults "$chase")" \
	'BEGIN { exit !(f > 1000 && p <= 0.05 * f) }' ||
	{ echo "FAIL pointer-chase: more than 5% prefetched"; fail=1; }
exit $fail
