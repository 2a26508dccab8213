"""Flattening nested lists from a JSON API."""


def flatten(nested: list) -> list:
    """All the leaves of a nested structure of lists and tuples, in reading order.

    Lists and tuples are opened at any depth; everything else is a leaf, including strings (never
    split into characters), bytes, dicts and sets. Empty lists and tuples contribute nothing.

    >>> flatten([1, [2, [3, 4]], 5])
    [1, 2, 3, 4, 5]
    """
    ...
