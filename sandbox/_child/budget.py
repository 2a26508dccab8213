"""The sandbox side of a cgroup budget: a zygote (or fresh interpreter) lives in its slot's cgroup.

Moving a process between cgroups takes a kernel lock that waits for an RCU grace period (~1-3 ms
here): too slow per run. So the zygote moves itself once, at start, and every child it forks is
born in the slot. The slot's memory limit is then the run's limit plus the zygote's own usage
(measured once, when it is warm), set before each run when the limit changes; `pids.max` counts
the zygote too. Each child marks itself the OOM killer's first choice, so a child over budget is
killed, not its zygote. The files are opened before the filesystem view hides /sys and /proc.
"""

from __future__ import annotations

import os

__all__ = ["Slot"]


class Slot:
    def __init__(self, config: dict) -> None:
        flags = os.O_WRONLY | os.O_CLOEXEC
        self.procs = [os.open(p, flags) for p in config["procs"]]
        self.memory_max = os.open(config["memory_max"], flags) if config["memory_max"] else -1
        self.usage = os.open(config["usage"], os.O_RDONLY | os.O_CLOEXEC) if config["usage"] else -1
        self.oom = os.open(config["oom"], os.O_RDONLY | os.O_CLOEXEC) if config["oom"] else -1
        self.proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.limit = -1
        self.baseline = 0

    def join(self) -> None:
        """Move the calling process into the slot. Raises OSError."""
        for fd in self.procs:
            os.pwrite(fd, b"0", 0)

    def measure_baseline(self) -> None:
        """Remember what the slot holds now (the warm zygote): runs get their limit on top."""
        if self.usage >= 0:
            self.baseline = int(os.pread(self.usage, 64, 0).split()[0])

    def set_memory(self, nbytes: int) -> None:
        """Limit the slot for the next run (only written when it changes). Raises OSError."""
        if self.memory_max >= 0 and nbytes != self.limit:
            os.pwrite(self.memory_max, str(nbytes + self.baseline).encode(), 0)
            self.limit = nbytes

    def mark_victim(self) -> None:
        """In a child: be the one the OOM killer picks in this slot (best effort)."""
        try:
            fd = os.open("self/oom_score_adj", os.O_WRONLY | os.O_CLOEXEC, dir_fd=self.proc)
            try:
                os.write(fd, b"1000")
            finally:
                os.close(fd)
        except OSError:
            pass

    def oom_kills(self) -> int:
        """How many OOM kills the slot has seen (0 when memory is not budgeted here)."""
        if self.oom < 0:
            return 0
        for line in os.pread(self.oom, 4096, 0).decode("ascii", "replace").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
        return 0
