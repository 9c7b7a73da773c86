# SPDX-License-Identifier: GPL-2.0 OR MIT
# exp_cgroup.py - memory cgroups for the experiment: where this process
# may create child cgroups (cgroup v2 with the memory controller, else the
# v1 memory hierarchy), and a child cgroup with or without a limit.
import ctypes
import os

PR_SET_THP_DISABLE = 41


class Unavailable(Exception):
    """No memory cgroup can be made here; the message says why."""


def find():
    """(version, parent directory), or raises Unavailable."""
    if os.geteuid() != 0:
        raise Unavailable("creating cgroups needs root")
    return memory_cgroup()


def memory_cgroup():
    """(version, directory to create children in) of the memory controller."""
    v2 = v1 = None
    with open("/proc/self/mountinfo") as f:
        for ln in f:
            pre, _, post = ln.partition(" - ")
            fstype, _, opts = post.split()[:3]
            mnt = pre.split()[4]
            if fstype == "cgroup2" and v2 is None:
                v2 = mnt
            elif fstype == "cgroup" and "memory" in opts.split(","):
                v1 = mnt
    if v2:
        try:
            with open(os.path.join(v2, "cgroup.subtree_control")) as f:
                if "memory" in f.read().split():
                    return 2, v2
        except OSError:
            pass
    if v1:
        with open("/proc/self/cgroup") as f:
            for ln in f:
                _, ctrl, path = ln.rstrip("\n").split(":", 2)
                if "memory" in ctrl.split(","):
                    return 1, v1 + path
        return 1, v1
    if v2:
        raise Unavailable(
            f"the cgroup v2 hierarchy at {v2} has no memory "
            "controller enabled for its children (cgroup."
            "subtree_control) and no cgroup v1 memory hierarchy "
            "is mounted"
        )
    raise Unavailable(
        "no memory cgroup controller is mounted (cgroup v2 or v1)"
    )


class Cgroup:
    """A child cgroup of this process's memory cgroup, with a limit or
    without; close() removes it (it must be empty by then)."""

    def __init__(self, version, parent, limit=None):
        self.version = version
        self.path = os.path.join(parent, f"rmt-exp-{os.getpid()}")
        os.mkdir(self.path)
        if limit is None:
            return
        if version == 2:
            self.write("memory.max", str(limit))
            self.write("memory.swap.max", "max")
        else:
            self.write("memory.limit_in_bytes", str(limit))

    def oom_kills(self):
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            with open(os.path.join(self.path, name)) as f:
                kv = dict(ln.split() for ln in f if ln.strip())
            return int(kv.get("oom_kill", 0))
        except (OSError, ValueError):
            return 0

    def peak(self):
        """Peak memory use in bytes; None without memory.peak (v2 before
        Linux 5.19)."""
        name = (
            "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        )
        try:
            with open(os.path.join(self.path, name)) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None

    def write(self, name, value):
        with open(os.path.join(self.path, name), "w") as f:
            f.write(value)

    def enter(self):
        """In the child before exec: join."""
        self.write("cgroup.procs", str(os.getpid()))

    def enter_no_thp(self):
        """Join, and no transparent huge pages (swap page by page)."""
        self.enter()
        ctypes.CDLL(None).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)

    def close(self):
        os.rmdir(self.path)
