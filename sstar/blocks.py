"""Cut a Python file into top-level blocks without parsing it: the one splitter of the project.

A file that does not parse as a whole (the user is typing) is parsed block by block, so a broken
block hides only its own functions. The editor's index (`lsp_server.index`, on every code action)
and the engine (`sstar.stubs.parse_tolerant`) both cut here, so they agree on what exists.

A block starts at a line that begins a statement in column 0: not inside a string (triple-quoted,
or a one-quote string continued with a backslash), not after a backslash continuation, not a
comment or a closing bracket, not `else:`-like, not the `def` after a decorator. Brackets are not
followed: a bracket left open while the user types (`def f(`) must not swallow the rest of the
file, and column-0 lines inside brackets are rare (a block cut there fails to parse alone, and a
file that parses whole is then parsed at once). Only lines holding a quote are scanned, so this
takes ~3 ms for 5,000 lines (parso, an error-tolerant parser, takes ~270 ms there: too slow for
every keystroke).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["top_level_blocks", "in_string_lines"]

_CONTINUATION = frozenset(("else", "elif", "except", "finally", "case"))
# Left to right on a line: a comment, or a string opener (with its prefix).
_TOKEN = re.compile(r"""#|(?<![\w])[rRbBuUfFtT]{0,2}(\"\"\"|'''|"|')""")


def top_level_blocks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) line numbers, inclusive, of each top-level block; lines before the first
    block (comments, blank lines) belong to none."""
    return _split(lines, None)


def in_string_lines(lines: Sequence[str]) -> set[int]:
    """The lines that start inside a multi-line string (their indentation is string content)."""
    inside: set[int] = set()
    _split(lines, inside)
    return inside


def _split(lines: Sequence[str], in_string: set[int] | None) -> list[tuple[int, int]]:
    starts: list[int] = []
    inside: str | None = None  # the closing delimiter of a string still open at the line's start
    continued = False  # the previous line ended with a backslash outside a string
    after_decorator = False
    for number, line in enumerate(lines):
        if inside is None and not continued:
            if line and line[0] not in _NOT_A_START and _starts_statement(line):
                if not (starts and after_decorator):
                    starts.append(number)
                after_decorator = line[0] == "@"
        elif in_string is not None and inside is not None:
            in_string.add(number)
        if inside is not None or "'" in line or '"' in line:
            inside, continued = _scan(line, inside)
        else:
            continued = line.endswith("\\") and "#" not in line
    if not starts:
        return []
    ends = [start - 1 for start in starts[1:]] + [len(lines) - 1]
    return list(zip(starts, ends, strict=True))


_NOT_A_START = frozenset(" \t\x0c#)]}")


def _starts_statement(line: str) -> bool:
    if line[0] not in "efc":  # else, elif, except, finally, case
        return True
    return line.split(None, 1)[0].split(":", 1)[0] not in _CONTINUATION


def _scan(line: str, inside: str | None) -> tuple[str | None, bool]:
    """The string and continuation state at the end of `line`."""
    position = 0
    while True:
        if inside is not None:
            end = _closing(line, inside, position)
            if end < 0:
                if len(inside) == 3 or line.endswith("\\"):
                    return inside, False
                return None, False  # an unterminated one-line string ends with its line
            position, inside = end + len(inside), None
        match = _TOKEN.search(line, position)
        if match is None:
            return None, line.endswith("\\")
        if match.group() == "#":
            return None, False
        inside = match.group(1)
        position = match.end()


def _closing(line: str, delimiter: str, start: int) -> int:
    """Where `delimiter` closes the string, skipping escaped quotes (raw strings too: `r"\\""`)."""
    index = line.find(delimiter, start)
    while index >= 0 and _escaped(line, index):
        index = line.find(delimiter, index + 1)
    return index


def _escaped(line: str, index: int) -> bool:
    slashes = len(line[:index]) - len(line[:index].rstrip("\\"))
    return slashes % 2 == 1
