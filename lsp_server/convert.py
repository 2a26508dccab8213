"""Every conversion between engine values and LSP (lsprotocol) types, and nothing else.

The engine counts columns in code points; LSP clients count in the negotiated position encoding
(UTF-16 unless the client offered another: Neovim 0.11 offers UTF-8). Lines and columns come from
the engine's text model (`sstar.source.Source`), which splits lines as LSP does.
"""

from __future__ import annotations

import enum

import attrs
from lsprotocol import types

from sstar.results import CandidateReport, ExampleResult, SolveResult
from sstar.source import Source
from sstar.stubs import Position, Span, Stub

__all__ = [
    "SOURCE",
    "SOLVE_TITLE",
    "MessageLevel",
    "lsp_position",
    "lsp_range",
    "solve_action",
    "regenerate_action",
    "workspace_edit",
    "example_diagnostic",
    "unsolved_diagnostic",
    "candidate_json",
    "message_type",
]

SOURCE = "S*"
SOLVE_TITLE = "Solve with S*"


class MessageLevel(enum.StrEnum):
    """How loud a message to the user is (`window/showMessage`, `window/logMessage`)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    LOG = "log"


def lsp_position(source: Source, position: Position, encoding: str) -> types.Position:
    """A code point position as the client counts it."""
    if encoding == types.PositionEncodingKind.Utf32:
        column = min(position.character, len(source.line(position.line)))
    elif encoding == types.PositionEncodingKind.Utf8:
        column = source.to_utf8(position)
    else:
        column = source.to_utf16(position)
    return types.Position(position.line, column)


def lsp_range(source: Source, span: Span, encoding: str) -> types.Range:
    return types.Range(lsp_position(source, span.start, encoding), lsp_position(source, span.end, encoding))


def solve_action(uri: str, version: int | None, stub: Stub) -> types.CodeAction:
    arguments = {"uri": uri, "version": version, "qualname": stub.qualname}
    return types.CodeAction(
        title=SOLVE_TITLE,
        kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(title=SOLVE_TITLE, command="sstar.solve", arguments=[arguments]),
    )


def regenerate_action(uri: str, qualname: str, samples: int) -> types.CodeAction:
    title = f"{SOLVE_TITLE} ({samples} samples)"
    arguments = {"uri": uri, "qualname": qualname, "samples": samples}
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(title=title, command="sstar.regenerate", arguments=[arguments]),
    )


def workspace_edit(
    uri: str, version: int | None, edit: types.TextEdit, document_changes: bool
) -> types.WorkspaceEdit:
    """One text edit, versioned when the client understands `documentChanges`."""
    if document_changes:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(document, [edit])])
    return types.WorkspaceEdit(changes={uri: [edit]})


def example_diagnostic(
    source: Source, example: ExampleResult, line: int, encoding: str
) -> types.Diagnostic:
    """A failing docstring example, underlined on its `>>>` line (`line`, in the current file)."""
    text = source.line(line)
    start = len(text) - len(text.lstrip())
    where = Span(Position(line, start), Position(line, len(text)))
    return types.Diagnostic(
        range=lsp_range(source, where, encoding),
        message=f"example fails: {example.source}\nexpected: {example.expected}\nactual:   {example.actual}",
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code="example-failed",
    )


def unsolved_diagnostic(
    source: Source, result: SolveResult, line: int, encoding: str
) -> types.Diagnostic:
    """Information on the `def` line: no candidate passed every example (best effort written)."""
    text = source.line(line)
    start = len(text) - len(text.lstrip())
    where = Span(Position(line, start), Position(line, len(text)))
    best = max((c.passed for c in result.candidates), default=0)
    total = len(result.examples) or max((c.total for c in result.candidates), default=0)
    message = (
        f"S*: no candidate passed every example (best {best}/{total}); the best effort was "
        "written. Try `Solve with S* (more samples)` or check the examples."
        if result.body is not None
        else "S*: the model produced no usable function; nothing was written. Check the model "
        "settings (sstar.baseUrl, sstar.model) or try more samples."
    )
    return types.Diagnostic(
        range=lsp_range(source, where, encoding),
        message=message,
        severity=types.DiagnosticSeverity.Information,
        source=SOURCE,
        code="no-candidate-passed",
    )


def candidate_json(candidate: CandidateReport) -> dict[str, object]:
    return {
        "id": candidate.id,
        "code": candidate.code,
        "passed": candidate.passed,
        "total": candidate.total,
        "group": candidate.group,
        "chosen": candidate.chosen,
    }


_MESSAGE_TYPES = {
    MessageLevel.ERROR: types.MessageType.Error,
    MessageLevel.WARNING: types.MessageType.Warning,
    MessageLevel.INFO: types.MessageType.Info,
    MessageLevel.LOG: types.MessageType.Log,
}


def message_type(level: MessageLevel | str) -> types.MessageType:
    """The LSP message type of a level (a plain "warning" is accepted for older call sites)."""
    return _MESSAGE_TYPES[MessageLevel(level)]


def unstructure(value: object) -> object:
    """attrs argument objects back to plain JSON (camelCase), for results of commands."""
    return attrs.asdict(value) if attrs.has(type(value)) else value  # type: ignore[arg-type]
