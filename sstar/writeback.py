"""Write a new body into a stub: the one write-back path of the CLI and the language server.

`write_body(text, target, body)` is pure: the current text, which stub, and a body (dedented, as
from `sstar.edits.candidate_body`) give either a `BodyEdit` (a range in the text model's
coordinates, its new text, and the whole text after it) or a typed `Refusal`. It finds the stub
again by qualified name and checks that it still reads as when the problem was extracted (or that
the function still holds exactly what S* wrote there last time: then the original stub is put back
first and the body replaced again). The body takes the file's dominant line ending and indentation
unit (a tab-indented method gets a tab-indented body); lines inside its multi-line strings stay
byte for byte. Nothing outside the stub's body changes, and the result is always parsed again: the
function must be found with exactly the new body's statements, and a file that parsed before must
parse whole after.

`Problem.module_with` builds the module the sandbox runs from the same `render_body` and splice,
so what was tested is what gets written.
"""

from __future__ import annotations

import ast
import enum
import io
import textwrap
import tokenize
from dataclasses import dataclass

from .source import Position, Source, Span, indent_of, split_lines
from .stubs import FunctionNode, Stub, find_stubs, iter_functions, parse_tolerant, parses_whole

__all__ = [
    "StubTarget",
    "RefusalKind",
    "Refusal",
    "BodyEdit",
    "write_body",
    "restore_stub",
    "render_body",
    "stub_indent",
    "body_matches",
    "function_text",
]


@dataclass(frozen=True)
class StubTarget:
    """Which stub to write, as the problem saw it."""

    qualname: str
    stub_text: str  # the definition as extracted, dedented, lines joined with "\n"
    original: str  # the definition's lines exactly as extracted (own endings, no final one)
    written: str | None = None  # the function's text right after S* last wrote it


class RefusalKind(enum.Enum):
    STUB_NOT_FOUND = "stub not found"
    FUNCTION_CHANGED = "function changed"
    BODY_DOES_NOT_PARSE = "the body does not parse"
    DOES_NOT_PARSE_AFTER = "does not parse after the edit"


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    message: str  # for the user: what happened and what to do


@dataclass(frozen=True)
class BodyEdit:
    span: Span  # code point positions in the current text (after a BOM)
    text: str  # what replaces the span
    new_text: str  # the whole text after the edit (without a BOM: `Source.with_bom` adds it)
    first_line: int  # the function's lines after the edit
    last_line: int
    function_text: str  # the function after the edit, lines joined with "\n" (to recognise it)


def write_body(text: str, target: StubTarget, body: str) -> BodyEdit | Refusal:
    """The edit that puts `body` into the stub `target` of `text`, or why it cannot."""
    source = Source(text)
    try:
        ast.parse(body)
    except (SyntaxError, ValueError) as error:
        return Refusal(RefusalKind.BODY_DOES_NOT_PARSE, f"the new body of {target.qualname} does not parse ({error})")
    blocks = parse_tolerant(source)
    stubs = [s for s in find_stubs(source, blocks) if s.qualname == target.qualname]
    stub = next((s for s in stubs if _dedented(source, s) == target.stub_text), None)
    if stub is None:
        restored = restore_stub(text, target) if target.written is not None else None
        if restored is not None:
            return _rewrite(source, Source(restored), target, body)
        return _not_there(target, bool(stubs) or any(s.qualname == target.qualname for s in _sites(blocks)))
    start, end = source.offset(stub.body_span.start), source.offset(stub.body_span.end)
    rendered = render_body(body, stub_indent(stub, source), source.indent_unit, source.newline, stub.body_inline)
    new_text = source.text[:start] + rendered + source.text[end:]
    return _checked(source, new_text, stub.body_span, rendered, target, stub, body, whole=parses_whole(source, blocks))


def restore_stub(text: str, target: StubTarget) -> str | None:
    """`text` with the original stub put back where the function holds what S* wrote; None when
    it holds anything else (the user edited it) or is not there."""
    if target.written is None:
        return None
    source = Source(text)
    lines = source.lines
    for site in _sites(parse_tolerant(source)):
        if site.qualname != target.qualname:
            continue
        first, last = _first_line(site.node) - 1, (site.node.end_lineno or site.node.lineno) - 1
        if "\n".join(lines[first : last + 1]) != target.written:
            continue
        span = Span(Position(first, 0), Position(last, len(lines[last])))
        return source.replace(span, target.original)
    return None


