"""Render one job's engine events: `$/progress` on a server-created token (when the client supports
it), `window/logMessage` lines per stage, and the job's stage for `sstar/status`.

Reports read like `sampling 5/8`, `debugging round 1: 3/8 pass`, `selecting: 3 behaviour groups`
(from `sstar.events.describe`) with a percentage that only grows: sampling fills up to 50%,
repair rounds up to 80%, selection the rest.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from sstar.events import (
    Event,
    GroupsFormed,
    InputsSynthesized,
    MatchJudged,
    Notice,
    RoundFinished,
    SampleGenerated,
    SolveFinished,
    SolveStarted,
    Stage,
    StageStarted,
    describe,
)

if TYPE_CHECKING:
    from .jobs import Job
    from .server import SStarServer

__all__ = ["JobProgress"]

log = logging.getLogger(__name__)
_QUIET = (SampleGenerated, MatchJudged)  # reported as progress, too many for the log


class JobProgress:
    def __init__(self, server: SStarServer, job: Job) -> None:
        self.server = server
        self.job = job
        self.rounds = 1
        self.percentage = 0
        self.ended = False

    async def begin(self, title: str) -> None:
        """Create the token (if the client can show progress) and send `begin`."""
        if self.server.supports_progress:
            token = f"sstar/{self.job.id}"
            try:
                await self.server.work_done_progress.create_async(token)
            except Exception as error:  # a client that refuses the token: progress goes to the log
                log.warning("work done progress refused: %s", error)
            else:
                self.job.token = token
                begin = types.WorkDoneProgressBegin(title=title, message="starting", percentage=0, cancellable=True)
                self.server.work_done_progress.begin(token, begin)
                # a first report at once: editors show movement before the problem is read
                report = types.WorkDoneProgressReport(message="reading the function", percentage=1, cancellable=True)
                self.server.work_done_progress.report(token, report)
        self.log(f"{title}: started")

    def on_event(self, event: Event) -> None:
        """The engine's event sink (called synchronously on the event loop)."""
        line = describe(event)
        self._track(event)
        if line is None or isinstance(event, SolveFinished):
            return
        if not isinstance(event, _QUIET) or _last_sample(event):
            self.log(line)
        if self.job.token is not None and self.server.connected:
            report = types.WorkDoneProgressReport(message=line, percentage=self.percentage, cancellable=True)
            self.server.work_done_progress.report(self.job.token, report)

    def end(self, message: str) -> None:
        if self.ended:
            return
        self.ended = True
        self.log(message)
        if self.job.token is not None and self.server.connected:
            self.server.work_done_progress.end(self.job.token, types.WorkDoneProgressEnd(message=message))
            self.server.work_done_progress.tokens.pop(self.job.token, None)

    def log(self, line: str) -> None:
        self.server.log(f"[{self.job.id} {self.job.qualname}] {line}")

    def _track(self, event: Event) -> None:
        stage, percentage = None, None
        match event:
            case SolveStarted(rounds=rounds):
                self.rounds, percentage = max(rounds, 1), 2
            case StageStarted(stage=Stage.STARTING):
                stage = "starting"
            case StageStarted(stage=Stage.SAMPLING):
                stage = "sampling"
            case SampleGenerated(done=done, total=total):
                percentage = 5 + 45 * done // max(total, 1)
            case RoundFinished(round=number):
                stage = "debugging" if number < self.rounds else None
                percentage = 50 + 30 * number // self.rounds
            case StageStarted(stage=Stage.SELECTING):
                stage, percentage = "selecting", 80
            case InputsSynthesized() | GroupsFormed():
                percentage = 85
            case MatchJudged():
                percentage = min(self.percentage + 2, 98)
            case Notice():
                pass
        if percentage is not None:
            self.percentage = max(self.percentage, percentage)
        if stage is not None:
            self.server.jobs.set_stage(self.job, stage)


def _last_sample(event: Event) -> bool:
    return isinstance(event, SampleGenerated) and event.done == event.total
