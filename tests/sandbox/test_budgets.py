"""Attack classes 3 and 4 (task and memory bombs), measured from the host: the child's task count
while it holds its threads, and the budget cgroup's peak memory; plus the fallback modes."""

from __future__ import annotations

import asyncio
import os
import platform
from pathlib import Path

import pytest
import pytest_asyncio

from sandbox import Limits, LayerStatus, OutcomeKind, Probe, SandboxPool, budget

from .conftest import FAST, child_pids, sandbox_processes

pytestmark = pytest.mark.asyncio(loop_scope="module")
SMALL = Limits(wall_seconds=3.0, memory_bytes=64 * 1024 * 1024, output_bytes=16 * 1024)
HOLD = Limits(wall_seconds=5.0, memory_bytes=256 * 1024 * 1024, output_bytes=16 * 1024)

THREAD_BOMB = """
import threading, time
threading.stack_size(64 * 1024)
stop = threading.Event()
def bomb():
    started = 0
    try:
        while started < 5000:
            threading.Thread(target=stop.wait).start()
            started += 1
    except (RuntimeError, MemoryError):
        pass
    time.sleep(0.6)  # hold them while the host counts
    stop.set()
    return started
"""
# x86_64: clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) with no
# stack; the new thread only loops on pause(), so sharing the caller's stack is harmless. Threads
# made this way escape RLIMIT_AS (no stacks are mapped): the attack review's 12,000 tasks.
RAW_CLONE = """
import ctypes, mmap, time
code = bytes.fromhex("b838000000bf000f050031f631d24531d24531c00f054885c07401c3b8220000000f05ebf7")
page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(code)
clone = ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
def bomb():
    made = 0
    while made < 5000 and clone() > 0:
        made += 1
    time.sleep(0.6)
    return made
"""


