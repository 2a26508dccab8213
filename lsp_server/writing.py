"""Writing a body into the document the editor holds, and the diagnostics that come with it.

Every write goes through the engine's one write-back path (`sstar.writeback.write_body`, the same
as `sstar solve --write`), computed off the event loop on the text the editor holds now; its edit
is only converted to LSP here. A body replaces only the stub its problem saw, or exactly what S*
(or the solve's own start) left in the function (`Placement.written`); anything else is the
user's. An explicit write (`applyCandidate`, `applyLast`) may also replace a function whose body
is still what S* last wrote there although its signature or docstring were edited since.

A versioned edit (`documentChanges`) that the editor rejects because the user typed meanwhile is
rebuilt against the new version and sent again, a few times, as long as the function itself is
unchanged; without versions (Neovim 0.11) the check against the server's copy is made right
before sending. Outcomes are typed (`ApplyOutcome`), never prose compared by callers.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from sstar.reopen import function_body, reopened_target
from sstar.results import SolveResult, SolveStatus
from sstar.source import Source
from sstar.writeback import BodyEdit, Refusal, RefusalKind, StubTarget, write_body

from .convert import MessageLevel, example_diagnostic, lsp_range, unsolved_diagnostic, workspace_edit
from .diagnostics import Record
from .store import Placement, Written

if TYPE_CHECKING:
    from .server import SStarServer

__all__ = ["ApplyStatus", "ApplyOutcome", "When", "apply_body", "publish_result", "publish_unsolved"]

log = logging.getLogger(__name__)
_APPLY_TIMEOUT = 60.0  # seconds the editor may take to answer one workspace/applyEdit
_DOCUMENT_RACES = 3  # the text changed while the edit was computed: compute it again, this often
# A versioned edit the editor rejected as stale is rebuilt on its newer text and sent again: at
# once the first time, then each time after a longer pause in the user's typing (a rebuilt edit
# sent mid-burst is stale again before the editor sees it), for at most _RETRY_SECONDS in all.
_QUIET_SECONDS = (0.0, 0.05, 0.1, 0.2, 0.4, 0.8)  # the pause awaited before retry k (last: repeated)
_RETRY_SECONDS = 30.0


class ApplyStatus(enum.Enum):
    """What became of a body that was to be written; the value is the progress line's tail."""

    WRITTEN = "written"
    UNCHANGED = "written (the body you accepted as a preview)"
    FILE_CLOSED = "kept, not written (the file was closed)"
    FUNCTION_CHANGED = "kept, not written (the function changed)"
    DOES_NOT_FIT = "kept, not written (it does not fit the file as it is now)"
    EDITOR_TIMEOUT = "kept, the editor did not answer the edit"
    EDITOR_REFUSED = "kept, not written"


class When(enum.Enum):
    """Why a body is written: it decides what a refusal tells the user."""

    SOLVED = "solved"  # the end of a solve
    FINAL_AFTER_PREVIEW = "final after preview"  # the end of a solve whose preview was written
    ASKED = "asked"  # an explicit command: applyCandidate, applyLast, acceptPreview


@dataclass(frozen=True)
class ApplyOutcome:
    status: ApplyStatus
    refusal: Refusal | None = None  # why the write-back refused, when it did
    edit: BodyEdit | None = None  # what was written, when it was

    @property
    def written(self) -> bool:
        return self.status in (ApplyStatus.WRITTEN, ApplyStatus.UNCHANGED)

    @property
    def told(self) -> bool:
        """The user was already shown a message about this outcome."""
        return not self.written

    def __str__(self) -> str:
        return self.status.value


async def apply_body(
    server: SStarServer,
    placement: Placement,
    body: str,
    *,
    when: When,
    result: SolveResult | None = None,
) -> ApplyOutcome:
    """Write `body` where `placement` says; `result` (when the body is its chosen one) gives the
    diagnostics. One write at a time: each is placed in the text the editor holds after the
    previous one (a client may answer `applyEdit` before its `didChange` arrives: we wait)."""
    async with server.edit_lock:
        give_up = time.monotonic() + _RETRY_SECONDS
        for attempt in itertools.count():
            outcome, version = await _apply_once(server, placement, body, when, result)
            if outcome is not None:
                return outcome
            # the editor rejected a versioned edit: once its newer text is here, build it again
            await server.wait_for_change(placement.uri, version)
            document = server.document(placement.uri)
            if document is None or document.version == version:
                break  # the editor refused for a reason of its own: do not insist
            if time.monotonic() >= give_up:
                break
            quiet = _QUIET_SECONDS[min(attempt, len(_QUIET_SECONDS) - 1)]
            await _typing_pause(server, placement.uri, quiet, give_up)
        return _rejected(server, placement)


