#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# run-tool.sh RMT_VERIFY RMT_AS RMTCTL: rmt-verify end to end: exit 0 on
# an accepted program (.s and .bin), 1 on a rejected one with the reason
# printed, 2 on usage and I/O errors; and `rmtctl verify`, the same command.
set -u
verify=$1
as=$2
rmtctl=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'ldxw %%r0, [%%r1+56]\nexit\n' >"$dir/ok.s"
printf 'ldxw %%r0, [%%r1+4096]\nexit\n' >"$dir/bad.s"
"$as" -o "$dir/ok.bin" "$dir/ok.s" || fail "rmt-as"

out=$("$verify" --hook test_fault "$dir/ok.s"); rc=$?
[ $rc -eq 0 ] || fail "ok.s: exit $rc: $out"
echo "$out" | grep -q "accepted for test_fault" || fail "ok.s: $out"
out=$("$verify" --hook test_fault "$dir/ok.bin"); rc=$?
[ $rc -eq 0 ] || fail "ok.bin: exit $rc: $out"
out=$("$verify" --hook test_fault "$dir/bad.s"); rc=$?
[ $rc -eq 1 ] || fail "bad.s: exit $rc"
echo "$out" | grep -q "insn 0: read of ctx+4096 outside test_fault context" \
	|| fail "bad.s: $out"
"$verify" --hook test_fault "$dir/missing.s" 2>/dev/null
[ $? -eq 2 ] || fail "missing file"
"$verify" --hook nosuchhook "$dir/ok.s" 2>/dev/null
[ $? -eq 2 ] || fail "unknown hook"
"$verify" "$dir/ok.s" 2>/dev/null
[ $? -eq 2 ] || fail "no hook"
"$verify" --bogus 2>/dev/null
[ $? -eq 2 ] || fail "bad flag"
printf 'abc' >"$dir/odd.bin"
"$verify" --hook test_fault "$dir/odd.bin" 2>/dev/null
[ $? -eq 2 ] || fail "odd-sized .bin"
printf 'not an instruction\n' >"$dir/syntax.s"
"$verify" --hook test_fault "$dir/syntax.s" 2>/dev/null
[ $? -eq 2 ] || fail "bad assembly"
printf 'garbage' >"$dir/junk.o"
"$verify" --hook test_fault "$dir/junk.o" 2>/dev/null
[ $? -eq 2 ] || fail "bad object"
# the datapath's swap_fault hook: r2 parameters, r3 state as installed
printf 'ldxdw %%r0, [%%r2+0]\nldxw %%r1, [%%r3+12]\nadd %%r0, %%r1\nexit\n' \
	>"$dir/dp.s"
out=$("$verify" --hook swap_fault --param-len 8 --state-size 16 "$dir/dp.s")
[ $? -eq 0 ] || fail "datapath hook: $out"
out=$("$verify" --hook swap_fault --param-len 8 "$dir/dp.s")
[ $? -eq 1 ] || fail "datapath hook without state accepted"
echo "$out" | grep -q "insn 1: read through r3, which is not a pointer" \
	|| fail "datapath hook without state: $out"
"$verify" --hook swap_fault --param-len x "$dir/dp.s" 2>/dev/null
[ $? -eq 2 ] || fail "bad --param-len"
"$verify" --help | grep -q "usage: rmt-verify" || fail "--help"
out=$("$rmtctl" verify --hook test_fault "$dir/bad.s"); rc=$?
[ $rc -eq 1 ] || fail "rmtctl verify bad.s: exit $rc"
echo "$out" | grep -q "insn 0: read of ctx+4096 outside test_fault context" \
	|| fail "rmtctl verify bad.s: $out"
"$rmtctl" verify --hook test_fault "$dir/ok.s" >/dev/null || fail "rmtctl verify ok.s"
"$rmtctl" verify --hook test_fault 2>&1 | grep -q "rmtctl verify: FILE is required" \
	|| fail "rmtctl verify without a file"
echo "rmt-verify: all checks passed"
