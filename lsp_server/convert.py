"""Every conversion between engine values and LSP (lsprotocol) types, and nothing else.

The engine counts columns in code points; LSP clients count in the negotiated position encoding
(UTF-16 unless the client offered another: Neovim 0.11 offers UTF-8). Lines and columns come from
the engine's text model (`sstar.source.Source`), which splits lines as LSP does.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs
from lsprotocol import types

from sstar.results import CandidateReport, ExampleResult, SolveResult
from sstar.source import Source
from sstar.stubs import Position, Span, Stub

from .differences import first_differences

__all__ = [
    "SOURCE",
    "SOLVE_TITLE",
    "MessageLevel",
    "lsp_position",
    "lsp_range",
    "solve_action",
    "regenerate_action",
    "force_action",
    "workspace_edit",
    "example_diagnostic",
    "unsolved_diagnostic",
    "candidates_json",
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
    """Solve a function S* wrote (and the user did not edit by hand) again, with more samples."""
    title = f"{SOLVE_TITLE} ({samples} samples)"
    arguments = {"uri": uri, "qualname": qualname, "samples": samples}
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(title=title, command="sstar.regenerate", arguments=[arguments]),
    )


def force_action(uri: str, qualname: str, samples: int) -> types.CodeAction:
    """Solve a function whose body the user edited after S* wrote it: only when asked, since
    the new body replaces theirs."""
    title = f"{SOLVE_TITLE} anyway ({samples} samples, replaces the edited body)"
    arguments = {"uri": uri, "qualname": qualname, "samples": samples, "force": True}
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
    source: Source, result: SolveResult, line: int, encoding: str, *, written: bool
) -> types.Diagnostic:
    """Information on the `def` line: no candidate passed every example; whether the best effort
    was written (it is not when it passes none of them)."""
    text = source.line(line)
    start = len(text) - len(text.lstrip())
    where = Span(Position(line, start), Position(line, len(text)))
    best = max((c.passed for c in result.candidates), default=0)
    total = len(result.examples) or max((c.total for c in result.candidates), default=0)
    if result.body is None:
        message = (
            "S*: the model produced no usable function; nothing was written. Check the model "
            "settings (sstar.baseUrl, sstar.model) or try more samples."
        )
    elif written:
        message = (
            f"S*: no candidate passed every example (best {best}/{total}); the best effort was "
            "written. Try `Solve with S* (more samples)` or check the examples."
        )
    else:
        message = (
            f"S*: no candidate passed any example (best {best}/{total}); nothing was written. "
            "To write one anyway pick it in Show Candidates (Neovim: :SStarCandidates), or try "
            "`Solve with S* (more samples)`, or check the examples."
        )
    return types.Diagnostic(
        range=lsp_range(source, where, encoding),
        message=message,
        severity=types.DiagnosticSeverity.Information,
        source=SOURCE,
        code="no-candidate-passed",
    )


def candidates_json(candidates: Sequence[CandidateReport]) -> list[dict[str, object]]:
    """The candidates for a picker: each with the first line of its body that tells it apart
    from the others (`difference`, at `differenceLine` of the body), pass count and group."""
    differences = first_differences([c.body for c in candidates])
    return [
        {
            "id": c.id,
            "code": c.code,
            "passed": c.passed,
            "total": c.total,
            "group": c.group,
            "chosen": c.chosen,
            "difference": d.text,
            "differenceLine": d.line,
        }
        for c, d in zip(candidates, differences, strict=True)
    ]


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
