#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Under a real-time policy (run-experiment --realtime) rmt-run runs one
# priority above the program it starts, which keeps the policy and the
# priority rmt-run was given; the learned prefetcher's training threads
# run one below the program.  Usage: priority.sh BUILD_DIR
set -u
run=$1/bin/rmt-run
if ! chrt -f 2 true 2>/dev/null; then
	echo "skipped: SCHED_FIFO is not permitted here"
	exit 77
fi
if ! "$run" --far-latency 0 -- true 2>/dev/null; then
	echo "skipped: rmt-run cannot run here"
	exit 77
fi
# expect WANT WHAT OUT [FILTER]: OUT, lines of chrt -p, must show
# SCHED_FIFO at the priorities WANT (blank-separated) and nothing else;
# FILTER orders the priorities first (e.g. "sort -n"; default: as given).
expect() {
	local want=$1 what=$2 out=$3 order=${4:-cat} prios n
	prios=$(sed -n 's/.*scheduling priority: //p' <<<"$out" | $order | xargs)
	n=$(wc -w <<<"$want")
	if [ "$prios" != "$want" ] ||
		[ "$(grep -c 'policy: SCHED_FIFO' <<<"$out")" != "$n" ]; then
		echo "FAIL: want $what at SCHED_FIFO $want, got:"
		echo "$out"
		exit 1
	fi
	echo "ok: $what at SCHED_FIFO $want"
}
# The program reports its own priority, then its parent's (rmt-run).
expect "2 3" "the program and rmt-run" \
	"$(chrt -f 2 "$run" -- sh -c 'chrt -p $$; chrt -p $PPID' 2>/dev/null)"
# rmt-run's threads, seen by the program once the agent has started: the
# three training threads (two workers, the trainer) at 1, below the
# program; the rest (main, drainer) at 3.
expect "1 1 1 3 3" "rmt-run's threads" "$(chrt -f 2 "$run" \
	--prefetcher learned -- sh -c \
	'for i in $(seq 50); do
		[ $(ls /proc/$PPID/task | wc -l) -ge 5 ] && break; sleep 0.1
	done
	for t in /proc/$PPID/task/*; do chrt -p ${t##*/}; done' 2>/dev/null)" \
	"sort -n"
