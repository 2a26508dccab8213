"""Hypothesis strategies for a stub's parameters, read from annotations or example values.

`from_annotation` turns an annotation's source (parsed with `ast`, never evaluated) into a
strategy: builtin scalars, lists/sets/dicts/tuples (typing names too), Optional, unions and
Literal; anything else gives None. `from_values` builds one from the shape of the docstring
examples' values: signs and magnitudes of numbers, the characters and lengths of strings, element
types of containers, and ranges kept as ranges (tuples whose examples are all ordered). `draw`
collects values deterministically (`derandomize=True`, no example database).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ast

__all__ = ["draw", "from_annotation", "from_values", "name_of", "union_parts"]


def union_parts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*union_parts(node.left), *union_parts(node.right)]
    if isinstance(node, ast.Subscript) and name_of(node.value) == "Union":
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return [p for e in elts for p in union_parts(e)]
    return [node]


def name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def from_values(values: Sequence[Any], st):
    """A strategy for values shaped like these examples (signs, sizes and element types)."""
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind is bool:
        return st.booleans()
    if kind is int:
        low = min(values)
        high = max(abs(v) for v in values)
        return st.integers(min(low, 0) if low < 0 else 0, high * 2 + 10)
    if kind is float:
        high = max(abs(v) for v in values) * 2 + 10.0
        low = -high if min(values) < 0 else 0.0
        floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
        return floats.map(lambda x: round(x, 2))  # values a person would write
    if kind is str:
        longest = max(len(v) for v in values)
        # Mostly the examples' own characters (so "1h30m" gives "3h1m0"-like strings), some
        # others (case, space, non-ASCII) to probe what the docstring says about them.
        seen = sorted({ch for v in values for ch in v})
        letters = st.sampled_from(seen) if seen else st.characters(categories=("L", "N"))
        others = st.sampled_from([" ", "A", "z", "0", "-", "é", "_"])
        return st.text(st.one_of(letters, letters, letters, others), max_size=longest * 2 + 2)
    if kind in (list, set, frozenset, tuple):
        items = [x for v in values for x in v]
        if kind is tuple and len({len(v) for v in values}) == 1 and values[0]:
            parts = [from_values([v[i] for v in values], st) for i in range(len(values[0]))]
            if any(p is None for p in parts):
                return None
            strategy = st.tuples(*parts)
            if all(_ordered(v) for v in values):
                strategy = strategy.map(lambda t: tuple(sorted(t)))  # ranges stay ranges
            return strategy
        inner = from_values(items, st) if items else st.integers(-10, 10)
        if inner is None:
            return None
        longest = max(len(v) for v in values) + 2
        maker = st.sets if kind is set else st.frozensets if kind is frozenset else st.lists
        return maker(inner, max_size=longest)
    if kind is dict:
        keys = from_values([k for v in values for k in v], st)
        items = from_values([x for v in values for x in v.values()], st)
        if keys is None or items is None:
            return None
        return st.dictionaries(keys, items, max_size=4)
    return None


def _ordered(value: Any) -> bool:
    try:
        return len(value) >= 2 and list(value) == sorted(value)
    except TypeError:
        return False


_SCALARS = {
    "int": lambda st: st.integers(-20, 100),
    "float": lambda st: st.floats(-100, 100, allow_nan=False, allow_infinity=False),
    "str": lambda st: st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=8),
    "bool": lambda st: st.booleans(),
    "bytes": lambda st: st.binary(max_size=8),
    "complex": lambda st: st.complex_numbers(max_magnitude=100, allow_nan=False),
}
_SEQUENCES = {"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence", "Iterator"}
_SETS = {"set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"}
_MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping"}


def from_annotation(annotation: str | None, st):
    if not annotation:
        return None
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return None
    return _strategy(node, st, 0)


def _strategy(node: ast.expr, st, depth: int):
    if depth > 4:
        return None
    if isinstance(node, ast.Constant):
        if node.value is None:
            return st.none()
        if isinstance(node.value, str):  # a string annotation
            return from_annotation(node.value, st)
        return None
    parts = union_parts(node)
    if len(parts) > 1:
        inner = [_strategy(p, st, depth + 1) for p in parts]
        return None if any(s is None for s in inner) else st.one_of(*inner)
    if isinstance(node, ast.Subscript):
        head = name_of(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional":
            inner = _strategy(args[0], st, depth + 1)
            return None if inner is None else st.one_of(st.none(), inner)
        if head == "Literal":
            try:
                return st.sampled_from([ast.literal_eval(a) for a in args])
            except ValueError:
                return None
        inner = [_strategy(a, st, depth + 1) for a in args if not _is_ellipsis(a)]
        if any(s is None for s in inner) or not inner:
            return None
        if head in _SEQUENCES:
            return st.lists(inner[0], max_size=6)
        if head in _SETS:
            return (st.frozensets if "rozen" in head else st.sets)(inner[0], max_size=6)
        if head in _MAPPINGS and len(inner) == 2:
            return st.dictionaries(inner[0], inner[1], max_size=4)
        if head in ("tuple", "Tuple"):
            if any(_is_ellipsis(a) for a in args):
                return st.lists(inner[0], max_size=5).map(tuple)
            return st.tuples(*inner)
        return None
    name = name_of(node)
    if name in _SCALARS:
        return _SCALARS[name](st)
    if name in _SEQUENCES:
        return st.lists(st.integers(-10, 10), max_size=6)
    return None


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def draw(strategy, count: int) -> list:
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list = []

    @settings(
        derandomize=True,
        database=None,
        max_examples=count,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(value) -> None:
        drawn.append(value)

    collect()
    return drawn
