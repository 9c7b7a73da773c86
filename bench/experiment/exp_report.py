# SPDX-License-Identifier: GPL-2.0 OR MIT
# exp_report.py - the experiment's results: results/experiment.csv and
# .json, the table of every run against the best baseline, the goals of
# issue 7 for the learned prefetcher (met or not, with the numbers), and
# the plots (exp_plots).
import csv
import json
import math
import os
import statistics

import exp_common as ec
import exp_plots

ORACLE = "oracle"

COLUMNS = (
    (
        "workload",
        "setting",
        "far_latency",
        "fetch_depth",
        "mem_limit",
        "prefetcher",
    )
    + ec.STAT_KEYS
    + (
        "reps",
        "wall_min_s",
        "wall_max_s",
        "replay_s",
        "native_s",
        "slowdown",
        "checksum_ok",
        "error",
    )
)


def write_results(out, meta, rows):
    with open(os.path.join(out, "experiment.csv"), "w", newline="") as f:
        w = csv.DictWriter(
            f, COLUMNS, extrasaction="ignore", lineterminator="\n"
        )
        w.writeheader()
        w.writerows(rows)
    verdicts = [goal.as_dict() for goal in goals(group(rows))]
    with open(os.path.join(out, "experiment.json"), "w") as f:
        json.dump(
            {"machine": meta, "runs": rows, "goals": verdicts}, f, indent=1
        )
        f.write("\n")


def group(rows):
    """(workload, setting, limit) -> {prefetcher: row} for runs that ran."""
    g = {}
    for r in rows:
        if r.get("wall_s") is None:
            continue
        k = (r["workload"], r["setting"], r["mem_limit"])
        g.setdefault(k, {})[r["prefetcher"]] = r
    return g


def best_time(runs):
    ts = [runs[b]["wall_s"] for b in ec.BASELINES if b in runs]
    return min(ts) if ts else None


def best_coverage(runs):
    cs = [runs[b]["coverage"] for b in ec.BASELINES if b in runs]
    return max(cs) if cs else None


def vs_best(runs, pf, key="wall_s", bases=ec.BASELINES):
    """pf's time over the faster of bases': medians, or with
    key='wall_min_s' the fastest runs (less disturbed by other work on a
    busy machine), or 'replay_s' the replays (no host noise); None where
    pf or every base lacks it."""
    ts = [runs[b].get(key) for b in bases if b in runs]
    ts = [t for t in ts if t]
    t = runs.get(pf, {}).get(key)
    return t / min(ts) if ts and t else None


def paired_ratios(runs, pf, bases=ec.BASELINES):
    """pf's time over the faster of bases in the same repetition, for
    each repetition where both ran.  Repetitions are taken in turn, so a
    change in the machine's speed between them (this host's come in
    steps of 25-30%, minutes apart) falls on both sides of each ratio."""
    mine = runs[pf].get("walls") or []
    ratios = []
    for i, t in enumerate(mine):
        bs = [
            runs[b]["walls"][i]
            for b in bases
            if b in runs and i < len(runs[b].get("walls") or [])
        ]
        bs = [b for b in bs if b]
        if t and bs:
            ratios.append(t / min(bs))
    return ratios


def paired_vs(runs, pf, bases=ec.BASELINES):
    """The median of paired_ratios, None without any."""
    ratios = paired_ratios(runs, pf, bases)
    return statistics.median(ratios) if ratios else None


def median_interval(values, level=0.95):
    """A distribution-free interval for the median: (lo, hi, confidence).

    [x(k), x(n+1-k)] of the sorted values holds the true median with
    probability 1 - 2 P(Binomial(n, 1/2) < k), whatever the
    distribution, for independent values; k is the largest that keeps
    level, or 1 (min to max) when n is too small for it (5 values give
    0.94, 3 give 0.75).  None without values."""
    xs = sorted(values)
    n = len(xs)
    if not n:
        return None

    def confidence(k):
        below = sum(math.comb(n, i) for i in range(k)) / 2**n
        return 1 - 2 * below

    k = 1
    while k + 1 <= (n + 1) // 2 and confidence(k + 1) >= level:
        k += 1
    return xs[k - 1], xs[n - k], confidence(k)


