"""Plain values written back as Python source that rebuilds them exactly.

A candidate's output reaches a check as such a literal (never as an object from the candidate's
process), and typed inputs become probe calls the same way. Only the sandbox's plain values are
written: None, bool, int, float (nan and the infinities too), complex, str, bytes, and lists,
tuples, sets, frozensets and dicts of them. The source uses literals and the builtins `float`,
`complex`, `set` and `frozenset` only, all of which `sstar.prompts.parse_probe_calls` accepts.
"""

from __future__ import annotations

from typing import Any

import math

__all__ = ["to_source"]

_MAX_DEPTH = 20


def to_source(value: object, limit: int = 20_000) -> str | None:
    """Source text that evaluates to `value`; None when it is not plain or longer than `limit`."""
    parts: list[str] = []
    try:
        _write(value, parts, 0, [0, limit])
    except _TooLong:
        return None
    except _NotPlain:
        return None
    return "".join(parts)


class _NotPlain(Exception):
    pass


class _TooLong(Exception):
    pass


def _emit(parts: list[str], text: str, budget: list[int]) -> None:
    budget[0] += len(text)
    if budget[0] > budget[1]:
        raise _TooLong
    parts.append(text)


def _write(value: Any, parts: list[str], depth: int, budget: list[int]) -> None:
    if depth > _MAX_DEPTH:
        raise _NotPlain
    kind = type(value)
    if value is None or kind in (bool, int, str, bytes):
        _emit(parts, repr(value), budget)
    elif kind is float:
        _emit(parts, _float(value), budget)
    elif kind is complex:
        _emit(parts, f"complex({_float(value.real)}, {_float(value.imag)})", budget)
    elif kind in (list, tuple):
        opening, closing = ("[", "]") if kind is list else ("(", ")")
        _emit(parts, opening, budget)
        for index, item in enumerate(value):
            if index:
                _emit(parts, ", ", budget)
            _write(item, parts, depth + 1, budget)
        if kind is tuple and len(value) == 1:
            _emit(parts, ",", budget)
        _emit(parts, closing, budget)
    elif kind in (set, frozenset):
        items = sorted(value, key=repr)
        if kind is frozenset:
            _emit(parts, "frozenset(", budget)
        if not items:
            _emit(parts, "set()", budget)
        else:
            _emit(parts, "{", budget)
            for index, item in enumerate(items):
                if index:
                    _emit(parts, ", ", budget)
                _write(item, parts, depth + 1, budget)
            _emit(parts, "}", budget)
        if kind is frozenset:
            _emit(parts, ")", budget)
    elif kind is dict:
        _emit(parts, "{", budget)
        for index, (key, item) in enumerate(value.items()):
            if index:
                _emit(parts, ", ", budget)
            _write(key, parts, depth + 1, budget)
            _emit(parts, ": ", budget)
            _write(item, parts, depth + 1, budget)
        _emit(parts, "}", budget)
    else:
        raise _NotPlain


def _float(value: float) -> str:
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(value)
