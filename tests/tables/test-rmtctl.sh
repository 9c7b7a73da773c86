#!/usr/bin/env bash
# test-rmtctl.sh RMTCTL SOURCE_DIR: rmtctl end to end on the example
# programs: usage errors, a command script, a trace, bad input.
set -u
ctl=$1
src=$2
prog=$src/programs/examples/next_n.rmt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$ctl" --help | grep -q 'usage: rmtctl' || fail "--help"
"$ctl" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments must exit 2"
"$ctl" --bogus "$prog" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option"
"$ctl" "$prog" | grep -q 'table per_cgroup: 2/64 entries' || fail "describe"

cat >"$tmp/script" <<'S'
# add an entry, run the hook on it, then list and count
add per_cgroup cgroup_id=3 -> next(2)
run addr=0x7f0000123000 flags=2 cgroup_id=3 vma_start=0x7f0000000000 vma_end=0x7f0001000000
run addr=0x7f0000200000 flags=0 cgroup_id=3 vma_start=0x7f0000000000 vma_end=0x7f0001000000
list per_cgroup
default per_cgroup next(1)
run addr=0x7f0000300000 flags=2 cgroup_id=9 vma_start=0x7f0000000000 vma_end=0x7f0001000000
reset-default per_cgroup
del per_cgroup cgroup_id=3
stats
S
out=$("$ctl" "$prog" "$tmp/script") || fail "script: $out"
grep -q 'prefetch 0x7f0000124000 0x7f0000125000$' <<<"$out" || fail "decision: $out"
grep -q 'cgroup_id=0x3 -> next(2)  hits 2' <<<"$out" || fail "list: $out"
# next() uses entry state, which a default action does not have: a fault
grep -q 'stages 1, 1 insns, fault -14' <<<"$out" || fail "default: $out"
grep -q 'table per_cgroup: lookups 3 hits 2 misses 1' <<<"$out" || fail "stats: $out"

printf 'add per_cgroup cgroup_id=1 -> next(2)\n' >"$tmp/dup"
err=$("$ctl" "$prog" "$tmp/dup" 2>&1); [ $? -eq 1 ] || fail "duplicate accepted"
grep -q 'dup:1: duplicate entry' <<<"$err" || fail "duplicate message: $err"
printf 'list\nfrobnicate\n' >"$tmp/bad"
err=$("$ctl" "$prog" "$tmp/bad" 2>&1); [ $? -eq 1 ] || fail "bad command accepted"
grep -q "bad:2: unknown command 'frobnicate'" <<<"$err" || fail "bad command: $err"
printf 'run nosuch=1\n' >"$tmp/badf"
err=$("$ctl" "$prog" "$tmp/badf" 2>&1); [ $? -eq 1 ] || fail "bad field accepted"
grep -q "no field 'nosuch'" <<<"$err" || fail "bad field: $err"

for i in 1 2 3 4 5 6 7 8; do
	echo "addr=$((0x100000 + i * 4096)) flags=2 cgroup_id=1 vma_end=0x200000 deltas=1,1"
done >"$tmp/trace"
out=$("$ctl" -q "$prog" --trace "$tmp/trace") || fail "trace: $out"
grep -q 'runs 8 .* prefetched 32' <<<"$out" || fail "trace stats: $out"

printf 'hook swap_fault\naction a {\nbogus\n}\n' >"$tmp/bad.rmt"
err=$("$ctl" "$tmp/bad.rmt" 2>&1); [ $? -eq 1 ] || fail "bad program accepted"
grep -q 'line 3: action a' <<<"$err" || fail "bad program message: $err"
echo "rmtctl: all checks passed"
