"""More engine cases against the scripted model and the real sandbox: retries, the token budget,
the API key and the sandbox, float tolerance in grouping, method stubs and async stubs."""

from __future__ import annotations

import pytest

from sandbox import SandboxPool
from sstar.cache import Cache
from sstar.errors import LLMTimeoutError, LLMUnavailableError
from sstar.events import GroupsFormed, MatchJudged, Notice
from sstar.results import SolveStatus
from tests.support.scripted_llm import Reply, fenced

from .conftest import KEY, RIGHT, WRONG, kinds


async def solve(engine, problem, **kw):
    events = []
    result = await engine.solve(problem, on_event=events.append, **kw)
    return result, events


# -- retries -----------------------------------------------------------------------------------


async def test_server_errors_are_retried_then_succeed(model, make_engine, write_problem):
    failures = {"left": 4}  # the first four requests fail, whichever sample they belong to

    def flaky(seed):
        if failures["left"] > 0:
            failures["left"] -= 1
            return Reply(status=500 if failures["left"] % 2 else 429)
        return fenced(RIGHT)

    model.script.samples = flaky
    result, events = await solve(make_engine(max_retries=2), write_problem())
    assert result.status is SolveStatus.SOLVED
    assert len(model.requests) == 4 + 4  # four samples, four retried requests
    assert result.usage.total.calls == 4  # retries are one call each for the budget
    assert not [e for e in events if isinstance(e, Notice)]  # nothing was lost


async def test_persistent_429_gives_a_clear_error_after_retries(model, make_engine, write_problem):
    model.script.samples = Reply(status=429)
    with pytest.raises(LLMUnavailableError, match="rate limiting.*2 retries.*maxConcurrency"):
        await solve(make_engine(max_retries=2, samples=2), write_problem())
    assert len(model.requests) == 2 * 3  # each sample: the request and two retries


async def test_timeouts_are_retried_then_reported(model, make_engine, write_problem):
    model.script.samples = Reply(hang=True)
    with pytest.raises(LLMTimeoutError, match="timeoutSeconds"):
        await solve(make_engine(max_retries=1, samples=2, timeout_seconds=0.3), write_problem())
    assert len(model.requests) == 2 * 2
    await model.wait_until(lambda: model.open_requests == 0)
    assert model.abandoned == 4


# -- budgets -----------------------------------------------------------------------------------


async def test_token_budget_is_respected(model, make_engine, write_problem):
    # Each sample costs 700 tokens; repairs would follow if the budget allowed.
    model.script.samples = Reply(fenced(WRONG), prompt_tokens=100, completion_tokens=600)
    budget = 1500
    result, events = await solve(
        make_engine(samples=4, rounds=2, max_tokens=budget, max_completion_tokens=1000),
        write_problem(),
    )
    granted = [body["max_tokens"] for body in model.requests]
    # The four samples start together: they share the budget instead of each being promised it
    # all, so only two are sent (1000 + 500 completion tokens granted).
    assert granted[:2] == [1000, 500] and kinds(model)[:2] == ["sample", "sample"]
    assert kinds(model).count("sample") == 2
    usage = result.usage.total
    assert usage.calls == len(model.requests) and usage.completion_tokens <= budget
    # A call starts only while tokens remain; prompt tokens of the last call may overshoot.
    assert usage.prompt_tokens + usage.completion_tokens < budget + 400
    assert result.status is not SolveStatus.NO_CANDIDATE
    assert any(isinstance(e, Notice) and "maxTokens" in e.message for e in events)


async def test_call_budget_ends_selection_with_the_champion(model, make_engine, write_problem):
    skips = "def add_one(xs):\n    return [x + 1 for x in xs if x >= 0]\n"
    model.script.samples = lambda seed: fenced(RIGHT if seed == 0 else skips)
    # 3 samples + 1 inputs call leave nothing for the tournament
    result, events = await solve(make_engine(samples=3, max_calls=4), write_problem())
    assert len(model.requests) == 4 and "judge" not in kinds(model)
    assert result.status is SolveStatus.SOLVED
    assert not [e for e in events if isinstance(e, MatchJudged)]
    assert any(isinstance(e, Notice) and "keeping the best group" in e.message for e in events)


