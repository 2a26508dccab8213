"""Removing repeated entries from user-supplied lists."""

from collections.abc import Callable, Hashable, Iterable


def dedupe(items: Iterable, key: Callable[[object], Hashable] | None = None) -> list:
    """Return the items without repeats, keeping the first occurrence of each, in input order.

    With `key`, two items are repeats when their keys are equal, and the item kept is the first one
    with that key (not the key itself). The input is not modified and may be any iterable.

    >>> dedupe([3, 1, 3, 2, 1])
    [3, 1, 2]
    """
    ...
