"""Find function stubs in Python source: cheap (only `ast`), and tolerant of syntax errors elsewhere.

A stub is a function or method (sync or async) whose body, after an optional docstring, is `...`,
`pass` or `raise NotImplementedError[(...)]`, or is the docstring alone. `@overload` and
`@abstractmethod` definitions and the members of a `Protocol` are left alone: their empty bodies
are intended. Stubs are found where people put them: in classes (nested too), under `if`, `try`,
`with`, loops and `match` at any level, and inside other functions (then `in_function` is set and
the qualified name is Python's own, `outer.<locals>.inner`).

The language server's index asks on every code action, so this stays pure and fast. When the whole
file does not parse (the user is typing), it is cut into top-level blocks (`sstar.blocks`) and each
block is parsed on its own; stubs in the blocks that parse are still found.

Positions are 0-based lines and *code point* columns (`sstar.source`), not the UTF-8 bytes `ast`
reports nor the UTF-16 units most LSP clients use.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .blocks import top_level_blocks
from .source import Position, Source, Span, indent_of

__all__ = [
    "Position",
    "Span",
    "StubKind",
    "Stub",
    "FunctionSpan",
    "FunctionSite",
    "iter_functions",
    "ParsedBlock",
    "ParsedBlocks",
    "find_stubs",
    "outline_tree",
    "stub_at",
    "stubs_in_lines",
    "parse_tolerant",
    "parses_whole",
    "is_stub_function",
]

_SKIP_DECORATORS = {"overload", "abstractmethod", "abstractproperty"}
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class StubKind(enum.Enum):
    ELLIPSIS = "..."
    PASS = "pass"
    RAISE_NOT_IMPLEMENTED = "raise NotImplementedError"
    DOCSTRING_ONLY = "docstring only"


@dataclass(frozen=True)
class Stub:
    """Where a stub is, and what a solve replaces."""

    qualname: str  # Python's __qualname__: "f", "A.m", "outer.<locals>.inner"
    name: str
    class_path: tuple[str, ...]  # the classes directly around it (innermost last)
    is_async: bool
    kind: StubKind
    span: Span  # from the first decorator to the end of the body
    def_line: int  # the line holding `def`
    body_span: Span  # the stub statement(s) after the docstring: what a solve replaces
    body_inline: bool  # the stub statement shares its line with the header or the docstring
    body_indent: str  # indentation of the new body's lines (with a 4-space unit when inline)
    docstring: str | None  # raw literal value (not cleaned): doctest line numbers stay true
    docstring_line: int | None  # line where the docstring literal starts
    def_indent: str = ""  # indentation of the `def` line
    in_function: bool = False  # defined inside another function: not reachable from the module

    @property
    def is_method(self) -> bool:
        return bool(self.class_path)


@dataclass(frozen=True)
class FunctionSpan:
    """Any function or method (stub or not): enough to find it again by name or under the cursor."""

    qualname: str
    first_line: int  # first decorator or `def`
    last_line: int


@dataclass(frozen=True)
class ParsedBlock:
    """A piece of the file that parses, with line numbers already true for the whole file."""

    tree: ast.Module
    first_line: int  # 0-based
    last_line: int  # 0-based, inclusive


def _as_source(source: str | Source) -> Source:
    return source if isinstance(source, Source) else Source(source)


class ParsedBlocks(list[ParsedBlock]):
    """The blocks of a file that parse; `whole` when that is all of the file."""

    whole: bool = False


_CHUNK_LINES = 200  # blocks are parsed in runs of about this many lines


def parse_tolerant(source: str | Source) -> ParsedBlocks:
    """The file's top-level blocks that parse (with line numbers true for the whole file).

    Parsed in runs of blocks of ~200 lines rather than at once: an `ast.parse` call holds the GIL
    throughout (~20-60 ms for 5,000 lines on this machine), and the language server's event loop
    waits meanwhile. A run that fails is parsed again block by block: a broken block hides only
    itself."""
    text = _as_source(source)
    lines = text.lines
    blocks = ParsedBlocks()
    failed = False
    run: list[tuple[int, int]] = []
    for span in [*top_level_blocks(lines), None]:
        if span is not None:
            run.append(span)
            if span[1] - run[0][0] + 1 < _CHUNK_LINES:
                continue
        if not run:
            continue
        whole_run = _parse_lines(lines, run[0][0], run[-1][1])
        if whole_run is not None:
            blocks.append(whole_run)
        else:
            for first, last in run:
                block = _parse_lines(lines, first, last)
                failed = failed or block is None
                if block is not None:
                    blocks.append(block)
        run = []
    if not failed:
        blocks.whole = True
        return blocks
    try:  # a file the splitter cut where Python would not (rare): parse it at once after all
        whole = ParsedBlocks([ParsedBlock(ast.parse(text.text), 0, len(lines) - 1)])
    except (SyntaxError, ValueError):
        return blocks
    whole.whole = True
    return whole


def _parse_lines(lines: Sequence[str], first: int, last: int) -> ParsedBlock | None:
    try:  # blank lines in front keep line numbers true, cheaper than ast.increment_lineno
        tree = ast.parse("\n" * first + "\n".join(lines[first : last + 1]) + "\n")
    except (SyntaxError, ValueError):
        return None
    return ParsedBlock(tree, first, last)


def parses_whole(source: Source, blocks: list[ParsedBlock]) -> bool:
    """Whether `blocks` (from `parse_tolerant`) are the whole file."""
    return bool(getattr(blocks, "whole", False))


def find_stubs(source: str | Source, blocks: list[ParsedBlock] | None = None) -> list[Stub]:
    """Every stub in the file, in source order."""
    text = _as_source(source)
    stubs: list[Stub] = []
    for block in parse_tolerant(text) if blocks is None else blocks:
        stubs += outline_tree(block.tree, text.lines)[0]
    stubs.sort(key=lambda stub: stub.span.start)
    return stubs


def outline_tree(tree: ast.Module, lines: Sequence[str]) -> tuple[list[Stub], list[FunctionSpan]]:
    """The stubs and all function spans of a parsed module (or block) whose lines are `lines`."""
    stubs: list[Stub] = []
    functions: list[FunctionSpan] = []
    _collect(tree, lines, stubs, functions)
    return stubs, functions


def stub_at(stubs: list[Stub], line: int) -> Stub | None:
    """The innermost stub whose definition covers `line`."""
    covering = [stub for stub in stubs if stub.span.contains_line(line)]
    return max(covering, key=lambda stub: stub.span.start, default=None)


def stubs_in_lines(stubs: list[Stub], first_line: int, last_line: int) -> list[Stub]:
    """Stubs that overlap the lines of a selection."""
    return [s for s in stubs if s.span.start.line <= last_line and s.span.end.line >= first_line]


def is_stub_function(node: FunctionNode) -> StubKind | None:
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


@dataclass(frozen=True)
class FunctionSite:
    """A function definition with where it sits: what the walk over a module yields."""

    qualname: str
    node: FunctionNode
    class_path: tuple[str, ...]
    in_function: bool
    in_protocol: bool


def iter_functions(
    body: list[ast.stmt],
    scope: tuple[str, ...] = (),
    class_path: tuple[str, ...] = (),
    in_function: bool = False,
    in_protocol: bool = False,
) -> Iterator[FunctionSite]:
    """Every function and method in `body`, at any depth, in source order, with its qualname."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            protocol = in_protocol or any(_decorator_name(base) == "Protocol" for base in node.bases)
            yield from iter_functions(node.body, scope + (node.name,), class_path + (node.name,), in_function, protocol)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = ".".join(scope + (node.name,))
            yield FunctionSite(qualname, node, class_path, in_function, in_protocol)
            yield from iter_functions(node.body, scope + (node.name, "<locals>"), (), True, in_protocol)
        else:
            for child in _nested_bodies(node):
                yield from iter_functions(child, scope, class_path, in_function, in_protocol)


