# SPDX-License-Identifier: GPL-2.0 OR MIT
# exp_plots.py - the experiment's plots, drawn by gnuplot as PNG and SVG:
# per far-memory setting, grouped bars per workload and prefetcher of the
# completion time over the best baseline, of coverage and of accuracy,
# one panel per memory limit; with the oracle, the replayed times too
# (rmt-replay's simulated clock: the decisions without the host's noise).
import os
import shutil
import subprocess

import exp_common as ec

CLIP = 3.0  # normalised times above this are drawn clipped
COLOURS = {
    "none": "#9e9e9e",
    "readahead": "#1f77b4",
    "leap": "#ff7f0e",
    "learned": "#2ca02c",
    "oracle": "#9467bd",
}
METRICS = {
    "time": ("completion time / best baseline", None),
    "coverage": ("coverage = hits / (hits + misses)", 1.05),
    "accuracy": ("accuracy = hits / prefetched", 1.05),
    "replayed": ("replayed time / best baseline", None),
}


def values(runs, pf, metric):
    """The bar's value; for times also the fastest and slowest run (the
    error bar), all over the best baseline's median."""
    r = runs.get(pf)
    n = 3 if metric == "time" else 1
    if r is None or (metric == "accuracy" and not r["prefetched"]):
        return [None] * n
    if metric == "replayed":
        b = [runs[x].get("replay_s") for x in ec.BASELINES if x in runs]
        b = [t for t in b if t]
        t = r.get("replay_s")
        return [t / min(b) if t and b else None]
    if metric != "time":
        return [r[metric]]
    b = [runs[x]["wall_s"] for x in ec.BASELINES if x in runs]
    if not b:
        return [None] * n
    return [
        r.get(k, r["wall_s"]) / min(b)
        for k in ("wall_s", "wall_min_s", "wall_max_s")
    ]


def ordered(items):
    return list(dict.fromkeys(items))


def script(metric, st, limits, wls, pfs, dat, out_base, ymax):
    lat, depth = ec.SETTINGS[st]
    ylabel, top = METRICS[metric]
    top = top if top else min(ymax * 1.1, CLIP) if ymax else 1.5
    h = 260 * len(limits) + 40
    w = max(700, 70 * len(wls) * max(1, len(pfs)) // 2 + 200)
    hist = "errorbars gap 1 lw 1" if metric == "time" else "clustered gap 1"
    lines = [
        f"set datafile missing '?'",
        "set style data histograms",
        f"set style histogram {hist}",
        "set style fill solid 0.85 border -1",
        "set boxwidth 0.9",
        "set grid ytics",
        'set xtics nomirror font ",9"',
        "set key outside right top vertical",
        f"set xrange [-0.6:{len(wls) - 0.4}]",
        f"set yrange [0:{top:.2f}]",
        f"set ylabel '{ylabel}'",
    ]
    if metric in ("time", "replayed"):
        lines.append(
            "set arrow 1 from graph 0, first 1 to graph 1, first 1"
            ' nohead dt 2 lw 1.5 lc rgb "black" front'
        )
    plot = []
    n = 3 if metric == "time" else 1
    for i, pf in enumerate(pfs):
        src = f"'{dat}'" if i == 0 else "''"
        xt = ":xtic(1)" if i == 0 else ""
        cols = ":".join(str(2 + n * i + j) for j in range(n))
        plot.append(
            f"{src} index IDX using {cols}{xt} title '{pf}' "
            f"lc rgb '{COLOURS.get(pf, '#8c564b')}'"
        )
    panels = []
    for n, lim in enumerate(limits):
        clip = (
            " (clipped at 3)"
            if metric == "time" and ymax and ymax > CLIP
            else ""
        )
        if metric == "time":
            clip += "; error bars: fastest and slowest run"
        panels.append(
            f"set title 'memory limit {lim} of the footprint" f"{clip}'"
        )
        panels.append("plot " + ", ".join(plot).replace("IDX", str(n)))
    title = (
        f"{ylabel}"
        + (" (rmt-replay: no host noise)" if metric == "replayed" else "")
        + f", {ec.SETTING_NAMES[st]}-class far "
        f"memory ({lat} per page, {depth} in flight)"
    )
    body = (
        [f"set multiplot layout {len(limits)},1 title '{title}'"]
        + panels
        + ["unset multiplot"]
    )
    png = [
        f'set terminal pngcairo size {w},{h} font "sans,10"',
        f"set output '{out_base}.png'",
    ]
    svg = [
        f'set terminal svg size {w},{h} font "sans,10"',
        f"set output '{out_base}.svg'",
    ]
    return "\n".join(png + lines + body + svg + body) + "\n"


def plot(out, g):
    """Writes the plots; returns the files written ([] without gnuplot)."""
    if shutil.which("gnuplot") is None:
        print(
            "run-experiment: gnuplot not found (package gnuplot-nox): no "
            "plots"
        )
        return []
    ddir = os.path.join(out, "plot-data")
    os.makedirs(ddir, exist_ok=True)
    written = []
    for st in ordered(k[1] for k in g):
        keys = [k for k in g if k[1] == st]
        limits = ordered(k[2] for k in keys)
        wls = ordered(k[0] for k in keys)
        pfs = ordered(pf for k in keys for pf in g[k])
        for metric in METRICS:
            # Without prefetching both are 0 or undefined.
            shown = [pf for pf in pfs if metric == "time" or pf != "none"]
            if metric == "replayed":
                shown = [
                    pf
                    for pf in shown
                    if any(g[k].get(pf, {}).get("replay_s") for k in keys)
                ]
                if not shown:
                    continue
            dat = os.path.join(ddir, f"{metric}-{st}.dat")
            ymax = 0
            with open(dat, "w") as f:
                sub = (
                    ("", "_fastest", "_slowest") if metric == "time" else ("",)
                )
                f.write(
                    "# workload "
                    + " ".join(pf + x for pf in shown for x in sub)
                    + "\n"
                )
                for lim in limits:
                    f.write(f"# limit {lim}\n")
                    for wl in wls:
                        runs = g.get((wl, st, lim), {})
                        vals = [
                            v for pf in shown for v in values(runs, pf, metric)
                        ]
                        ymax = max([ymax] + [v for v in vals if v is not None])
                        f.write(
                            wl
                            + " "
                            + " ".join(
                                "?" if v is None else f"{min(v, CLIP):.4f}"
                                for v in vals
                            )
                            + "\n"
                        )
                    f.write("\n\n")
            base = os.path.join(out, f"{metric}-{st}")
            gp = script(metric, st, limits, wls, shown, dat, base, ymax)
            p = subprocess.run(
                ["gnuplot"], input=gp, text=True, capture_output=True
            )
            if p.returncode != 0:
                print(
                    f"run-experiment: gnuplot failed on {base}: "
                    f"{p.stderr.strip()}"
                )
                continue
            written += [base + ".png", base + ".svg"]
    return written
