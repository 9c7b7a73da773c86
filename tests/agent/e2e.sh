#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The agent end to end on the user-space datapath:
# 1. rmt-run --prefetcher leap --control S with rmt-agent --attach S
#    --backend cpu: the agent trains, verifies and installs a model, and
#    the run's coverage beats plain leap's; the checksum is the native one.
#    RMT_E2E_BACKEND=cuda (or dpdk) asks for that backend instead: the
#    CPU trains while it starts, then every round must run there.
# 2. A second agent is refused while the first is attached.
# 3. rmtctl --control S stats reads the running datapath.
#    (2 and 3 in the run of 4, which lasts seconds: a fast machine ends
#    the run of 1 before a slow-starting agent is ready.)
# 4. The agent (with a registry) killed with SIGKILL mid-run: the
#    workload finishes with the right checksum; a restarted agent
#    re-attaches, resumes from the registry (adopting the model the
#    datapath still runs) and drains the events.
# Usage: e2e.sh BUILD_DIR
set -u
build=$1
backend=${RMT_E2E_BACKEND:-cpu}
run=$build/bin/rmt-run
agent=$build/bin/rmt-agent
wl=$build/workloads/video-resize
if ! "$run" --far-latency 0 -- true 2>/dev/null; then
	echo "skipped: the pager cannot run here"
	exit 77
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
sock=$tmp/ctl.sock
native=$("$wl" --size 64)

field() { # KEY FILE: the value of KEY= in the RESULT line
	sed -n "s/^RESULT.* $1=\([^ ]*\).*/\1/p" "$2"
}

