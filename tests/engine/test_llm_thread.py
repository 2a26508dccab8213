"""ThreadedLLM (the model client on its own thread) against the scripted server: the same answers,
budgets and error types as LLMClient; cancellation reaches the worker's request; no thread left."""

from __future__ import annotations

import asyncio
import threading

import pytest

from sstar.cache import Cache
from sstar.config import Config
from sstar.engine import Engine
from sstar.errors import BudgetExceededError, LLMAuthError, LLMTimeoutError, LLMUnavailableError
from sstar.events import SampleGenerated, SolveFinished, SolveStarted
from sstar.llm import Budget, Completion
from sstar.llm_thread import ThreadedLLM
from tests.support.scripted_llm import Reply, ScriptedLLM

from .conftest import KEY, OLD_PIPELINE

MSG = [{"role": "user", "content": "hello"}]


def model_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sstar-model")]


def make(llm: ScriptedLLM, **kw) -> ThreadedLLM:
    kw.setdefault("max_retries", 0)
    kw.setdefault("model", "m")
    return ThreadedLLM(base_url=llm.base_url, api_key=KEY, **kw)


async def test_answers_usage_and_arguments_as_the_client_gives_them():
    async with ScriptedLLM(
        default=Reply("ok", prompt_tokens=10, completion_tokens=3), model="qwen"
    ) as llm:
        client = make(llm, model="")
        assert await client.model() == "qwen"  # asked on the worker thread
        budget = Budget()
        done = await client.complete(
            MSG, budget=budget, stage="sample", temperature=0.7, seed=4, max_tokens=99
        )
        assert isinstance(done, Completion) and done.text == "ok"
        assert budget.stages["sample"].calls == 1 and budget.tokens == 13
        assert (llm.requests[0]["seed"], llm.requests[0]["temperature"]) == (4, 0.7)
        assert llm.requests[0]["max_tokens"] == 99 and llm.requests[0]["stream"] is True
        await client.aclose()


async def test_the_request_runs_on_the_worker_thread_not_the_callers():
    seen: list[str] = []
    async with ScriptedLLM(default=Reply("ok")) as llm:
        client = make(llm)
        inner = await client._built()
        original = inner._streamed

        async def spy(*args, **kwargs):
            seen.append(threading.current_thread().name)
            return await original(*args, **kwargs)

        inner._streamed = spy  # type: ignore[method-assign]
        await client.complete(MSG, budget=Budget(), stage="s")
        await client.aclose()
    assert seen == [f"sstar-model {llm.base_url}"]
    assert threading.current_thread().name not in seen


async def test_cancelling_the_caller_abandons_the_request_on_the_worker():
    async with ScriptedLLM(default=Reply(hang=True)) as llm:
        client = make(llm, max_concurrency=2)
        budget = Budget()
        tasks = [
            asyncio.create_task(client.complete(MSG, budget=budget, stage="s")) for _ in range(3)
        ]
        await llm.wait_for_requests(2)
        assert llm.open_requests == 2  # the third waits for a slot, on the worker
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        # The callers returned only once the worker's tasks had ended: nothing is reserved.
        assert budget.reserved == 0 and budget.reserved_tokens == 0
        await llm.wait_until(lambda: llm.open_requests == 0)
        assert llm.abandoned == 2 and len(llm.requests) == 2
        await client.aclose()


async def test_a_deadline_around_the_call_times_it_out_and_abandons_it():
    async with ScriptedLLM(default=Reply(hang=True)) as llm:
        client = make(llm)
        budget = Budget()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):  # how lsp_server.watch holds a solve to its deadline
                await client.complete(MSG, budget=budget, stage="s")
        assert budget.reserved == 0
        await llm.wait_until(lambda: llm.abandoned == 1)
        await client.aclose()


async def test_errors_keep_their_type():
    async with ScriptedLLM() as llm:
        client = make(llm, timeout=0.3)
        llm.enqueue(Reply(status=500, error="boom"), Reply(status=401), Reply(hang=True))
        with pytest.raises(LLMUnavailableError, match="HTTP 500") as info:
            await client.complete(MSG, budget=Budget(), stage="s")
        assert info.value.__cause__ is not None  # the openai error it wraps, across the thread
        with pytest.raises(LLMAuthError):
            await client.complete(MSG, budget=Budget(), stage="s")
        with pytest.raises(LLMTimeoutError, match="timeoutSeconds"):
            await client.complete(MSG, budget=Budget(), stage="s")
        with pytest.raises(BudgetExceededError, match="maxCalls"):
            await client.complete(MSG, budget=Budget(max_calls=0), stage="s")
        await client.aclose()


async def test_close_stops_the_thread_and_fails_what_was_in_flight():
    before = model_threads()
    async with ScriptedLLM(default=Reply(hang=True)) as llm:
        client = make(llm)
        assert len(model_threads()) == len(before) + 1
        waiting = asyncio.create_task(client.complete(MSG, budget=Budget(), stage="s"))
        await llm.wait_for_requests(1)
        await client.aclose()
        with pytest.raises(LLMUnavailableError, match="closed"):
            await waiting
        with pytest.raises(LLMUnavailableError, match="closed"):
            await client.complete(MSG, budget=Budget(), stage="s")
        await client.aclose()  # idempotent
        await llm.wait_until(lambda: llm.open_requests == 0)
    assert model_threads() == before


async def test_an_engine_streams_events_in_order_and_leaves_no_thread(
    model, pool, write_problem, tmp_path
):
    before = model_threads()
    config = Config(
        base_url=model.base_url, model="scripted", api_key=KEY, samples=4, rounds=1, **OLD_PIPELINE
    )
    events: list[object] = []
    async with Engine(config, sandbox=pool, cache=Cache(tmp_path / "c")) as engine:
        result = await engine.solve(write_problem(), on_event=events.append)
        assert isinstance(engine._llm, ThreadedLLM)
        assert len(model_threads()) == len(before) + 1
    assert model_threads() == before
    assert isinstance(events[0], SolveStarted) and events[-1] == SolveFinished(result)
    sampled = [e.done for e in events if isinstance(e, SampleGenerated)]
    assert sampled == [1, 2, 3, 4]


async def test_the_old_path_stays_available(model, pool, write_problem, monkeypatch, tmp_path):
    monkeypatch.setenv("SSTAR_MODEL_THREAD", "0")
    config = Config(
        base_url=model.base_url, model="scripted", api_key=KEY, samples=2, rounds=0, **OLD_PIPELINE
    )
    async with Engine(config, sandbox=pool, cache=Cache(tmp_path / "c")) as engine:
        await engine.solve(write_problem())
        assert not isinstance(engine._llm, ThreadedLLM) and engine._llm is not None
