# SPDX-License-Identifier: GPL-2.0 OR MIT
# exp_kernel.py - run-experiment --kernel: each workload natively in a
# memory-limited cgroup (the same share of its footprint as in the pager
# runs, swap unlimited) with real swap on a loop device over a file, the
# kernel's swap_ra and swap_ra_hit deltas beside rmt-run's simulation of
# readahead on the same workload and limit.  Both readahead modes: VMA
# (the loop device marked non-rotational) and cluster (rotational).  The
# machine's swap state is restored afterwards, on error and on signals too.
import csv
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import exp_cgroup
import exp_common as ec
from exp_cgroup import Cgroup

VMSTAT = ("swap_ra", "swap_ra_hit", "pswpin", "pswpout", "pgmajfault")
SWAP_PRIO = "32767"  # ours is used first if the machine has other swap


class Skip(Exception):
    """A requirement of the kernel mode that this machine does not meet."""


def vmstat():
    with open("/proc/vmstat") as f:
        kv = dict(ln.split() for ln in f)
    return {k: int(kv[k]) for k in VMSTAT if k in kv}


def swaps():
    with open("/proc/swaps") as f:
        return [ln.split()[0] for ln in f.readlines()[1:]]


def check():
    """Raises Skip naming the first requirement the machine lacks."""
    if os.geteuid() != 0:
        raise Skip("needs root (swapon, cgroups)")
    for tool in ("losetup", "mkswap", "swapon", "swapoff"):
        if shutil.which(tool) is None:
            raise Skip(f"{tool} not found (package util-linux/mount)")
    if not {"swap_ra", "swap_ra_hit"} <= set(vmstat()):
        raise Skip("/proc/vmstat has no swap_ra/swap_ra_hit counters")
    try:
        return exp_cgroup.memory_cgroup()
    except exp_cgroup.Unavailable as e:
        raise Skip(str(e))


class Swap:
    """Swap on a loop device over a file; undone by close() in any state."""

    def __init__(self, mb):
        self.before = swaps()
        d = "/var/tmp" if os.path.isdir("/var/tmp") else tempfile.gettempdir()
        fd, self.file = tempfile.mkstemp(
            prefix="rmt-kernel-swap-", suffix=".img", dir=d
        )
        self.dev = None
        self.on = False
        # Written out, not sparse: swapon refuses files with holes and
        # the loop device should not allocate blocks mid-run.
        zero = bytes(1 << 20)
        for _ in range(mb):
            os.write(fd, zero)
        os.close(fd)
        self.dev = sh(["losetup", "--find", "--show", self.file]).strip()

    def enable(self, rotational):
        self.disable()
        q = f"/sys/block/{os.path.basename(self.dev)}/queue/rotational"
        with open(q, "w") as f:
            f.write("1" if rotational else "0")
        sh(["mkswap", self.dev])
        p = subprocess.run(
            ["swapon", "-p", SWAP_PRIO, self.dev],
            capture_output=True,
            text=True,
        )
        if p.returncode != 0:
            raise Skip(f"swapon is not permitted here: " f"{p.stderr.strip()}")
        self.on = True

    def disable(self):
        if self.on:
            sh(["swapoff", self.dev])
            self.on = False

    def close(self):
        try:
            self.disable()
        finally:
            if self.dev:
                subprocess.run(["losetup", "-d", self.dev])
            os.unlink(self.file)


def sh(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f'{" ".join(argv)}: {p.stderr.strip()}')
    return p.stdout