def _collect(tree: ast.Module, lines: Sequence[str], stubs: list[Stub], functions: list[FunctionSpan]) -> None:
    for site in iter_functions(tree.body):
        node = site.node
        functions.append(FunctionSpan(site.qualname, _first_line(node) - 1, (node.end_lineno or node.lineno) - 1))
        kind = None if site.in_protocol else is_stub_function(node)
        if kind is not None:
            stubs.append(_make_stub(node, kind, site.qualname, site.class_path, site.in_function, lines))


def _nested_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists inside a compound statement that is not a def or class."""
    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [node.body, node.orelse]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [node.body]
    if isinstance(node, (ast.Try, ast.TryStar)):
        return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
    if isinstance(node, ast.Match):
        return [case.body for case in node.cases]
    return []


def _first_line(node: FunctionNode) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _make_stub(
    node: FunctionNode,
    kind: StubKind,
    qualname: str,
    class_path: tuple[str, ...],
    in_function: bool,
    lines: Sequence[str],
) -> Stub:
    first_line = _first_line(node) - 1
    doc = _docstring_node(node)
    end = _position(lines, node.end_lineno or node.lineno, node.end_col_offset or 0)
    def_indent = indent_of(_line(lines, node.lineno - 1))
    if kind is StubKind.DOCSTRING_ONLY:
        assert doc is not None
        anchor = _position(lines, doc.end_lineno or doc.lineno, doc.end_col_offset or 0)
        body_span = Span(anchor, anchor)
        inline = True
        indent = indent_of(_line(lines, doc.lineno - 1)) if doc.lineno != node.lineno else def_indent + "    "
    else:
        statement = node.body[-1]
        start = _position(lines, statement.lineno, statement.col_offset)
        stop = _position(lines, statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        prefix = _line(lines, statement.lineno - 1)[: start.character]
        inline = bool(prefix.strip())
        indent = def_indent + "    " if inline else prefix.rsplit("\x0c", 1)[-1]
        if inline:  # `def f(): ...`: also replace the blank between the colon and the statement
            start = Position(start.line, len(prefix.rstrip()))
        body_span = Span(start, stop)
    return Stub(
        qualname=qualname,
        name=node.name,
        class_path=class_path,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        kind=kind,
        span=Span(Position(first_line, 0), end),
        def_line=node.lineno - 1,
        body_span=body_span,
        body_inline=inline,
        body_indent=indent,
        docstring=_docstring_value(doc),
        docstring_line=doc.lineno - 1 if doc is not None else None,
        def_indent=def_indent,
        in_function=in_function,
    )


def _docstring_node(node: FunctionNode) -> ast.Expr | None:
    first = node.body[0] if node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


def _docstring_value(doc: ast.Expr | None) -> str | None:
    if doc is None or not isinstance(doc.value, ast.Constant) or not isinstance(doc.value.value, str):
        return None
    return doc.value.value


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


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number] if 0 <= number < len(lines) else ""


def _position(lines: Sequence[str], lineno: int, byte_col: int) -> Position:
    """ast gives 1-based lines and UTF-8 byte columns; we use 0-based lines, code point columns."""
    line = _line(lines, lineno - 1)
    if line.isascii():
        return Position(lineno - 1, min(byte_col, len(line)))
    return Position(lineno - 1, len(line.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace")))
