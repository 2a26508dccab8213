"""Interval helpers: a stub for S* to fill. Put the cursor in `merge_intervals` and pick
"Solve with S*" (or run `sstar solve examples/intervals.py::merge_intervals`)."""


def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching closed intervals; return them sorted by start.

    >>> merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)])
    [(1, 6), (8, 10), (15, 18)]
    >>> merge_intervals([(1, 4), (4, 5)])
    [(1, 5)]
    >>> merge_intervals([])
    []
    """
    ...