def print_table(g):
    print()
    print(
        "Per workload and prefetcher: completion time, 'vs best' = time "
        "over the faster of readahead and leap"
    )
    print(
        "in the same configuration (median of the runs; spread = (max -"
        " min) / median); unused = prefetched"
    )
    print("pages never used (pollution).")
    hdr = (
        f'{"workload":<14} {"far":<4} {"limit":<6} {"prefetcher":<10} '
        f'{"time_s":>8} {"spread":>6} {"vs_best":>7} {"coverage":>8} '
        f'{"accuracy":>8} '
        f'{"unused":>7} {"faults":>7}'
    )
    print(hdr)
    print("-" * len(hdr))
    for k, runs in g.items():
        lead = f"{k[0]:<14} {k[1]:<4} {k[2]:<6}"
        for pf, r in runs.items():
            v = vs_best(runs, pf)
            acc = f'{r["accuracy"]:8.4f}' if r["prefetched"] else f'{"-":>8}'
            sp = (
                (r["wall_max_s"] - r["wall_min_s"]) / r["wall_s"]
                if r.get("reps", 1) > 1
                else None
            )
            sp = f"{sp:6.0%}" if sp is not None else f'{"-":>6}'
            print(
                f'{lead} {pf:<10} {r["wall_s"]:8.3f} {sp} '
                f'{"-" if v is None else format(v, "7.2f"):>7} '
                f'{r["coverage"]:8.4f} {acc} {r["unused"]:7} '
                f'{r["faults"]:7}'
            )
            lead = " " * 26


# An interval less sure than this decides nothing.
MIN_CONFIDENCE = 0.9


