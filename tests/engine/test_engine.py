"""The whole engine against the scripted model (real sockets, real openai client, real sandbox)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from sstar.cache import Cache
from sstar.errors import LLMAuthError, LLMTimeoutError, LLMUnavailableError
from sstar.events import (
    CandidateTested,
    GroupsFormed,
    InputsSynthesized,
    MatchJudged,
    Notice,
    RoundFinished,
    SampleGenerated,
    SolveFinished,
    SolveStarted,
    describe,
)
from sstar.results import SolveStatus
from tests.support.processes import descendants
from tests.support.scripted_llm import Reply, fenced

from .conftest import (
    KEY,
    RIGHT,
    RIGHT_TOO,
    SKIPS_NEGATIVES,
    WRONG,
    by_seed,
    judge_prefers,
    kinds,
)


async def solve(engine, problem, **kw):
    events = []
    result = await engine.solve(problem, on_event=events.append, **kw)
    return result, events


async def test_all_samples_agree_no_judge(model, make_engine, write_problem):
    model.script.samples = by_seed({0: fenced(RIGHT), 1: fenced(RIGHT_TOO)}, fenced(RIGHT))
    result, events = await solve(make_engine(), write_problem())
    assert result.status is SolveStatus.SOLVED and result.passed_public
    assert kinds(model).count("sample") == 4
    assert kinds(model).count("inputs") == 1  # two distinct programs: inputs asked once
    assert "judge" not in kinds(model) and "distinguish" not in kinds(model)
    assert InputsSynthesized(3) in events
    assert [e for e in events if isinstance(e, GroupsFormed)] == [GroupsFormed((2,))]
    assert len(result.candidates) == 2 and sum(c.chosen for c in result.candidates) == 1
    chosen = result.chosen
    assert chosen.samples == (0, 2, 3) and chosen.body.strip() == "return [x + 1 for x in xs]"
    assert [e.passed for e in result.examples] == [True, True]
    assert isinstance(events[0], SolveStarted) and isinstance(events[-1], SolveFinished)
    assert describe(events[-1]) == (
        "add_one: passes 2/2 examples (chosen among 2 distinct programs, 2 passing the examples)"
        "; high confidence: agrees with 2 of 2 programs on 3 generated inputs"
    )
    dupes = [e for e in events if isinstance(e, SampleGenerated) and e.duplicate]
    assert len(dupes) == 2  # samples 2 and 3 were neither executed nor debugged again
    assert len([e for e in events if isinstance(e, CandidateTested)]) == 2


async def test_identical_samples_need_no_selection_call(model, make_engine, write_problem):
    result, _ = await solve(make_engine(), write_problem())
    assert result.status is SolveStatus.SOLVED
    assert kinds(model) == ["sample"] * 4  # one distinct passing program: nothing to select


async def test_two_groups_judge_decides(model, make_engine, write_problem):
    # three samples skip negatives (passes the examples, wrong on [-1, 5]); one is right
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(SKIPS_NEGATIVES))
    model.script.judge = judge_prefers("x + 1 for x in xs]")
    result, events = await solve(make_engine(), write_problem())
    assert result.status is SolveStatus.SOLVED
    assert result.chosen.body.strip() == "return [x + 1 for x in xs]"
    assert [e for e in events if isinstance(e, GroupsFormed)] == [GroupsFormed((1, 1))]
    assert [e for e in events if isinstance(e, MatchJudged)][0].consistent
    assert kinds(model).count("judge") == 2 and kinds(model).count("distinguish") == 1
    judge_prompts = [p for p in model.prompts() if "Program A:" in p]
    # the judge sees the REAL outputs of both programs on the inputs where they differ
    assert any(
        "add_one([-3])" in p and "returned: [-2]" in p and "returned: []" in p
        for p in judge_prompts
    )
    # the two judge prompts show the programs in both orders
    first_a = [p.split("Program A:")[1].split("Program B:")[0] for p in judge_prompts]
    assert ("if x >= 0" in first_a[0]) != ("if x >= 0" in first_a[1])
    groups = {c.group for c in result.candidates}
    assert groups == {0, 1}


async def test_inconsistent_judge_keeps_the_larger_group(model, make_engine, write_problem):
    model.script.samples = by_seed({0: fenced(SKIPS_NEGATIVES)}, fenced(RIGHT))
    model.script.judge = "Answer: A"  # always the first shown: inconsistent when swapped
    result, events = await solve(make_engine(samples=3), write_problem())
    match = [e for e in events if isinstance(e, MatchJudged)]
    assert len(match) == 1 and not match[0].consistent
    assert result.chosen.samples == (1, 2)  # the larger group stays champion


async def test_prose_and_broken_code_are_failed_samples(model, make_engine, write_problem):
    model.script.samples = by_seed(
        {0: "You should loop over the list.", 1: fenced("def add_one(xs:\n    return"), 2: ""},
        fenced(RIGHT),
    )
    result, events = await solve(make_engine(), write_problem())
    usable = {e.index: e.usable for e in events if isinstance(e, SampleGenerated)}
    assert usable == {0: False, 1: False, 2: False, 3: True}
    assert result.status is SolveStatus.SOLVED


async def test_only_prose_gives_no_candidate(model, make_engine, write_problem):
    model.script.samples = "I am not able to write code today."
    result, _ = await solve(make_engine(), write_problem())
    assert (
        result.status is SolveStatus.NO_CANDIDATE
        and result.body is None
        and not result.passed_public
    )


async def test_debugging_repairs_a_failing_sample(model, make_engine, write_problem):
    model.script.samples = fenced(WRONG)
    model.script.debug = lambda text, seed: fenced(RIGHT)
    result, events = await solve(make_engine(samples=2, rounds=2), write_problem())
    assert result.status is SolveStatus.SOLVED and result.chosen.debug_rounds == 1
    debug_prompts = [p for p in model.prompts() if "fails these tests" in p]
    assert len(debug_prompts) == 1  # the duplicate sample is not debugged twice
    assert "add_one([1, 2])" in debug_prompts[0] and "expected: [2, 3]" in debug_prompts[0]
    assert "got: [3, 4]" in debug_prompts[0]
    rounds = [e for e in events if isinstance(e, RoundFinished)]
    assert [(r.round, r.passing, r.total) for r in rounds] == [(0, 0, 1), (1, 1, 2), (2, 1, 2)]


async def test_none_pass_best_rate_without_more_calls(model, make_engine, write_problem):
    half = "def add_one(xs):\n    return []\n"  # passes add_one([]) only
    model.script.samples = by_seed({0: fenced(half)}, fenced(WRONG))
    model.script.debug = lambda text, seed: fenced(WRONG if "x + 2" in text else half)
    result, _ = await solve(make_engine(samples=2, rounds=1), write_problem())
    assert result.status is SolveStatus.NO_CANDIDATE_PASSED
    assert result.chosen.body.strip() == "return []"
    assert "inputs" not in kinds(model) and "judge" not in kinds(model)


async def test_server_errors(model, make_engine, write_problem):
    model.script.samples = Reply(status=500)
    with pytest.raises(LLMUnavailableError, match="HTTP 500"):
        await solve(make_engine(), write_problem())
    model.script.samples = Reply(status=429)
    with pytest.raises(LLMUnavailableError, match="HTTP 429"):
        await solve(make_engine(), write_problem())
    model.script.samples = Reply(status=401)
    with pytest.raises(LLMAuthError):
        await solve(make_engine(), write_problem())


async def test_some_failed_requests_only_lose_samples(model, make_engine, write_problem):
    model.script.samples = by_seed({0: Reply(status=500), 1: Reply(status=429)}, fenced(RIGHT))
    result, events = await solve(make_engine(), write_problem())
    assert result.status is SolveStatus.SOLVED
    assert any(isinstance(e, Notice) and "HTTP" in e.message for e in events)


async def test_timeout(model, make_engine, write_problem):
    model.script.samples = Reply(hang=True)
    with pytest.raises(LLMTimeoutError):
        await solve(make_engine(timeout_seconds=0.3), write_problem())
    await model.wait_until(lambda: model.open_requests == 0)


async def test_budget_ends_cleanly(model, make_engine, write_problem):
    model.script.samples = fenced(WRONG)
    result, events = await solve(make_engine(samples=4, rounds=2, max_calls=3), write_problem())
    assert len(model.requests) == 3
    assert result.status is SolveStatus.NO_CANDIDATE_PASSED
    assert any(isinstance(e, Notice) and "maxCalls" in e.message for e in events)


async def test_cancel_while_waiting_for_the_model(model, make_engine, write_problem):
    model.script.samples = Reply(hang=True)
    task = asyncio.create_task(make_engine().solve(write_problem()))
    await model.wait_for_requests(4)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await model.wait_until(lambda: model.open_requests == 0)
    assert model.abandoned == 4


async def test_cancel_while_running_code_leaves_no_process(model, make_engine, write_problem):
    sleepy = "import time\n\ndef add_one(xs):\n    time.sleep(60)\n    return xs\n"
    model.script.samples = fenced(sleepy)
    engine = make_engine(sandbox_timeout_seconds=60)
    before = set(descendants())
    task = asyncio.create_task(engine.solve(write_problem()))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    # Nothing inside the sandbox can signal us (no sockets, private files), so watch /proc for the
    # child, bounded by a deadline.
    while not set(descendants()) - before:
        assert loop.time() < deadline, "no sandbox child started"
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline = loop.time() + 10
    while set(descendants()) - before:
        assert loop.time() < deadline, f"processes left: {set(descendants()) - before}"
        await asyncio.sleep(0.01)


async def test_cache_second_run_makes_no_request(model, make_engine, write_problem, tmp_path):
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(SKIPS_NEGATIVES))
    model.script.judge = judge_prefers("x + 1 for x in xs]")
    cache = Cache(tmp_path / "c")
    first, _ = await solve(make_engine(cache=cache), write_problem())
    sent = len(model.requests)
    assert sent > 4
    second, events = await solve(make_engine(cache=Cache(tmp_path / "c")), write_problem())
    assert len(model.requests) == sent
    assert second.body == first.body
    assert second.usage.total.calls == 0 and second.usage.total.cached_calls == sent
    assert second.usage.sandbox_runs == 0
    assert all(e.cached for e in events if isinstance(e, SampleGenerated))


async def test_more_samples_only_pay_for_new_ones(model, make_engine, write_problem, tmp_path):
    model.script.samples = fenced(RIGHT)
    cache = Cache(tmp_path / "c")
    await solve(make_engine(cache=cache), write_problem(), samples=2)
    seeds = [body["seed"] for body in model.requests]
    assert sorted(seeds) == [0, 1]
    await solve(make_engine(cache=cache), write_problem(), samples=5)
    new = [body.get("seed") for body in model.requests[2:]]
    assert sorted(new) == [2, 3, 4]


async def test_api_key_never_in_events_logs_or_prompts(
    model, make_engine, write_problem, caplog, tmp_path
):
    caplog.set_level(logging.DEBUG)
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(SKIPS_NEGATIVES))
    model.script.judge = judge_prefers("x + 1 for x in xs]")
    engine = make_engine()
    result, events = await solve(engine, write_problem())
    assert model.headers[0]["authorization"] == f"Bearer {KEY}"  # it is really used...
    shown = [repr(e) for e in events] + [
        json.dumps(result.to_json()),
        caplog.text,
        repr(engine.config),
    ]
    shown += model.prompts()
    assert not [text for text in shown if KEY in text]  # ...and shown nowhere
    stored = [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]
    assert stored and not [path for path in stored if KEY.encode() in path.read_bytes()]
    model.script.samples = Reply(status=401, error=f"bad key {KEY}")
    with pytest.raises(LLMAuthError) as info:
        await solve(make_engine(cache=Cache.disabled()), write_problem())
    assert KEY not in str(info.value)


async def test_predicted_outputs_never_reach_a_prompt(model, make_engine, write_problem):
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(SKIPS_NEGATIVES))
    model.script.inputs = fenced(
        "assert add_one([-1, 5]) == [987654321]\nadd_one([7])  # -> [123456789]"
    )
    model.script.judge = judge_prefers("x + 1 for x in xs]")
    await solve(make_engine(), write_problem())
    later = [p for p in model.prompts() if "Program A:" in p or "Version 2:" in p]
    assert later and not [p for p in later if "987654321" in p or "123456789" in p]
