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
# The program reports its own priority, then its parent's (rmt-run).
out=$(chrt -f 2 "$run" -- sh -c 'chrt -p $$; chrt -p $PPID' 2>/dev/null)
prios=$(sed -n 's/.*scheduling priority: //p' <<<"$out" | tr '\n' ' ')
policies=$(grep -c 'policy: SCHED_FIFO' <<<"$out")
if [ "$prios" != "2 3 " ] || [ "$policies" != 2 ]; then
	echo "FAIL: want the program at SCHED_FIFO 2 and rmt-run at 3, got:"
	echo "$out"
	exit 1
fi
echo "ok: program at SCHED_FIFO 2, rmt-run at 3"
# rmt-run's threads, seen by the program once the agent has started: the
# three training threads (two workers, the trainer) at SCHED_FIFO 1, the
# rest (main, drainer) at 3.
out=$(chrt -f 2 "$run" --prefetcher learned -- sh -c \
	'for i in $(seq 50); do
		[ $(ls /proc/$PPID/task | wc -l) -ge 5 ] && break; sleep 0.1
	done
	for t in /proc/$PPID/task/*; do chrt -p ${t##*/}; done' \
	2>/dev/null)
prios=$(sed -n 's/.*scheduling priority: //p' <<<"$out" | sort | tr '\n' ' ')
policies=$(grep -c 'policy: SCHED_FIFO' <<<"$out")
if [ "$prios" != "1 1 1 3 3 " ] || [ "$policies" != 5 ]; then
	echo "FAIL: want rmt-run's threads at SCHED_FIFO 1 1 1 3 3, got:"
	echo "$out"
	exit 1
fi
echo "ok: the training threads at SCHED_FIFO 1, below the program"
