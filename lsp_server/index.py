"""Where the stubs and functions of an open document are, cheaply enough for every code action.

`sstar.stubs.find_stubs` parses the whole file: ~60 ms for 5,000 lines, too slow to do after every
keystroke. Here the text is cut into top-level blocks by the engine's own splitter
(`sstar.blocks`, which knows strings and brackets), each block is parsed on its own, and the result
is cached by the block's text: after an edit only the edited block is parsed again. A block that
does not parse (the user is typing there) has no stubs, the rest of the file is unaffected.

Positions are those of `sstar.stubs`: 0-based lines, code point columns. `.pyi` files declare
signatures: `offers_solves` says no to them.
"""

from __future__ import annotations

import ast
import bisect
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property

from sstar.blocks import top_level_blocks
from sstar.source import Source
from sstar.stubs import FunctionSpan, Position, Span, Stub, outline_tree

__all__ = ["DocumentIndex", "FunctionSpan", "index_source", "offers_solves"]

_CACHE_LIMIT = 20_000  # blocks; a block's entry is small (its stubs and function spans)


def offers_solves(uri: str, language_id: str | None) -> bool:
    """Whether S* offers to solve stubs in this document: Python source, never a `.pyi` stub file
    (its `...` bodies are declarations, not work left to do)."""
    path = uri.split("?", 1)[0].split("#", 1)[0]
    if path.endswith(".pyi"):
        return False
    return language_id == "python" or path.endswith(".py")


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

    def function_at(self, line: int, qualnames: set[str] | None) -> FunctionSpan | None:
        """The innermost function among `qualnames` (None: any) covering `line`."""
        covering = [
            _shift_function(f, b.first_line)
            for b in self._overlapping(line, line)
            for f in b.functions
            if (qualnames is None or f.qualname in qualnames)
            and f.first_line + b.first_line <= line <= f.last_line + b.first_line
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


def index_source(source: str | Source) -> DocumentIndex:
    """Stubs and function spans of the whole text, block by block."""
    lines = (source if isinstance(source, Source) else Source(source)).lines
    blocks = []
    for first, last in top_level_blocks(lines):
        block_lines = lines[first : last + 1]
        blocks.append(_Block(first, last, *_parse_block("\n".join(block_lines) + "\n", block_lines)))
    return DocumentIndex(blocks)


def _parse_block(text: str, lines: list[str]) -> tuple[tuple[Stub, ...], tuple[FunctionSpan, ...]]:
    cached = _block_cache.get(text)
    if cached is not None:
        _block_cache.move_to_end(text)
        return cached
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        entry: tuple[tuple[Stub, ...], tuple[FunctionSpan, ...]] = ((), ())
    else:
        stubs, functions = outline_tree(tree, lines)
        entry = (tuple(sorted(stubs, key=lambda stub: stub.span.start)), tuple(functions))
    _block_cache[text] = entry
    if len(_block_cache) > _CACHE_LIMIT:
        _block_cache.popitem(last=False)
    return entry


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