# -- the API key -------------------------------------------------------------------------------


class RecordingPool:
    """The real pool, remembering every module and probe it was asked to run."""

    def __init__(self, pool: SandboxPool) -> None:
        self.pool, self.seen = pool, []

    async def run_many(self, module, probes, limits=None):
        self.seen.append(module)
        self.seen.extend(step for probe in probes for step in probe.steps)
        return await self.pool.run_many(module, probes, limits)


LEAK_CHECK = '''def add_one(xs):
    import os
    found = [v for v in os.environ.values() if "SECRET" in v]
    try:
        found.append(open("/proc/self/environ").read())
    except OSError:
        pass
    if any("SECRET" in v for v in found):
        return ["leaked"]
    return [x + 1 for x in xs]
'''


async def test_api_key_from_environment_never_reaches_the_sandbox(
    model, make_engine, write_problem, monkeypatch, tmp_path
):
    monkeypatch.setenv("SSTAR_TEST_KEY", KEY)
    model.script.samples = fenced(LEAK_CHECK)
    # The pool starts after the key is in our environment, as it would in the CLI.
    async with SandboxPool(workers=1) as real:
        recording = RecordingPool(real)
        engine = make_engine(sandbox=recording, api_key=None, api_key_env="SSTAR_TEST_KEY")
        result, events = await solve(engine, write_problem())
    assert model.headers[0]["authorization"] == f"Bearer {KEY}"
    assert result.status is SolveStatus.SOLVED  # the candidate did not find the key
    assert recording.seen and not [text for text in recording.seen if KEY in text]
    assert not [e for e in events if KEY in repr(e)]


# -- grouping ----------------------------------------------------------------------------------

MEAN = '''def mean(xs: list[float]) -> float:
    """The arithmetic mean.

    >>> mean([1.0, 2.0])
    1.5
    """
    ...
'''
MEAN_SUM = "def mean(xs):\n    return sum(xs) / len(xs)\n"
MEAN_FSUM = "import math\n\ndef mean(xs):\n    return math.fsum(xs) / len(xs)\n"


async def test_floats_that_differ_in_the_last_digits_form_one_group(
    model, make_engine, write_problem
):
    assert sum([0.1, 0.2, 0.3]) / 3 != __import__("math").fsum([0.1, 0.2, 0.3]) / 3
    model.script.samples = lambda seed: fenced(MEAN_SUM if seed % 2 else MEAN_FSUM)
    model.script.inputs = fenced("mean([0.1, 0.2, 0.3])\nmean([1e-9, 3.3])")
    result, events = await solve(make_engine(), write_problem(MEAN))
    assert result.status is SolveStatus.SOLVED and len(result.candidates) == 2
    assert [e for e in events if isinstance(e, GroupsFormed)] == [GroupsFormed((2,))]
    assert "judge" not in kinds(model) and "distinguish" not in kinds(model)


# -- methods and async stubs -------------------------------------------------------------------

COUNTER = '''class Counter:
    """Counts events by name."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def hit(self, name: str, times: int = 1) -> int:
        """Record `times` events of `name`; return the total for `name`.

        >>> c = Counter()
        >>> c.hit("a", 2)
        2
        >>> c.hit("a")
        3
        """
        pass

    def total(self) -> int:
        return sum(self.counts.values())
'''
HIT_DEF = (
    "def hit(self, name, times=1):\n"
    "    self.counts[name] = self.counts.get(name, 0) + times\n"
    "    return self.counts[name]\n"
)
HIT_CLASS = (
    "class Counter:\n"
    "    def __init__(self):\n"
    "        self.counts = {}\n\n"
    "    def hit(self, name: str, times: int = 1) -> int:\n"
    "        if name not in self.counts:\n"
    "            self.counts[name] = 0\n"
    "        self.counts[name] += times\n"
    "        return self.counts[name]\n"
)


