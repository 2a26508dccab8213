"""Render one job's engine events: `$/progress` on a server-created token (when the client supports
it), `window/logMessage` lines per stage, the job's stage for `sstar/status`, and the early preview
(`sstar/preview`) of the first candidate that passes every public test.

Reports read like `sampling 5/8`, `debugging round 1: 3/8 pass`, `selecting: 3 behaviour groups`
(from `sstar.events.describe`) with a percentage that only grows: sampling fills up to 50%,
repair rounds up to 80%, selection the rest. What the events alone would get wrong is corrected
with the job's `SolveWatch`: a sample whose request failed is not counted as an answer ("sampling
0/4, 4 requests failed", never "sampling 4/4" while the server is down), a repair round in which
no repair was asked for is not reported, and while requests are outstanding with no answer a
heartbeat says so ("sampling 3/8; waiting for the model: 40 s"), so progress never freezes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from sstar.events import (
    CandidatePassed,
    CandidateTested,
    Event,
    GroupsFormed,
    InputsSynthesized,
    MatchJudged,
    RoundFinished,
    SampleGenerated,
    SolveFinished,
    SolveStarted,
    Stage,
    StageStarted,
    describe,
)

from .jobs import Preview

if TYPE_CHECKING:
    from .jobs import Job
    from .server import SStarServer
    from .watch import SolveWatch

__all__ = ["JobProgress", "HEARTBEAT_SECONDS", "PREVIEW_DELAY_SECONDS"]

log = logging.getLogger(__name__)
_QUIET = (SampleGenerated, MatchJudged)  # reported as progress, too many for the log
HEARTBEAT_SECONDS = 5.0  # a report at least this often while requests go unanswered
PREVIEW_DELAY_SECONDS = 0.5  # a solve that ends sooner (cached) offers no preview: the result is there


class JobProgress:
    def __init__(self, server: SStarServer, job: Job) -> None:
        self.server = server
        self.job = job
        self.rounds = 1
        self.percentage = 0
        self.ended = False
        self.line = "reading the function"
        self._watch: SolveWatch | None = None
        self._beat: asyncio.Task | None = None
        self._failed_samples = 0
        self._repaired_rounds: set[int] = set()  # rounds in which a repaired program was tested
        self._repair_calls = 0  # repair requests sent, when the last round was reported
        self._tested: dict[str, tuple[int, int]] = {}  # candidate -> (passed, total)

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
                self._report(self.line)
        self.log(f"{title}: started")

    def watch(self, watch: SolveWatch) -> None:
        """Follow the job's model requests (and beat while they go unanswered)."""
        self._watch = watch
        if self.job.token is not None and self._beat is None:
            self._beat = asyncio.get_running_loop().create_task(self._heartbeat(), name=f"heartbeat {self.job.id}")

    def on_event(self, event: Event) -> None:
        """The engine's event sink (called synchronously on the event loop)."""
        line = self._render(event)
        self._track(event)
        if isinstance(event, CandidatePassed):
            self._passed(event)
        if line is None or isinstance(event, SolveFinished):
            return
        self.line = line
        if not isinstance(event, _QUIET) or _last_sample(event):
            self.log(line)
        self._report(line)

    def end(self, message: str) -> None:
        if self.ended:
            return
        self.ended = True
        if self._beat is not None:
            self._beat.cancel()
        self.log(message)
        if self.job.token is not None and self.server.connected:
            self.server.work_done_progress.end(self.job.token, types.WorkDoneProgressEnd(message=message))
            self.server.work_done_progress.tokens.pop(self.job.token, None)

    def log(self, line: str) -> None:
        self.server.log(f"[{self.job.id} {self.job.qualname}] {line}")

    # -- rendering ---------------------------------------------------------------------------------
    def _render(self, event: Event) -> str | None:
        watch = self._watch
        match event:
            case SampleGenerated(done=done, total=total, usable=usable):
                unanswered = watch.unanswered(Stage.SAMPLING) if watch is not None else 0
                this_unanswered = unanswered > self._failed_samples
                self._failed_samples = unanswered
                line = f"sampling {done - unanswered}/{total}"
                if watch is not None:
                    line += _unanswered(watch, Stage.SAMPLING)
                if not usable and not this_unanswered:
                    line += " (no usable code in that answer)"
                return line
            case CandidateTested(round=number) if number > 0:
                self._repaired_rounds.add(number)
            case RoundFinished(round=number) if number > 0:
                calls = watch.calls[Stage.DEBUGGING] if watch is not None else self._repair_calls + 1
                asked, self._repair_calls = calls > self._repair_calls, calls
                if number not in self._repaired_rounds and not asked:
                    return None  # every lineage had stopped: no repair was asked for in this round
        return describe(event)

    def _report(self, line: str) -> None:
        if self.job.token is not None and self.server.connected and not self.ended:
            report = types.WorkDoneProgressReport(message=line, percentage=self.percentage, cancellable=True)
            self.server.work_done_progress.report(self.job.token, report)

    async def _heartbeat(self) -> None:
        """A report every HEARTBEAT_SECONDS of silence: "...; waiting for the model: 10 s"."""
        reported = 0
        while True:
            await asyncio.sleep(1.0)  # a clock for the user's eyes, not synchronisation
            watch = self._watch
            waited = watch.waited() if watch is not None else 0.0
            beat = int(waited // HEARTBEAT_SECONDS * HEARTBEAT_SECONDS)
            if beat < HEARTBEAT_SECONDS:
                reported = 0
                continue
            if beat == reported:
                continue
            reported = beat
            if self.job.stage == "starting":
                self._report(f"starting the local model: {beat} s")
            else:
                self._report(f"{self.line}; waiting for the model: {beat} s")

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
                if self.job.stage == "starting":
                    stage = "sampling"
            case CandidateTested(candidate_id=candidate, passed=passed, total=total):
                self._tested[candidate] = (passed, total)
            case RoundFinished(round=number):
                stage = "debugging" if number < self.rounds else None
                percentage = 50 + 30 * number // self.rounds
            case StageStarted(stage=Stage.SELECTING):
                stage, percentage = "selecting", 80
            case InputsSynthesized() | GroupsFormed():
                percentage = 85
            case MatchJudged():
                percentage = min(self.percentage + 2, 98)
        if percentage is not None:
            self.percentage = max(self.percentage, percentage)
        if stage is not None:
            self.server.jobs.set_stage(self.job, stage)

    # -- the early preview -------------------------------------------------------------------------
    def _passed(self, event: CandidatePassed) -> None:
        if self.job.preview is not None:
            return  # the first one is offered; the final choice comes with the result
        passed, total = self._tested.get(event.candidate_id, (0, 0))
        self.job.preview = Preview(event.candidate_id, event.body, event.code, passed, total)
        asyncio.get_running_loop().call_later(PREVIEW_DELAY_SECONDS, self._offer)

    def _offer(self) -> None:
        preview = self.job.preview
        if preview is None or self.ended or self.job.done or not self.server.connected:
            return
        preview.sent = True
        self.log(f"a candidate passes {preview.passed}/{preview.total} public tests; offered as a preview")
        self.server.send_preview(self.job)


def _unanswered(watch: SolveWatch, stage: Stage) -> str:
    parts = []
    for count, what in (
        (watch.failed[stage], "failed"),
        (watch.stopped[stage], "stopped at the deadline"),
        (watch.refused[stage], "not sent (budget spent)"),
    ):
        if count:
            parts.append(f"{count} request{'s' if count != 1 else ''} {what}")
    return "".join(", " + part for part in parts)


def _last_sample(event: Event) -> bool:
    return isinstance(event, SampleGenerated) and event.done == event.total
