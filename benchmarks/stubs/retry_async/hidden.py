import asyncio


def check(candidate):
    calls = []

    def flaky(failures, error=ConnectionError):
        async def operation():
            calls.append(1)
            if len(calls) <= failures:
                raise error(f"failure {len(calls)}")
            return "done"
        return operation

    assert asyncio.run(candidate(flaky(2), attempts=3)) == "done" and len(calls) == 3
    calls.clear()
    try:
        asyncio.run(candidate(flaky(5), attempts=2))
    except ConnectionError as error:
        assert str(error) == "failure 2" and len(calls) == 2
    else:
        raise AssertionError("the last failure must be raised")
    calls.clear()
    try:
        asyncio.run(candidate(flaky(1, KeyError), attempts=3))
    except KeyError:
        assert len(calls) == 1
    else:
        raise AssertionError("other exceptions must propagate at once")
    calls.clear()
    try:
        asyncio.run(candidate(flaky(0), attempts=0))
    except ValueError:
        assert calls == []
    else:
        raise AssertionError("attempts < 1 must raise ValueError")
    calls.clear()
    assert asyncio.run(candidate(flaky(1, ValueError), retry_on=(ValueError,))) == "done"
