#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Feed every line of the conformance suite's assembled.tsv through
# rmt-conformance-plugin the way the upstream runner does (program hex on
# stdin, memory hex as the last argument, r0 in hex on stdout, 5 s limit).
# Usage: run-plugin.sh PLUGIN [PLUGIN_ARGS...]
set -uo pipefail
plugin=$1
shift
tsv=${RMT_SHARED_DIR:-}/conformance/assembled.tsv
if [ -z "${RMT_SHARED_DIR:-}" ] || [ ! -r "$tsv" ]; then
	echo "skipped: RMT_SHARED_DIR/conformance/assembled.tsv is absent"
	exit 77
fi
spaced() { sed -E 's/(..)/\1 /g; s/ $//' <<<"$1"; }
# A hex number with or without 0x, as lowercase digits without leading
# zeros; anything else becomes "invalid".
norm() {
	local v=${1#0x}
	v=${v,,}
	[[ $v =~ ^[0-9a-f]+$ ]] || { echo invalid; return; }
	v=${v##+(0)}
	echo "${v:-0}"
}
shopt -s extglob
pass=0 fail=0
while IFS=$'\t' read -r name prog mem result _error; do
	args=("$@")
	[ "$mem" != "-" ] && args+=("$(spaced "$mem")")
	out=$(spaced "$prog" | timeout 5 "$plugin" "${args[@]}" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ "$(norm "$out")" = "$(norm "$result")" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $rc, output '$out', expected $result"
		fail=$((fail + 1))
	fi
done <"$tsv"
echo "plugin: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