wait_for() { # FILE PATTERN SECONDS
	for _ in $(seq $(($3 * 50))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

start_run() { # extra rmt-run options
	rm -f "$sock"
	"$run" --mem-limit 25% --prefetcher leap --control "$sock" "$@" -- \
		"$wl" --size 64 >"$tmp/out" 2>"$tmp/err" &
	runner=$!
	pids+=("$runner")
	for _ in $(seq 250); do
		[ -S "$sock" ] && return 0
		sleep 0.02
	done
	echo "FAIL: rmt-run never opened $sock"
	exit 1
}

# 1. Leap alone, then leap with an attached agent.
"$run" --mem-limit 25% --prefetcher leap -- "$wl" --size 64 \
	>"$tmp/leap.out" 2>"$tmp/leap.err"
leap_cov=$(field coverage "$tmp/leap.err")
start_run
"$agent" --attach "$sock" --backend "$backend" --log "$tmp/agent.log" \
	2>"$tmp/agent.err" &
pids+=($!)
wait_for "$tmp/agent.log" "event=start" 5
wait "$runner"
wait "${pids[1]}"
cov=$(field coverage "$tmp/err")
inst=$(field models_installed "$tmp/err")
first=$(sed -n 's/^rmt: first model installed \([0-9.]*\) ms.*/\1/p' \
	"$tmp/err")
echo "leap coverage $leap_cov; leap + agent $cov, models installed $inst," \
	"the first ${first:-(none)} ms into the run of $(field wall_s "$tmp/err") s"
if [ "$(cat "$tmp/out")" != "$native" ]; then
	echo "FAIL: checksum $(cat "$tmp/out") with the agent, $native natively"
	fail=1
fi
if [ -z "$inst" ] || [ "$inst" -lt 1 ] ||
	! awk -v a="$cov" -v b="$leap_cov" 'BEGIN { exit !(a > b) }'; then
	echo "FAIL: the agent did not lift coverage above leap's"
	cat "$tmp/err" "$tmp/agent.log" "$tmp/agent.err"
	fail=1
fi
# When the first model came, beside the models counted; none without one.
grep -q "^rmt: first model installed [0-9.]* ms into the run" "$tmp/err" &&
	! grep -q "first model" "$tmp/leap.err" ||
	{ echo "FAIL: no line saying when the first model came"; fail=1; }
grep -q "event=promote" "$tmp/agent.log" &&
	grep -q "event=install" "$tmp/agent.log" ||
	{ echo "FAIL: no promote/install lines in the log"; fail=1; }

# 2-4. Far memory at 1 ms, 8 in flight: the run is bound by the fetch rate
# and takes seconds, model or not.
pids=()
start_run --far-latency 1ms --fetch-depth 8
"$agent" --attach "$sock" --backend "$backend" --registry "$tmp/reg" \
	--log "$tmp/a1.log" 2>/dev/null &
a1=$!
pids+=("$a1")
if ! wait_for "$tmp/a1.log" "event=saved .* err=0" 20; then
	echo "FAIL: the first agent installed nothing"
	fail=1
fi
# 2. One agent at a time.
if "$agent" --attach "$sock" --backend "$backend" 2>"$tmp/second.err"; then
	echo "FAIL: a second agent was admitted"
	fail=1
elif ! grep -q "another agent is attached" "$tmp/second.err"; then
	echo "FAIL: second agent refused without the reason:"
	cat "$tmp/second.err"
	fail=1
fi
# 3. A viewer meanwhile.
ctl=$build/bin/rmtctl
if ! "$ctl" --control "$sock" stats >"$tmp/stats" 2>&1 ||
	! grep -q "^hook swap_fault: [0-9]* faults" "$tmp/stats" ||
	! grep -q "^event ring: .* records dropped" "$tmp/stats" ||
	! grep -q "^model: " "$tmp/stats"; then
	echo "FAIL: rmtctl stats on the running datapath:"
	cat "$tmp/stats"
	fail=1
fi
"$ctl" stats >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL: rmtctl stats without --control"; fail=1; }
# 4. SIGKILL mid-run.
{ kill -9 "$a1" && wait "$a1"; } 2>/dev/null
"$agent" --attach "$sock" --backend "$backend" --registry "$tmp/reg" \
	--log "$tmp/a2.log" 2>"$tmp/a2.err" &
a2=$!
pids+=("$a2")
wait "$runner"
rc=$?
wait "$a2"
echo "after SIGKILL: run exit $rc; restarted agent: $(tail -1 "$tmp/a2.err")"
if [ "$rc" != 0 ] || [ "$(cat "$tmp/out")" != "$native" ]; then
	echo "FAIL: the run without its agent: exit $rc, checksum" \
		"$(cat "$tmp/out") (native $native)"
	fail=1
fi
if ! grep -q "event=start" "$tmp/a2.log" ||
	! grep -q "event=resume .* why=\"adopted\"" "$tmp/a2.log" ||
	! grep -q "the datapath has gone; events [1-9]" "$tmp/a2.err"; then
	echo "FAIL: the restarted agent did not re-attach and drain"
	cat "$tmp/a2.log" "$tmp/a2.err"
	fail=1
fi
[ "$(field models_installed "$tmp/err")" -ge 1 ] 2>/dev/null ||
	{ echo "FAIL: models_installed not counted"; cat "$tmp/err"; fail=1; }
# Each agent switched to the backend asked for, unless its run ended
# first, and trained every round after the switch there.
if [ "$backend" != cpu ]; then
	logs=("$tmp/agent.log" "$tmp/a1.log" "$tmp/a2.log")
	grep -h "event=backend" "${logs[@]}"
	grep -ho 'ran_on="[^"]*"' "${logs[@]}" | sort | uniq -c
	for log in "${logs[@]}"; do
		awk -v b="$backend" '
			/event=backend / { on = index($0, "backend=" b " ") }
			/ran_on=/ && on { n++; if (index($0, "ran_on=\"" b) == 0) bad++ }
			END { printf "%d %d\n", n, bad }' "$log"
	done >"$tmp/rounds"
	if [ "$(awk '{ s += $2 } END { print s + 0 }' "$tmp/rounds")" != 0 ] ||
		[ "$(awk '{ s += $1 } END { print s + 0 }' "$tmp/rounds")" = 0 ]; then
		echo "FAIL: no round on $backend, or one after the switch elsewhere"
		fail=1
	fi
fi
exit $fail
