#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# rmtctl-models-test.sh RMTCTL REGISTRY-FILL - `rmtctl models` end to end
# on registries that registry-fill writes as an agent would: the listing,
# show, rollback, pin and unpin, while an agent holds the registry too;
# damaged files; and usage errors and garbage arguments (exit 2 for
# usage, 1 for failures, never a crash).
set -uo pipefail
tool=${1:-}
fill=${2:-}
[ -x "$tool" ] && [ -x "$fill" ] ||
	{ echo "skip: rmtctl or registry-fill is not built"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
reg=$dir/reg
fail=0

# expect CODE PATTERN -- ARGS: exit code and a line of output (grep -E)
expect() {
	local code=$1 pattern=$2 out rc
	shift 3
	out=$("$tool" models "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL: rmtctl models $* -> $rc (wanted $code, /$pattern/):"
		echo "$out" | head -8
		fail=1
	else
		echo "ok: rmtctl models $* -> $rc"
	fi
}

# Usage errors.
expect 2 'which command' --
expect 0 '^usage: rmtctl models list' -- --help
expect 0 'rollback  make the previous' -- show --help
expect 2 'list needs --registry DIR' -- list
expect 2 'unknown command .frob.' -- frob --registry "$reg"
expect 2 '--registry needs a directory' -- list --registry
expect 2 'unknown option --verbose' -- list --verbose --registry "$reg"
expect 2 'show needs a KEY' -- show --registry "$reg"
expect 2 'too many arguments for rollback' -- rollback --registry "$reg" k 1
expect 2 'too many arguments at' -- pin --registry "$reg" k 1 2
expect 2 "bad VERSION '0'" -- show --registry "$reg" k 0
expect 2 "bad VERSION '1x'" -- pin --registry="$reg" k 1x
expect 2 "bad VERSION '99999999999'" -- show --registry "$reg" k 99999999999
# A missing registry, and a directory that is not one.
expect 1 "registry $reg: does not exist" -- list --registry "$reg"
mkdir "$dir/empty"
expect 1 'is not a model registry' -- list --registry "$dir/empty"

"$fill" "$reg" swap_fault/tgid-1 3 || { echo "FAIL: registry-fill"; exit 1; }
"$fill" "$reg" /sys/fs/cgroup/a.slice 1 || { echo "FAIL: registry-fill"; exit 1; }
out=$("$tool" models list --registry "$reg")
echo "$out"
rows=$(grep -c '^swap_fault/tgid-1 \|^/sys/fs/cgroup/a.slice ' <<<"$out")
[ "$rows" = 4 ] || { echo "FAIL: list shows $rows versions, not 4"; fail=1; }
expect 0 '^swap_fault/tgid-1 +3  [0-9: -]{19} +82\.00% +79\.00% +70\.00% +4000  cpu +current$' \
	-- list --registry "$reg"
expect 0 '^swap_fault/tgid-1 +2 .* previous$' -- list --registry "$reg"
expect 0 '^/sys/fs/cgroup/a.slice +1 ' -- list --registry "$reg" /sys/fs/cgroup/a.slice
expect 1 "no key 'nope'" -- list --registry "$reg" nope
expect 0 '^version: 3 \(current\)' -- show --registry "$reg" swap_fault/tgid-1
expect 0 '^model: tree, 2 features \(0 fractional bits\), 3 classes' \
	-- show --registry "$reg" swap_fault/tgid-1
expect 0 '^  1 tree, 5 nodes, depth 2' -- show --registry "$reg" swap_fault/tgid-1 2
expect 0 '^reason: promoted: round 0' -- show --registry "$reg" swap_fault/tgid-1 1
expect 0 '^backend: cpu \(2 threads\)' -- show --registry "$reg" swap_fault/tgid-1 1
expect 1 "key 'swap_fault/tgid-1' has no version 9" \
	-- show --registry "$reg" swap_fault/tgid-1 9

# Rollback and pins while an agent holds the registry.
coproc agent { "$fill" "$reg" swap_fault/tgid-1 0 hold; }
# bash forgets these when the coprocess ends: keep copies.
agent_pid=$agent_PID
exec {agent_in}>&"${agent[1]}" {agent_out}<&"${agent[0]}"
read -r line <&"$agent_out"
[ "$line" = holding ] || { echo "FAIL: the agent did not start"; fail=1; }
out=$("$fill" "$reg" x 1 2>&1)
if [ $? -ne 1 ] || ! grep -q 'in use by another agent (pid' <<<"$out"; then
	echo "FAIL: a second agent was not refused: $out"
	fail=1
fi
expect 0 'version 2 is current again \(was 3\)' -- rollback --registry "$reg" swap_fault/tgid-1
expect 0 '^swap_fault/tgid-1 +2 .* current$' -- list --registry "$reg"
expect 0 'version 1 is current again \(was 2\)' -- rollback --registry "$reg" swap_fault/tgid-1
expect 1 'has no previous version' -- rollback --registry "$reg" swap_fault/tgid-1
expect 0 'version 3 pinned and current' -- pin --registry "$reg" swap_fault/tgid-1 3
expect 0 '^swap_fault/tgid-1 +3 .* current pinned$' -- list --registry "$reg"
expect 0 '^swap_fault/tgid-1 +1 .* previous$' -- list --registry "$reg"
expect 1 'pinned to version 3; unpin it first' -- rollback --registry "$reg" swap_fault/tgid-1
expect 1 "key 'swap_fault/tgid-1' has no version 7" -- pin --registry "$reg" swap_fault/tgid-1 7
expect 0 'unpinned' -- unpin --registry "$reg" swap_fault/tgid-1
expect 0 'was not pinned' -- unpin --registry "$reg" swap_fault/tgid-1
expect 0 'version 1 is current again \(was 3\)' -- rollback --registry "$reg" swap_fault/tgid-1
expect 0 'version 1 pinned' -- pin --registry "$reg" /sys/fs/cgroup/a.slice
exec {agent_in}>&- {agent[1]}>&-
wait "$agent_pid"
exec {agent_out}<&-

# Keys that try to leave the registry, or are not keys at all.
expect 1 "no key '../reg'" -- show --registry "$reg" ../reg
expect 1 "no key '/etc'" -- rollback --registry "$reg" /etc
expect 1 'control character' -- list --registry "$reg" $'a\tb'
expect 1 'empty key' -- pin --registry "$reg" ''

# Damaged files: the listing marks them, show names the file.
keydir=$reg/keys/swap_fault%2Ftgid-1
truncate -s 30 "$keydir/v000002.rmtm"
printf 'rmt-model-meta 1\nkey swap_fault/tgid-1\nversion x\n' >"$keydir/v000003.meta"
expect 1 '^swap_fault/tgid-1 +2 .* DAMAGED$' -- list --registry "$reg"
expect 1 'v000002.rmtm: 30 bytes, the metadata says [0-9]+ \(truncated' -- list --registry "$reg"
expect 1 'v000003.meta: line 3: version .x. is not a number' -- list --registry "$reg"
expect 1 '2 damaged versions' -- list --registry "$reg"
expect 1 'v000002.rmtm: 30 bytes' -- show --registry "$reg" swap_fault/tgid-1 2
printf 'garbage\n' >"$keydir/STATE"
expect 1 'STATE: line 1: expected .rmt-registry-state 1.' -- list --registry "$reg"
expect 1 'STATE: line 1' -- rollback --registry "$reg" swap_fault/tgid-1

# Garbage arguments: a usage error or a failure, never a crash.
words=(list show rollback pin unpin --registry "$reg" --registry= -x 0 1 7
	4294967297 -- '' ' ' '%' '../..' swap_fault/tgid-1 $'\x01' "$(printf 'k%.0s' {1..300})")
RANDOM=7
for i in $(seq 300); do
	args=()
	for j in $(seq $((RANDOM % 6))); do
		args+=("${words[RANDOM % ${#words[@]}]}")
	done
	"$tool" models "${args[@]}" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -gt 2 ]; then
		echo "FAIL: rmtctl models ${args[*]} -> $rc"
		fail=1
	fi
done
echo "ok: 300 garbage argument lists"
exit $fail
