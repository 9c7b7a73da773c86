#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# rmt-run refuses bad options with a clear message and exit status 2, and
# reports a program it cannot execute with 127.  Usage: bad_options.sh BUILD_DIR
set -u
run=$1/bin/rmt-run
fail=0
expect() {
	local want=$1 pattern=$2
	shift 2
	local out rc
	out=$("$run" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$pattern" <<<"$out"; then
		echo "FAIL rmt-run $*: rc=$rc (want $want), said: $out"
		fail=1
	else
		echo "ok rmt-run $*: $out"
	fi
}
expect 2 "no program given" --
expect 2 "no program given" --mem-limit 24M
expect 2 "bad --mem-limit" --mem-limit 0 -- true
expect 2 "bad --mem-limit" --mem-limit 0% -- true
expect 2 "bad --mem-limit" --mem-limit 12Q -- true
expect 2 "bad --mem-limit" --mem-limit '' -- true
expect 2 "bad --far-latency" --far-latency 5 -- true
expect 2 "bad --far-latency" --far-latency fast -- true
expect 2 "bad --fetch-depth" --fetch-depth 0 -- true
expect 2 "bad --fetch-depth" --fetch-depth 9999 -- true
expect 2 "bad --spin" --spin 1s -- true
expect 2 "bad --spin" --spin fast -- true
expect 2 "bad --spin (polls with a fault thread only" --spin 50us -- true
expect 2 "bad --fault-handler" --fault-handler kernel -- true
expect 2 "bad --fault-handler" --fault-handler "" -- true
expect 2 "bad --evict" --evict swap -- true
expect 2 "bad --evict" --evict "" -- true
expect 2 "unknown prefetcher" --prefetcher magic -- true
expect 2 "bad --prefetcher: /nonexistent/t: No such file" --prefetcher oracle:/nonexistent/t -- true
expect 2 "bad --prefetcher: /dev/null: no faults in the trace" --prefetcher oracle:/dev/null -- true
printf '# rmt fault trace v1\n1 7 0x100000 0x100000 0x200000 1 5000\n' \
	>"${TMPDIR:-/tmp}/rmt-trace-$$"
expect 2 "oracle:TRACE goes without --control" --control "${TMPDIR:-/tmp}/rmt-bad-$$.sock" \
	--prefetcher "oracle:${TMPDIR:-/tmp}/rmt-trace-$$" -- true
rm -f "${TMPDIR:-/tmp}/rmt-trace-$$"
expect 2 "bad --prefetcher" --prefetcher /nonexistent/p.rmt -- true
printf 'hook swap_fault\naction a {\n\tbogus\n}\n' >"${TMPDIR:-/tmp}/rmt-bad-$$.rmt"
expect 2 "line" --prefetcher "${TMPDIR:-/tmp}/rmt-bad-$$.rmt" -- true
rm -f "${TMPDIR:-/tmp}/rmt-bad-$$.rmt"
expect 2 "bad --threshold" --threshold 0 -- true
expect 2 "unrecognized option" --frobnicate -- true
expect 2 "requires an argument" --mem-limit
expect 127 "cannot execute" -- /nonexistent/program
out=$("$run" --help) && grep -q -- "--far-latency" <<<"$out" || { echo "FAIL --help"; fail=1; }
# Exit status and standard output pass through untouched.
out=$("$run" -- sh -c 'echo hello; exit 7' 2>/dev/null)
rc=$?
if [ "$rc" -ne 7 ] || [ "$out" != hello ]; then
	echo "FAIL exit status/stdout: rc=$rc out='$out'"
	fail=1
fi
exit $fail
