"""Find function stubs in Python source: cheap (only `ast`), and tolerant of syntax errors elsewhere.

A stub is a function or method (sync or async) whose body, after an optional docstring, is `...`,
`pass` or `raise NotImplementedError[(...)]`, or is the docstring alone. `@overload` and
`@abstractmethod` definitions are left alone: their empty bodies are intended.

The language server calls `find_stubs` on every code action request, so it must stay pure and fast.
When the whole file does not parse (the user is typing), the file is cut into top-level blocks and
each block is parsed on its own; stubs in the blocks that parse are still found.

Positions are 0-based lines and *code point* columns (not UTF-8 bytes as `ast` reports them, nor the
UTF-16 units LSP uses: the language server converts).
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass

__all__ = [
    "Position",
    "Span",
    "StubKind",
    "Stub",
    "ParsedBlock",
    "find_stubs",
    "stub_at",
    "stubs_in_lines",
    "parse_tolerant",
    "is_stub_function",
]

_SKIP_DECORATORS = {"overload", "abstractmethod", "abstractproperty"}
_CONTINUATION_KEYWORDS = ("else", "elif", "except", "finally", "case")


@dataclass(frozen=True, order=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    def contains_line(self, line: int) -> bool:
        return self.start.line <= line <= self.end.line


class StubKind(enum.Enum):
    ELLIPSIS = "..."
    PASS = "pass"
    RAISE_NOT_IMPLEMENTED = "raise NotImplementedError"
    DOCSTRING_ONLY = "docstring only"


@dataclass(frozen=True)
class Stub:
    """Where a stub is, and what a solve replaces."""

    qualname: str
    name: str
    class_path: tuple[str, ...]
    is_async: bool
    kind: StubKind
    span: Span  # from the first decorator to the end of the body
    def_line: int  # the line holding `def`
    body_span: Span  # the stub statement(s) after the docstring: what a solve replaces
    body_inline: bool  # the stub statement shares its line with the header or the docstring
    body_indent: str  # indentation of the new body's lines
    docstring: str | None  # raw literal value (not cleaned): doctest line numbers stay true
    docstring_line: int | None  # line where the docstring literal starts

    @property
    def is_method(self) -> bool:
        return bool(self.class_path)


@dataclass(frozen=True)
class ParsedBlock:
    """A piece of the file that parses, with line numbers already true for the whole file."""

    tree: ast.Module
    first_line: int  # 0-based
    last_line: int  # 0-based, inclusive


def parse_tolerant(source: str) -> list[ParsedBlock]:
    """Parse the whole file, or failing that each top-level block that parses on its own."""
    lines = source.splitlines()
    try:
        return [ParsedBlock(ast.parse(source), 0, max(len(lines) - 1, 0))]
    except (SyntaxError, ValueError):
        pass
    blocks = []
    for first, last in _top_level_blocks(lines):
        text = "\n".join(lines[first : last + 1]) + "\n"
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        ast.increment_lineno(tree, first)
        blocks.append(ParsedBlock(tree, first, last))
    return blocks


def _top_level_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Cut at lines that start at column 0 (decorators stay with their def, `else:` with its if)."""
    starts: list[int] = []
    decorators_only = False
    for number, line in enumerate(lines):
        if not line or line[0].isspace() or line[0] in "#)]}":
            continue
        word = line.split(None, 1)[0].rstrip(":")
        if word in _CONTINUATION_KEYWORDS:
            continue
        if starts and decorators_only:
            decorators_only = line.startswith("@")
            continue
        starts.append(number)
        decorators_only = line.startswith("@")
    ends = [start - 1 for start in starts[1:]] + [len(lines) - 1]
    return list(zip(starts, ends, strict=False))


def find_stubs(source: str) -> list[Stub]:
    """Every stub in the file, in source order."""
    lines = source.splitlines()
    stubs: list[Stub] = []
    for block in parse_tolerant(source):
        _collect(block.tree.body, (), lines, stubs)
    stubs.sort(key=lambda stub: stub.span.start)
    return stubs


def stub_at(stubs: list[Stub], line: int) -> Stub | None:
    """The innermost stub whose definition covers `line`."""
    covering = [stub for stub in stubs if stub.span.contains_line(line)]
    return max(covering, key=lambda stub: stub.span.start, default=None)


def stubs_in_lines(stubs: list[Stub], first_line: int, last_line: int) -> list[Stub]:
    """Stubs that overlap the lines of a selection."""
    return [s for s in stubs if s.span.start.line <= last_line and s.span.end.line >= first_line]


def is_stub_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> StubKind | None:
    """The kind of stub this definition is, or None when it has a real (or intended-empty) body."""
    if any(_decorator_name(d) in _SKIP_DECORATORS for d in node.decorator_list):
        return None
    rest = node.body[1:] if _docstring_node(node) is not None else node.body
    if not rest:
        return StubKind.DOCSTRING_ONLY
    if len(rest) != 1:
        return None
    statement = rest[0]
    if isinstance(statement, ast.Pass):
        return StubKind.PASS
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and statement.value.value is Ellipsis
    ):
        return StubKind.ELLIPSIS
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
            return StubKind.RAISE_NOT_IMPLEMENTED
    return None


def _collect(body: list[ast.stmt], class_path: tuple[str, ...], lines: list[str], out: list[Stub]):
    for node in body:
        if isinstance(node, ast.ClassDef):
            if not any(_decorator_name(base) == "Protocol" for base in node.bases):
                _collect(node.body, class_path + (node.name,), lines, out)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = is_stub_function(node)
            if kind is not None:
                out.append(_make_stub(node, kind, class_path, lines))


def _make_stub(node, kind: StubKind, class_path: tuple[str, ...], lines: list[str]) -> Stub:
    first_line = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    doc = _docstring_node(node)
    end = _position(lines, node.end_lineno, node.end_col_offset)
    def_indent = _indent_of(lines[node.lineno - 1])
    if kind is StubKind.DOCSTRING_ONLY:
        anchor = _position(lines, doc.end_lineno, doc.end_col_offset)
        body_span = Span(anchor, anchor)
        inline = True
        indent = _indent_of(lines[doc.lineno - 1]) if doc.lineno != node.lineno else def_indent + "    "
    else:
        statement = node.body[-1]
        start = _position(lines, statement.lineno, statement.col_offset)
        body_span = Span(start, _position(lines, statement.end_lineno, statement.end_col_offset))
        prefix = lines[statement.lineno - 1][: start.character]
        inline = bool(prefix.strip())
        indent = def_indent + "    " if inline else prefix
        if inline:  # `def f(): ...`: also replace the blank between the colon and the statement
            start = Position(start.line, len(prefix.rstrip()))
        body_span = Span(start, body_span.end)
    return Stub(
        qualname=".".join(class_path + (node.name,)),
        name=node.name,
        class_path=class_path,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        kind=kind,
        span=Span(Position(first_line, 0), end),
        def_line=node.lineno - 1,
        body_span=body_span,
        body_inline=inline,
        body_indent=indent,
        docstring=doc.value.value if doc is not None else None,
        docstring_line=doc.lineno - 1 if doc is not None else None,
    )


def _docstring_node(node) -> ast.Expr | None:
    first = node.body[0] if node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript):  # Protocol[T]
        return _decorator_name(node.value)
    return ""


def _position(lines: list[str], lineno: int, byte_col: int) -> Position:
    """ast gives 1-based lines and UTF-8 byte columns; we use 0-based lines, code point columns."""
    line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
    return Position(lineno - 1, len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace")))


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
