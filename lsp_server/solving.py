"""One solve job from start to end, and writing a kept result into the document.

`run_solve` is the body of the job's task: progress begin, `extract_problem` (off the event loop:
it reads the workspace's tests), `Engine.solve` with the progress sink, keep the result, write it
(`apply_body`), end the progress with a one-line summary. Errors become one clear message; the
server lives on. `CancelledError` is reported and re-raised, never swallowed.

Writing goes through the engine's one write-back path (`sstar.writeback.write_body`, the same as
`sstar solve --write`), run off the event loop on the text the editor holds now; its edit is only
converted to LSP here. Outcomes are typed (`ApplyOutcome`), never prose compared by callers.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lsprotocol import types

from sstar.errors import SStarError
from sstar.events import summary
from sstar.problem import extract_problem
from sstar.results import SolveStatus
from sstar.source import Source
from sstar.writeback import BodyEdit, Refusal, RefusalKind, StubTarget, restore_stub, write_body

from .convert import MessageLevel, example_diagnostic, lsp_range, unsolved_diagnostic, workspace_edit
from .diagnostics import Record
from .progress import JobProgress
from .store import Kept

if TYPE_CHECKING:
    from .index import DocumentIndex
    from .jobs import Job
    from .server import SStarServer

__all__ = ["SolveRequest", "ApplyStatus", "ApplyOutcome", "run_solve", "apply_body", "problem_source"]

log = logging.getLogger(__name__)
_APPLY_TIMEOUT = 60.0  # seconds


class ApplyStatus(enum.Enum):
    """What became of a result that was to be written; the value is the progress line's tail."""

    WRITTEN = "written"
    FILE_CLOSED = "kept, not written (the file was closed)"
    FUNCTION_CHANGED = "kept, not written (the function changed)"
    DOES_NOT_FIT = "kept, not written (it does not fit the file as it is now)"
    EDITOR_TIMEOUT = "kept, the editor did not answer the edit"
    EDITOR_REFUSED = "kept, not written"


@dataclass(frozen=True)
class ApplyOutcome:
    status: ApplyStatus
    refusal: Refusal | None = None  # why the write-back refused, when it did
    edit: BodyEdit | None = None  # what was written, when it was

    @property
    def written(self) -> bool:
        return self.status is ApplyStatus.WRITTEN

    def __str__(self) -> str:
        return self.status.value


_DOCUMENT_RACES = 3  # the text changed while the edit was computed: compute it again, this often


@dataclass(frozen=True)
class SolveRequest:
    uri: str
    qualname: str
    source: str  # the text the problem is extracted from (the document, or it with the stub back)
    path: str | None
    workspace: str | None
    samples: int | None


async def run_solve(server: SStarServer, job: Job, request: SolveRequest) -> None:
    progress = JobProgress(server, job)
    try:
        await progress.begin(f"S*: {request.qualname}")
        outcome = await _solve_and_write(server, request, progress)
    except asyncio.CancelledError:
        progress.end(job.cancel_reason)
        raise
    except Exception as error:  # every failure becomes one message; the server stays up
        progress.end(f"failed: {error}")
        server.show(failure_message(request.qualname, error), MessageLevel.ERROR)
        return
    progress.end(outcome)


async def _solve_and_write(server: SStarServer, request: SolveRequest, progress: JobProgress) -> str:
    """The one-line outcome of the solve for the end of the progress."""
    problem = await asyncio.to_thread(
        extract_problem, request.source, path=request.path, qualname=request.qualname, workspace=request.workspace
    )
    engine = server.engines.acquire()
    try:
        samples = request.samples or engine.config.samples
        result = await engine.solve(problem, samples=samples, on_event=progress.on_event)
    finally:
        server.engines.release(engine)
    for warning in result.warnings:
        progress.log(f"note: {warning}")
    kept = server.results.keep(request.uri, problem, result, samples)
    if result.body is None:
        publish_unsolved(server, kept)
        return f"{summary(result)}; nothing to write"
    outcome = await apply_body(server, kept, result.body)
    return f"{summary(result)}; {outcome}"


def failure_message(qualname: str, error: Exception) -> str:
    if isinstance(error, SStarError):
        return f"S* could not solve {qualname}: {error}"
    log.error("solve of %s failed", qualname, exc_info=error)
    return (
        f"S* failed on {qualname}: {type(error).__name__}: {error}. "
        "This is a bug or an environment problem; the S* output log has details."
    )


async def apply_body(server: SStarServer, kept: Kept, body: str) -> ApplyOutcome:
    """Write `body` into the kept function if it is still the stub or as S* left it.

    One write at a time: each is placed in the text the editor holds after the previous one (a
    client may answer `applyEdit` before its `didChange` arrives, so we wait for that, briefly).
    """
    async with server.edit_lock:
        return await _apply_body(server, kept, body)


def target_of(kept: Kept) -> StubTarget:
    """The stub to write: as the problem saw it, or what S* wrote there since."""
    return replace(kept.problem.target, written=kept.applied_text)


