"""Fixtures for sandbox tests: one real pool per module, and a count of sandbox processes."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import pytest_asyncio

from sandbox import Limits, SandboxPool
from sandbox.workers import MARKER

# Short limits keep tests fast; test_functional.py checks the defaults.
FAST = Limits(wall_seconds=1.0, memory_bytes=256 * 1024 * 1024, output_bytes=16 * 1024)
# How a denied file operation looks from inside: absent from the view, Landlock's EACCES, or a
# read-only mount's EROFS (a plain OSError in Python).
DENIED = {"FileNotFoundError", "PermissionError", "OSError"}


def sandbox_processes() -> set[int]:
    """Live sandbox processes that are ours: descendants of this test process, or orphans
    (re-parented to pid 1) that a leak would leave. Other sessions' sandboxes are ignored."""
    parent, marked = {}, set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        # `unshare` itself (and the helper it forks to write uid maps) is not a sandbox yet.
        launcher = os.path.basename(cmdline.split(b"\0", 1)[0]) == b"unshare"
        if MARKER.encode() in cmdline and fields[0] != "Z" and not launcher:
            marked.add(int(entry))
    me = os.getpid()

    def ours(pid: int) -> bool:
        if parent.get(pid) == 1:
            return True
        while pid in parent and pid > 1:
            pid = parent[pid]
            if pid == me:
                return True
        return False

    return {pid for pid in marked if ours(pid)}


def zygote_pids(pool) -> set[int]:
    return set(pool.worker_pids)


def child_pids(pool) -> set[int]:
    """Sandbox processes of this test that are not zygotes: the children running probes."""
    return sandbox_processes() - zygote_pids(pool)


async def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait for a state we cannot get an event for (process table changes); fails on timeout."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {timeout} s")
        await asyncio.sleep(0.01)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "helpers.py").write_text("def double(x):\n    return 2 * x\n\nSECRET_WORD = 'ws'\n")
    return root


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool(workspace: Path):
    async with SandboxPool(2, workspace=workspace, limits=FAST) as p:
        yield p
