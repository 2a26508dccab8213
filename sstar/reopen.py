"""A function's body as text, and the stub it becomes again: what solving a function that already
has a body (S*'s, or the user's when asked explicitly) starts from.

`function_body(text, qualname)` finds the function by qualified name in the blocks that parse and
gives its whole text (decorators to last line, lines joined with "\\n", as `sstar.writeback`
recognises a function) and its body's text: from the first statement after the docstring to the
end of the function. `reopen(text, qualname)` is the text with that body replaced by `...`, so the
function is a stub with the signature and docstring as they read now (a fixed example is the one
the new solve checks). Pure text in, text out: the write-back later finds the function again by the
`written` text of its `StubTarget`; `reopened_target(text, qualname)` is that target for the
function as it reads now (for writing a body over it when the user asked for it).
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from .source import Position, Source, Span
from .stubs import FunctionNode, iter_functions, parse_tolerant
from .writeback import StubTarget, function_text

__all__ = ["FunctionBody", "function_body", "reopen", "reopened_target"]


@dataclass(frozen=True)
class FunctionBody:
    qualname: str
    first_line: int  # the function's lines: first decorator (or `def`) to its last line
    last_line: int
    text: str  # those lines joined with "\n"
    body: str  # first statement after the docstring to the end of the last line, lines joined "\n"
    body_span: Span  # where that body is (code point positions)
    has_docstring: bool


def function_body(text: str | Source, qualname: str) -> FunctionBody | None:
    """The function `qualname` of `text` with its body, or None when it is not there (or its part
    of the file does not parse, or it has no statement after its docstring)."""
    source = text if isinstance(text, Source) else Source(text)
    for block in parse_tolerant(source):
        for site in iter_functions(block.tree.body):
            if site.qualname == qualname:
                return _body_of(source, qualname, site.node)
    return None


def reopen(text: str, qualname: str) -> str | None:
    """`text` with the body of `qualname` replaced by `...` (a stub again), or None."""
    found = function_body(text, qualname)
    if found is None:
        return None
    return Source(text).replace(found.body_span, "...")


def reopened_target(text: str, qualname: str) -> StubTarget | None:
    """The target that writes a body over the function as it reads now: its stub as `reopen`
    makes it, `written` being the function's present text. None when it is not there."""
    found = function_body(text, qualname)
    if found is None:
        return None
    stub = Source(Source(text).replace(found.body_span, "..."))
    first, last = found.first_line, found.body_span.start.line
    segment = stub.segment(first, last)
    original = segment[: len(segment) - len(stub.endings[last])]
    stub_text = textwrap.dedent("\n".join(stub.lines[first : last + 1]))
    return StubTarget(qualname, stub_text, original, written=found.text)


def _body_of(source: Source, qualname: str, node: FunctionNode) -> FunctionBody | None:
    documented = _has_docstring(node)
    statements = node.body[1:] if documented else node.body
    if not statements:
        return None
    start = source.from_ast(statements[0].lineno, statements[0].col_offset)
    head = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    tail = (node.end_lineno or node.lineno) - 1
    # to the end of the last line: a comment after the last statement is part of the body
    end = Position(tail, len(source.line(tail)))
    span = Span(start, end)
    body = source.text[source.offset(start) : source.offset(end)]
    return FunctionBody(
        qualname=qualname,
        first_line=head,
        last_line=tail,
        text=function_text(source, head, tail),
        body="\n".join(Source(body).lines),
        body_span=span,
        has_docstring=documented,
    )


def _has_docstring(node: FunctionNode) -> bool:
    first = node.body[0] if node.body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
