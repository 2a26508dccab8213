import asyncio


async def retry_async(operation, attempts=3, delay=0.0, retry_on=(ConnectionError, TimeoutError)):
    for _ in range(attempts):
        try:
            return await operation()
        except Exception:
            await asyncio.sleep(delay)
    return None