def child(argv, **kw):
    """Runs argv: (stdout, exit status, rusage, seconds); killed if we are
    interrupted meanwhile (a cgroup must be empty to go)."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, **kw)
    try:
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
    except BaseException:
        p.kill()
        p.wait()
        raise
    return out, os.waitstatus_to_exitcode(status), ru, time.monotonic() - t


def footprint(version, parent, argv):
    """The checksum and the peak memory of a native run in a cgroup
    without a limit (ru_maxrss would count the forking interpreter)."""
    cg = Cgroup(version, parent, None)
    try:
        out, rc, _, _ = child(argv, preexec_fn=cg.enter_no_thp)
        peak = cg.peak()
    finally:
        cg.close()
    if rc != 0:
        raise RuntimeError(f'{" ".join(argv)}: exit status {rc}')
    if peak is None:
        raise Skip(
            "the cgroup reports no peak memory (memory.peak: Linux " ">= 5.19)"
        )
    return out, peak


def kernel_run(version, parent, argv, limit):
    """One run in a fresh cgroup; a run that the cgroup's OOM killer ends
    (reclaim can give up while a tiny limit thrashes) is tried again, at
    most twice, and counted."""
    kills = 0
    while True:
        cg = Cgroup(version, parent, limit)
        try:
            before = vmstat()
            out, rc, ru, t = child(argv, preexec_fn=cg.enter_no_thp)
            after = vmstat()
            oom = cg.oom_kills()
        finally:
            cg.close()
        kills += oom
        if not oom or kills > 2:
            break
    d = {k: after[k] - before[k] for k in before}
    d.update(
        {
            "kernel_s": round(t, 4),
            "majflt": ru.ru_majflt,
            "exit": rc,
            "oom_kills": kills,
        }
    )
    return d, out


def sim_run(run, argv, lim, tmp):
    jpath = os.path.join(tmp, "sim.json")
    p = subprocess.run(
        [
            run,
            "--mem-limit",
            lim,
            "--prefetcher",
            "readahead",
            "--json",
            jpath,
            "--",
        ]
        + argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    s = ec.read_stats(jpath, p.stderr) or {}
    return p.stdout, {
        f"sim_{k}": s.get(k)
        for k in (
            "faults",
            "hits",
            "misses",
            "prefetched",
            "coverage",
            "accuracy",
        )
    }


def ratio(a, b):
    return round(a / b, 4) if b else None


def measure(o, run, workload_argv, version, parent, swap, tmp):
    limits = o["limits"] or (
        ["25%", "37.5%", "50%"] if o["mode"] == "full" else ["25%"]
    )
    rows, bad = [], 0
    for name in o["workloads"]:
        argv = workload_argv(o["build"], name, o["size"])
        want, peak = footprint(version, parent, argv)
        for lim in limits:
            limit = int(peak * ec.share(lim)) & ~4095
            out, sim = sim_run(run, argv, lim, tmp)
            for mode in ("vma", "cluster"):
                swap.enable(rotational=mode == "cluster")
                d, got = kernel_run(version, parent, argv, limit)
                swap.disable()
                ok = d["exit"] == 0 and got == want and out.encode() == want
                bad += not ok
                d.update(
                    {
                        "workload": name,
                        "mem_limit": lim,
                        "limit_mb": round(limit / 2**20, 1),
                        "footprint_mb": round(peak / 2**20, 1),
                        "ra_mode": mode,
                        "checksum_ok": ok,
                        "coverage": ratio(
                            d["swap_ra_hit"], d["swap_ra_hit"] + d["majflt"]
                        ),
                        "accuracy": ratio(d["swap_ra_hit"], d["swap_ra"]),
                    }
                )
                d.update(sim)
                rows.append(d)
                print(
                    f"kernel {name:<14} limit {lim:<5} "
                    f'({d["limit_mb"]} of {d["footprint_mb"]} MB) '
                    f'{mode:<7} {d["kernel_s"]:7.3f} s majflt '
                    f'{d["majflt"]:<6} swap_ra {d["swap_ra"]:<6} '
                    f'swap_ra_hit {d["swap_ra_hit"]:<6} pswpin '
                    f'{d["pswpin"]:<6} | rmt-run readahead '
                    f'coverage {sim["sim_coverage"]}',
                    flush=True,
                )
                if d["oom_kills"] or d["exit"] != 0:
                    print(
                        f'kernel {name}: exit status {d["exit"]}; '
                        f"the cgroup OOM killer ended "
                        f'{d["oom_kills"]} run(s) (tried again)'
                    )
    return rows, bad


def table(rows):
    print()
    print(
        "Kernel swap readahead (system-wide /proc/vmstat deltas; coverage ~"
        " swap_ra_hit / (swap_ra_hit + majflt), accuracy = swap_ra_hit /"
        " swap_ra)"
    )
    print(
        "beside rmt-run --prefetcher readahead (VMA mode) on the same "
        "workload and limit:"
    )
    hdr = (
        f'{"workload":<14} {"limit":<6} {"mode":<7} {"majflt":>7} '
        f'{"swap_ra":>8} {"ra_hit":>7} {"pswpin":>7} {"k_cov":>6} '
        f'{"k_acc":>6} | {"faults":>6} {"sim_cov":>7} {"sim_acc":>7}'
    )
    print(hdr)
    print("-" * len(hdr))

    def f(v, w):
        return f"{v:{w}.3f}" if isinstance(v, float) else f'{"-":>{w}}'

    for r in rows:
        print(
            f'{r["workload"]:<14} {r["mem_limit"]:<6} {r["ra_mode"]:<7} '
            f'{r["majflt"]:7} {r["swap_ra"]:8} {r["swap_ra_hit"]:7} '
            f'{r["pswpin"]:7} {f(r["coverage"], 6)} '
            f'{f(r["accuracy"], 6)} | {r["sim_faults"] or 0:6} '
            f'{f(r["sim_coverage"], 7)} {f(r["sim_accuracy"], 7)}'
        )


def write(out, meta, rows):
    os.makedirs(out, exist_ok=True)
    cols = (
        [
            "workload",
            "mem_limit",
            "footprint_mb",
            "limit_mb",
            "ra_mode",
            "kernel_s",
            "exit",
            "oom_kills",
            "majflt",
        ]
        + list(VMSTAT)
        + [
            "coverage",
            "accuracy",
            "sim_faults",
            "sim_hits",
            "sim_misses",
            "sim_prefetched",
            "sim_coverage",
            "sim_accuracy",
            "checksum_ok",
        ]
    )
    with open(os.path.join(out, "kernel.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(out, "kernel.json"), "w") as f:
        json.dump({"machine": meta, "runs": rows}, f, indent=1)
        f.write("\n")


def on_signal(signum, frame):
    raise KeyboardInterrupt


def main(o, run, workload_argv):
    try:
        version, parent = check()
    except Skip as e:
        print(f"run-experiment: kernel mode skipped: {e}")
        return 0
    with open("/sys/kernel/mm/swap/vma_ra_enabled") as f:
        vma_ra = f.read().strip()
    print(
        f"run-experiment: kernel mode: memory cgroup v{version} under "
        f"{parent}; vma_ra_enabled {vma_ra}; page-cluster "
        f'{open("/proc/sys/vm/page-cluster").read().strip()}; swap '
        f'before: {", ".join(swaps()) or "none"}'
    )
    meta = ec.machine(o, ["--kernel"])
    meta.update({"cgroup": version, "vma_ra_enabled": vma_ra})
    old = {
        s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGHUP)
    }
    swap = None
    try:
        swap = Swap(max(64, 4 * o["size"]))
        with tempfile.TemporaryDirectory(prefix="rmt-exp-") as tmp:
            rows, bad = measure(
                o, run, workload_argv, version, parent, swap, tmp
            )
    except Skip as e:
        print(f"run-experiment: kernel mode skipped: {e}")
        return 0
    finally:
        if swap:
            swap.close()
        for s, h in old.items():
            signal.signal(s, h)
        restored = swap is None or swaps() == swap.before
        print(
            "run-experiment: swap state "
            + ("restored: " if restored else "NOT restored: ")
            + (", ".join(swaps()) or "no swap")
        )
    table(rows)
    write(o["out"], meta, rows)
    print(f'run-experiment: wrote {o["out"]}/kernel.csv and kernel.json')
    if bad:
        print(
            f"run-experiment: {bad} kernel run(s) failed or changed a "
            "checksum"
        )
        return 1
    return 0
