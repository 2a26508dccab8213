"""Read examples that docstrings give without `>>>`: `f(1, 2) == 3`, `f(x) => y`, `f(x) ➞ y`.

Many real docstrings (and most of HumanEval's) state examples this way. A line counts only when its
left side parses as a call of the function itself and its right side is a Python literal, so prose
never becomes a test by accident. The expected display is the literal's repr, as doctest would show it.
"""

from __future__ import annotations

import ast
import re

__all__ = ["informal_examples"]

# The arrow or comparison that separates the call from its result, in the forms docstrings use.
_SEPARATOR = re.compile(r"\s*(?:==|=>|➞|->|→|returns|should return|should be|gives|is)\s*")


def informal_examples(docstring: str, function_name: str) -> list[tuple[int, str, str]]:
    """(line within the docstring, call source, expected display) for each informal example."""
    found = []
    for number, line in enumerate(docstring.splitlines()):
        text = line.strip().rstrip(".,;")
        if function_name + "(" not in text or text.startswith(">>>"):
            continue
        start = text.index(function_name + "(")
        text = text[start:]
        for match in _SEPARATOR.finditer(text):
            call, expected = text[: match.start()].strip(), text[match.end() :].strip()
            expected = expected.split("  #")[0].split(" # ")[0].strip().rstrip(".,;")
            display = _example(call, expected, function_name)
            if display is not None:
                found.append((number, call, display))
                break
    return found


def _example(call: str, expected: str, function_name: str) -> str | None:
    try:
        tree = ast.parse(call, mode="eval")
        value = ast.literal_eval(expected)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    body = tree.body
    if not (isinstance(body, ast.Call) and isinstance(body.func, ast.Name)):
        return None
    if body.func.id != function_name:
        return None
    return repr(value) + "\n"
