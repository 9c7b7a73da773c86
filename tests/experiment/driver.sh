#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The experiment driver on a tiny matrix (one workload, two prefetchers and
# one it must skip, 4 MB): the CSV, JSON and plots exist and parse; bad
# arguments give exit 2 and a message; the oracle runs beside readahead.  Usage: driver.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
drv=$src/bench/experiment/run-experiment
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad() {
	local pattern=$1 out rc
	shift
	out=$("$drv" --build "$build" --out "$tmp/bad" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q -- "$pattern" <<<"$out"; then
		echo "FAIL run-experiment $*: rc=$rc (want 2), said: $out"
		fail=1
	else
		echo "ok run-experiment $*: $(head -1 <<<"$out")"
	fi
}
bad "unknown argument '--frob'" --frob
bad "--workloads: unknown 'nope'" --workloads seqscan,nope
bad "--limits: '0%' is not a share" --limits 0%
bad "--limits: 'half' is not a share" --limits half
bad "--size: 'x' is not a size" --size x
bad "--settings: unknown 'tcp'" --settings tcp
bad "--out wants a value" --out
bad "--prefetchers: empty name" --prefetchers none,
bad "--reps: '0' is not a count" --reps 0
bad "--nice: 'x' is not a nice value" --nice x
bad "--spin: 'fast' is not a duration" --spin fast
bad "--spin wants a value" --spin
bad "--fault-handler: 'kernel' is neither signal nor thread" --fault-handler kernel
bad "--evict: 'swap' is neither move nor copy" --evict swap
[ ! -e "$tmp/bad" ] || { echo "FAIL a usage error created $tmp/bad"; fail=1; }

# Without root the kernel mode names what is missing and skips (the run
# itself changes the machine's swap, so make test does not do it).
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	nobody test -r "$drv" -a -x "$build/bin/rmt-run" 2>/dev/null; then
	out=$(nobody "$drv" --kernel --build "$build" --out "$tmp/k" 2>&1)
	if [ $? -ne 0 ] || ! grep -q "kernel mode skipped: needs root" <<<"$out"; then
		echo "FAIL --kernel as nobody: $out"; fail=1
	else
		echo "ok --kernel as nobody: $out"
	fi
fi

# --realtime where SCHED_FIFO is refused: exit 1, saying why, before any run.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	out=$(setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice \
		"$drv" --realtime --build "$build" --out "$tmp/rt" 2>&1)
	rc=$?
	if [ $rc -ne 1 ] || ! grep -q "lacks CAP_SYS_NICE" <<<"$out" ||
		[ -e "$tmp/rt" ]; then
		echo "FAIL --realtime without CAP_SYS_NICE: rc=$rc (want 1): $out"
		fail=1
	else
		echo "ok --realtime without CAP_SYS_NICE: $out"
	fi
fi
if ! why=$("$build/bin/rmt-run" --far-latency 0 -- true 2>&1 >/dev/null); then
	echo "skipped: the pager cannot run here: $why"
	exit 77
fi
out=$tmp/res
if ! "$drv" --build "$build" --out "$out" --workloads seqscan \
	--prefetchers none,readahead,no-such-prefetcher --settings rdma \
	--limits 50% --size 4 >"$tmp/log" 2>&1; then
	echo "FAIL the tiny experiment failed:"
	cat "$tmp/log"
	exit 1
fi
cat "$tmp/log"
grep -q "^CPU time beside the program" "$tmp/log" ||
	{ echo "FAIL no CPU time section"; fail=1; }
grep -q "skipping prefetcher 'no-such-prefetcher'" "$tmp/log" ||
	{ echo "FAIL no line about skipping the unknown prefetcher"; fail=1; }
[ "$(grep -c '^run ' "$tmp/log")" -eq 2 ] ||
	{ echo "FAIL want a progress line per run (2)"; fail=1; }