def tasks(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


async def peak_tasks_while(pool: SandboxPool, run) -> tuple[object, int]:
    """Run a probe and sample, from the host, the task count of the child running it."""
    task = asyncio.ensure_future(run)
    peak = 0
    while not task.done():
        for pid in child_pids(pool):
            peak = max(peak, tasks(pid))
        await asyncio.sleep(0.005)  # sampling for the measurement, not synchronisation
    return await task, peak


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool():
    async with SandboxPool(1, limits=FAST) as p:
        yield p


async def test_a_thread_bomb_is_held_to_the_budget(pool):
    assert pool.report.state("pid_budget").status is LayerStatus.ACTIVE, pool.report
    r, peak = await peak_tasks_while(pool, pool.run(THREAD_BOMB, Probe.expression("bomb()"), HOLD))
    assert r.steps[0].kind is OutcomeKind.RETURNED, r.steps[0]
    assert 0 < r.steps[0].value < budget.PIDS_MAX
    assert 0 < peak <= budget.PIDS_MAX  # the child and its threads, counted on the host


async def test_raw_clone_threads_without_stacks_are_counted_too(pool):
    if platform.machine() != "x86_64":  # the machine code below is x86_64's
        r = await pool.run(THREAD_BOMB, Probe.expression("bomb()"), HOLD)
        assert r.steps[0].value < budget.PIDS_MAX
        return
    r, peak = await peak_tasks_while(pool, pool.run(RAW_CLONE, Probe.expression("bomb()"), HOLD))
    assert r.steps[0].kind is OutcomeKind.RETURNED, r.steps[0]
    assert 0 < r.steps[0].value < budget.PIDS_MAX
    assert 0 < peak <= budget.PIDS_MAX
    assert sandbox_processes() == set(pool.worker_pids)  # all those tasks died with the child


async def test_a_small_thread_pool_still_works(pool):
    src = ("from concurrent.futures import ThreadPoolExecutor\n"
           "def squares(n):\n    with ThreadPoolExecutor(8) as ex:\n"
           "        return list(ex.map(lambda x: x * x, range(n)))\n")
    # Default limits: eight 8 MiB thread stacks do not fit the tests' usual 256 MiB of address space.
    r = await pool.run(src, Probe.expression("squares(50)"), Limits())
    assert r.steps[0].value == [x * x for x in range(50)], r.steps[0]


def peak_memory(pool: SandboxPool) -> int:
    """The budget slot's peak memory as its cgroup saw it (zygote included)."""
    top = pool._facts.budget.dirs["memory"]
    for name in ("memory.peak", "memory.max_usage_in_bytes"):
        path = Path(top) / "w0" / name
        if path.exists():
            return int(path.read_text().split()[0])
    raise AssertionError("no peak counter")


def reset_peak(pool: SandboxPool) -> None:
    path = Path(pool._facts.budget.dirs["memory"]) / "w0" / "memory.max_usage_in_bytes"
    if path.exists():
        path.write_text("0")


async def test_memfd_and_tmpfs_memory_count_against_the_budget(pool):
    assert pool.report.state("memory_budget").status is LayerStatus.ACTIVE, pool.report
    reset_peak(pool)
    bombs = [
        # RLIMIT_FSIZE caps each memfd at 16 MiB: use many, as the attack review did.
        "fds = [os.memfd_create('x') for _ in range(50)]\n"
        "for fd in fds:\n    for i in range(15):\n        os.write(fd, b'x' * (1 << 20))",
        "import mmap\nm = mmap.mmap(-1, 1 << 30, flags=mmap.MAP_SHARED)\n"
        "for i in range(0, 1 << 30, 4096):\n    m[i] = 1",
    ]
    for bomb in bombs:
        r = await pool.run("import os", Probe((bomb, "1")), SMALL)
        assert r.steps[0].kind in (OutcomeKind.MEMORY_EXCEEDED, OutcomeKind.RAISED), r.steps[0]
        assert r.steps[0].kind is not OutcomeKind.RAISED or r.steps[0].exception_type in (
            "MemoryError", "OSError")
    slot = Path(pool._facts.budget.dirs["memory"]) / "w0"
    limit_file = slot / ("memory.max" if (slot / "memory.max").exists() else "memory.limit_in_bytes")
    limit = int(limit_file.read_text())
    zygote = limit - SMALL.memory_bytes
    assert 0 < zygote < 128 * 1024 * 1024  # the warm zygote's own share of the slot
    # Host side: the zygote's pages plus the run's 64 MiB at most, not the 1 GiB asked for.
    assert peak_memory(pool) <= limit
    again = await pool.run("", Probe.expression("6 * 7"))
    assert again.steps[0].value == 42  # the zygote survived its child's OOM kill


async def test_without_a_cgroup_the_weaker_modes_are_named_and_enforced(monkeypatch):
    monkeypatch.setattr(budget, "detect", lambda: (None, "cgroups switched off by this test"))
    async with SandboxPool(1, limits=FAST) as weak:
        report = weak.report
        assert report.state("memory_budget").status is LayerStatus.WEAKER
        assert "memfd_create" in report.state("memory_budget").detail
        pid_state = report.state("pid_budget")
        r = await weak.run("import os, threading, ctypes", Probe((
            "os.memfd_create('x')",
            "libc = ctypes.CDLL(None, use_errno=True); libc.shmget(0, 1 << 20, 0o1600)",
            "t = threading.Thread(target=lambda: None); t.start(); t.join(); 'thread ran'",
        )))
    assert r.steps[0].exception_type == "PermissionError"
    assert r.steps[1].value == -1
    if os.getuid() == 0:  # RLIMIT_NPROC never binds host root: no threads at all, and it says so
        assert pid_state.status is LayerStatus.WEAKER and "threads denied" in pid_state.detail
        assert r.steps[2].kind is OutcomeKind.RAISED
    else:  # a user namespace of its own: RLIMIT_NPROC counts the child's threads
        assert pid_state.status is LayerStatus.ACTIVE and "RLIMIT_NPROC" in pid_state.detail
        assert r.steps[2].value == "thread ran"
