#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# run-agent-probe.sh RMT_AGENT: rmt-agent --probe for every backend kind,
# its help and its usage errors.
set -u
agent=$1
fail() { echo "FAIL: $*"; exit 1; }

"$agent" --help | grep -q -- '--probe' || fail "--help"
"$agent" --backend gpu --probe >/dev/null 2>&1; [ $? = 2 ] || fail "bad kind"
"$agent" --backend cpu >/dev/null 2>&1; [ $? = 2 ] || fail "no --probe"
"$agent" --probe --threads x >/dev/null 2>&1; [ $? = 2 ] || fail "threads"
"$agent" --probe --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "bad option"

out=$("$agent" --backend cpu --probe) || fail "cpu probe"
echo "$out" | grep -q '^runs on: cpu: ' || fail "cpu: $out"

out=$("$agent" --backend cuda --probe --cuda-driver /nonexistent/libcuda.so.1) \
	|| fail "cuda probe"
echo "$out" | grep -q 'training on the CPU (cuda unavailable: .*nonexistent' \
	|| fail "cuda fallback: $out"
echo "$out" | grep -q '^runs on: cpu: ' || fail "cuda: $out"

out=$("$agent" --backend auto --probe) || fail "auto probe"
case "$out" in
*"runs on: cuda: "*) ;;
*) echo "$out" | grep -q 'training on the CPU (auto: cuda: .*; dpdk: no EAL' \
	|| fail "auto: $out" ;;
esac
echo "PASS"
