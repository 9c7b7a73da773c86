#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Bad arguments to rmt-agent (its kernel attachment too), rmt-run (--control,
# the learner's) and rmtctl stats get clear errors and the documented exit
# status.  Usage: bad_args.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() { # STATUS PATTERN -- COMMAND...
	local want=$1 pat=$2 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -q -- "$pat" <<<"$out"; then
		echo "FAIL: $* -> exit $rc (want $want), output:"
		echo "$out"
		fail=1
	fi
}

agent=$build/bin/rmt-agent
expect 1 "cannot connect to $tmp/none" -- "$agent" --attach "$tmp/none"
expect 2 "exactly one of --cgroup PATH and --pid N" -- \
	"$agent" --attach /dev/null
expect 2 "exactly one of --cgroup PATH and --pid N" -- \
	"$agent" --attach /dev/null --cgroup "$tmp" --pid 1
expect 1 "/dev/null: not an rmt device" -- \
	"$agent" --attach /dev/null --cgroup "$tmp"
expect 1 "is rmt.ko loaded" -- "$agent" --attach "$tmp/rmt" --pid 1
expect 2 "--pid must name a process" -- "$agent" --attach /dev/null --pid 0
expect 2 "--duration 'soon'" -- "$agent" --attach x --duration soon
expect 2 "exclude each other" -- "$agent" --attach x --probe
expect 2 "nothing to do" -- "$agent"
expect 2 "unknown --backend 'gpu'" -- "$agent" --attach x --backend gpu
expect 2 "--first-model" -- "$agent" --attach x --first-model -3
expect 2 "--retrain-max: below the faults between rounds" -- \
	"$agent" --attach x --retrain-max 3999
touch "$tmp/file"
expect 2 "cannot write" -- "$agent" --attach x --log "$tmp/no/such/log"
ctl=$build/bin/rmtctl
expect 1 "cannot connect" -- "$ctl" --control "$tmp/none" stats
expect 2 "needs --control" -- "$ctl" stats
expect 2 "unexpected" -- "$ctl" stats --control
if "$build/bin/rmt-run" --far-latency 0 -- true 2>/dev/null; then
	run=$build/bin/rmt-run
	expect 2 "is not a socket" -- "$run" --control "$tmp/file" -- true
	expect 2 "cannot listen" -- "$run" --control "$tmp/no/s" -- true
	expect 2 "--trace goes with neither" -- \
		"$run" --control "$tmp/s" --trace "$tmp/t" -- true
	expect 2 "bad --first-model" -- "$run" --first-model 0 -- true
	expect 2 "bad --retrain-max" -- "$run" --retrain-max 0 -- true
	expect 2 "--retrain-max: below the faults between rounds" -- \
		"$run" --retrain 800 --retrain-max 700 -- true
else
	echo "rmt-run's part skipped: the pager cannot run here"
fi
exit $fail
