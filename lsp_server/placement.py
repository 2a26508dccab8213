"""Where a solved body goes in the document as it is *now*, or that it no longer fits.

A result was computed for a stub as it was when the solve started. Before writing, the function is
found again by its qualified name in the current text:
- still the same stub (same text, possibly at other lines): replace its body (`body_replacement`);
- the function holds exactly what S* wrote there last time (regenerate, another candidate): replace
  the lines that differ from the new version (the body; signature and docstring are unchanged);
- anything else (the user edited it): no placement; the caller keeps the result for later.
Pure text logic: no LSP types.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from sstar.edits import body_replacement
from sstar.problem import Problem
from sstar.stubs import Position, Span

from .index import index_source

__all__ = ["Placement", "place_body", "function_text", "apply_span"]


@dataclass(frozen=True)
class Placement:
    span: Span  # code point positions in the current text
    text: str  # what replaces the span
    new_source: str  # the document after the edit
    function_text: str  # the function as it reads after the edit (to recognise it later)
    first_line: int  # the function's lines after the edit
    last_line: int
    line_shift: int  # how far the function moved since the problem was extracted


def function_text(lines: list[str], first: int, last: int) -> str:
    return "\n".join(lines[first : last + 1])


def place_body(source: str, problem: Problem, body: str, applied_text: str | None) -> Placement | None:
    index = index_source(source)
    lines = source.splitlines()
    qualname = problem.qualname
    stub = next((s for s in index.stubs if s.qualname == qualname), None)
    if stub is not None:
        written = textwrap.dedent(function_text(lines, stub.span.start.line, stub.span.end.line))
        if written == problem.stub_text:
            span, text = body_replacement(stub, body)
            return _placement(source, qualname, span, text, stub.def_line - problem.stub.def_line)
    function = index.function(qualname)
    if function is None or applied_text is None:
        return None
    if function_text(lines, function.first_line, function.last_line) != applied_text:
        return None
    indent = lines[function.first_line][: len(lines[function.first_line]) - len(lines[function.first_line].lstrip())]
    new = [indent + line if line.strip() else "" for line in problem.function_with(body).split("\n")]
    old = lines[function.first_line : function.last_line + 1]
    span, text = _line_diff(old, new, function.first_line, len(lines))
    shift = function.first_line - problem.stub.span.start.line
    return _placement(source, qualname, span, text, shift)


def apply_span(source: str, span: Span, text: str) -> str:
    lines = source.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: span.start.line]) + span.start.character
    end = sum(len(x) for x in lines[: span.end.line]) + span.end.character
    return source[:start] + text + source[end:]


def _line_diff(old: list[str], new: list[str], first: int, total_lines: int) -> tuple[Span, str]:
    """The smallest whole-line replacement turning `old` into `new` (equal head and tail kept)."""
    while new and new[-1] == "":
        new = new[:-1]
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    start_line, end_line = first + head, first + len(old) - tail  # end: exclusive
    if end_line < total_lines:
        return Span(Position(start_line, 0), Position(end_line, 0)), "".join(x + "\n" for x in new_mid)
    # the function ends the file without a final newline: stop at the end of its last line
    last = old[-1 - tail] if old_mid else ""
    end = Position(end_line - 1, len(last)) if old_mid else Position(start_line, 0)
    return Span(Position(start_line, 0), end), "\n".join(new_mid)


def _placement(source: str, qualname: str, span: Span, text: str, shift: int) -> Placement | None:
    new_source = apply_span(source, span, text)
    function = index_source(new_source).function(qualname)
    if function is None:  # the new body does not parse in place: never write that
        return None
    new_lines = new_source.splitlines()
    return Placement(
        span=span,
        text=text,
        new_source=new_source,
        function_text=function_text(new_lines, function.first_line, function.last_line),
        first_line=function.first_line,
        last_line=function.last_line,
        line_shift=shift,
    )
