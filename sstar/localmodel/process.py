"""Owning the llama-server child process: spawn it so it cannot outlive us, probe it, kill it.

No orphans, by three layers:
  * ``PR_SET_PDEATHSIG`` (set in the child between fork and exec): the kernel SIGKILLs the server
    when the thread that spawned it dies, which covers SIGKILL/SIGTERM/crash of our process.
    Spawn from a long-lived thread (the event loop's), never from a short-lived worker thread.
  * its own session/process group, so ``kill_group`` also reaches anything it forks;
  * an ``atexit`` hook that kills every server still registered on a normal interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import os
import signal
import socket
import subprocess
import threading
from typing import Any
from collections.abc import Sequence
from pathlib import Path

__all__ = ["free_port", "spawn", "kill_group", "http_get"]

_PR_SET_PDEATHSIG = 1
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()

_prctl: Any
try:
    # Resolve the symbol in the parent: the child between fork and exec should do as little as
    # possible (no dlopen, no allocation).
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
    _prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    _prctl.restype = ctypes.c_int
except (OSError, AttributeError):  # not Linux: fall back to atexit + process group only
    _prctl = None


def _make_preexec(parent_pid: int):
    def preexec() -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # The parent may have died between fork and prctl; then nobody would ever signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now (the server may still lose a race for it; callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def spawn(
    cmd: Sequence[str], log_path: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start ``cmd`` with its output in ``log_path``; it dies with us (see module docstring)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_make_preexec(os.getpid()),
            env=env,
            close_fds=True,
        )
    with _live_lock:
        _live.add(proc)
    return proc


def kill_group(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM the process group, SIGKILL it after ``grace`` seconds, and reap the leader."""
    try:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        # Also when the leader is gone: a child it forked may still hold the group.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    finally:
        with _live_lock:
            _live.discard(proc)


@atexit.register
def _kill_all() -> None:
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill_group(proc, grace=0.5)


async def http_get(host: str, port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """A minimal HTTP/1.0 GET (enough for ``/health``); raises OSError/TimeoutError on failure."""

    async def go() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
            await writer.drain()
            data = await reader.read(64 * 1024)
        finally:
            writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        parts = head.split(b" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise OSError(f"malformed HTTP response from {host}:{port}")
        return int(parts[1]), body

    return await asyncio.wait_for(go(), timeout)
