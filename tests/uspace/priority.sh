#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Under a real-time policy (run-experiment --realtime) rmt-run runs one
# priority above the program it starts, which keeps the policy and the
# priority rmt-run was given; the learned prefetcher's training threads
# run one below the program, and its agent starts before the program.
# Usage: priority.sh BUILD_DIR
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
# The learned prefetcher's agent starts before the program: its training
# threads run below a real-time program, which never sleeps while it
# faults, and started after it they could find no CPU until it ended (the
# run then had no model).  The agent's log is a FIFO here: opening it
# blocks the agent's start until a reader comes, and the program must not
# have run by then.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/log"
chrt -f 2 "$run" --prefetcher learned --agent-log "$tmp/log" -- \
	touch "$tmp/ran" >/dev/null 2>&1 &
runner=$!
sleep 0.5
if [ -e "$tmp/ran" ]; then
	echo "FAIL: the program ran before the agent had started"
	cat "$tmp/log" >/dev/null
	wait "$runner"
	exit 1
fi
cat "$tmp/log" >"$tmp/agent.log"
wait "$runner"
if [ ! -e "$tmp/ran" ] || ! grep -q "event=start" "$tmp/agent.log"; then
	echo "FAIL: no run, or no agent, after the agent's start"
	cat "$tmp/agent.log"
	exit 1
fi
echo "ok: the agent starts before the program"
