"""Retry delays for a flaky HTTP client."""


def backoff_schedule(retries: int, base: float = 0.5, factor: float = 2.0, cap: float = 30.0) -> list[float]:
    """The delays in seconds to wait before each of `retries` retries: exponential backoff.

    >>> backoff_schedule(4)
    [0.5, 1.0, 2.0, 4.0]
    """
    if retries < 0:
        raise ValueError("retries must be >= 0")
    if base <= 0 or cap <= 0:
        raise ValueError("base and cap must be positive")
    if factor < 1:
        raise ValueError("factor must be >= 1")
    delays = []
    delay = float(base)
    for _ in range(retries):
        delays.append(min(delay, float(cap)))
        delay *= factor
    return delays