async def _apply_body(server: SStarServer, kept: Kept, body: str) -> ApplyOutcome:
    for attempt in range(_DOCUMENT_RACES):
        document = server.document(kept.uri)
        if document is None:
            server.show(
                f"S*: the file of {kept.qualname} was closed; the result is kept: open it and run "
                "`sstar.applyLast` (Neovim: :SStarApplyLast).",
                MessageLevel.WARNING,
            )
            return ApplyOutcome(ApplyStatus.FILE_CLOSED)
        text, version = document.source, document.version
        if attempt == _DOCUMENT_RACES - 1:  # the user keeps typing: compute it here, in step
            edit = write_body(text, target_of(kept), body)
            break
        # parsing a big file twice takes tens of ms: not on the event loop
        edit = await asyncio.to_thread(write_body, text, target_of(kept), body)
        if server.document(kept.uri) is document and document.version == version:
            break
    if isinstance(edit, Refusal):
        return _refused(server, kept, edit)
    lsp_edit = types.TextEdit(lsp_range(Source(text), edit.span, server.encoding), edit.text)
    params = types.ApplyWorkspaceEditParams(
        edit=workspace_edit(kept.uri, version, lsp_edit, server.supports_document_changes),
        label=f"S*: {kept.qualname}",
    )
    try:
        # the edit lock is held meanwhile: an editor that never answers must not block every
        # later write
        async with asyncio.timeout(_APPLY_TIMEOUT):
            response = await server.workspace_apply_edit_async(params)
    except TimeoutError:
        server.show(
            f"S*: the editor did not answer the edit of {kept.qualname} within {_APPLY_TIMEOUT:.0f} s; "
            "if it was not written, run `sstar.applyLast`.",
            MessageLevel.WARNING,
        )
        return ApplyOutcome(ApplyStatus.EDITOR_TIMEOUT)
    if not response.applied:
        reason = response.failure_reason or "the editor refused the edit"
        server.show(
            f"S*: {kept.qualname} was not written ({reason}); run `sstar.applyLast` to retry.",
            MessageLevel.WARNING,
        )
        return ApplyOutcome(ApplyStatus.EDITOR_REFUSED)
    kept.applied, kept.applied_text = True, edit.function_text
    await server.wait_for_change(kept.uri, version)
    publish_result(server, kept, edit, body)
    return ApplyOutcome(ApplyStatus.WRITTEN, edit=edit)


def _refused(server: SStarServer, kept: Kept, refusal: Refusal) -> ApplyOutcome:
    if refusal.kind in (RefusalKind.FUNCTION_CHANGED, RefusalKind.STUB_NOT_FOUND):
        server.show(
            f"S*: {kept.qualname} changed while it was being solved; nothing was overwritten. "
            "The result is kept: restore the function and run `sstar.applyLast` "
            "(Neovim: :SStarApplyLast), or solve it again.",
            MessageLevel.WARNING,
        )
        return ApplyOutcome(ApplyStatus.FUNCTION_CHANGED, refusal)
    server.show(f"S*: {refusal.message}.", MessageLevel.WARNING)
    return ApplyOutcome(ApplyStatus.DOES_NOT_FIT, refusal)


def publish_result(server: SStarServer, kept: Kept, edit: BodyEdit, body: str) -> None:
    """Failing examples of the written code (only known for the chosen candidate)."""
    source = Source(edit.new_text)
    shift = edit.first_line - kept.problem.stub.span.start.line
    result = kept.result
    diagnostics = []
    if body == result.body:
        for example in result.examples:
            if not example.passed:
                diagnostics.append(example_diagnostic(source, example, example.line + shift, server.encoding))
        if result.status is SolveStatus.NO_CANDIDATE_PASSED:
            def_line = kept.problem.stub.def_line + shift
            diagnostics.append(unsolved_diagnostic(source, result, def_line, server.encoding))
    record = Record(kept.qualname, edit.first_line, edit.last_line, edit.function_text, tuple(diagnostics))
    server.diagnostics.set(kept.uri, record)
    server.publish_diagnostics(kept.uri)


def publish_unsolved(server: SStarServer, kept: Kept) -> None:
    document = server.document(kept.uri)
    function = server.index(kept.uri).function(kept.qualname) if document else None
    if document is None or function is None:
        return
    source = Source(document.source)
    stub_lines = kept.problem.stub.def_line - kept.problem.stub.span.start.line
    diagnostic = unsolved_diagnostic(source, kept.result, function.first_line + stub_lines, server.encoding)
    text = "\n".join(source.lines[function.first_line : function.last_line + 1])
    server.diagnostics.set(kept.uri, Record(kept.qualname, function.first_line, function.last_line, text, (diagnostic,)))
    server.publish_diagnostics(kept.uri)


def problem_source(source: str, qualname: str, kept: Kept | None, index: DocumentIndex) -> str | None:
    """The text to extract the problem from: the document while the function is a stub; the
    document with the original stub put back while it holds what S* wrote; else None."""
    if any(stub.qualname == qualname for stub in index.stubs):
        return source
    if kept is None or kept.applied_text is None:
        return None
    return restore_stub(source, target_of(kept))
