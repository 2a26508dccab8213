"""Where the stubs and functions of an open document are, cheaply enough for every code action.

`sstar.stubs.find_stubs` parses the whole file: ~50 ms for 5,000 lines, too slow to do after every
keystroke. Here the text is cut into top-level blocks (a scan of each line's first character that
knows when it is inside a triple-quoted string), each block is parsed on its own, and the result is
cached by the block's text: after an edit only the edited block is parsed again. A block that does
not parse (the user is typing there) has no stubs, the rest of the file is unaffected.

Positions are those of `sstar.stubs`: 0-based lines, code point columns.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property

from sstar.stubs import Position, Span, Stub, find_stubs

__all__ = ["DocumentIndex", "FunctionSpan", "index_source"]

_CACHE_LIMIT = 20_000  # blocks; a block's entry is small (its stubs and function spans)
_CONTINUATION = ("else", "elif", "except", "finally", "case")
# Tokens that matter for telling code from string contents, searched left to right on a line.
_TOKEN = re.compile(r"""#|[rRbBuUfF]{0,2}(\"\"\"|'''|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)""")


@dataclass(frozen=True)
class FunctionSpan:
    """Any function or method (stub or not): enough to find it again under the cursor."""

    qualname: str
    first_line: int  # first decorator or `def`
    last_line: int


@dataclass(frozen=True)
class _Block:
    first_line: int
    last_line: int
    stubs: tuple[Stub, ...]  # positions relative to the block
    functions: tuple[FunctionSpan, ...]


class DocumentIndex:
    """The blocks of one text. Positions are shifted to file lines only for what a query returns:
    a code action asks about a few lines, not about every stub of a 5,000-line file."""

    def __init__(self, blocks: list[_Block]) -> None:
        self._blocks = [b for b in blocks if b.stubs or b.functions]
        self._firsts = [b.first_line for b in self._blocks]

    @cached_property
    def stubs(self) -> tuple[Stub, ...]:
        return tuple(_shift_stub(s, b.first_line) for b in self._blocks for s in b.stubs)

    def stubs_in(self, first_line: int, last_line: int) -> list[Stub]:
        """Stubs overlapping the lines; for a single line only the innermost one."""
        hits = [
            _shift_stub(s, b.first_line)
            for b in self._overlapping(first_line, last_line)
            for s in b.stubs
            if s.span.start.line + b.first_line <= last_line and s.span.end.line + b.first_line >= first_line
        ]
        if first_line == last_line and len(hits) > 1:
            hits = [max(hits, key=lambda s: s.span.start)]
        return hits

    def function_at(self, line: int, qualnames: set[str]) -> FunctionSpan | None:
        """The innermost function among `qualnames` covering `line`."""
        covering = [
            _shift_function(f, b.first_line)
            for b in self._overlapping(line, line)
            for f in b.functions
            if f.qualname in qualnames and f.first_line + b.first_line <= line <= f.last_line + b.first_line
        ]
        return max(covering, key=lambda f: f.first_line, default=None)

    def function(self, qualname: str) -> FunctionSpan | None:
        for block in self._blocks:
            for function in block.functions:
                if function.qualname == qualname:
                    return _shift_function(function, block.first_line)
        return None

    def _overlapping(self, first_line: int, last_line: int) -> list[_Block]:
        index = max(bisect.bisect_right(self._firsts, first_line) - 1, 0)
        found = []
        for block in self._blocks[index:]:
            if block.first_line > last_line:
                break
            if block.last_line >= first_line:
                found.append(block)
        return found


_block_cache: OrderedDict[str, tuple[tuple[Stub, ...], tuple[FunctionSpan, ...]]] = OrderedDict()


def index_source(source: str) -> DocumentIndex:
    """Stubs and function spans of the whole text, block by block."""
    lines = source.splitlines()
    blocks = []
    for first, last in _blocks(lines):
        text = "\n".join(lines[first : last + 1]) + "\n"
        blocks.append(_Block(first, last, *_parse_block(text)))
    return DocumentIndex(blocks)


def _parse_block(text: str) -> tuple[tuple[Stub, ...], tuple[FunctionSpan, ...]]:
    cached = _block_cache.get(text)
    if cached is not None:
        _block_cache.move_to_end(text)
        return cached
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        entry: tuple[tuple[Stub, ...], tuple[FunctionSpan, ...]] = ((), ())
    else:
        functions: list[FunctionSpan] = []
        _walk(tree.body, (), functions)
        # find_stubs parses the block again; blocks are small and this happens once per text.
        entry = (tuple(find_stubs(text)), tuple(functions))
    _block_cache[text] = entry
    if len(_block_cache) > _CACHE_LIMIT:
        _block_cache.popitem(last=False)
    return entry


def _walk(body: list[ast.stmt], path: tuple[str, ...], out: list[FunctionSpan]) -> None:
    for node in body:
        if isinstance(node, ast.ClassDef):
            _walk(node.body, path + (node.name,), out)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            out.append(FunctionSpan(".".join(path + (node.name,)), first, node.end_lineno - 1))


def _shift_function(function: FunctionSpan, lines: int) -> FunctionSpan:
    if not lines:
        return function
    return FunctionSpan(function.qualname, function.first_line + lines, function.last_line + lines)


def _shift_stub(stub: Stub, lines: int) -> Stub:
    if not lines:
        return stub

    def span(s: Span) -> Span:
        return Span(Position(s.start.line + lines, s.start.character), Position(s.end.line + lines, s.end.character))

    return replace(
        stub,
        span=span(stub.span),
        def_line=stub.def_line + lines,
        body_span=span(stub.body_span),
        docstring_line=None if stub.docstring_line is None else stub.docstring_line + lines,
    )


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Top-level blocks: a block starts at a line that begins in column 0 with code (not inside a
    string, not a comment or closing bracket, not `else:`-like, not right after a decorator)."""
    starts: list[int] = []
    inside: str | None = None  # the closing delimiter of an open triple-quoted string
    after_decorator = False
    for number, line in enumerate(lines):
        starts_inside = inside is not None
        if starts_inside or "'" in line or '"' in line:  # most lines hold no quote at all
            inside = _string_state(line, inside)
        if starts_inside or not line or line[0].isspace() or line[0] in "#)]}":
            continue
        word = line.split(None, 1)[0].rstrip(":")
        if word in _CONTINUATION:
            continue
        if not (starts and after_decorator):
            starts.append(number)
        after_decorator = line.startswith("@")
    if not starts:
        return []
    ends = [start - 1 for start in starts[1:]] + [len(lines) - 1]
    return list(zip(starts, ends, strict=True))


def _string_state(line: str, inside: str | None) -> str | None:
    """Whether a triple-quoted string is open at the end of `line`, given the state at its start."""
    position = 0
    while True:
        if inside is not None:
            end = _find_closing(line, inside, position)
            if end < 0:
                return inside
            position, inside = end + 3, None
        match = _TOKEN.search(line, position)
        if match is None or match.group(0) == "#":
            return None
        if match.group(1) in ('"""', "'''"):
            inside = match.group(1)
        position = match.end()


def _find_closing(line: str, delimiter: str, start: int) -> int:
    index = line.find(delimiter, start)
    while index > 0 and _escaped(line, index):
        index = line.find(delimiter, index + 1)
    return index


def _escaped(line: str, index: int) -> bool:
    slashes = len(line[:index]) - len(line[:index].rstrip("\\"))
    return slashes % 2 == 1
