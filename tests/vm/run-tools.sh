#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# rmt-as, rmt-objdump and rmt-conformance-plugin end to end: text ->
# bytes -> text -> the same bytes, hex output, usage and input errors.
# Usage: run-tools.sh RMT_AS RMT_OBJDUMP RMT_CONFORMANCE_PLUGIN
set -euo pipefail
as=$1 objdump=$2 plugin=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/p.s" <<'ASM'
# every operand form once
	mov32 %r0, 0
	lddw %r1, 0x1122334455667788
	ldxw %r2, [%r1+4]
	stxdw [%r10-8], %r1
	stw [%r10-16], -1
	lock fetch add [%r10-8], %r2
	jeq %r1, 5, out
	call local f
	call 5
	callx %r3
	be16 %r0
	movsx1664 %r4, %r2
	ja32 out
f:	sdiv %r0, -3
	exit
out:	exit
ASM
"$as" -o "$tmp/p.bin" "$tmp/p.s"
"$objdump" "$tmp/p.bin" >"$tmp/p2.s"
"$as" -o "$tmp/p2.bin" "$tmp/p2.s"
cmp "$tmp/p.bin" "$tmp/p2.bin"
"$objdump" --no-bytes "$tmp/p.bin" | "$as" -o "$tmp/p3.bin"
cmp "$tmp/p.bin" "$tmp/p3.bin"
[ "$(printf 'mov %%r0, 3\nexit\n' | "$as" --hex)" = \
	"b7 00 00 00 03 00 00 00 95 00 00 00 00 00 00 00" ]
# Errors: usage is exit 2, bad input exit 1 with the line number.
rc=0; "$as" --bogus 2>/dev/null || rc=$?; [ $rc -eq 2 ]
rc=0; "$objdump" 2>/dev/null || rc=$?; [ $rc -eq 2 ]
rc=0; msg=$(printf 'exit\nfrob\n' | "$as" 2>&1 >/dev/null) || rc=$?
[ $rc -eq 1 ] && grep -q 'line 2: unknown mnemonic' <<<"$msg"
printf 'abc' >"$tmp/odd.bin"
rc=0; "$objdump" "$tmp/odd.bin" 2>/dev/null || rc=$?; [ $rc -eq 1 ]
printf '\177ELFjunk' >"$tmp/bad.o"
rc=0; msg=$("$objdump" "$tmp/bad.o" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'not an ELF file' <<<"$msg"
# The plugin: memory in r1/r2, garbage gets exit 1 and a message.
[ "$(printf 'ldxb %%r0, [%%r1+1]\nadd %%r0, %%r2\nexit\n' | "$as" --hex |
	"$plugin" --interp "00 05 00")" = "0x8" ]
rc=0; "$plugin" --bogus </dev/null 2>/dev/null || rc=$?; [ $rc -eq 2 ]
rc=0; msg=$(echo "zz" | "$plugin" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'bad hex' <<<"$msg"
rc=0; msg=$(echo "95 00 00 00 00 00 00 00" | "$plugin" "0g" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'memory: bad hex' <<<"$msg"
rc=0; msg=$(echo "ff 00 00 00 00 00 00 00" | "$plugin" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'insn 0: unknown opcode 0xff' <<<"$msg"
rc=0; msg=$(printf 'ldxw %%r0, [%%r1+8]\nexit\n' | "$as" --hex |
	"$plugin" "00 01" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'insn 0: memory access out of bounds' <<<"$msg"
echo "tools: ok"
