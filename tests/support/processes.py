"""Find processes by an environment mark, so a test can prove that nothing it started outlived it
(a leaked child is reparented to init, so walking our own descendants would miss it)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["new_mark", "marked_processes"]


def new_mark() -> tuple[str, str]:
    """A fresh (variable name, value) pair to put in a child's environment."""
    return "SSTAR_TEST_RUN", uuid.uuid4().hex


def marked_processes(value: str) -> list[str]:
    """Command lines of live (not zombie) processes whose environment contains `value`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if value.encode() not in Path(f"/proc/{entry}/environ").read_bytes():
                continue
            if Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            found.append(Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found
