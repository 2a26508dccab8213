"""The registry of running solves: each one is an `asyncio.Task` the server owns.

pygls 2.1 does not stop an async command's coroutine when the client cancels the request, so the
command only starts a job and returns its id; the job ends by finishing, by `cancel` (the
`sstar.cancel` command, a progress cancel, or shutdown) or by being superseded (the same function
solved again). Cancelling the task is all it takes: the engine abandons model requests and the
sandbox kills the children it started.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Job", "JobRegistry"]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Job:
    id: str
    uri: str
    qualname: str
    stage: str = "starting"
    token: str | None = None  # the work done progress token, once the client accepted it
    task: asyncio.Task | None = field(default=None, repr=False)
    cancel_reason: str = "cancelled"

    @property
    def key(self) -> tuple[str, str]:
        return self.uri, self.qualname

    def status(self) -> dict[str, object]:
        return {"jobId": self.id, "qualname": self.qualname, "stage": self.stage}


class JobRegistry:
    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._on_change = on_change

    @property
    def running(self) -> list[Job]:
        return list(self._jobs.values())

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def for_token(self, token: object) -> Job | None:
        return next((job for job in self._jobs.values() if job.token == token), None)

    def start(self, uri: str, qualname: str, run: Callable[[Job], Awaitable[None]]) -> Job:
        """Start `run(job)` as a task; a running job for the same function is superseded."""
        for old in self._jobs.values():
            if old.key == (uri, qualname):
                old.cancel_reason = "superseded by a new solve of the same function"
                old.task.cancel()
        job = Job(id=f"job-{next(self._ids)}", uri=uri, qualname=qualname)
        self._jobs[job.id] = job
        job.task = asyncio.get_running_loop().create_task(run(job), name=f"sstar {job.id}")
        job.task.add_done_callback(lambda _: self._finished(job))
        self._on_change()
        return job

    def cancel(self, job_id: str | None = None, reason: str = "cancelled") -> list[str]:
        """Cancel one job, or all when `job_id` is None; the ids actually cancelled."""
        chosen = [j for j in self._jobs.values() if job_id is None or j.id == job_id]
        for job in chosen:
            job.cancel_reason = reason
            job.task.cancel()
        return [job.id for job in chosen]

    async def cancel_all_and_wait(self, timeout: float = 10.0) -> None:
        tasks = [job.task for job in self._jobs.values()]
        self.cancel(reason="the language server is shutting down")
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=timeout)
            if pending:
                log.warning("%d jobs did not stop within %.0f s", len(pending), timeout)

    def set_stage(self, job: Job, stage: str) -> None:
        if job.stage != stage:
            job.stage = stage
            self._on_change()

    def _finished(self, job: Job) -> None:
        if self._jobs.get(job.id) is job:
            del self._jobs[job.id]
            self._on_change()
