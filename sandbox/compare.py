"""Parent-side comparison of expected values and displays with what a step produced.

Pure functions. Values compare strictly by type (True != 1, 1 != 1.0), floats (and complex
parts) with a tolerance, containers recursively. Displays follow doctest: exact, then
NORMALIZE_WHITESPACE, then literal-aware comparison so `0.30000000000000004` matches `0.3`.
"""

from __future__ import annotations

import ast
import doctest
import math
import re
from collections.abc import Hashable
from typing import Any

from .api import OutcomeKind, StepOutcome

__all__ = ["values_match", "example_passes", "outcome_signature"]

_SCALARS = (type(None), bool, int, str, bytes)


def values_match(expected: Any, actual: Any, *, rel_tol: float = 1e-6,
                 abs_tol: float = 1e-9) -> bool:
    t = type(expected)
    if t is not type(actual):
        return False
    if t is float:
        return (math.isnan(expected) and math.isnan(actual)) or math.isclose(
            expected, actual, rel_tol=rel_tol, abs_tol=abs_tol)
    if t is complex:
        return all(values_match(e, a, rel_tol=rel_tol, abs_tol=abs_tol) for e, a in
                   ((expected.real, actual.real), (expected.imag, actual.imag)))
    if t in (list, tuple):
        return len(expected) == len(actual) and all(
            values_match(e, a, rel_tol=rel_tol, abs_tol=abs_tol)
            for e, a in zip(expected, actual, strict=True))
    if t in (set, frozenset):
        return {_strict_key(x) for x in expected} == {_strict_key(x) for x in actual}
    if t is dict:
        if len(expected) != len(actual):
            return False
        by_key = {_strict_key(k): v for k, v in actual.items()}
        for k, v in expected.items():
            key = _strict_key(k)
            if key not in by_key or not values_match(v, by_key[key], rel_tol=rel_tol,
                                                     abs_tol=abs_tol):
                return False
        return True
    return expected == actual  # same built-in type (the parent never holds candidate objects)


def _strict_key(value: Any) -> Hashable:
    """A hashable key under which only same-typed equal values collide (1 vs True differ)."""
    t = type(value)
    if t is tuple:
        return ("tuple", tuple(_strict_key(x) for x in value))
    if t is frozenset:
        return ("frozenset", frozenset(_strict_key(x) for x in value))
    return (t.__qualname__, value)


def _literal(text: str) -> tuple[bool, object]:
    try:
        return True, ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


_MODULE_PREFIX = re.compile(r"^(?:[A-Za-z_][\w]*\.)+(?=[A-Za-z_]\w*(?::|$))")


def _exception_lines_match(want: str, got: str | None) -> bool:
    if got is None:
        return False
    want, got = want.strip(), got.strip()
    if want == got:
        return True
    # doctest output names the defining module ("candidate.MyError"); the docstring may not.
    return _MODULE_PREFIX.sub("", want) == _MODULE_PREFIX.sub("", got)


def example_passes(want: str, exc_msg: str | None, outcome: StepOutcome, *,
                   optionflags: int = 0) -> bool:
    """doctest semantics for one example: `want`/`exc_msg` as in doctest.Example."""
    if exc_msg is not None:
        return outcome.kind in (OutcomeKind.RAISED, OutcomeKind.MEMORY_EXCEEDED) and (
            _exception_lines_match(exc_msg, outcome.traceback_line))
    if outcome.kind is not OutcomeKind.RETURNED:
        return False
    got = outcome.display
    checker = doctest.OutputChecker()
    for flags in (optionflags, optionflags | doctest.NORMALIZE_WHITESPACE):
        if checker.check_output(want, got, flags):
            return True
    # Float tolerance: only when the display is exactly the value (nothing printed before it).
    if outcome.is_plain and not outcome.stdout and outcome.value_repr is not None:
        ok, expected = _literal(want)
        if ok:
            return values_match(expected, outcome.value)
    return False


def _sig(value: Any) -> Hashable:
    t = type(value)
    if t is float:
        return ("float", "nan" if math.isnan(value) else float(f"{value:.6g}"))
    if t is complex:
        return ("complex", _sig(value.real), _sig(value.imag))
    if t in (list, tuple):
        return (t.__name__, tuple(_sig(x) for x in value))
    if t in (set, frozenset):
        return (t.__name__, frozenset(_sig(x) for x in value))
    if t is dict:
        return ("dict", frozenset((_sig(k), _sig(v)) for k, v in value.items()))
    return (t.__name__, value)


def outcome_signature(outcome: StepOutcome) -> Hashable:
    """A hashable summary of a behaviour; equal for outcomes a user could not tell apart."""
    kind = outcome.kind
    if kind is OutcomeKind.RETURNED:
        shown = _sig(outcome.value) if outcome.is_plain else ("repr", outcome.value_repr)
        return (kind.value, shown, outcome.stdout)
    if kind in (OutcomeKind.RAISED, OutcomeKind.MEMORY_EXCEEDED):
        return (kind.value, outcome.exception_type, outcome.exception_message)
    return (kind.value,)
