"""Every conversion between engine values and LSP (lsprotocol) types, and nothing else.

The engine counts columns in code points; LSP clients count in the negotiated position encoding
(UTF-16 unless the client offered another: Neovim 0.11 offers UTF-8). Line splitting follows LSP
(`\\n`, `\\r\\n`, `\\r`), not `str.splitlines`.
"""

from __future__ import annotations

import re

import attrs
from lsprotocol import types

from sstar.results import CandidateReport, ExampleResult, SolveResult
from sstar.stubs import Position, Span, Stub

__all__ = [
    "SOURCE",
    "SOLVE_TITLE",
    "lsp_lines",
    "column_to_client",
    "column_from_client",
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
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lsp_lines(source: str) -> list[str]:
    """The document's lines as an LSP client numbers them (without line endings)."""
    return _LINE_BREAK.split(source)


def column_to_client(line: str, column: int, encoding: str) -> int:
    """A code point column of `line` in the client's units."""
    prefix = line[:column]
    if encoding == types.PositionEncodingKind.Utf32:
        return len(prefix)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def column_from_client(line: str, units: int, encoding: str) -> int:
    """The code point column at `units` client units into `line` (clamped to the line)."""
    if encoding == types.PositionEncodingKind.Utf32:
        return min(units, len(line))
    size = 1 if encoding == types.PositionEncodingKind.Utf8 else 2
    codec = "utf-8" if size == 1 else "utf-16-le"
    seen = 0
    for index, char in enumerate(line):
        if seen >= units * size:
            return index
        seen += len(char.encode(codec, "surrogatepass"))
    return len(line)


def lsp_position(lines: list[str], position: Position, encoding: str) -> types.Position:
    line = lines[position.line] if position.line < len(lines) else ""
    return types.Position(position.line, column_to_client(line, position.character, encoding))


def lsp_range(lines: list[str], span: Span, encoding: str) -> types.Range:
    return types.Range(lsp_position(lines, span.start, encoding), lsp_position(lines, span.end, encoding))


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
    lines: list[str], example: ExampleResult, line: int, encoding: str
) -> types.Diagnostic:
    """A failing docstring example, underlined on its `>>>` line (`line`, in the current file)."""
    text = lines[line] if line < len(lines) else ""
    start = len(text) - len(text.lstrip())
    where = Span(Position(line, start), Position(line, len(text)))
    return types.Diagnostic(
        range=lsp_range(lines, where, encoding),
        message=f"example fails: {example.source}\nexpected: {example.expected}\nactual:   {example.actual}",
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code="example-failed",
    )


def unsolved_diagnostic(
    lines: list[str], result: SolveResult, line: int, encoding: str
) -> types.Diagnostic:
    """Information on the `def` line: no candidate passed every example (best effort written)."""
    text = lines[line] if line < len(lines) else ""
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
        range=lsp_range(lines, where, encoding),
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


def message_type(level: str) -> types.MessageType:
    return {
        "error": types.MessageType.Error,
        "warning": types.MessageType.Warning,
        "info": types.MessageType.Info,
        "log": types.MessageType.Log,
    }[level]


def unstructure(value: object) -> object:
    """attrs argument objects back to plain JSON (camelCase), for results of commands."""
    return attrs.asdict(value) if attrs.has(type(value)) else value