# The CSV and JSON agree, and their figures are consistent.
python3 - "$out" <<'PY' || fail=1
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f'{out}/experiment.csv')))
doc = json.load(open(f'{out}/experiment.json'))
runs = doc['runs']
assert [r['prefetcher'] for r in rows] == ['none', 'readahead'], rows
assert len(runs) == 2 and doc['machine']['cores'] >= 1, doc['machine']
for r, j in zip(rows, runs):
    assert r['checksum_ok'] == 'True' and j['checksum_ok'] is True
    h, m = int(r['hits']), int(r['misses'])
    assert int(r['faults']) == h + m > 0, r
    assert abs(float(r['coverage']) - h / (h + m)) < 1e-4, r
    p = int(r['prefetched'])
    assert not p or abs(float(r['accuracy']) - h / p) < 1e-4, r
    assert float(r['wall_s']) == j['wall_s'] > 0, (r, j)
assert int(rows[0]['prefetched']) == 0 and int(rows[1]['hits']) > 0, rows
# Each repetition's time, in order, for the paired comparison.
w = runs[1]['walls']
assert len(w) == runs[1]['reps'] and float(rows[1]['wall_s']) in w, runs[1]
# ... its coverage, and when its first model came (never, without one).
assert len(runs[1]['coverages']) == runs[1]['reps'], runs[1]
assert float(rows[1]['coverage']) in runs[1]['coverages'], runs[1]
assert runs[1]['first_model_ms'] == [0] * runs[1]['reps'], runs[1]
# CPU time: the program's, and rmt-run's drainer beside it in every run.
assert float(rows[1]['program_cpu_ms']) > 0, rows[1]
assert len(runs[1]['runner_cpus_ms']) == runs[1]['reps'], runs[1]
# The goals' verdicts (none measured: learned did not run).
goals = json.load(open(out + '/experiment.json'))['goals']
assert len(goals) == 11 and all(g['state'] == 'not measured'
                                for g in goals), goals
assert all(x > 0 for x in runs[1]['runner_cpus_ms']), runs[1]
print('ok CSV and JSON:', len(rows), 'runs')
PY
# The paired comparison: per repetition, over the faster baseline of the
# same repetition (a failed run leaves its repetition out); the median.
python3 - "$src/bench/experiment" <<'PY' || fail=1
import sys
sys.path.insert(0, sys.argv[1])
from exp_report import paired_vs
runs = {
    "readahead": {"walls": [1.0, 2.0, 1.0, None]},
    "leap": {"walls": [1.1, 1.8, None, None]},
    "learned": {"walls": [0.9, 1.9, 1.2, 0.5]},
}
v = paired_vs(runs, "learned")
assert abs(v - 1.9 / 1.8) < 1e-9, v
assert abs(paired_vs(runs, "learned", ("readahead",)) - 0.95) < 1e-9
assert paired_vs({"learned": {"walls": [1.0]}}, "learned") is None
print("ok paired comparison")
PY
# The interval of a median (order statistics, binomial confidence), and
# a time goal decided only where the interval lies on one side of it.
python3 - "$src/bench/experiment" <<'PY' || fail=1
import sys
sys.path.insert(0, sys.argv[1])
from exp_report import Goal, Times, median_interval
lo, hi, c = median_interval([5, 1, 4, 2, 3])
assert (lo, hi) == (1, 5) and abs(c - (1 - 2 / 32)) < 1e-12, (lo, hi, c)
lo, hi, c = median_interval(list(range(15, 0, -1)))
assert (lo, hi) == (4, 12) and abs(c - (1 - 2 * 576 / 32768)) < 1e-12, c
assert median_interval([7])[:2] == (7, 7) and median_interval([]) is None


