"""Look at live processes in /proc, so a test can prove that nothing it started outlived it: by an
environment mark (a leaked child is reparented to init, so walking our own descendants would miss
it), by descent from a process, or one pid at a time."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["new_mark", "marked_processes", "descendants", "alive"]


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


def _state_and_parent(pid: str | int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    stat = _state_and_parent(pid)
    return stat is not None and stat[0] != "Z"


def descendants(pid: int | None = None) -> dict[int, str]:
    """Live (not zombie) descendant processes of `pid` (default: this process) with their command
    lines."""
    pid = os.getpid() if pid is None else pid
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _state_and_parent(entry)) and stat[0] != "Z":
            parents[int(entry)] = stat[1]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    lines = {}
    for child in found:
        try:
            lines[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            pass
    return lines
