#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Every workload prints the same checksum natively and under rmt-run with
# every prefetcher (none at two memory limits, readahead and leap at the
# tighter one, readahead again with a fault thread serving the faults and
# with pages copied to far memory instead of moved), with the far-memory
# latency on: the pager never corrupts data.
# Usage: checksums.sh BUILD_DIR WORKLOAD...
set -u
build=$1
shift
run=$build/bin/rmt-run
if ! "$run" --far-latency 0 -- true 2>/tmp/rmt-probe.$$; then
	echo "skipped: $(cat /tmp/rmt-probe.$$)"
	rm -f /tmp/rmt-probe.$$
	exit 77
fi
rm -f /tmp/rmt-probe.$$
fail=0
for w in "$@"; do
	want=$("$build/workloads/$w" --quick) || { echo "FAIL $w native"; fail=1; continue; }
	for cfg in none:25%:signal:move none:50%:signal:move \
		readahead:25%:signal:move leap:25%:signal:move \
		readahead:25%:thread:move readahead:25%:signal:copy; do
		IFS=: read -r pf lim mode evict <<<"$cfg"
		err=$(mktemp)
		got=$("$run" --mem-limit "$lim" --prefetcher "$pf" \
			--fault-handler "$mode" --evict "$evict" -- \
			"$build/workloads/$w" --quick 2>"$err")
		rc=$?
		if [ "$rc" -ne 0 ] || [ "$got" != "$want" ]; then
			echo "FAIL $w $pf at $lim ($mode, $evict): rc=$rc got '$got' want '$want'"
			cat "$err"
			fail=1
		elif ! tail -1 "$err" | grep -q '^RESULT faults=[1-9][0-9]* hits='; then
			echo "FAIL $w $pf at $lim ($mode, $evict): no RESULT line with faults"
			cat "$err"
			fail=1
		else
			echo "ok $w $pf at $lim ($mode, $evict): $got $(tail -1 "$err" | cut -d' ' -f2-4)"
		fi
		rm -f "$err"
	done
done
exit $fail
