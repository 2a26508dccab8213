"""Calling a flaky service from asyncio code."""

import asyncio  # noqa: F401  (the example and the body use it)
from collections.abc import Awaitable, Callable


async def retry_async(
    operation: Callable[[], Awaitable],
    attempts: int = 3,
    delay: float = 0.0,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
):
    """Await `operation()` until it succeeds, at most `attempts` times, and return its result.

    Only exceptions that are instances of `retry_on` are retried, waiting `delay` seconds (with
    asyncio.sleep) between attempts; any other exception propagates at once. When every attempt
    fails, the exception of the last attempt is raised. Raise ValueError when `attempts` is less
    than 1, before calling the operation.

    >>> async def ok():
    ...     return 42
    >>> asyncio.run(retry_async(ok))
    42
    """
    ...