class Goal:
    """One goal: every measured configuration must pass; keeps the worst.
    Time goals are also judged on the fastest runs, paired by
    repetition (with an interval: decided only where the whole interval
    is on one side of the limit), for the oracle, and replayed."""

    def __init__(self, text, fmt="{:.3f}"):
        self.text, self.fmt = text, fmt
        self.checked = self.failed = 0
        self.worst = None
        self.fast = []  # (ok, value) on the fastest runs, for times
        self.paired = []  # (ok, value) paired by repetition, for times
        self.oracle = []  # (ok, value): the oracle's, paired, for times
        self.replay = []  # (ok, value): learned replayed
        self.replay_oracle = []  # (ok, value): the oracle replayed
        self.decided = {"met": 0, "missed": 0, "undecided": 0}
        self.confidence = None  # the lowest of the intervals'

    def check_time(self, label, t, limit):
        """Every view of one configuration's times (a Times)."""
        if t.median is None:
            return
        self.check(label, t.median, t.median <= limit, t.median)
        self.check_fast(t.fastest, limit)
        self.check_paired(t.paired, limit)
        self.check_oracle(t.oracle, limit)
        self.check_replay(t.replay, t.replay_oracle, limit)

    def check_fast(self, value, limit):
        if value is not None:
            self.fast.append((value <= limit, value))

    def check_paired(self, ratios, limit):
        """ratios: learned's paired ratios of one configuration."""
        if not ratios:
            return
        median = statistics.median(ratios)
        self.paired.append((median <= limit, median))
        lo, hi, conf = median_interval(ratios)
        verdict = "met" if hi <= limit else "missed" if lo > limit else None
        self.decided[verdict or "undecided"] += 1
        if self.confidence is None or conf < self.confidence:
            self.confidence = conf

    def check_oracle(self, value, limit):
        if value is not None:
            self.oracle.append((value <= limit, value))

    def check_replay(self, learned, oracle, limit):
        if learned is not None:
            self.replay.append((learned <= limit, learned))
        if oracle is not None:
            self.replay_oracle.append((oracle <= limit, oracle))

    def summary(self, name, checks, fmt=None):
        if not checks:
            return ""
        w = max(v for _, v in checks)
        return (
            f"; {name}: worst {(fmt or self.fmt).format(w)}, "
            f"{sum(ok for ok, _ in checks)}/{len(checks)} pass"
        )

    def check(self, label, value, ok, badness):
        self.checked += 1
        self.failed += not ok
        if self.worst is None or badness > self.worst[0]:
            self.worst = (badness, label, value)

    def as_dict(self):
        """The verdict for experiment.json."""
        d = {"goal": self.text, "configurations": self.checked}
        if not self.checked:
            d["state"] = "not measured"
            return d
        _, label, value = self.worst
        d.update(
            state="NOT met" if self.failed else "met",
            passed=self.checked - self.failed,
            worst=value,
            worst_at=label,
        )
        for name, checks in (
            ("fastest_runs", self.fast),
            ("paired", self.paired),
            ("oracle_paired", self.oracle),
            ("replayed", self.replay),
            ("oracle_replayed", self.replay_oracle),
        ):
            if checks:
                d[name] = {
                    "worst": max(v for _, v in checks),
                    "passed": sum(ok for ok, _ in checks),
                }
        if self.confidence is not None:
            d["paired_interval"] = dict(self.decided)
            d["paired_interval"]["confidence"] = self.confidence
        return d

    def lines(self):
        if not self.checked:
            return [f"  not measured  {self.text} (no such run)"]
        _, label, value = self.worst
        state = "met    " if not self.failed else "NOT met"
        out = [
            f"  {state}  {self.text}: worst {self.fmt.format(value)} "
            f"({label}; {self.checked - self.failed}/{self.checked} "
            "configurations pass)"
        ]
        pad = " " * 11
        more = (
            self.summary("fastest runs", self.fast)
            + self.summary("paired", self.paired)
            + self.summary("the oracle, paired", self.oracle)
        )
        if more:
            out.append(pad + more[2:])
        if self.confidence is not None and self.confidence < MIN_CONFIDENCE:
            out.append(
                f"{pad}paired: too few repetitions to decide (an interval "
                f"of {self.confidence:.0%}; 5 give 94%)"
            )
        elif self.confidence is not None:
            d = self.decided
            out.append(
                f"{pad}paired, {self.confidence:.0%} interval of the "
                f"median: {d['met']} met, {d['missed']} missed, "
                f"{d['undecided']} undecided"
            )
        # Replays are exact: their third digit is not noise.
        more = self.summary("replayed", self.replay, "{:.3f}x") + (
            self.summary("the oracle, replayed", self.replay_oracle, "{:.3f}x")
        )
        if more:
            out.append(pad + more[2:])
        return out


class Times:
    """Learned's times over the faster of bases in one configuration:
    medians, fastest runs, paired by repetition, the oracle's paired, and
    both replayed; None (or no ratios) where something did not run."""

    def __init__(self, runs, bases=ec.BASELINES):
        self.median = vs_best(runs, "learned", "wall_s", bases)
        self.fastest = vs_best(runs, "learned", "wall_min_s", bases)
        self.paired = paired_ratios(runs, "learned", bases)
        self.oracle = (
            paired_vs(runs, ORACLE, bases) if ORACLE in runs else None
        )
        self.replay = vs_best(runs, "learned", "replay_s", bases)
        self.replay_oracle = vs_best(runs, ORACLE, "replay_s", bases)


def label(k):
    return f"{k[0]} {k[1]} {k[2]}"


