"""Resource limits for the child: address space, CPU seconds, file size, open files, no cores,
and (when nothing better bounds tasks) the number of processes and threads."""

from __future__ import annotations

import math
import resource

__all__ = ["apply_rlimits"]

FILE_SIZE = 16 * 1024 * 1024
OPEN_FILES = 64


def apply_rlimits(memory_bytes: int, wall_seconds: float, nproc: int | None = None) -> str:
    """Set hard and soft limits; returns a short description. Raises OSError on failure.

    `nproc` is only worth setting where the kernel enforces it: not for host root, whose tasks
    RLIMIT_NPROC never counts, and best in a user namespace of its own, where the count is the
    namespace's tasks rather than every process of the user.
    """
    cpu = math.ceil(wall_seconds) + 1  # SIGXCPU at soft, SIGKILL one second later
    limits = {
        resource.RLIMIT_AS: (memory_bytes, memory_bytes),
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_FSIZE: (FILE_SIZE, FILE_SIZE),
        resource.RLIMIT_NOFILE: (OPEN_FILES, OPEN_FILES),
        resource.RLIMIT_CORE: (0, 0),
    }
    if nproc is not None:
        limits[resource.RLIMIT_NPROC] = (nproc, nproc)
    for which, value in limits.items():
        resource.setrlimit(which, value)
    extra = f" NPROC={nproc}" if nproc is not None else ""
    return f"AS={memory_bytes} CPU={cpu}s FSIZE={FILE_SIZE} NOFILE={OPEN_FILES} CORE=0{extra}"