def stub_indent(stub: Stub, source: Source) -> str:
    """The indentation of the body's first level: the stub statement's own, or one unit deeper
    than the `def` (or the docstring's) when the stub shares a line with it."""
    if not stub.body_inline:
        return stub.body_indent
    if stub.docstring_line is not None and stub.docstring_line != stub.def_line:
        return indent_of(source.line(stub.docstring_line))
    return stub.def_indent + source.indent_unit


def render_body(body: str, indent: str, unit: str, newline: str, inline: bool) -> str:
    """The body as it goes into the file: each level of its own indentation becomes `unit`, under
    `indent`; lines are joined with `newline`; lines inside multi-line strings stay as they are.
    Inline (the stub shares its line with the header): starts with a line break. Otherwise the
    first line goes where the stub statement was, after the indentation already there."""
    lines = split_lines(body.rstrip("\r\n"))
    out = []
    for number, (line, role) in enumerate(zip(lines, _roles(lines), strict=True)):
        if role.verbatim:
            out.append(line)
            continue
        stripped = line.lstrip(" \t\x0c")
        if not stripped:
            out.append("")
            continue
        prefix = "" if number == 0 and not inline else indent
        out.append(prefix + unit * (role.level + role.extra_levels) + role.extra + stripped)
    text = newline.join(out)
    return newline + text if inline else text


def body_matches(function: FunctionNode, body: str, *, after_docstring: bool) -> bool:
    """Whether the function's statements (after its docstring, if it has one) are exactly
    `body`'s: the body went where it belongs, and nowhere else (not into the docstring)."""
    try:
        wanted = ast.parse(body).body
    except (SyntaxError, ValueError):
        return False
    statements = function.body[1:] if after_docstring else function.body
    return _dump(statements) == _dump(wanted)


def _dump(statements: list[ast.stmt]) -> str:
    return "\n".join(ast.dump(statement) for statement in statements)


def function_text(source: Source, first: int, last: int) -> str:
    return "\n".join(source.lines[first : last + 1])


# -- checking ---------------------------------------------------------------------------------------
def _checked(
    old: Source,
    new_text: str,
    span: Span,
    replacement: str,
    target: StubTarget,
    stub: Stub,
    body: str,
    *,
    whole: bool,
) -> BodyEdit | Refusal:
    new = Source(new_text)
    blocks = parse_tolerant(new)
    if whole and not parses_whole(new, blocks):
        return _unparsable(target)
    site = next((s for s in _sites(blocks) if s.qualname == target.qualname and _first_line(s.node) - 1 == stub.span.start.line), None)
    if site is None or not body_matches(site.node, body, after_docstring=stub.docstring is not None):
        return _unparsable(target)
    first, last = _first_line(site.node) - 1, (site.node.end_lineno or site.node.lineno) - 1
    return BodyEdit(span, replacement, new_text, first, last, function_text(new, first, last))


def _rewrite(current: Source, restored: Source, target: StubTarget, body: str) -> BodyEdit | Refusal:
    """Write into the restored stub, then express the result as one edit of the current text:
    the lines that differ (signature and docstring are the same, so only the body's)."""
    result = write_body(restored.text, StubTarget(target.qualname, target.stub_text, target.original), body)
    if isinstance(result, Refusal):
        return result
    new = Source(result.new_text)
    old_lines, new_lines = current.lines, new.lines
    head = 0
    while head < min(len(old_lines), len(new_lines)) - 1 and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - head - 1
        and old_lines[-1 - tail] == new_lines[-1 - tail]
    ):
        tail += 1
    start = Position(head, 0)
    old_end = len(old_lines) - 1 - tail
    new_end = len(new_lines) - 1 - tail
    end = Position(old_end, len(old_lines[old_end]))
    replacement = new.text[new.line_start(head) : new.line_start(new_end) + len(new_lines[new_end])]
    return BodyEdit(Span(start, end), replacement, result.new_text, result.first_line, result.last_line, result.function_text)


def _not_there(target: StubTarget, defined: bool) -> Refusal:
    if defined:
        return Refusal(
            RefusalKind.FUNCTION_CHANGED,
            f"{target.qualname} changed since it was solved (it is no longer the stub S* was asked "
            "to fill, nor what S* wrote); nothing was overwritten: solve it again",
        )
    return Refusal(
        RefusalKind.STUB_NOT_FOUND,
        f"{target.qualname} is no longer in the file (or its part of the file does not parse); "
        "nothing was written: fix the file and solve again",
    )