def goals(g):
    """The goals of issue 7 for the learned prefetcher, measured here."""
    cov = Goal("coverage >= 0.95 on video and convolution")
    margin = Goal(
        "coverage >= 0.05 above the better baseline there", "{:+.3f}"
    )
    acc = Goal("accuracy >= 0.98 there")
    video5 = Goal(
        "time <= 0.95x best baseline on video at 5us (25%)", "{:.2f}x"
    )
    conv5 = Goal(
        "time <= 1.00x best baseline on convolution at 5us (25%)", "{:.2f}x"
    )
    at80 = Goal(
        "time <= 0.80x best on video, conv 3x3 and 5x5 at 80us (25%)",
        "{:.2f}x",
    )
    seq = Goal("sequential scan no slower than readahead", "{:.2f}x")
    pc_pf = Goal("pointer chasing: prefetched <= 5% of faults", "{:.1%}")
    pc_un = Goal("pointer chasing: unused <= 3% of faults", "{:.1%}")
    pc_t = Goal("pointer chasing: time <= 1.05x best baseline", "{:.2f}x")
    wide = Goal(
        "every workload at 37.5% and 50%: time <= 1.05x best", "{:.2f}x"
    )
    for k, runs in g.items():
        if "learned" not in runs:
            continue
        wl, st, lim = k
        L = runs["learned"]
        t = Times(runs)
        bc = best_coverage(runs)
        if wl == "video-resize" or wl.startswith("conv2d"):
            cov.check(
                label(k), L["coverage"], L["coverage"] >= 0.95, -L["coverage"]
            )
            if bc is not None:
                m = L["coverage"] - bc
                margin.check(label(k), m, m >= 0.05, -m)
            acc.check(
                label(k), L["accuracy"], L["accuracy"] >= 0.98, -L["accuracy"]
            )
        if lim == "25%":
            if wl == "video-resize" and st == "rdma":
                video5.check_time(label(k), t, 0.95)
            if wl.startswith("conv2d") and st == "rdma":
                conv5.check_time(label(k), t, 1.0)
            if st == "nvme" and wl in (
                "video-resize",
                "conv2d-3x3",
                "conv2d-5x5",
            ):
                at80.check_time(label(k), t, 0.80)
        if wl == "seqscan" and "readahead" in runs:
            seq.check_time(label(k), Times(runs, ("readahead",)), 1.0)
        if wl == "pointer-chase" and L["faults"]:
            p = L["prefetched"] / L["faults"]
            u = L["unused"] / L["faults"]
            pc_pf.check(label(k), p, p <= 0.05, p)
            pc_un.check(label(k), u, u <= 0.03, u)
            pc_t.check_time(label(k), t, 1.05)
        if lim in ("37.5%", "50%"):
            wide.check_time(label(k), t, 1.05)
    return [
        cov,
        margin,
        acc,
        video5,
        conv5,
        at80,
        seq,
        pc_pf,
        pc_un,
        pc_t,
        wide,
    ]


def print_goals(g):
    print()
    if not any("learned" in runs for runs in g.values()):
        print(
            "Goals of issue 7: not evaluated (the learned prefetcher did "
            "not run)."
        )
        return
    for line in (
        "Goals of issue 7 for the learned prefetcher (best baseline = the "
        "faster of readahead and leap;",
        'times are medians; "fastest runs" compares the fastest run of '
        'each, less disturbed by other load; "paired"',
        "is the median of learned's time over the faster baseline's in the "
        "same repetition, taken in turn, and its",
        "interval (over the repetitions, distribution-free) decides a "
        "configuration only where it lies wholly on one",
        "side of the limit; where the oracle ran, its paired times are "
        "judged too (a goal the oracle misses is out",
        "of any prefetcher's reach here), and the replays (rmt-replay on "
        "the oracle's trace, no host noise):",
    ):
        print(line)
    for goal in goals(g):
        for line in goal.lines():
            print(line)


# Below this gain of the oracle's, a share of it is mostly noise.
MIN_ORACLE_GAIN = 0.05


def attainable_share(learned, oracle):
    """The share of the oracle's gain over the best baseline that learned
    gets, from their times over the best baseline; None where the oracle
    gains less than MIN_ORACLE_GAIN."""
    if learned is None or oracle is None or oracle > 1.0 - MIN_ORACLE_GAIN:
        return None
    return (1.0 - learned) / (1.0 - oracle)


