"""SandboxPool: the asyncio entry point; runs probes in isolated children and returns results.

PoolMode.FORK_SERVER keeps one warm zygote per worker; FRESH_INTERPRETER starts a new
`sys.executable -I -S` per run and is used when the fork server cannot start (AUTO).
Sandbox processes die with the thread that started them (PR_SET_PDEATHSIG), so use a pool from
one event loop whose thread outlives it, as `asyncio.run` in the main thread does.

Nothing a child writes can make `run` raise: a forged, malformed or refusing frame fails that one
run (CRASHED). Only the start-up probe, which runs no candidate code, reports layers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from ._child import wire
from .api import Limits, OutcomeKind, PoolMode, Probe, ProbeResult, StepOutcome
from .errors import IsolationUnavailable, SandboxClosed, SandboxError
from .host import HostFacts
from .policy import HIDDEN_DEFAULT
from .report import ALL_LAYERS, PARENT_LAYERS, IsolationReport
from .verdict import Bounds, Decision, decide
from .workers import FreshRunner, Job, WorkerDied, ZygoteWorker

__all__ = ["SandboxPool"]

log = logging.getLogger("sandbox")
_DEFAULT_LIMITS = Limits()


class SandboxPool:
    """Children that run candidates. `hidden`: glob patterns of workspace entries they cannot
    read (names, or paths relative to the workspace when a pattern has a `/`)."""

    def __init__(self, workers: int | None = None, *, workspace: Path | None = None,
                 limits: Limits = _DEFAULT_LIMITS, require: Iterable[str] = (),
                 mode: PoolMode = PoolMode.AUTO,
                 hidden: Iterable[str] = HIDDEN_DEFAULT) -> None:
        if not isinstance(mode, PoolMode):
            raise TypeError(f"mode must be a sandbox.PoolMode (e.g. PoolMode.AUTO), not {mode!r}")
        self.size = workers or os.cpu_count() or 1
        self.workspace = Path(workspace).resolve() if workspace is not None else None
        self.limits = limits
        self.require = tuple(require)
        self.hidden = tuple(hidden)
        unknown = [r for r in self.require if r not in ALL_LAYERS]
        if unknown:
            raise IsolationUnavailable(
                f"unknown isolation layer(s) {unknown}; choose from {', '.join(ALL_LAYERS)}")
        self.mode = mode
        self.report = IsolationReport(None)
        self._facts: HostFacts | None = None
        self._idle: asyncio.Queue[ZygoteWorker] | None = None
        self._workers: list[ZygoteWorker] = []
        self._fresh: FreshRunner | None = None
        self._slots: asyncio.Semaphore | None = None
        self._closed = False

    async def __aenter__(self) -> SandboxPool:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def start(self) -> None:
        if self._closed:
            raise SandboxClosed("this pool was closed; create a new SandboxPool")
        self._facts = facts = await asyncio.to_thread(HostFacts.detect, self.workspace,
                                                      self.hidden)
        try:
            await self._start(facts)
        except BaseException:
            await self.close()
            raise

    async def _start(self, facts: HostFacts) -> None:
        if not facts.launcher:
            log.warning("sandbox: no namespaces: %s", facts.launcher_note)
        if self.mode in (PoolMode.AUTO, PoolMode.FORK_SERVER):
            try:
                await self._start_zygotes(facts)
                self.mode = PoolMode.FORK_SERVER
            except (TimeoutError, OSError, WorkerDied) as exc:
                if self.mode is PoolMode.FORK_SERVER:
                    raise SandboxError(f"the fork server did not start: {exc}") from exc
                log.warning("sandbox: fork server unavailable (%s); using a fresh interpreter "
                            "per run, which is several times slower", exc)
                self.mode = PoolMode.FRESH_INTERPRETER
        if self.mode is PoolMode.FRESH_INTERPRETER:
            self._fresh = FreshRunner(facts, self.size)
            self._slots = asyncio.Semaphore(self.size)
        decision = await self._execute("", Probe(("None",)), self.limits, probing=True)
        if not decision.layers:
            raise SandboxError(f"the sandbox start-up probe failed: {decision.result.setup}")
        self.report = IsolationReport.build(self.mode, decision.layers)
        for name, why in self.report.missing.items():
            log.warning("sandbox: isolation layer %s missing: %s", name, why)
        for name, why in self.report.weaker.items():
            log.warning("sandbox: isolation layer %s in a weaker mode: %s", name, why)
        missing = [r for r in self.require if not self.report.is_active(r)]
        if missing:
            raise IsolationUnavailable(
                "required isolation layer(s) unavailable: "
                + "; ".join(f"{r} ({self.report.missing.get(r, 'unknown')})" for r in missing)
                + ". Run on a kernel/host that provides them, or remove them from "
                "requireIsolation.")

    async def _start_zygotes(self, facts: HostFacts) -> None:
        self._workers = [ZygoteWorker(facts, slot) for slot in range(self.size)]
        results = await asyncio.gather(*(w.start() for w in self._workers),
                                       return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await asyncio.gather(*(w.kill() for w in self._workers))
            self._workers = []
            raise errors[0]
        self._idle = asyncio.Queue()
        for w in self._workers:
            self._idle.put_nowait(w)

    @property
    def worker_pids(self) -> tuple[int, ...]:
        """Pids of the live fork-server workers (empty on the fresh-interpreter path)."""
        return tuple(w.proc.pid for w in self._workers if w.proc is not None and w.alive)

    async def close(self) -> None:
        self._closed = True
        workers, self._workers = self._workers, []
        await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)
        if self._fresh is not None:
            await self._fresh.close()
            self._fresh = None
        if self._facts is not None:
            await asyncio.to_thread(self._facts.close)  # the budget cgroups, now empty

    async def run(self, module_source: str, probe: Probe,
                  limits: Limits | None = None) -> ProbeResult:
        if not isinstance(probe, Probe):
            raise TypeError("probe must be a sandbox.Probe (e.g. Probe.expression('f(1)'))")
        if self._closed or self._facts is None:
            raise SandboxClosed("the pool is not running; use `async with SandboxPool() as pool`")
        decision = await self._execute(module_source, probe, limits or self.limits)
        return decision.result

    async def run_many(self, module_source: str, probes: Sequence[Probe],
                       limits: Limits | None = None) -> list[ProbeResult]:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self.run(module_source, p, limits)) for p in probes]
        return [t.result() for t in tasks]

    def _job(self, module_source: str, probe: Probe, limits: Limits, nonce: str,
             probing: bool) -> Job:
        body = {"source": module_source, "steps": list(probe.steps), "nonce": nonce,
                "require": [] if probing else [r for r in self.require
                                               if r not in PARENT_LAYERS]}
        frame_cap = (2 << 20) + (len(probe.steps) + 1) * 8 * limits.output_bytes
        return Job({"wall": limits.wall_seconds, "memory": limits.memory_bytes,
                    "output": limits.output_bytes}, frame_cap, limits.output_bytes,
                   wire.dumps(body))

    async def _execute(self, module_source: str, probe: Probe, limits: Limits,
                       probing: bool = False) -> Decision:
        nonce = secrets.token_hex(16)
        job = self._job(module_source, probe, limits, nonce, probing)
        bounds = Bounds(limits.output_bytes, limits.wall_seconds)
        if self._fresh is not None:
            assert self._slots is not None
            async with self._slots:
                raw = await self._fresh.run(job)
            return decide(raw, probe, nonce, bounds, probing=probing)
        for _attempt in range(2):  # a dead zygote is replaced once, then we give up
            worker = await self._acquire()
            try:
                raw = await worker.run(job)
                return decide(raw, probe, nonce, bounds, probing=probing)
            except (TimeoutError, WorkerDied, ConnectionError) as exc:
                log.warning("sandbox: worker failed (%s); replacing it", exc)
            finally:
                self._release(worker)
        crashed = StepOutcome(OutcomeKind.CRASHED, exception_message="sandbox worker died twice")
        return Decision(ProbeResult(crashed, (StepOutcome(OutcomeKind.NOT_RUN),) *
                                    len(probe.steps), 0.0))

    async def refresh(self) -> None:
        """Find the workspace's hidden entries again; workers whose view differs are restarted
        before their next run. The engine calls this before each solve, so a `.env` created
        since the pool started is hidden from the next solve on."""
        facts = self._facts
        if facts is None or self._closed or self.workspace is None:
            return
        new = await asyncio.to_thread(facts.rescanned, self.workspace, self.hidden)
        if (new.workspace, new.hidden) == (facts.workspace, facts.hidden):
            return
        self._facts = new
        if self._fresh is not None:
            self._fresh.facts = new
        for worker in self._workers:
            worker.renew(new)

    async def _acquire(self) -> ZygoteWorker:
        assert self._idle is not None
        worker = await self._idle.get()
        if not worker.alive or worker.stale or self._closed:
            try:
                if self._closed:
                    raise SandboxClosed("the pool was closed while waiting for a worker")
                if worker.alive:
                    await worker.close()
                await worker.start()
            except BaseException:
                self._idle.put_nowait(worker)
                raise
        return worker

    def _release(self, worker: ZygoteWorker) -> None:
        assert self._idle is not None
        task = worker.drain_task
        if task is not None and not task.done():
            task.add_done_callback(lambda _: self._release(worker))
            return
        worker.drain_task = None
        self._idle.put_nowait(worker)
