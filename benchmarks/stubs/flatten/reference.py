"""Flattening nested lists from a JSON API."""


def flatten(nested: list) -> list:
    """All the leaves of a nested structure of lists and tuples, in reading order.

    >>> flatten([1, [2, [3, 4]], 5])
    [1, 2, 3, 4, 5]
    """
    out: list = []
    stack = [iter(nested)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            out.append(item)
        else:
            stack.pop()
    return out