def table_head(*columns):
    """A configuration's columns, then (name, width) right-aligned ones,
    and a rule under them."""
    hdr = f'{"workload":<14} {"far":<4} {"limit":<6}' + "".join(
        f" {name:>{width}}" for name, width in columns
    )
    print(hdr)
    print("-" * len(hdr))


def print_oracle(g):
    keys = [k for k, runs in g.items() if ORACLE in runs]
    if not keys:
        return
    print()
    print(
        "Against the oracle (a perfect prefetcher: the run's own future, "
        "from the faults of an untimed"
    )
    print(
        "readahead run): times over the faster baseline, paired by "
        "repetition; 'share' = the part of the"
    )
    print(
        "oracle's gain over that baseline that learned gets (where the "
        f"oracle gains {MIN_ORACLE_GAIN:.0%} or more)."
    )
    table_head(("oracle", 7), ("learned", 7), ("share", 6), ("coverage", 8))
    for k in keys:
        runs = g[k]
        vo = paired_vs(runs, ORACLE)
        vl = paired_vs(runs, "learned") if "learned" in runs else None
        sh = attainable_share(vl, vo)
        print(
            f"{k[0]:<14} {k[1]:<4} {k[2]:<6} "
            f'{"-" if vo is None else format(vo, ".3f"):>7} '
            f'{"-" if vl is None else format(vl, ".3f"):>7} '
            f'{"-" if sh is None else format(sh, ".0%"):>6} '
            f'{runs[ORACLE]["coverage"]:8.4f}'
        )


def print_replay(g):
    """The same configurations on rmt-replay's simulated clock: what the
    prefetchers' decisions are worth without the host's noise."""
    keys = [
        k
        for k, runs in g.items()
        if all(runs.get(pf, {}).get("replay_s") for pf in ec.BASELINES)
    ]
    if not keys:
        return
    print()
    print(
        "Replayed (rmt-replay on the oracle's trace, simulated seconds; no "
        "host noise): times over"
    )
    print("the faster baseline's replayed time.")
    table_head(("best_s", 7), ("learned", 7), ("oracle", 7))
    for k in keys:
        runs = g[k]
        best = min(runs[pf]["replay_s"] for pf in ec.BASELINES)

        def ratio(pf):
            t = runs.get(pf, {}).get("replay_s")
            return "-" if not t else format(t / best, ".3f")

        print(
            f"{k[0]:<14} {k[1]:<4} {k[2]:<6} {best:7.3f} "
            f'{ratio("learned"):>7} {ratio(ORACLE):>7}'
        )


def print_cpu(g):
    """What ran beside each program in rmt-run: the fault ring's drainer
    for the baselines, the agent (draining and training) for learned:
    what each costs beside the program, apart from its completion time."""
    pfs = ("readahead", "leap", "learned")
    keys = [
        k
        for k, runs in g.items()
        if any(runs.get(pf, {}).get("runner_cpus_ms") for pf in pfs)
    ]
    if not keys:
        return
    print()
    print(
        "CPU time beside the program (ms, median of the runs): rmt-run's "
        "fault-ring drainer for the"
    )
    print("baselines, its agent (draining and training) for learned.")
    table_head(*((pf, 9) for pf in pfs))
    for k in keys:
        runs = g[k]

        def ms(pf):
            v = [x for x in runs.get(pf, {}).get("runner_cpus_ms") or [] if x]
            return format(statistics.median(v), ".1f") if v else "-"

        print(
            f"{k[0]:<14} {k[1]:<4} {k[2]:<6}"
            + "".join(f" {ms(pf):>9}" for pf in pfs)
        )


def report(out, rows):
    g = group(rows)
    print_table(g)
    print_oracle(g)
    print_replay(g)
    print_cpu(g)
    print_goals(g)
    written = exp_plots.plot(out, g)
    if written:
        print(f'run-experiment: plots: {", ".join(written)}')
    print(
        f'run-experiment: wrote {os.path.join(out, "experiment.csv")} and '
        f'{os.path.join(out, "experiment.json")}'
    )