async def _typing_pause(server: SStarServer, uri: str, quiet: float, until: float) -> None:
    """Until the document has gone `quiet` seconds without a change (or `until` has passed)."""
    while quiet > 0 and time.monotonic() < until:
        document = server.document(uri)
        if document is None:
            return
        before = document.version
        await server.wait_for_change(uri, before, timeout=quiet, expected=False)
        now = server.document(uri)
        if now is None or now.version == before:
            return


async def _apply_once(
    server: SStarServer, placement: Placement, body: str, when: When, result: SolveResult | None
) -> tuple[ApplyOutcome | None, int | None]:
    """(outcome, None), or (None, version) when the editor rejected the edit as stale."""
    document = server.document(placement.uri)
    if document is None:
        server.show(
            f"S*: the file of {placement.qualname} was closed; the result is kept: open it and run "
            "`sstar.applyLast` (Neovim: :SStarApplyLast).",
            MessageLevel.WARNING,
        )
        return ApplyOutcome(ApplyStatus.FILE_CLOSED), None
    edit, text, version = await _edit_in_step(server, placement, body, when)
    if isinstance(edit, Refusal):
        return _refused(server, placement, edit, when), None
    lsp_edit = types.TextEdit(lsp_range(Source(text), edit.span, server.encoding), edit.text)
    params = types.ApplyWorkspaceEditParams(
        edit=workspace_edit(document.uri, version, lsp_edit, server.supports_document_changes),
        label=f"S*: {placement.qualname}",
    )
    try:
        # the edit lock is held meanwhile: an editor that never answers must not block every
        # later write
        async with asyncio.timeout(_APPLY_TIMEOUT):
            response = await server.workspace_apply_edit_async(params)
    except TimeoutError:
        server.show(
            f"S*: the editor did not answer the edit of {placement.qualname} within "
            f"{_APPLY_TIMEOUT:.0f} s; if it was not written, run `sstar.applyLast`.",
            MessageLevel.WARNING,
        )
        return ApplyOutcome(ApplyStatus.EDITOR_TIMEOUT), None
    if not response.applied:
        log.info("the editor rejected the edit of %s (%s)", placement.qualname, response.failure_reason)
        if server.supports_document_changes:
            return None, version
        return _rejected(server, placement, response.failure_reason), None
    placement.written = edit.function_text
    found = function_body(edit.new_text, placement.qualname)
    if found is not None:
        server.results.wrote(placement.uri, placement.qualname, Written(found.text, found.body))
    await server.wait_for_change(placement.uri, version)
    publish_result(server, placement, edit.new_text, edit.first_line, edit.last_line, body, result)
    return ApplyOutcome(ApplyStatus.WRITTEN, edit=edit), None


async def _edit_in_step(
    server: SStarServer, placement: Placement, body: str, when: When
) -> tuple[BodyEdit | Refusal, str, int | None]:
    """The edit for the text the editor holds now, and that text and its version."""
    for attempt in range(_DOCUMENT_RACES):
        document = server.document(placement.uri)
        assert document is not None  # the caller checked; no await since
        text, version = document.source, document.version
        if attempt == _DOCUMENT_RACES - 1:  # the user keeps typing: compute it here, in step
            return _edit(server, placement, text, body, when), text, version
        # parsing a big file twice takes tens of ms: not on the event loop
        edit = await asyncio.to_thread(_edit, server, placement, text, body, when)
        if server.document(placement.uri) is document and document.version == version:
            return edit, text, version
    raise AssertionError("unreachable")


def _edit(server: SStarServer, placement: Placement, text: str, body: str, when: When) -> BodyEdit | Refusal:
    edit = write_body(text, placement.target(), body)
    if when is not When.ASKED or not isinstance(edit, Refusal):
        return edit
    if edit.kind not in (RefusalKind.FUNCTION_CHANGED, RefusalKind.STUB_NOT_FOUND):
        return edit
    target = _still_ours(server, placement, text)
    return edit if target is None else write_body(text, target, body)


