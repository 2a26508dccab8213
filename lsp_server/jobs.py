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
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .documents import uri_key

if TYPE_CHECKING:
    from .store import Placement

__all__ = ["Job", "JobRegistry", "Preview"]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Preview:
    """The first candidate of a running solve that passes every public test: offered to the user
    (`sstar/preview`) while selection goes on."""

    candidate_id: str
    body: str
    code: str
    passed: int
    total: int
    sent: bool = False
    accepted: bool = False  # written into the document at the user's request


@dataclass(eq=False)
class Job:
    id: str
    uri: str  # as the client spells it
    qualname: str
    stage: str = "starting"
    token: str | None = None  # the work done progress token, once the client accepted it
    task: asyncio.Task | None = field(default=None, repr=False)
    cancel_reason: str = "cancelled"
    placement: Placement | None = field(default=None, repr=False)  # once the problem is read
    preview: Preview | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return uri_key(self.uri), self.qualname

    @property
    def done(self) -> bool:
        return self.task is not None and self.task.done()

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

    def with_preview(self, job_id: str | None, uri: str | None) -> Job | None:
        """The job `job_id`, else the latest running one (of document `uri`) with a preview."""
        if job_id is not None:
            return self._jobs.get(job_id)
        offered = [
            job for job in self._jobs.values()
            if job.preview is not None and job.preview.sent and (uri is None or job.key[0] == uri_key(uri))
        ]
        return offered[-1] if offered else None

    def for_token(self, token: object) -> Job | None:
        return next((job for job in self._jobs.values() if job.token == token), None)

    def start(self, uri: str, qualname: str, run: Callable[[Job], Coroutine[Any, Any, None]]) -> Job:
        """Start `run(job)` as a task; a running job for the same function is superseded."""
        for old in self._jobs.values():
            if old.key == (uri_key(uri), qualname) and old.task is not None:
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
            if job.task is not None:
                job.task.cancel()
        return [job.id for job in chosen]

    async def cancel_all_and_wait(self, timeout: float = 10.0) -> None:
        tasks = [job.task for job in self._jobs.values() if job.task is not None]
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
