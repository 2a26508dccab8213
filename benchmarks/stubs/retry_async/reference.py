"""Calling a flaky service from asyncio code."""

import asyncio
from collections.abc import Awaitable, Callable


async def retry_async(
    operation: Callable[[], Awaitable],
    attempts: int = 3,
    delay: float = 0.0,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
):
    """Await `operation()` until it succeeds, at most `attempts` times, and return its result.

    >>> async def ok():
    ...     return 42
    >>> asyncio.run(retry_async(ok))
    42
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        try:
            return await operation()
        except retry_on:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
