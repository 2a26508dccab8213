"""Removing repeated entries from user-supplied lists."""

from collections.abc import Callable, Hashable, Iterable


def dedupe(items: Iterable, key: Callable[[object], Hashable] | None = None) -> list:
    """Return the items without repeats, keeping the first occurrence of each, in input order.

    >>> dedupe([3, 1, 3, 2, 1])
    [3, 1, 2]
    """
    seen = set()
    kept = []
    for item in items:
        marker = item if key is None else key(item)
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return kept