def config(learned, replay):
    w = [1.0] * len(learned)
    return {
        "readahead": {"wall_s": 1.0, "wall_min_s": 1.0, "walls": w,
                      "replay_s": 1.0},
        "leap": {"wall_s": 1.1, "wall_min_s": 1.1, "walls": w,
                 "replay_s": 2.0},
        "learned": {"wall_s": sorted(learned)[len(learned) // 2],
                    "wall_min_s": min(learned), "walls": learned,
                    "replay_s": replay},
    }


g = Goal("time <= 0.95x", "{:.2f}x")
g.check_time("a", Times(config([0.90, 0.91, 0.92, 0.93, 0.94], 0.90)), 0.95)
g.check_time("b", Times(config([0.96, 0.97, 0.98, 0.99, 1.2], 0.99)), 0.95)
g.check_time("c", Times(config([0.90, 0.91, 0.92, 0.93, 0.99], 0.96)), 0.95)
assert g.decided == {"met": 1, "missed": 1, "undecided": 1}, g.decided
assert [ok for ok, _ in g.replay] == [True, False, False], g.replay
text = "\n".join(g.lines())
assert "NOT met" in text and "1 met, 1 missed, 1 undecided" in text, text
assert "94% interval" in text and "replayed: worst 0.990x, 1/3 pass" in text
d = g.as_dict()
assert d["state"] == "NOT met" and d["passed"] == 2, d
assert d["paired_interval"]["missed"] == 1, d
assert d["replayed"] == {"worst": 0.99, "passed": 1}, d
assert Goal("x").as_dict()["state"] == "not measured"
g = Goal("time <= 0.95x", "{:.2f}x")
g.check_time("d", Times(config([0.90, 0.91, 0.92], 0.90)), 0.95)
assert "too few repetitions to decide (an interval of 75%" in "\n".join(
    g.lines()), g.lines()
print("ok intervals and verdicts")
PY
# The oracle: a trace from an untimed readahead run, then timed runs that
# cover more of the faults than readahead, beside it in the report; and
# every prefetcher replayed on that trace, the oracle no slower there.
if ! "$drv" --build "$build" --out "$tmp/or" --workloads seqscan \
	--prefetchers readahead,leap,oracle --settings rdma --limits 50% --size 4 \
	--reps 2 >"$tmp/orlog" 2>&1; then
	echo "FAIL the experiment with the oracle failed:"
	cat "$tmp/orlog"
	exit 1
fi
grep -q "^Against the oracle" "$tmp/orlog" ||
	{ echo "FAIL no section against the oracle"; cat "$tmp/orlog"; fail=1; }
grep -q "^Replayed (rmt-replay" "$tmp/orlog" ||
	{ echo "FAIL no replayed section"; cat "$tmp/orlog"; fail=1; }
python3 - "$tmp/or" "$src/bench/experiment" <<'PY' || fail=1
import json, sys
sys.path.insert(0, sys.argv[2])
from exp_report import attainable_share
runs = {r['prefetcher']: r for r in json.load(open(f'{sys.argv[1]}/experiment.json'))['runs']}
ra, o = runs['readahead'], runs['oracle']
assert o['checksum_ok'] and o['reps'] == 2, o
assert o['coverage'] > ra['coverage'] and o['coverage'] > 0.99, (o, ra)
assert o['accuracy'] > 0.99, o
assert all(r['replay_s'] > 0 for r in runs.values()), runs
assert o['replay_s'] <= min(ra['replay_s'], runs['leap']['replay_s']), runs
# learned at 0.97x where the oracle reaches 0.94x: half of the gain.
assert abs(attainable_share(0.97, 0.94) - 0.5) < 1e-9
assert attainable_share(0.97, 1.0) is None
assert attainable_share(0.97, 0.96) is None  # a gain inside the noise
assert attainable_share(None, 0.9) is None
print('ok the oracle: coverage', o['coverage'], 'against', ra['coverage'])
PY
if ! command -v gnuplot >/dev/null; then
	echo "skipped: gnuplot is not installed (package gnuplot-nox): no plots"
	exit 77
fi
for m in time coverage accuracy; do
	png=$out/$m-rdma.png svg=$out/$m-rdma.svg
	if ! head -c 8 "$png" 2>/dev/null | grep -q PNG; then
		echo "FAIL $png is not a PNG"; fail=1
	fi
	if ! python3 -c 'import sys, xml.dom.minidom as d
d.parse(sys.argv[1]).getElementsByTagName("svg")[0]' "$svg" 2>/dev/null; then
		echo "FAIL $svg is not SVG"; fail=1
	fi
done
[ -e "$out/time-nvme.png" ] && { echo "FAIL a plot for a setting not run"; fail=1; }
# The replayed times are plotted where the oracle ran (and so rmt-replay).
head -c 8 "$tmp/or/replayed-rdma.png" 2>/dev/null | grep -q PNG ||
	{ echo "FAIL no plot of the replayed times"; fail=1; }
[ -e "$out/replayed-rdma.png" ] && { echo "FAIL a replayed plot without replays"; fail=1; }
[ $fail = 0 ] && echo "ok plots"
exit $fail
