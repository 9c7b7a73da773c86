#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The pager while the kernel migrates its pages: compaction runs without
# pause while pager::concurrent_writers_lose_nothing writes, evicts and
# checks its data, in the SIGBUS mode and with a fault thread.  A page
# under migration makes Linux 6.18's UFFDIO_MOVE report fewer pages than
# it moved (docs/uspace.md, "Pages that left without being counted"):
# before the pager checked, 24 of 40 runs of the SIGBUS mode died.  Asking
# for compaction needs root; elsewhere the test is skipped.
# Usage: compaction.sh BUILD_DIR [RUNS]
set -u
build=$1
runs=${2:-3}
knob=/proc/sys/vm/compact_memory
if ! [ -w "$knob" ] || ! echo 1 >"$knob" 2>/dev/null; then
	echo "skipped: cannot ask for compaction ($knob is not writable)"
	exit 77
fi
(while :; do echo 1 >"$knob"; done) &
compactor=$!
trap 'kill "$compactor" 2>/dev/null; wait "$compactor" 2>/dev/null' EXIT
fail=0
for bin in test-uspace-pager test-uspace-pager-thread; do
	for i in $(seq "$runs"); do
		if out=$(timeout 60 "$build/bin/$bin" \
			--filter 'pager/concurrent_writers_lose_nothing' 2>&1); then
			echo "ok $bin run $i"
		else
			echo "FAIL $bin run $i (exit $?)"
			echo "$out" | tail -5
			fail=1
		fi
	done
done
exit $fail
