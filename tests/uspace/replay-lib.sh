# SPDX-License-Identifier: GPL-2.0 OR MIT
# Sourced by the replay tests (tests/uspace/replay.sh,
# tests/learned/replay.sh) with the build directory in $1: sets run,
# replay, tmp (removed on exit) and fail=0, skips (exit 77) where the
# pager cannot run, and defines field KEY RESULT_LINE.
set -u
build=$1
run=$build/bin/rmt-run
replay=$build/bin/rmt-replay
if ! "$run" --far-latency 0 -- true 2>/dev/null; then
	echo "skipped: the pager cannot run here"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$2"; }
