"""Watch one child: drain its pipes with caps, enforce the deadline, reap it, return raw facts.

Used by the zygote for forked children and by the parent (in a thread) for fresh interpreters.
The supervisor decides nothing about the probe; it only reports what it saw. What the child
writes lands in `Buffers` that are read into directly (no intermediate bytes objects), so the
zygote can wipe every byte of one run before it forks the next child: a later child inherits
the zygote's memory and must find nothing of an earlier run in it.
"""

from __future__ import annotations

import mmap
import os
import select
import signal
import time

__all__ = ["supervise", "kill_group", "Buffers"]

OUT_HEAD = 2048  # bytes of raw fd-level output kept for crash diagnostics
GRACE = 0.5  # seconds after the child's own timer before the hard kill
_CHUNK = 65536


class Buffers:
    """Reusable receive buffers for one child at a time, in mappings no fork inherits.

    MADV_DONTFORK keeps them out of every later child (and out of fork's page-table copy);
    `wipe` zeroes what a run used all the same, for hosts where madvise is refused.
    """

    def __init__(self) -> None:
        self.frame = _private(_CHUNK)
        self.progress = _private(_CHUNK)
        self.head = _private(OUT_HEAD)
        self.scratch = _private(_CHUNK)
        self.used = {"frame": 0, "progress": 0, "head": 0, "scratch": 0}

    def ensure(self, cap: int) -> None:
        size = cap + _CHUNK  # room to notice a child going over the cap
        for name in ("frame", "progress"):
            if len(getattr(self, name)) < size:
                getattr(self, name).close()
                setattr(self, name, _private(size))

    def view(self, name: str) -> memoryview:
        return memoryview(getattr(self, name))[: self.used[name]]

    def wipe(self) -> None:
        for name, used in self.used.items():
            if used:
                getattr(self, name)[:used] = bytes(used)
        self.used = dict.fromkeys(self.used, 0)


def _private(size: int) -> mmap.mmap:
    buf = mmap.mmap(-1, size)
    try:
        buf.madvise(mmap.MADV_DONTFORK)
    except (AttributeError, OSError):
        pass
    return buf


def kill_group(pid: int) -> None:
    """SIGKILL the child's process group (it leads its own session), then the pid itself."""
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def supervise(pid: int, res_r: int, prog_r: int, out_r: int, *, wall: float, frame_cap: int,
              out_cap: int, buffers: Buffers) -> dict:
    """Block until the child is gone; closes the three read ends. Bytes go to `buffers`."""
    start = time.monotonic()
    deadline = start + wall + GRACE
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    buffers.ensure(frame_cap)
    out_total = 0
    killed = None
    status = None
    poller = select.poll()
    open_fds = {res_r, prog_r, out_r}
    for fd in open_fds:
        poller.register(fd, select.POLLIN)
    if pidfd is not None:
        poller.register(pidfd, select.POLLIN)
    try:
        while open_fds or status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                killed = killed or "timeout"
                break
            if status is None and pidfd is None:
                status = _try_reap(pid)
                left = min(left, 0.02)
            for fd, _ in poller.poll(left * 1000):
                if fd == pidfd:
                    poller.unregister(pidfd)
                    status = _reap(pid)
                    # A dead child can hold no pipe: whatever is buffered is all there is.
                    deadline = min(deadline, time.monotonic() + 0.5)
                    continue
                if fd == out_r:
                    got = os.readv(fd, [buffers.scratch])
                    buffers.used["scratch"] = max(buffers.used["scratch"], got)
                    keep = min(got, OUT_HEAD - buffers.used["head"])
                    if keep > 0:
                        at = buffers.used["head"]
                        buffers.head[at : at + keep] = memoryview(buffers.scratch)[:keep]
                        buffers.used["head"] += keep
                    out_total += got
                    if out_total > out_cap:
                        killed = "output"
                else:
                    name = "frame" if fd == res_r else "progress"
                    at = buffers.used[name]
                    got = os.readv(fd, [memoryview(getattr(buffers, name))[at : at + _CHUNK]])
                    buffers.used[name] += got
                    if buffers.used[name] > frame_cap:
                        killed = "frame"
                if not got:
                    poller.unregister(fd)
                    open_fds.discard(fd)
            if killed:
                break
    finally:
        if status is None:
            kill_group(pid)
            status = _reap(pid)
        else:
            kill_group(pid)  # stray threads cannot exist, but a leftover group member might
        for fd in (res_r, prog_r, out_r):
            os.close(fd)
        if pidfd is not None:
            os.close(pidfd)
    exit_code = os.waitstatus_to_exitcode(status)
    return {
        "killed": killed, "exit": exit_code if exit_code >= 0 else None,
        "signal": -exit_code if exit_code < 0 else None, "out_total": out_total,
        "elapsed": time.monotonic() - start,
    }


def _reap(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def _try_reap(pid: int) -> int | None:
    try:
        got, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return 0
    return status if got else None
