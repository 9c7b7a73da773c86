#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# A workload killed by a signal mid-run takes rmt-run down with the same
# signal and leaves no process and no file behind; a signal sent to
# rmt-run reaches the workload.  Also with the in-process agent (learned)
# and with a control socket, which must not be left behind.  Usage:
# signals.sh BUILD_DIR
set -u
build=$1
run=$build/bin/rmt-run
if ! "$run" --far-latency 0 -- true 2>/dev/null; then
	echo "skipped: the pager cannot run here"
	exit 77
fi
# SIGSEGV must not leave a core file behind either.
ulimit -c 0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases="plain:KILL:child plain:KILL:runner plain:SEGV:child plain:SEGV:runner
plain:TERM:child plain:TERM:runner learned:KILL:child learned:TERM:runner
control:SEGV:child control:TERM:runner"
for c in $cases; do
	IFS=: read -r mode sig target <<<"$c"
	case $mode in
	plain) extra=() ;;
	learned) extra=(--prefetcher learned --agent-log /dev/null) ;;
	control) extra=(--control "$tmp/ctl.sock") ;;
	esac
	TMPDIR=$tmp "$run" --far-latency 80us --mem-limit 25% "${extra[@]}" \
		-- "$build/workloads/pointer-chase" >/dev/null 2>"$tmp/err" &
	runner=$!
	child=
	for _ in $(seq 100); do
		child=$(pgrep -P "$runner" 2>/dev/null | head -1)
		[ -n "$child" ] && break
		sleep 0.05
	done
	sleep 0.3
	if [ -z "$child" ]; then
		echo "FAIL $mode $sig: the workload never started"
		fail=1
		continue
	fi
	if [ "$target" = child ]; then
		kill -s "$sig" "$child"
	elif [ "$sig" = TERM ]; then
		kill -s TERM "$runner"
	else
		kill -s "$sig" "$child"
	fi
	wait "$runner"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	sleep 0.2
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $mode $sig to $target: rmt-run exit $rc, want $want"
		cat "$tmp/err"
		fail=1
	elif kill -0 "$child" 2>/dev/null; then
		echo "FAIL $mode $sig to $target: workload $child still there"
		fail=1
	elif [ -n "$(ls "$tmp" | grep -v '^err$')" ]; then
		echo "FAIL $mode $sig to $target: files left: $(ls "$tmp")"
		fail=1
	else
		echo "ok $mode $sig to $target: exit $rc, nothing left"
	fi
done
exit $fail