async def test_method_stub(model, make_engine, write_problem, workspace):
    model.script.samples = lambda seed: fenced(HIT_DEF if seed % 2 else HIT_CLASS)
    model.script.inputs = fenced('Counter().hit("x", 0)\nCounter().hit("", 5)\nhit("bad")')
    problem = write_problem(COUNTER, qualname="Counter.hit")
    result, events = await solve(make_engine(), problem)
    assert result.status is SolveStatus.SOLVED and len(result.candidates) == 2
    assert result.code.startswith("def hit(self, name: str, times: int = 1) -> int:")
    assert '"""Record `times`' in result.code  # the user's docstring stays
    assert [e for e in events if isinstance(e, GroupsFormed)] == [GroupsFormed((2,))]
    assert "judge" not in kinds(model)
    # the class around the method is untouched in what was tested
    chosen = next(c for c in result.candidates if c.chosen)
    assert "class Counter" not in chosen.body


DOUBLE = '''import asyncio


async def double_later(x: int) -> int:
    """Double `x` after yielding to the event loop.

    >>> asyncio.run(double_later(2))
    4
    >>> await double_later(5)
    10
    """
    raise NotImplementedError
'''
DOUBLE_A = "async def double_later(x):\n    await asyncio.sleep(0)\n    return x * 2\n"
DOUBLE_B = "async def double_later(x):\n    await asyncio.sleep(0)\n    return x + x\n"
DOUBLE_WRONG = "async def double_later(x):\n    await asyncio.sleep(0)\n    return abs(x) * 2\n"


async def test_async_stub(model, make_engine, write_problem):
    programs = {0: DOUBLE_A, 1: DOUBLE_B, 2: DOUBLE_WRONG}
    model.script.samples = lambda seed: fenced(programs.get(seed, DOUBLE_A))
    model.script.inputs = fenced("asyncio.run(double_later(-3))\nawait double_later(0)")
    model.script.distinguish = fenced("double_later(-1)")
    model.script.judge = lambda text: (
        "Answer: B" if "abs(" in text.split("Program B:")[0] else "Answer: A"
    )
    result, events = await solve(make_engine(), write_problem(DOUBLE))
    assert result.status is SolveStatus.SOLVED
    assert [e.passed for e in result.examples] == [True, True]
    # awaited results group (a bare coroutine object would split every program into its own group)
    assert [e for e in events if isinstance(e, GroupsFormed)] == [GroupsFormed((2, 1))]
    assert "abs(" not in result.body
    judge = [p for p in model.prompts() if "Program A:" in p]
    assert judge and "returned: 6" in judge[0] and "returned: -6" in judge[0]


async def test_cache_can_be_disabled(model, make_engine, write_problem):
    engine = make_engine(cache=Cache.disabled())
    await solve(engine, write_problem())
    await solve(engine, write_problem())
    assert kinds(model).count("sample") == 8


class BrokenPool:
    async def run_many(self, module, probes, limits=None):
        from sandbox import SandboxClosed

        raise SandboxClosed("the pool was closed")


async def test_a_sandbox_failure_is_raised_plainly(model, make_engine, write_problem):
    from sandbox import SandboxClosed

    with pytest.raises(SandboxClosed, match="pool was closed"):
        await solve(make_engine(sandbox=BrokenPool()), write_problem())


async def test_selection_answers_are_capped(model, make_engine, write_problem):
    skips = "def add_one(xs):\n    return [x + 1 for x in xs if x >= 0]\n"
    model.script.samples = lambda seed: fenced(RIGHT if seed == 0 else skips)
    # a rambling model: the inputs answer goes on and on after its calls
    model.script.inputs = fenced("add_one([-1, 5])\nadd_one([0])") + "And more. " * 400
    await solve(make_engine(samples=2), write_problem())
    pairs = zip(kinds(model), model.requests, strict=True)
    limits = {kind_: body["max_tokens"] for kind_, body in pairs}
    assert limits["sample"] == 1024 and limits["inputs"] <= 320 and limits["judge"] <= 400
    judge = [p for p in model.prompts() if "Program A:" in p]
    assert judge and "add_one([-1, 5])" in judge[0]  # the cut-off answer still gave its calls


def test_progress_lines_say_when_an_answer_had_no_code():
    from sstar.events import SampleGenerated, describe

    assert describe(SampleGenerated(0, 1, 8, True, False, False)) == "sampling 1/8"
    lost = describe(SampleGenerated(1, 2, 8, False, False, False))
    assert lost == "sampling 2/8 (no usable code in that answer)"