def _unparsable(target: StubTarget) -> Refusal:
    return Refusal(
        RefusalKind.DOES_NOT_PARSE_AFTER,
        f"the file would not parse with the new body of {target.qualname} in place; nothing was "
        "written (please report this with the file: it is a bug in S*)",
    )


# -- helpers ----------------------------------------------------------------------------------------
def _sites(blocks):
    for block in blocks:
        yield from iter_functions(block.tree.body)


def _first_line(node: FunctionNode) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _dedented(source: Source, stub: Stub) -> str:
    return textwrap.dedent("\n".join(source.lines[stub.span.start.line : stub.span.end.line + 1]))


@dataclass(frozen=True)
class _Role:
    level: int = 0  # indentation levels under the body's first
    extra_levels: int = 0  # a continuation line's hanging indent, in the body's own units
    extra: str = ""  # and the alignment beyond those
    verbatim: bool = False  # inside a multi-line string: left exactly as it is


def _roles(lines: list[str]) -> list[_Role]:
    """What each line of a body is, from its tokens (a fallback by width if it does not tokenize)."""
    try:
        return _token_roles(lines)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _width_roles(lines)


# Python 3.12+ tokenizes f-strings into parts; a multi-line one spans FSTRING_START..FSTRING_END.
_FSTRING_START: int = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END: int = getattr(tokenize, "FSTRING_END", -1)
_STRING_STARTS = {tokenize.STRING, _FSTRING_START}
_STRING_ENDS = {tokenize.STRING, _FSTRING_END}


_BODY_UNIT = "    "  # what models indent with, when the body itself never indents


def _token_roles(lines: list[str]) -> list[_Role]:
    roles: list[_Role | None] = [None] * len(lines)
    verbatim: set[int] = set()
    stack = [""]  # indentation strings of the open levels
    logical_start = True
    logical_indent = ""
    first_indent = ""  # the body's own indentation unit, once seen
    open_strings: list[int] = []  # rows where an f-string (3.12+) started
    reader = io.StringIO("\n".join(lines) + "\n").readline
    for token in tokenize.generate_tokens(reader):
        row = token.start[0] - 1
        if token.type in _STRING_STARTS and token.type != tokenize.STRING:
            open_strings.append(row)
        if token.type in _STRING_ENDS:
            begin = open_strings.pop() if token.type != tokenize.STRING and open_strings else row
            verbatim.update(range(begin + 1, token.end[0]))
        if token.type == tokenize.INDENT:
            stack.append(token.string)
            first_indent = first_indent or token.string
            continue
        if token.type == tokenize.DEDENT:
            stack.pop()
            continue
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            logical_start = True
            continue
        if token.type == tokenize.NL:
            continue
        if 0 <= row < len(lines) and roles[row] is None:
            own = indent_of(lines[row])
            if token.type == tokenize.COMMENT and logical_start:
                roles[row] = _Role(level=_level_of(own, stack))
            elif logical_start:
                logical_indent = own
                roles[row] = _Role(level=len(stack) - 1)
            else:
                extra = own[len(logical_indent) :] if own.startswith(logical_indent) else own
                step = stack[1] if len(stack) > 1 else (first_indent or _BODY_UNIT)
                hanging = 0
                while step and extra.startswith(step):
                    extra, hanging = extra[len(step) :], hanging + 1
                roles[row] = _Role(level=len(stack) - 1, extra_levels=hanging, extra=extra)
        if token.type != tokenize.COMMENT:
            logical_start = False
    return [
        _Role(verbatim=True) if number in verbatim else (role or _Role())
        for number, role in enumerate(roles)
    ]


def _level_of(indent: str, stack: list[str]) -> int:
    """The deepest open level a comment's indentation reaches."""
    level = 0
    for number, opened in enumerate(stack):
        if len(indent.expandtabs(8)) >= len(opened.expandtabs(8)):
            level = number
    return level


def _width_roles(lines: list[str]) -> list[_Role]:
    widths = sorted({len(indent_of(line).expandtabs(4)) for line in lines if line.strip()} - {0})
    unit = widths[0] if widths else 4
    return [_Role(level=len(indent_of(line).expandtabs(4)) // unit) for line in lines]
