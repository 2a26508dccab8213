"""One solve job from start to end, and writing a kept result into the document.

`run_solve` is the body of the job's task: progress begin, `extract_problem` (off the event loop:
it reads the workspace's tests), `Engine.solve` with the progress sink, keep the result, write it
(`apply_body`), end the progress with a one-line summary. Errors become one clear message; the
server lives on. `CancelledError` is reported and re-raised, never swallowed.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from sstar.errors import SStarError
from sstar.events import summary
from sstar.problem import extract_problem
from sstar.results import SolveStatus

from .convert import example_diagnostic, lsp_lines, lsp_range, unsolved_diagnostic, workspace_edit
from .diagnostics import Record
from .placement import Placement, place_body
from .progress import JobProgress
from .store import Kept

if TYPE_CHECKING:
    from .jobs import Job
    from .server import SStarServer

__all__ = ["SolveRequest", "run_solve", "apply_body", "problem_source"]

log = logging.getLogger(__name__)
_APPLY_TIMEOUT = 60.0  # seconds


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
        server.show(failure_message(request.qualname, error), "error")
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
    return f"{summary(result)}; {await apply_body(server, kept, result.body)}"


def failure_message(qualname: str, error: Exception) -> str:
    if isinstance(error, SStarError):
        return f"S* could not solve {qualname}: {error}"
    log.error("solve of %s failed", qualname, exc_info=error)
    return (
        f"S* failed on {qualname}: {type(error).__name__}: {error}. "
        "This is a bug or an environment problem; the S* output log has details."
    )


async def apply_body(server: SStarServer, kept: Kept, body: str) -> str:
    """Write `body` into the kept function if it is still as S* left it; a short outcome.

    One write at a time: each is placed in the text the editor holds after the previous one (a
    client may answer `applyEdit` before its `didChange` arrives, so we wait for that, briefly).
    """
    async with server.edit_lock:
        return await _apply_body(server, kept, body)


async def _apply_body(server: SStarServer, kept: Kept, body: str) -> str:
    document = server.document(kept.uri)
    if document is None:
        server.show(
            f"S*: the file of {kept.qualname} was closed; the result is kept: open it and run "
            "`sstar.applyLast` (Neovim: :SStarApplyLast).",
            "warning",
        )
        return "kept, not written (the file was closed)"
    placement = place_body(document.source, kept.problem, body, kept.applied_text)
    if placement is None:
        server.show(
            f"S*: {kept.qualname} changed while it was being solved; nothing was overwritten. "
            "The result is kept: restore the function and run `sstar.applyLast` "
            "(Neovim: :SStarApplyLast), or solve it again.",
            "warning",
        )
        return "kept, not written (the function changed)"
    version = document.version
    lines = lsp_lines(document.source)
    edit = types.TextEdit(lsp_range(lines, placement.span, server.encoding), placement.text)
    params = types.ApplyWorkspaceEditParams(
        edit=workspace_edit(kept.uri, version, edit, server.supports_document_changes),
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
            "warning",
        )
        return "kept, the editor did not answer the edit"
    if not response.applied:
        reason = response.failure_reason or "the editor refused the edit"
        server.show(f"S*: {kept.qualname} was not written ({reason}); run `sstar.applyLast` to retry.", "warning")
        return "kept, not written"
    kept.applied, kept.applied_text = True, placement.function_text
    await server.wait_for_change(kept.uri, version)
    publish_result(server, kept, placement, body)
    return "written"


def publish_result(server: SStarServer, kept: Kept, placement: Placement, body: str) -> None:
    """Failing examples of the written code (only known for the chosen candidate)."""
    lines = lsp_lines(placement.new_source)
    result = kept.result
    diagnostics = []
    if body == result.body:
        for example in result.examples:
            if not example.passed:
                line = example.line + placement.line_shift
                diagnostics.append(example_diagnostic(lines, example, line, server.encoding))
        if result.status is SolveStatus.NO_CANDIDATE_PASSED:
            def_line = kept.problem.stub.def_line + placement.line_shift
            diagnostics.append(unsolved_diagnostic(lines, result, def_line, server.encoding))
    record = Record(kept.qualname, placement.first_line, placement.last_line, placement.function_text, tuple(diagnostics))
    server.diagnostics.set(kept.uri, record)
    server.publish_diagnostics(kept.uri)


def publish_unsolved(server: SStarServer, kept: Kept) -> None:
    document = server.document(kept.uri)
    function = server.index(kept.uri).function(kept.qualname) if document else None
    if function is None:
        return
    lines = lsp_lines(document.source)
    stub_lines = kept.problem.stub.def_line - kept.problem.stub.span.start.line
    diagnostic = unsolved_diagnostic(lines, kept.result, function.first_line + stub_lines, server.encoding)
    text = "\n".join(lines[function.first_line : function.last_line + 1])
    server.diagnostics.set(kept.uri, Record(kept.qualname, function.first_line, function.last_line, text, (diagnostic,)))
    server.publish_diagnostics(kept.uri)


def problem_source(source: str, qualname: str, kept: Kept | None, index) -> str | None:
    """The text to extract the problem from: the document while the function is a stub; the
    document with the original stub put back while it holds what S* wrote; else None."""
    if any(stub.qualname == qualname for stub in index.stubs):
        return source
    function = index.function(qualname)
    if kept is None or function is None or kept.applied_text is None:
        return None
    lines = source.splitlines()
    if "\n".join(lines[function.first_line : function.last_line + 1]) != kept.applied_text:
        return None
    first = lines[function.first_line]
    indent = first[: len(first) - len(first.lstrip())]
    stub = textwrap.indent(kept.problem.stub_text, indent).splitlines()
    ending = "\n" if source.endswith("\n") else ""
    return "\n".join(lines[: function.first_line] + stub + lines[function.last_line + 1 :]) + ending
