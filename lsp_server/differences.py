"""How to tell candidates apart in a picker: for each one, the first line of its body where it
departs from the candidate most like it.

Every candidate repeats the stub's signature and docstring, and many share their first lines
(`result = []`), so neither the first line of the code nor of the body tells them apart. Lines are
compared stripped, without blank lines and whole-line comments; the line shown is the one at
which a candidate stops agreeing with its closest sibling (for a single candidate: its first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sstar.source import split_lines

__all__ = ["Difference", "first_differences"]


@dataclass(frozen=True)
class Difference:
    line: int  # 1-based, among the body's meaningful lines
    text: str  # that line, stripped (cut to `limit` characters)


def first_differences(bodies: Sequence[str], limit: int = 100) -> list[Difference]:
    """One `Difference` per body, in order."""
    lines = [_meaningful(body) for body in bodies]
    out = []
    for index, mine in enumerate(lines):
        depth = 0
        for other_index, other in enumerate(lines):
            if other_index != index:
                depth = max(depth, _common_prefix(mine, other))
        at = min(depth, len(mine) - 1) if mine else 0
        text = mine[at] if mine else ""
        out.append(Difference(at + 1, text if len(text) <= limit else text[: limit - 1] + "…"))
    return out


def _meaningful(body: str) -> list[str]:
    stripped = (line.strip() for line in split_lines(body))
    return [line for line in stripped if line and not line.startswith("#")]


def _common_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
