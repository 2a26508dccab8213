"""Retry delays for a flaky HTTP client."""


def backoff_schedule(retries: int, base: float = 0.5, factor: float = 2.0, cap: float = 30.0) -> list[float]:
    """The delays in seconds to wait before each of `retries` retries: exponential backoff.

    The delay before retry i (counting from 0) is base * factor ** i, but never more than `cap`;
    once the cap is reached every later delay is the cap. Zero retries give an empty list. Raise
    ValueError when `retries` is negative, when `base` or `cap` is not positive, or when `factor` is
    less than 1.

    >>> backoff_schedule(4)
    [0.5, 1.0, 2.0, 4.0]
    """
    ...
