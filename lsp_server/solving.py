"""One solve job from start to end: what it starts from, the solve, and its outcome.

`plan_solve` decides what a solve of a function starts from: the document while the function is a
stub; the document with the original stub put back while it holds exactly what S* wrote; the
document with the body reopened as `...` (its signature and docstring as they read now) while its
body is still what S* wrote, or when the user asked for it (`force`). Anything else is the user's
code and is refused with a message that says how to ask.

`run_solve` is the body of the job's task: progress begin, `extract_problem` (off the event loop:
it reads the workspace's tests), `Engine.solve` with the progress sink and under the job's watch
(heartbeat, failed requests, the solve's deadline), keep the result, write it (`writing`) unless
it passes none of the examples, end the progress with a one-line outcome (and tell a client that
shows no progress in a message). Errors become one clear message; the server lives on.
`CancelledError` is reported and re-raised, never swallowed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sstar.errors import SStarError
from sstar.events import summary
from sstar.problem import extract_problem
from sstar.reopen import function_body, reopen
from sstar.results import SolveResult
from sstar.write_policy import passes_nothing
from sstar.writeback import restore_stub

from .convert import MessageLevel
from .progress import JobProgress
from .store import Placement
from .watch import SolveWatch, watching
from .writing import ApplyStatus, When, apply_body, publish_result, publish_unsolved

if TYPE_CHECKING:
    from .index import DocumentIndex
    from .jobs import Job
    from .server import SStarServer

__all__ = ["SolveRequest", "plan_solve", "run_solve", "failure_message"]

log = logging.getLogger(__name__)
_DEADLINE_GRACE = 30.0  # seconds past the deadline for the stages after the last model call


@dataclass(frozen=True)
class SolveRequest:
    uri: str  # as the client spells it
    qualname: str
    source: str  # the text the problem is extracted from (the document, or it with a stub back)
    path: str | None
    workspace: str | None
    samples: int | None
    written: str | None = None  # the function's text a result may replace (None: it is a stub)


def plan_solve(
    server: SStarServer, uri: str, text: str, qualname: str, index: DocumentIndex, force: bool
) -> tuple[str, str | None] | str:
    """(source to solve from, the function's text it may replace), or the refusal's message.
    Parses the document when the function has a body: call it off the event loop."""
    if any(stub.qualname == qualname for stub in index.stubs):
        return text, None
    found = function_body(text, qualname)
    if found is None:
        return (
            f"S*: no function {qualname} here (or its part of the file does not parse); "
            "nothing to solve."
        )
    kept = server.results.get(uri, qualname)
    if kept is not None and kept.placement.written == found.text:
        restored = restore_stub(text, kept.placement.target())
        if restored is not None:  # the very stub solved before: every cached sample is reused
            return restored, found.text
    written = server.results.written(uri, qualname)
    ours = written is not None and written.body == found.body
    if ours or force:
        reopened = reopen(text, qualname)
        if reopened is not None:
            return reopened, found.text
    if written is not None:
        return (
            f"S*: the body of {qualname} was edited since S* wrote it; S* does not overwrite your "
            "code unless asked: choose “Solve with S* anyway” in the light bulb (VS Code: "
            "“S*: Solve Anyway”; Neovim: :SStarSolve!)."
        )
    return (
        f"S*: {qualname} is not a stub (it has a body S* did not write); S* does not overwrite "
        "it unless asked: “S*: Solve Anyway” (Neovim: :SStarSolve!; any client: `force: true`)."
    )


async def run_solve(server: SStarServer, job: Job, request: SolveRequest) -> None:
    progress = JobProgress(server, job)
    try:
        await progress.begin(f"S*: {request.qualname}")
        line, told = await _solve_and_write(server, job, request, progress)
    except asyncio.CancelledError:
        progress.end(job.cancel_reason)
        raise
    except Exception as error:  # every failure becomes one message; the server stays up
        progress.end(f"failed: {error}")
        server.show(failure_message(request.qualname, error), MessageLevel.ERROR)
        return
    progress.end(line)
    if job.token is None and not told:
        # a client that shows no progress hears the outcome too (it heard about refusals already)
        server.show(f"S*: {request.qualname}: {line}", MessageLevel.INFO)


async def _solve_and_write(
    server: SStarServer, job: Job, request: SolveRequest, progress: JobProgress
) -> tuple[str, bool]:
    """The one-line outcome of the solve for the end of the progress (without the function's
    name: the progress title has it), and whether a message told the user about it already."""
    problem = await asyncio.to_thread(
        extract_problem, request.source, path=request.path, qualname=request.qualname, workspace=request.workspace
    )
    placement = Placement(request.uri, problem, request.written)
    job.placement = placement
    engine = server.engines.acquire()
    watch = SolveWatch(engine.config.solve_timeout_seconds)
    progress.watch(watch)
    limit = asyncio.timeout(_hard_limit(watch))
    try:
        samples = request.samples or engine.config.samples
        with watching(watch):
            async with limit:
                result = await engine.solve(problem, samples=samples, on_event=progress.on_event)
    except TimeoutError:
        if not limit.expired():
            raise
        raise SStarError(
            f"the solve did not end within its deadline of {engine.config.solve_timeout_seconds:g} s "
            "(solveTimeoutSeconds) and was stopped; raise the deadline or lower samples/rounds"
        ) from None
    finally:
        server.engines.release(engine)
    for warning in result.warnings:
        progress.log(f"note: {warning}")
    kept = server.results.keep(placement, result, samples)
    head = _head(watch, result)
    if result.body is None:
        publish_unsolved(server, placement, result)
        if watch.deadline_hit:  # a model that never answered: say so where it stays visible
            server.show(f"S*: {problem.qualname}: {head}; nothing was written.", MessageLevel.WARNING)
            return f"{head}; nothing to write", True
        return f"{head}; nothing to write", False
    if passes_nothing(result):
        publish_unsolved(server, placement, result)
        return f"{head}; nothing written (pick a candidate in Show Candidates to write it anyway)", False
    preview = job.preview
    if preview is not None and preview.accepted and preview.body == result.body and _unchanged(server, placement):
        kept.applied = True  # the preview the user accepted is the final choice: it stands
        _republish(server, placement, result)
        return f"{head}; {ApplyStatus.UNCHANGED.value}", False
    when = When.FINAL_AFTER_PREVIEW if preview is not None and preview.accepted else When.SOLVED
    outcome = await apply_body(server, placement, result.body, when=when, result=result)
    kept.applied = outcome.written
    return f"{head}; {outcome}", outcome.told


def failure_message(qualname: str, error: Exception) -> str:
    if isinstance(error, SStarError):
        return f"S* could not solve {qualname}: {error}"
    log.error("solve of %s failed", qualname, exc_info=error)
    return (
        f"S* failed on {qualname}: {type(error).__name__}: {error}. "
        "This is a bug or an environment problem; the S* output log has details."
    )


def _head(watch: SolveWatch, result: SolveResult) -> str:
    line = summary(result).removeprefix(f"{result.qualname}: ")
    if watch.deadline_hit:
        if result.body is None and not watch.wrote_code():
            line = (
                f"the model gave no answer within the solve's deadline of {watch.deadline_seconds:g} s "
                "(solveTimeoutSeconds): check that the model server runs and answers"
            )
        else:
            line = f"stopped at the deadline of {watch.deadline_seconds:g} s with the best so far: {line}"
    return line


def _hard_limit(watch: SolveWatch) -> float | None:
    remaining = watch.remaining()
    return None if remaining is None else remaining + _DEADLINE_GRACE


def _unchanged(server: SStarServer, placement: Placement) -> bool:
    document = server.document(placement.uri)
    if document is None or placement.written is None:
        return False
    found = function_body(document.source, placement.qualname)
    return found is not None and found.text == placement.written


def _republish(server: SStarServer, placement: Placement, result: SolveResult) -> None:
    document = server.document(placement.uri)
    found = function_body(document.source, placement.qualname) if document else None
    if document is not None and found is not None and result.body is not None:
        publish_result(server, placement, document.source, found.first_line, found.last_line, result.body, result)
