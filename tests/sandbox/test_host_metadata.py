"""Attack classes 1 and 2, with host-side evidence: a candidate changes no host file's metadata
and no other process's scheduling, whatever call it uses."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
from pathlib import Path

import pyseccomp as sc
import pytest
import pytest_asyncio

from sandbox import OutcomeKind, Probe, SandboxPool

from .conftest import FAST, sandbox_processes, zygote_pids

pytestmark = pytest.mark.asyncio(loop_scope="module")
AT_FDCWD = -100


def nr(name: str) -> int:
    return sc.resolve_syscall(sc.Arch.NATIVE, name)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "data.txt").write_text("precious")
    return root


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool(project: Path):
    async with SandboxPool(2, workspace=project, limits=FAST) as p:
        yield p


def metadata(path: Path) -> tuple:
    st = os.lstat(path)
    attrs = {name: os.getxattr(path, name) for name in os.listxattr(path)}
    return (st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_size, path.read_bytes(),
            attrs)


async def test_host_file_metadata_cannot_change(pool, project: Path):
    target = project / "data.txt"
    target.chmod(0o600)
    os.utime(target, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    os.setxattr(target, "user.tag", b"keep")
    before = metadata(target)
    p = str(target)
    calls = [
        f"os.chmod({p!r}, 0o777)",
        f"os.chmod({p!r}, 0o4755)",  # the setuid escalation of the attack review
        f"os.chown({p!r}, 65534, 65534)",
        f"os.lchown({p!r}, 65534, 65534)",
        f"os.utime({p!r}, (0, 0))",
        f"os.utime({p!r}, None)",
        f"os.setxattr({p!r}, 'user.tag', b'pwned')",
        f"os.setxattr({p!r}, 'user.new', b'x')",
        f"os.removexattr({p!r}, 'user.tag')",
        f"fd = os.open({p!r}, os.O_RDONLY); os.fchmod(fd, 0o777)",
        f"fd = os.open({p!r}, os.O_RDONLY); os.fchown(fd, 1, 1)",
        f"fd = os.open({p!r}, os.O_RDONLY); os.utime(fd, (0, 0))",
        f"fd = os.open({p!r}, os.O_RDONLY); fcntl.ioctl(fd, 0x40086602, struct.pack('l', 0x10))",
        f"raw({nr('fchmodat2')}, {AT_FDCWD}, {p.encode()!r}, 0o777, 0)",
        f"raw(463, {AT_FDCWD}, {p.encode()!r}, 0, b'user.tag', 0, 0)",  # setxattrat
        f"raw(469, {AT_FDCWD}, {p.encode()!r}, b'\\0' * 64, 24, 0)",  # file_setattr
        f"os.truncate({p!r}, 0)",
        f"open({p!r}, 'w').write('x')",
        f"os.rename({p!r}, {p + '.moved'!r})",
        f"os.link({p!r}, 'hard')",  # a hard link would let a later chmod in the workdir reach it
    ]
    setup = ("import os, fcntl, struct, ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
             "def raw(n, *args):\n    r = libc.syscall(n, *args)\n"
             "    if r < 0:\n        raise OSError(ctypes.get_errno(), 'denied')\n    return r\n")
    r = await pool.run(setup, Probe(tuple(calls)))
    assert r.setup.kind is OutcomeKind.RETURNED
    for call, step in zip(calls, r.steps, strict=True):
        assert step.kind is OutcomeKind.RAISED, (call, step)
    assert metadata(target) == before
    assert not (project / "data.txt.moved").exists()


async def test_a_setuid_copy_is_impossible_even_in_the_workdir(pool):
    lib = next(p for p in ("/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6",
                            "/lib64/libc.so.6") if os.path.exists(p))
    r = await pool.run("import os, shutil, stat", Probe((
        f"shutil.copyfile({lib!r}, 'copy') and None",
        "os.chmod('copy', 0o4755)",
        "oct(os.stat('copy').st_mode & 0o7777)",
        "os.statvfs('.').f_flag & (os.ST_NOSUID | os.ST_NOEXEC)",
    )))
    assert r.steps[0].kind is OutcomeKind.RETURNED
    assert r.steps[1].exception_type == "PermissionError"
    assert r.steps[2].value == "0o644" or not int(r.steps[2].value, 8) & 0o4000
    assert r.steps[3].value == os.ST_NOSUID | os.ST_NOEXEC  # and it could not run there anyway


def sched_state(pid: int) -> tuple:
    ioprio = ctypes.CDLL(None, use_errno=True).syscall(nr("ioprio_get"), 1, pid)
    return (os.getpriority(os.PRIO_PROCESS, pid), os.sched_getscheduler(pid),
            os.sched_getparam(pid).sched_priority, frozenset(os.sched_getaffinity(pid)), ioprio,
            resource.prlimit(pid, resource.RLIMIT_NOFILE),
            resource.prlimit(pid, resource.RLIMIT_AS))


async def test_other_processes_keep_their_scheduling(pool):
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                              start_new_session=True)
    try:
        (zygote, *_) = zygote_pids(pool)
        victims = {victim.pid: sched_state(victim.pid), zygote: sched_state(zygote),
                   os.getpid(): sched_state(os.getpid())}
        calls = []
        for pid in victims:
            calls += [
                f"os.setpriority(os.PRIO_PROCESS, {pid}, 19)",
                f"os.setpriority(os.PRIO_PGRP, {pid}, 19)",
                f"os.sched_setscheduler({pid}, os.SCHED_IDLE, os.sched_param(0))",
                f"os.sched_setscheduler({pid}, os.SCHED_BATCH, os.sched_param(0))",
                f"os.sched_setparam({pid}, os.sched_param(0))",
                f"os.sched_setaffinity({pid}, {{0}})",
                f"raw({nr('sched_setattr')}, {pid}, bytes(56), 0)",
                f"raw({nr('ioprio_set')}, 1, {pid}, 3 << 13)",  # IOPRIO_CLASS_IDLE
                f"raw({nr('ioprio_set')}, 2, {pid}, 3 << 13)",  # its process group
                f"resource.prlimit({pid}, resource.RLIMIT_NOFILE, (1, 1))",
                f"resource.prlimit({pid}, resource.RLIMIT_AS, (1 << 20, 1 << 20))",
            ]
        # PRIO_USER would renice every process of the user: probe it on a uid that has none, where
        # a call that got through would answer ESRCH, not the filter's EPERM.
        calls.append("os.setpriority(os.PRIO_USER, 54321, 19)")
        setup = ("import os, resource, ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                 "def raw(n, *args):\n    r = libc.syscall(n, *args)\n"
                 "    if r < 0:\n        raise OSError(ctypes.get_errno(), 'denied')\n    return r\n")
        r = await pool.run(setup, Probe(tuple(calls)))
        for call, step in zip(calls, r.steps, strict=True):
            assert step.kind is OutcomeKind.RAISED and step.exception_type == "PermissionError", \
                (call, step)
        for pid, before in victims.items():
            assert sched_state(pid) == before, pid
    finally:
        victim.kill()
        victim.wait()
    assert sandbox_processes() == zygote_pids(pool)
