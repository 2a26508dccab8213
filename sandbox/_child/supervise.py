"""Watch one child: drain its pipes with caps, enforce the deadline, reap it, return raw facts.

Used by the zygote for forked children and by the parent (in a thread) for fresh interpreters.
The supervisor decides nothing about the probe; it only reports what it saw.
"""

from __future__ import annotations

import os
import select
import signal
import time

__all__ = ["supervise", "kill_group"]

OUT_HEAD = 2048  # bytes of raw fd-level output kept for crash diagnostics
GRACE = 0.5  # seconds after the child's own timer before the hard kill


def kill_group(pid: int) -> None:
    """SIGKILL the child's process group (it leads its own session), then the pid itself."""
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def supervise(pid: int, res_r: int, prog_r: int, out_r: int, *, wall: float, frame_cap: int,
              out_cap: int) -> dict:
    """Block until the child is gone; closes the three read ends."""
    start = time.monotonic()
    deadline = start + wall + GRACE
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    frame = bytearray()
    out_head = bytearray()
    out_total = 0
    progress = bytearray()
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
                data = os.read(fd, 65536)
                if not data:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                elif fd == res_r:
                    frame += data
                    if len(frame) > frame_cap:
                        killed = "frame"
                elif fd == prog_r:
                    progress += data
                    if len(progress) > frame_cap:
                        killed = "frame"
                else:
                    out_total += len(data)
                    out_head += data[: max(0, OUT_HEAD - len(out_head))]
                    if out_total > out_cap:
                        killed = "output"
            if killed:
                break
    finally:
        if status is None:
            kill_group(pid)
            status = _reap(pid)
        else:
            kill_group(pid)  # stray threads cannot exist, but a leftover group member might
        for fd in (res_r, prog_r, out_r, pidfd):
            if fd is not None:
                os.close(fd)
    exit_code = os.waitstatus_to_exitcode(status)
    return {
        "frame": bytes(frame), "progress": bytes(progress), "killed": killed,
        "exit": exit_code if exit_code >= 0 else None,
        "signal": -exit_code if exit_code < 0 else None,
        "out_head": out_head.decode("utf-8", "replace"), "out_total": out_total,
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
