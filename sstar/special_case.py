"""Does a candidate hard-code the docstring's examples? (`if x == <example input>: return ...`)

Read from the AST of the candidate's function: an `if` (or conditional expression) that compares
its parameters with `==` or `in` against a literal equal to an example's arguments, and whose
branch returns a literal. Base cases a real implementation has (`if n == 0: return 1`,
`if not items: return []`) are not counted: only non-trivial literals (not None, booleans,
-1..2, empty or one-character values) match. Selection ranks such a candidate after every
candidate that generalises.
"""

from __future__ import annotations

from typing import Any

import ast

from .problem import Problem
from .signature import signature_of
from .typed_inputs import example_arguments

__all__ = ["hard_codes_examples"]


def hard_codes_examples(code: str, problem: Problem) -> bool:
    examples = example_arguments(problem)
    if not examples:
        return False
    names = [p.name for p in signature_of(problem)]
    wanted: list[object] = []
    for args in examples:
        wanted.extend(value for value in args if not _trivial(value))
        if len(args) > 1:
            wanted.append(tuple(args))
    if not wanted:
        return False
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.IfExp)) and _returns_literal(node):
            if _compares_to(node.test, names, wanted):
                return True
    return False


def _trivial(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)) and -1 <= value <= 2:
        return True
    try:
        return len(value) <= 1  # type: ignore[arg-type]
    except TypeError:
        return False


def _returns_literal(node: ast.If | ast.IfExp) -> bool:
    if isinstance(node, ast.IfExp):
        return _literal(node.body) is not _MISSING
    first = node.body[0] if node.body else None
    return (
        isinstance(first, ast.Return)
        and first.value is not None
        and (_literal(first.value) is not _MISSING)
    )


_MISSING = object()


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _MISSING


def _compares_to(test: ast.expr, names: list[str], wanted: list[object]) -> bool:
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        if not isinstance(node.ops[0], (ast.Eq, ast.In, ast.Is)):
            continue
        left, right = node.left, node.comparators[0]
        for side, other in ((left, right), (right, left)):
            if _is_params(side, names):
                value = _literal(other)
                if value is _MISSING:
                    continue
                options: Any = value if isinstance(node.ops[0], ast.In) else [value]
                try:
                    if any(_same(option, w) for option in options for w in wanted):
                        return True
                except TypeError:
                    continue
    return False


def _is_params(node: ast.expr, names: list[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, (ast.Tuple, ast.List)):
        return bool(node.elts) and all(_is_params(e, names) for e in node.elts)
    return False


def _same(a: object, b: object) -> bool:
    """Equal as the program would see them (a list literal equals a tuple's example? no)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
