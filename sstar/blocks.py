"""Cut a Python file into top-level blocks without parsing it: the one splitter of the project.

A file that does not parse as a whole (the user is typing) is parsed block by block, so a broken
block hides only its own functions. The editor's index (`lsp_server.index`, on every code action)
and the engine (`sstar.stubs.parse_tolerant`) both cut here, so they agree on what exists.

A block starts at a line that begins a statement in column 0: not inside a string (single- or
triple-quoted, continued with a backslash), a bracket or a backslash continuation, not a comment
or a closing bracket, not `else:`-like, not the `def` after a decorator. A bracket left open (the
user is typing `def f(`) would swallow the rest of the file, so a column-0 line that starts with a
name or `@` is taken as a new statement even then (column-0 continuation lines that start so are
rare; those starting with a literal or a closing bracket stay in their statement). A scan of each line's first character
and of the few lines holding quotes, brackets or backslashes; measured at ~10 ms for 5,000 lines
(parso, an error-tolerant parser, takes ~270 ms there: too slow for every keystroke).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["top_level_blocks", "in_string_lines"]

_CONTINUATION = frozenset(("else", "elif", "except", "finally", "case"))
_FRESH_START = re.compile(r"[^\W\d]|@")  # a name (any script) or a decorator
_INTERESTING = re.compile(r"""['"#()\[\]{}\\]""")
_QUOTES = re.compile(r"""['"#\\]""")  # a line without these is only code and brackets
# Left to right on a line: a comment, a string opener (with its prefix), a bracket.
_TOKEN = re.compile(r"""#|(?<![\w])[rRbBuUfFtT]{0,2}(\"\"\"|'''|"|')|[(\[{]|[)\]}]""")
_OPEN = "([{"


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
    depth = 0  # open brackets
    continued = False  # the previous line ended with a backslash outside a string
    after_decorator = False
    for number, line in enumerate(lines):
        if inside is not None and in_string is not None:
            in_string.add(number)
        in_code = inside is None and depth == 0 and not continued
        if not in_code and inside is None and _FRESH_START.match(line):
            depth, continued, in_code = 0, False, True  # an unclosed bracket above: start afresh
        if in_code and _starts_statement(line):
            if not (starts and after_decorator):
                starts.append(number)
            after_decorator = line.startswith("@")
        if inside is None and not continued and _QUOTES.search(line) is None:
            if depth or "(" in line or "[" in line or "{" in line:  # only brackets: count them
                depth = max(depth + _brackets(line), 0)
        elif inside is not None or continued or depth or _INTERESTING.search(line):
            inside, depth, continued = _scan(line, inside, depth)
    if not starts:
        return []
    ends = [start - 1 for start in starts[1:]] + [len(lines) - 1]
    return list(zip(starts, ends, strict=True))


def _brackets(line: str) -> int:
    return (
        line.count("(") + line.count("[") + line.count("{")
        - line.count(")") - line.count("]") - line.count("}")
    )


def _starts_statement(line: str) -> bool:
    if not line or line[0] in " \t\x0c#)]}":
        return False
    word = line.split(None, 1)[0].split(":", 1)[0]
    return word not in _CONTINUATION


def _scan(line: str, inside: str | None, depth: int) -> tuple[str | None, int, bool]:
    """The string, bracket and continuation state at the end of `line`."""
    position = 0
    while True:
        if inside is not None:
            end = _closing(line, inside, position)
            if end < 0:
                if len(inside) == 3 or line.endswith("\\"):
                    return inside, depth, False
                return None, depth, False  # an unterminated one-line string ends with its line
            position, inside = end + len(inside), None
        match = _TOKEN.search(line, position)
        if match is None:
            return None, depth, line.endswith("\\")
        token = match.group()
        if token == "#":
            return None, depth, False
        if match.group(1):
            inside = match.group(1)
        elif token in _OPEN:
            depth += 1
        else:
            depth = max(depth - 1, 0)
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
