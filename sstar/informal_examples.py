"""Read examples that docstrings give without `>>>`: `f(1, 2) == 3`, `f(x) => y`, `f(x) ➞ y`.

Many real docstrings (and most of HumanEval's) state examples this way, sometimes several on one
line ("f(2) returns 4 and f(3) returns 9", "f(2) -> 4, f(3) -> 9"). A call counts only when it
parses as a call of the function itself and what follows the arrow is a Python literal, so prose
never becomes a test by accident. The expected display is the literal's repr, as doctest would
show it.
"""

from __future__ import annotations

import ast
import re

__all__ = ["informal_examples"]

# The arrow or comparison that separates the call from its result, in the forms docstrings use.
_SEPARATOR = re.compile(r"\s*(?:==|=>|➞|->|→|returns|should return|should be|gives|is)\s*")
# What may join two examples on one line, or end one, after its literal.
_TRAILER = re.compile(r"(?:\s*(?:[,;.]|\band\b|\bor\b|\bbut\b|\bwhile\b|\bwhereas\b))+\s*$")
_COMMENT = re.compile(r"\s+#.*$")


def informal_examples(docstring: str, function_name: str) -> list[tuple[int, str, str]]:
    """(line within the docstring, call source, expected display) for each informal example.

    Lines are counted at "\\n" only: the docstring's value comes from the tokenizer, which ends
    lines at "\\n", "\\r\\n" and "\\r" and gives all three as "\\n" (never `str.splitlines`, which
    would also split at a form feed and shift every later example's line)."""
    found = []
    call_start = re.compile(rf"(?<![\w.]){re.escape(function_name)}\(")
    for number, line in enumerate(docstring.split("\n")):
        if line.strip().startswith(">>>"):
            continue
        starts = [match.start() for match in call_start.finditer(line)]
        for index, start in enumerate(starts):
            stop = starts[index + 1] if index + 1 < len(starts) else len(line)
            example = _example(line[start:stop], function_name)
            if example is not None:
                found.append((number, *example))
    return found


def _example(text: str, function_name: str) -> tuple[str, str] | None:
    """The (call, expected display) that `text` (from a call to the next one) states, if any."""
    close = _call_end(text, len(function_name))
    if close is None:
        return None
    call = text[:close]
    separator = _SEPARATOR.match(text, close)
    if separator is None or separator.end() == close:
        return None
    expected = _COMMENT.sub("", text[separator.end() :])
    expected = _TRAILER.sub("", expected.strip()).strip()
    try:
        tree = ast.parse(call, mode="eval")
        value = ast.literal_eval(expected)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    body = tree.body
    if not (isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id == function_name):
        return None
    return call, repr(value) + "\n"


def _call_end(text: str, open_at: int) -> int | None:
    """The index after the parenthesis that closes the one at `open_at` (strings skipped)."""
    depth = 0
    quote: str | None = None
    index = open_at
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None
