"""The two ways to run one job: a warm zygote worker, or a fresh interpreter per run.

Both return the supervisor's raw facts (see _child/supervise.py, plus the frame, checkpoints and
output head as bytes) and, when cancelled, kill the child they started before re-raising; a
zygote is drained in the background so it stays warm. A zygote that answers out of protocol is
killed and replaced (WorkerDied), never believed.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import queue
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dataclasses import dataclass

from ._child import cleanup, runner, supervise, wire
from .host import HostFacts

__all__ = ["ZygoteWorker", "FreshRunner", "WorkerDied", "MARKER", "Job"]

MARKER = "sstar-sandbox"  # appears in every sandbox process's command line (tests count them)
_PKG_DIR = str(Path(__file__).resolve().parent)
_BOOT = f"#{MARKER}-{{kind}}\nimport sys; sys.path.insert(0, {_PKG_DIR!r}); from _child import {{mod}}; {{mod}}.{{fn}}()"
ZYGOTE_BOOT = _BOOT.format(kind="zygote", mod="zygote", fn="main")
FRESH_BOOT = _BOOT.format(kind="fresh", mod="entry", fn="fresh_main")
log = logging.getLogger("sandbox")
_STARTUP_SECONDS = 30.0
_REPLY_SLACK = 5.0  # beyond the child's wall+grace, for the zygote's own bookkeeping
_FRESH_STARTUP = 1.0  # interpreter start counts against the deadline of a fresh run


class WorkerDied(Exception):
    """The zygote process ended or stopped answering."""


@dataclass(frozen=True)
class Job:
    """One run: a small header the zygote reads, and a body only the child parses."""

    limits: dict  # wall, memory, output
    frame_cap: int
    out_cap: int
    body: bytes  # JSON {source, steps, nonce, require}

    def header(self) -> dict:
        return {"limits": self.limits, "frame_cap": self.frame_cap, "out_cap": self.out_cap,
                "body": len(self.body)}


_FACTS = {"killed": (str, type(None)), "exit": (int, type(None)), "signal": (int, type(None)),
          "out_total": (int,), "elapsed": (int, float), "oom": (bool,)}


def _facts(msg: dict, cap: int) -> tuple[dict, list[int]]:
    """The supervisor's facts and the sizes of the raw parts that follow; WorkerDied if odd."""
    facts, sizes = msg.get("done"), msg.get("sizes")
    if (type(facts) is not dict or set(facts) != set(_FACTS)
            or any(type(facts[k]) not in types for k, types in _FACTS.items())
            or type(sizes) is not list or len(sizes) != 3
            or any(type(n) is not int or not 0 <= n <= cap for n in sizes)):
        raise WorkerDied("malformed zygote reply")
    return facts, sizes


