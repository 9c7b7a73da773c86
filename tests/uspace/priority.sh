#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Under a real-time policy (run-experiment --realtime) rmt-run runs one
# priority above the program it starts, which keeps the policy and the
# priority rmt-run was given.  Usage: priority.sh BUILD_DIR
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
