"""The text model: a source file's lines as Python's tokenizer and LSP count them, and positions.

Lines end only at `\\n`, `\\r\\n` or `\\r` (what LSP and Python's tokenizer agree on). Never use
`str.splitlines()` on source: it also splits at form feeds, `\\x1c`-`\\x1e`, `\\x85`, U+2028 and
U+2029, which are ordinary characters to Python (a form feed between sections, a U+2028 in a
string) and made edits land in the wrong lines.

`Source` keeps every line's own ending, knows the file's dominant line ending and indentation
unit, and converts between offsets, (line, code point column) positions and the UTF-8 (what `ast`
reports) and UTF-16 (what most LSP clients use) columns, in this one place. A leading byte order
mark is not part of the text: positions count from after it (editors hide it too), and
`Source.with_bom` puts it back on text written to disk.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

__all__ = ["BOM", "LINE_BREAK", "Position", "Span", "Source", "split_lines", "line_count"]

BOM = "\ufeff"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INDENT = re.compile(r"[ \t]*")
# Characters `str.splitlines` breaks at that Python and LSP do not (besides "\r" and "\n").
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_DEFAULT_INDENT = "    "


@dataclass(frozen=True, order=True)
class Position:
    """0-based line and code point column."""

    line: int
    character: int


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    def contains_line(self, line: int) -> bool:
        return self.start.line <= line <= self.end.line


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their endings; a final ending starts an empty last line."""
    return LINE_BREAK.split(text)


def line_count(text: str) -> int:
    """How many lines `split_lines` would return."""
    return len(LINE_BREAK.findall(text)) + 1


class Source:
    """One version of a file's text. Immutable; the derived tables are computed on first use."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith(BOM)
        self.text = text[1:] if self.bom else text

    def __repr__(self) -> str:
        return f"Source({len(self.text)} chars, {len(self.lines)} lines)"

    # -- lines -------------------------------------------------------------------------------------
    @cached_property
    def _split(self) -> tuple[list[str], list[str]]:
        text = self.text
        if _ODD_BREAKS.search(text) is None:  # the common case: C-speed splitting agrees with ours
            if "\r" not in text:
                lines = text.split("\n")
                return lines, ["\n"] * (len(lines) - 1) + [""]
            kept = text.splitlines(keepends=True)
            if not kept or kept[-1].endswith(("\n", "\r")):
                kept.append("")
            lines = [line.rstrip("\r\n") for line in kept]
            return lines, [line[len(bare) :] for line, bare in zip(kept, lines, strict=True)]
        lines, endings = [], []
        position = 0
        for match in LINE_BREAK.finditer(text):
            lines.append(text[position : match.start()])
            endings.append(match.group())
            position = match.end()
        lines.append(text[position:])
        endings.append("")
        return lines, endings

    @cached_property
    def _starts(self) -> list[int]:
        lines, endings = self._split
        return [0, *accumulate(map(len, map(str.__add__, lines[:-1], endings[:-1])))]

    @property
    def lines(self) -> list[str]:
        """The lines without their endings (the last one is "" when the text ends with one)."""
        return self._split[0]

    @property
    def endings(self) -> list[str]:
        """Each line's own ending: "\n", "\r\n", "\r", or "" for the last line."""
        return self._split[1]

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number] if 0 <= number < len(lines) else ""

    def line_start(self, number: int) -> int:
        starts = self._starts
        return starts[min(max(number, 0), len(starts) - 1)]

    def segment(self, first: int, last: int) -> str:
        """Lines `first`..`last` (inclusive) with their own endings, the last one's included."""
        end = self.line_start(last + 1) if last + 1 < len(self.lines) else len(self.text)
        return self.text[self.line_start(first) : end]

    @cached_property
    def newline(self) -> str:
        """The dominant line ending ("\\n" for a file of one line)."""
        counts = Counter(ending for ending in self.endings if ending)
        if not counts:
            return "\n"
        return max(("\n", "\r\n", "\r"), key=lambda ending: counts[ending])

    @cached_property
    def indent_unit(self) -> str:
        """The file's indentation step: a tab when most indented code lines start with one, else
        the most common increase of indentation from one code line to the next (4 spaces if
        none). Lines inside multi-line strings do not count."""
        from .blocks import in_string_lines  # the one string-aware scanner

        strings = in_string_lines(self.lines)
        tabs = spaces = 0
        steps: Counter[int] = Counter()
        previous = 0
        for number, line in enumerate(self.lines):
            if number in strings:
                continue
            stripped = line.lstrip(" \t")
            if not stripped or stripped.startswith("#"):
                continue
            indent = line[: len(line) - len(stripped)]
            if indent.startswith("\t"):
                tabs += 1
            elif indent:
                spaces += 1
                if len(indent) > previous:
                    steps[len(indent) - previous] += 1
            previous = len(indent) if not indent.startswith("\t") else previous
        if tabs > spaces:
            return "\t"
        if not steps:
            return _DEFAULT_INDENT
        width = max(steps, key=lambda step: (steps[step], -step))
        return " " * width if 1 <= width <= 8 else _DEFAULT_INDENT

    # -- positions ---------------------------------------------------------------------------------
    def offset(self, position: Position) -> int:
        """The offset of a position (a column past the end of its line is clamped to it)."""
        line = min(max(position.line, 0), len(self.lines) - 1)
        return self.line_start(line) + min(max(position.character, 0), len(self.lines[line]))

    def position(self, offset: int) -> Position:
        """The position of an offset; one inside a "\\r\\n" pair is the end of that line."""
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(line, min(offset - self.line_start(line), len(self.lines[line])))

    def end(self) -> Position:
        return Position(len(self.lines) - 1, len(self.lines[-1]))

    def from_ast(self, lineno: int, byte_col: int) -> Position:
        """`ast`'s 1-based line and UTF-8 byte column as a position."""
        return Position(lineno - 1, self.from_utf8(lineno - 1, byte_col))

    def from_utf8(self, line: int, units: int) -> int:
        return _from_units(self.line(line), units, "utf-8", 1)

    def from_utf16(self, line: int, units: int) -> int:
        return _from_units(self.line(line), units, "utf-16-le", 2)

    def to_utf8(self, position: Position) -> int:
        return len(self.line(position.line)[: position.character].encode("utf-8", "surrogatepass"))

    def to_utf16(self, position: Position) -> int:
        prefix = self.line(position.line)[: position.character]
        return len(prefix.encode("utf-16-le", "surrogatepass")) // 2

    # -- editing -----------------------------------------------------------------------------------
    def replace(self, span: Span, text: str) -> str:
        """The text (without a BOM) with `span` replaced."""
        return self.text[: self.offset(span.start)] + text + self.text[self.offset(span.end) :]

    def with_bom(self, text: str) -> str:
        """`text` as it goes back to disk: with the BOM this file had."""
        return BOM + text if self.bom else text


def indent_of(line: str) -> str:
    """The leading spaces and tabs of a line."""
    match = _INDENT.match(line)
    return match.group() if match else ""


def _from_units(line: str, units: int, codec: str, size: int) -> int:
    """The code point column `units` code units (of `size` bytes) into `line`, clamped to it."""
    if units <= 0:
        return 0
    if line.isascii():
        return min(units, len(line))
    seen = 0
    for index, char in enumerate(line):
        if seen >= units * size:
            return index
        seen += len(char.encode(codec, "surrogatepass"))
    return len(line)


__all__ += ["indent_of"]
