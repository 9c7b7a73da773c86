#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# rmt-model-test.sh - the rmt-model tool end to end: train, eval and info
# on generated CSV files, and the errors for bad input and bad usage.
set -uo pipefail
tool=${RMT_BUILD_DIR:-build}/bin/rmt-model
[ -x "$tool" ] || { echo "skip: $tool is not built"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

check() { # description, then a command that must succeed
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

# expect CODE PATTERN -- ARGS: exit code and a line of output (grep -E)
expect() {
	local code=$1 pattern=$2 out rc
	shift 3
	out=$("$tool" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL: rmt-model $* -> $rc (wanted $code, /$pattern/):"
		echo "$out" | head -5
		fail=1
	else
		echo "ok: rmt-model $* -> $rc"
	fi
}

gen() { # rows seed file: 4 features, class from a fixed rule
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed); print "a,b,c,d,label"
		for (i = 0; i < n; i++) {
			a = rand() * 2 - 1; b = rand() * 2 - 1
			c = rand() * 10; d = rand()
			y = (a * b > 0.1) + (c > 7)
			printf "%.5f,%.5f,%.4f,%.5f,%d\n", a, b, c, d, y
		}
	}' >"$3"
}

gen 3000 1 "$dir/train.csv"
gen 1000 2 "$dir/test.csv"

for algo in cart forest mlp; do
	expect 0 'train accuracy: integer' -- train --algo "$algo" \
		--input "$dir/train.csv" --output "$dir/$algo.rmtm" --depth 8 \
		--epochs 60
	out=$("$tool" eval --model "$dir/$algo.rmtm" --input "$dir/test.csv")
	acc=$(sed -n 's/^RESULT accuracy=//p' <<<"$out")
	check "$algo accuracy $acc >= 0.85" awk -v a="$acc" \
		'BEGIN { exit !(a >= 0.85) }'
	check "$algo eval ends with RESULT" \
		grep -q '^RESULT accuracy=' <<<"$(tail -1 <<<"$out")"
done
expect 0 'type: tree' -- info "$dir/cart.rmtm"
expect 0 'cost: 9 node visits' -- info "$dir/cart.rmtm"
expect 0 'layer 1: dense 32 -> 32, int8 weights, relu' -- info "$dir/mlp.rmtm"
expect 0 'int16 weights' -- train --algo mlp --weights 16 --hidden 8 \
	--epochs 5 --input "$dir/train.csv" --output "$dir/m16.rmtm"
expect 0 'pruned 50%' -- train --algo mlp --prune 0.5 --hidden 16 \
	--epochs 5 --input "$dir/train.csv" --output "$dir/p.rmtm"
expect 0 'leaves' -- train --algo cart --max-leaves 5 --criterion entropy \
	--balanced --input "$dir/train.csv" --output "$dir/small.rmtm"
expect 0 'cost: [0-9]+ node visits' -- info "$dir/small.rmtm"
expect 0 '^equivalent: 5 leaf regions, 5 entries$' -- tables "$dir/small.rmtm"
expect 0 'and a default action' -- tables "$dir/cart.rmtm" --default
expect 1 'only a single classification tree' -- tables "$dir/mlp.rmtm"

# Bad CSV: the line and column are named.
{ head -3 "$dir/train.csv"; echo "0.1,zz,3,0.5,1"; } >"$dir/bad.csv"
expect 1 'bad.csv: line 4, column 2: not a finite number .zz.' -- train \
	--algo cart --input "$dir/bad.csv" --output "$dir/x.rmtm"
{ head -3 "$dir/train.csv"; echo "0.1,0.2,3,1"; } >"$dir/bad2.csv"
expect 1 'line 4: 4 columns, expected 5' -- eval --model "$dir/cart.rmtm" \
	--input "$dir/bad2.csv"
printf 'a,b,label\n1,2,0\n' >"$dir/two.csv"
expect 1 'has 2 features, the model takes 4' -- eval \
	--model "$dir/cart.rmtm" --input "$dir/two.csv"
expect 1 'no such file|No such file' -- train --algo cart \
	--input "$dir/none.csv" --output "$dir/x.rmtm"

# Bad models: flipped byte, truncated file, not a model.
cp "$dir/cart.rmtm" "$dir/flip.rmtm"
printf '\x55' | dd of="$dir/flip.rmtm" bs=1 seek=60 conv=notrunc 2>/dev/null
expect 1 'checksum mismatch' -- eval --model "$dir/flip.rmtm" \
	--input "$dir/test.csv"
head -c 100 "$dir/cart.rmtm" >"$dir/short.rmtm"
expect 1 'truncated' -- info "$dir/short.rmtm"
expect 1 'bad magic' -- info "$dir/test.csv"

# Usage errors exit 2; help exits 0.
expect 0 'usage: rmt-model' -- --help
expect 0 'usage: rmt-model train' -- train --help
expect 2 'unknown command' -- frobnicate
expect 2 '--algo is cart, forest or mlp' -- train --algo svm \
	--input "$dir/train.csv" --output "$dir/x.rmtm"
expect 2 'needs --algo, --input and --output' -- train --algo cart
expect 2 '--depth must be 1..15' -- train --algo cart --depth 40 \
	--input "$dir/train.csv" --output "$dir/x.rmtm"
expect 2 'hidden' -- train --algo mlp --hidden 32,x \
	--input "$dir/train.csv" --output "$dir/x.rmtm"
expect 2 'needs --model and --input' -- eval --model "$dir/cart.rmtm"
expect 2 'needs one model file' -- info

exit $fail
