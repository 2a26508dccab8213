"""Resource limits for the child: address space, CPU seconds, file size, open files, no cores."""

from __future__ import annotations

import math
import resource

__all__ = ["apply_rlimits"]

FILE_SIZE = 16 * 1024 * 1024
OPEN_FILES = 64


def apply_rlimits(memory_bytes: int, wall_seconds: float) -> str:
    """Set hard and soft limits; returns a short description. Raises OSError on failure."""
    cpu = math.ceil(wall_seconds) + 1  # SIGXCPU at soft, SIGKILL one second later
    limits = {
        resource.RLIMIT_AS: (memory_bytes, memory_bytes),
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_FSIZE: (FILE_SIZE, FILE_SIZE),
        resource.RLIMIT_NOFILE: (OPEN_FILES, OPEN_FILES),
        resource.RLIMIT_CORE: (0, 0),
    }
    for which, value in limits.items():
        resource.setrlimit(which, value)
    return f"AS={memory_bytes} CPU={cpu}s FSIZE={FILE_SIZE} NOFILE={OPEN_FILES} CORE=0"