def _still_ours(server: SStarServer, placement: Placement, text: str) -> StubTarget | None:
    """The target for the function as it reads now, when its body is still what S* last wrote
    there (its signature or docstring were edited since)."""
    written = server.results.written(placement.uri, placement.qualname)
    found = function_body(text, placement.qualname)
    if written is None or found is None or found.body != written.body:
        return None
    return reopened_target(text, placement.qualname)


def _refused(server: SStarServer, placement: Placement, refusal: Refusal, when: When) -> ApplyOutcome:
    name = placement.qualname
    if refusal.kind not in (RefusalKind.FUNCTION_CHANGED, RefusalKind.STUB_NOT_FOUND):
        server.show(f"S*: {refusal.message}.", MessageLevel.WARNING)
        return ApplyOutcome(ApplyStatus.DOES_NOT_FIT, refusal)
    if when is When.SOLVED:
        message = (
            f"S*: {name} changed while it was being solved; nothing was overwritten. The result "
            "is kept: restore the function and run `sstar.applyLast` (Neovim: :SStarApplyLast), "
            "or solve it again."
        )
    elif when is When.FINAL_AFTER_PREVIEW:
        message = (
            f"S*: {name} was edited after the preview was written; the final result is kept, not "
            "written: pick it with Show Candidates (Neovim: :SStarCandidates) to replace your edit."
        )
    else:
        message = (
            f"S*: nothing was written: {name} no longer holds the stub or the body S* wrote (it "
            "was edited by hand). To replace it anyway, solve it again with “Solve with S* "
            "anyway” (VS Code: “S*: Solve Anyway”; Neovim: :SStarSolve!)."
        )
    server.show(message, MessageLevel.WARNING)
    return ApplyOutcome(ApplyStatus.FUNCTION_CHANGED, refusal)


def _rejected(server: SStarServer, placement: Placement, reason: str | None = None) -> ApplyOutcome:
    why = reason or "the editor refused the edit, or you kept typing in it"
    server.show(
        f"S*: {placement.qualname} was not written ({why}); run `sstar.applyLast` to retry.",
        MessageLevel.WARNING,
    )
    return ApplyOutcome(ApplyStatus.EDITOR_REFUSED)


# -- diagnostics ---------------------------------------------------------------------------------
def publish_result(
    server: SStarServer,
    placement: Placement,
    text: str,
    first_line: int,
    last_line: int,
    body: str,
    result: SolveResult | None,
) -> None:
    """Failing examples of the written code (only known for a result's chosen candidate), over
    the function's lines `first_line`..`last_line` of `text`."""
    source = Source(text)
    problem = placement.problem
    shift = first_line - problem.stub.span.start.line
    diagnostics = []
    if result is not None and body == result.body:
        for example in result.examples:
            if not example.passed:
                diagnostics.append(example_diagnostic(source, example, example.line + shift, server.encoding))
        if result.status is SolveStatus.NO_CANDIDATE_PASSED:
            def_line = problem.stub.def_line + shift
            diagnostics.append(unsolved_diagnostic(source, result, def_line, server.encoding, written=True))
    function_text = "\n".join(source.lines[first_line : last_line + 1])
    record = Record(placement.qualname, first_line, last_line, function_text, tuple(diagnostics))
    server.diagnostics.set(placement.uri, record)
    server.publish_diagnostics(placement.uri)


def publish_unsolved(server: SStarServer, placement: Placement, result: SolveResult) -> None:
    """The information diagnostic of a result that was not written (nothing passed)."""
    document = server.document(placement.uri)
    function = server.index(placement.uri).function(placement.qualname) if document else None
    if document is None or function is None:
        return
    source = Source(document.source)
    stub = placement.problem.stub
    def_line = function.first_line + stub.def_line - stub.span.start.line
    diagnostic = unsolved_diagnostic(source, result, def_line, server.encoding, written=False)
    text = "\n".join(source.lines[function.first_line : function.last_line + 1])
    server.diagnostics.set(placement.uri, Record(placement.qualname, function.first_line, function.last_line, text, (diagnostic,)))
    server.publish_diagnostics(placement.uri)