class ZygoteWorker:
    def __init__(self, facts: HostFacts, slot: int) -> None:
        self.facts, self.slot = facts, slot
        self.config = facts.child_config(slot)
        self.stale = False  # its view predates the current facts: restart before the next run
        self.base: str | None = None
        self.work: str | None = None  # the workdir base as the zygote sees it
        self.proc: asyncio.subprocess.Process | None = None
        self.drain_task: asyncio.Task | None = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def renew(self, facts: HostFacts) -> None:
        """Use `facts` from the next start on (the running zygote's view is fixed)."""
        self.facts, self.config, self.stale = facts, facts.child_config(self.slot), True

    async def start(self) -> None:
        self.stale = False
        self._remove_base()  # of a zygote that died (it cannot clean up after itself)
        argv = [*self.facts.launcher, sys.executable, "-I", "-S", "-c", ZYGOTE_BOOT,
                str(os.getpid())]
        self.proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            env=self.facts.env, start_new_session=True, limit=1 << 20)
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(wire.pack_frame(wire.dumps({"config": self.config})))
            msg = await self._recv(1 << 16, _STARTUP_SECONDS)
        except BaseException:
            await self.kill()
            raise
        if "ready" not in msg:
            await self.kill()
            raise WorkerDied(f"unexpected zygote greeting {msg!r}")
        self.base, self.work = msg.get("base"), msg.get("work")

    async def _recv(self, cap: int, seconds: float) -> dict:
        """One message, or TimeoutError. Not asyncio.wait_for: on Python 3.11 it can swallow a
        cancellation that arrives as the read completes, and then a cancelled run() would go
        on waiting for its child's whole deadline."""
        assert self.proc is not None and self.proc.stdout is not None
        try:
            async with asyncio.timeout(seconds):
                header = await self.proc.stdout.readexactly(wire.HEADER.size)
                (size,) = wire.HEADER.unpack(header)
                if size > cap:
                    raise WorkerDied(f"zygote reply of {size} bytes is over the cap")
                msg = wire.loads(await self.proc.stdout.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError, wire.WireError) as exc:
            raise WorkerDied(f"zygote channel broke: {exc!r}") from exc
        if type(msg) is not dict:
            raise WorkerDied("malformed zygote message")
        return msg

    async def _started(self) -> int:
        msg = await self._recv(1 << 16, _STARTUP_SECONDS)
        if type(msg.get("started")) is not int or msg["started"] <= 0:
            raise WorkerDied("malformed zygote reply")
        return msg["started"]

    async def _done(self, cap: int, seconds: float) -> dict:
        """The supervisor's facts and the raw frame, checkpoints and output head."""
        assert self.proc is not None and self.proc.stdout is not None
        facts, sizes = _facts(await self._recv(1 << 16, seconds), cap)
        try:
            async with asyncio.timeout(_REPLY_SLACK):
                parts = [await self.proc.stdout.readexactly(n) for n in sizes]
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise WorkerDied(f"zygote channel broke: {exc!r}") from exc
        return dict(facts, frame=parts[0], progress=parts[1], out_head=parts[2])

    async def run(self, job: Job) -> dict:
        assert self.proc is not None and self.proc.stdin is not None
        cap = job.frame_cap + (1 << 20)
        wall = float(job.limits["wall"]) + supervise.GRACE + _REPLY_SLACK
        unread = 2
        child = None
        try:
            self.proc.stdin.write(wire.pack_frame(wire.dumps({"run": job.header()})) + job.body)
            await self.proc.stdin.drain()
            child = await self._started()
            unread = 1
            raw = await self._done(cap, wall)
            unread = 0
        except (TimeoutError, asyncio.CancelledError, WorkerDied, ConnectionError):
            if child is not None:
                supervise.kill_group(child)
            self.drain_task = asyncio.get_running_loop().create_task(self._drain(unread, cap))
            raise
        return raw

    async def _drain(self, unread: int, cap: int) -> None:
        """Read the replies of a run we abandoned, killing its child; kill the zygote on doubt."""
        try:
            if unread == 2:
                supervise.kill_group(await self._started())
            if unread:
                await self._done(cap, _REPLY_SLACK + 3)
        except asyncio.CancelledError:
            await self.kill()
            raise
        except Exception:  # noqa: BLE001 - a worker we cannot trust is simply replaced
            await self.kill()

    async def kill(self) -> None:
        """Stop the zygote (its children are killed by the supervisor or die with their pipes)."""
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None:
            try:
                os.killpg(proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
        await proc.wait()
        self._remove_base()

    def _remove_base(self) -> None:
        # A killed zygote cannot clean up after itself.
        if self.base and os.path.basename(self.base).startswith("sstar-worker-"):
            _remove(self.base)
        self.base = None

    async def close(self) -> None:
        if self.drain_task is not None:
            await asyncio.gather(self.drain_task, return_exceptions=True)
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            async with asyncio.timeout(5):
                await proc.wait()
        except TimeoutError:
            await self.kill()
        # The zygote empties its own tmpfs, but the directory under it is the host's.
        self._remove_base()


class FreshRunner:
    """One new interpreter per run, supervised in a thread (for hosts where forking fails)."""

    def __init__(self, facts: HostFacts, threads: int) -> None:
        self.facts = facts
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sandbox")
        # One budget slot per run in flight (a slot's cgroup holds one child at a time).
        self.slots: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(threads):
            self.slots.put(i)

    async def run(self, job: Job) -> dict:
        handle = _Handle()
        fut = asyncio.get_running_loop().run_in_executor(self.executor, self._slotted, job,
                                                          handle)
        try:
            return await asyncio.shield(fut)
        except asyncio.CancelledError:
            handle.cancel()
            raise

    def _slotted(self, job: Job, handle: _Handle) -> dict:
        slot = self.slots.get()
        try:
            return self._blocking(job, handle, slot)
        finally:
            self.slots.put(slot)

    def _blocking(self, job: Job, handle: _Handle, slot: int) -> dict:
        base = tempfile.mkdtemp(prefix=f"sstar-fresh-{os.getpid()}-", dir=self.facts.tmp_base)
        os.mkdir(os.path.join(base, "run"), 0o700)
        config = self.facts.child_config(slot)
        body = wire.loads(job.body)
        assert type(body) is dict  # we wrote it
        request = dict(body, limits=job.limits)
        message = {"config": dict(config, base=base, parent_pid=os.getpid()),
                   "request": request}
        pipes = [os.pipe() for _ in range(4)]  # stdin, result, progress, output
        (in_r, in_w), (res_r, res_w), (prog_r, prog_w), (out_r, out_w) = pipes
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (in_r, out_w, res_w, prog_w)]
        actions = [(os.POSIX_SPAWN_DUP2, high[0], 0), (os.POSIX_SPAWN_DUP2, high[1], 1),
                   (os.POSIX_SPAWN_DUP2, high[1], 2),
                   (os.POSIX_SPAWN_DUP2, high[2], runner.RESULT_FD),
                   (os.POSIX_SPAWN_DUP2, high[3], runner.PROGRESS_FD)]
        argv = [*self.facts.launcher, sys.executable, "-I", "-S", "-c", FRESH_BOOT]
        try:
            pid = os.posix_spawn(argv[0], argv, self.facts.env, file_actions=actions,
                                 setsid=True)
        finally:
            for fd in (*high, in_r, res_w, prog_w, out_w):
                os.close(fd)
        handle.started(pid)
        try:
            _write_all(in_w, wire.dumps(message))
        except OSError:
            pass  # the child died early; the supervisor reports how
        finally:
            os.close(in_w)
        slot_files = config["budget"]["slot"]
        oom_before = _oom_kills(slot_files)
        buffers = supervise.Buffers()
        try:
            wall = float(job.limits["wall"]) + _FRESH_STARTUP
            facts = supervise.supervise(pid, res_r, prog_r, out_r, wall=wall,
                                        frame_cap=job.frame_cap, out_cap=job.out_cap,
                                        buffers=buffers)
        finally:
            _remove(base)
        facts["oom"] = _oom_kills(slot_files) > oom_before
        parts = {name: bytes(buffers.view(name)) for name in ("frame", "progress", "head")}
        return dict(facts, frame=parts["frame"], progress=parts["progress"],
                    out_head=parts["head"])

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.executor.shutdown, True)


class _Handle:
    """Who kills a fresh child on cancel: the loop if it was spawned, else the spawning thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.cancelled = False

    def cancel(self) -> None:
        with self.lock:
            self.cancelled, pid = True, self.pid
        if pid is not None:
            supervise.kill_group(pid)

    def started(self, pid: int) -> None:
        with self.lock:
            self.pid, cancelled = pid, self.cancelled
        if cancelled:
            supervise.kill_group(pid)


def _oom_kills(slot: dict | None) -> int:
    """The OOM-kill count of a budget slot, read on the host side (fresh-interpreter path)."""
    if not slot or not slot.get("oom"):
        return 0
    try:
        with open(slot["oom"]) as f:
            for line in f:
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _remove(path: str) -> None:
    try:
        cleanup.remove_tree(path)
    except OSError as exc:  # never fail a run over cleanup; say where the leftovers are
        log.warning("sandbox: could not remove %s: %s", path, exc)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
