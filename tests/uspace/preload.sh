#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Every interposed allocation call keeps its data under rmt-run with a
# limit small enough to evict, and the large blocks really are paged; a
# program with its own SIGBUS handler keeps it, in both fault modes.
# Usage: preload.sh BUILD_DIR
set -u
build=$1
probe=$build/tests/uspace/alloc-probe
run=$build/bin/rmt-run
if ! "$run" --far-latency 0 -- true 2>/dev/null; then
	echo "skipped: the pager cannot run here"
	exit 77
fi
"$probe" || { echo "FAIL natively"; exit 1; }
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! "$run" --mem-limit 1M --far-latency 0 --json "$err.json" -- "$probe" 2>"$err"; then
	echo "FAIL under rmt-run"
	cat "$err"
	exit 1
fi
tail -1 "$err"
# About 30 MB of blocks at or above the 1 MB threshold: far memory.
if ! grep -qE '"far_bytes": [0-9]{8}' "$err.json" ||
   ! grep -qE '"evictions": [1-9]' "$err.json"; then
	echo "FAIL: the blocks were not paged"
	cat "$err.json"
	rm -f "$err.json"
	exit 1
fi
# Its thousands of faults take the program milliseconds of CPU; rmt-run's
# drainer ran beside it.
if ! grep -qE '"program_cpu_ms": [1-9][0-9]*\.' "$err.json" ||
   ! grep -qE '"runner_cpu_ms": [0-9]+\.[0-9]' "$err.json" ||
   ! grep -qE '"program_preempted": [0-9]+' "$err.json" ||
   ! grep -q "rmt: CPU time: the program" "$err"; then
	echo "FAIL: no CPU times"
	cat "$err" "$err.json"
	rm -f "$err.json"
	exit 1
fi
rm -f "$err.json"
bus=$build/tests/uspace/sigbus-probe
for how in sigaction signal; do
	"$bus" "$how" >/dev/null || { echo "FAIL: sigbus-probe $how natively"; exit 1; }
	for mode in signal thread; do
		if ! out=$("$run" --mem-limit 1M --far-latency 0 \
			--fault-handler "$mode" -- "$bus" "$how" 2>"$err") ||
		   [ "$out" != ok ]; then
			echo "FAIL: sigbus-probe $how, --fault-handler $mode"
			cat "$err"
			exit 1
		fi
	done
done
echo "ok: data intact, blocks paged, the program's SIGBUS handler kept"
