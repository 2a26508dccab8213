"""Batching work for an API that takes at most `size` items per request."""

from collections.abc import Iterable


def chunked(items: Iterable, size: int) -> list[list]:
    """Split `items` into consecutive lists of `size` items; the last one may be shorter.

    `items` may be any iterable, including a generator, which is read only once. An empty input
    gives an empty list (never a list holding one empty chunk). Raise ValueError when `size` is
    less than 1, and TypeError when it is not an int (a bool is not a size).

    >>> chunked([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    ...
