# SPDX-License-Identifier: GPL-2.0 OR MIT
# exp_common.py - what the experiment's scripts share: the far-memory
# settings, parsing of rmt-run's statistics, timing, and the machine's
# description for the results.
import datetime
import errno
import json
import os
import platform
import re
import subprocess
import time

# name -> (--far-latency, --fetch-depth)
SETTINGS = {"rdma": ("5us", 8), "nvme": ("80us", 32)}
SETTING_NAMES = {"rdma": "RDMA", "nvme": "NVMe"}
BASELINES = ("readahead", "leap")
STAT_KEYS = (
    "wall_s",
    "faults",
    "hits",
    "misses",
    "prefetched",
    "unused",
    "coverage",
    "accuracy",
    "timeliness",
    "late_hits",
    "fault_p50_us",
    "fault_p99_us",
    "models_installed",
    "program_cpu_ms",
    "runner_cpu_ms",
    "cgroup_peak_mb",
)


def share(limit):
    """'37.5%' -> 0.375, or None when it is not a share in (0, 100]."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", limit)
    if not m or not 0 < float(m.group(1)) <= 100:
        return None
    return float(m.group(1)) / 100


def timed(argv, **kw):
    """Runs argv; returns (seconds, returncode, rusage)."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - t, p.returncode, ru


def read_stats(json_path, stderr):
    """rmt-run's statistics: its --json file, else the RESULT line."""
    try:
        with open(json_path) as f:
            return json.load(f)["stats"]
    except (OSError, ValueError, KeyError):
        pass
    lines = [ln for ln in stderr.splitlines() if ln.startswith("RESULT ")]
    if not lines:
        return None
    stats = {}
    for kv in lines[-1].split()[1:]:
        k, _, v = kv.partition("=")
        try:
            stats[k] = float(v) if "." in v else int(v)
        except ValueError:
            return None
    return stats if "wall_s" in stats else None


CAP_SYS_NICE = 23


def has_capability(bit):
    """Whether this process has capability number bit in effect."""
    try:
        with open("/proc/self/status") as f:
            for ln in f:
                if ln.startswith("CapEff:"):
                    return bool(int(ln.split()[1], 16) >> bit & 1)
    except (OSError, ValueError):
        pass
    return False


def realtime_refused(err):
    """Why SCHED_FIFO was refused with err, and what to do instead."""
    if err.errno != errno.EPERM:
        return f"SCHED_FIFO refused: {err.strerror}"
    if not has_capability(CAP_SYS_NICE):
        why = (
            "this process lacks CAP_SYS_NICE (run it as root, "
            "outside a container that drops the capability)"
        )
    else:
        why = (
            "it has CAP_SYS_NICE, so most likely its cgroup has no "
            "real-time runtime (a kernel with CONFIG_RT_GROUP_SCHED "
            "gives none where cpu.rt_runtime_us is 0, as under cgroup "
            "v2 for every cgroup but the root)"
        )
    return (
        f"SCHED_FIFO refused ({err.strerror}): {why}; "
        "run without --realtime"
    )


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine(o, argv):
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    cpu = ln.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
    except OSError:
        mem_kb = 0
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        rev = ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "command": " ".join(["bench/experiment/run-experiment"] + argv),
        "mode": o["mode"],
        "size_mb": o["size"],
        "commit": rev,
        "nice": o.get("nice"),
        "realtime": o.get("realtime", False),
        "spin": o.get("spin"),
        "fault_handler": (
            "thread" if o.get("spin") else o.get("fault_handler") or "signal"
        ),
        "evict": o.get("evict") or "move",
        "reps": o.get("reps"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mib": mem_kb // 1024,
        "kernel": platform.release(),
        "load_start": loadavg(),
    }
