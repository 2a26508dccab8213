"""Latency percentiles for a service dashboard."""


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile of `values`, by linear interpolation between closest ranks.

    The values need not be sorted and are not modified. With the values sorted as v[0..n-1], the
    percentile is at position (n - 1) * p / 100, interpolating between the two neighbouring values;
    so p = 0 is the minimum and p = 100 the maximum. Raise ValueError for an empty list and for p
    outside 0..100.

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    """
    ...
