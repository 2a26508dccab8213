"""Batching work for an API that takes at most `size` items per request."""

from collections.abc import Iterable


def chunked(items: Iterable, size: int) -> list[list]:
    """Split `items` into consecutive lists of `size` items; the last one may be shorter.

    >>> chunked([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be at least 1")
    chunks: list[list] = []
    current: list = []
    for item in items:
        current.append(item)
        if len(current) == size:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks
