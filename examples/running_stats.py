"""Numeric stub: floats in the examples are compared with a tolerance."""


def moving_average(values: list[float], window: int) -> list[float]:
    """Averages of each run of `window` consecutive values.

    >>> moving_average([1.0, 2.0, 3.0, 4.0], 2)
    [1.5, 2.5, 3.5]
    >>> moving_average([0.1, 0.2], 2)
    [0.15]
    >>> moving_average([1.0], 3)
    []
    """
    raise NotImplementedError("write me")
