"""LLMClient against the scripted server: usage, budgets, errors, cancellation, key hygiene."""

import asyncio

import pytest

from sstar.errors import BudgetExceededError, LLMAuthError, LLMTimeoutError, LLMUnavailableError
from sstar.llm import Budget, LLMClient
from tests.support.scripted_llm import Reply, ScriptedLLM

KEY = "sk-secret-key-123456"
MSG = [{"role": "user", "content": "hello"}]


def make(llm: ScriptedLLM, **kw) -> LLMClient:
    kw.setdefault("max_retries", 0)
    return LLMClient(base_url=llm.base_url, api_key=KEY, **kw)


async def test_usage_per_stage_and_model_discovery():
    async with ScriptedLLM(
        default=Reply("ok", prompt_tokens=10, completion_tokens=3), model="qwen"
    ) as llm:
        client = make(llm)
        budget = Budget()
        for stage in ("sample", "sample", "judge"):
            done = await client.complete(MSG, budget=budget, stage=stage, temperature=0.7, seed=4)
            assert done.text == "ok"
        assert budget.stages["sample"].calls == 2 and budget.stages["judge"].calls == 1
        assert budget.tokens == 39 and budget.calls == 3
        assert llm.requests[0]["model"] == "qwen" and llm.requests[0]["seed"] == 4
        assert llm.requests[0]["temperature"] == 0.7
        await client.aclose()


async def test_budget_stops_before_sending():
    async with ScriptedLLM(default=Reply("ok", prompt_tokens=50, completion_tokens=50)) as llm:
        client = make(llm, model="m")
        calls = Budget(max_calls=2)
        await client.complete(MSG, budget=calls, stage="s")
        await client.complete(MSG, budget=calls, stage="s")
        with pytest.raises(BudgetExceededError, match="maxCalls"):
            await client.complete(MSG, budget=calls, stage="s")
        tokens = Budget(max_tokens=150)
        await client.complete(MSG, budget=tokens, stage="s")
        assert llm.requests[-1]["max_tokens"] <= 150
        await client.complete(MSG, budget=tokens, stage="s")
        with pytest.raises(BudgetExceededError, match="maxTokens"):
            await client.complete(MSG, budget=tokens, stage="s")
        assert len(llm.requests) == 4
        await client.aclose()


async def test_errors_are_wrapped_without_the_key():
    async with ScriptedLLM(model="m") as llm:
        client = make(llm, model="m", timeout=0.3)
        llm.enqueue(Reply(status=500, error=f"boom {KEY}"), Reply(status=401), Reply(hang=True))
        with pytest.raises(LLMUnavailableError) as info:
            await client.complete(MSG, budget=Budget(), stage="s")
        assert KEY not in str(info.value) and "HTTP 500" in str(info.value)
        assert info.value.__cause__ is not None
        with pytest.raises(LLMAuthError):
            await client.complete(MSG, budget=Budget(), stage="s")
        with pytest.raises(LLMTimeoutError, match="timeoutSeconds"):
            await client.complete(MSG, budget=Budget(), stage="s")
        await client.aclose()
    down = LLMClient(base_url=llm.base_url, api_key=KEY, model="m", max_retries=0)
    with pytest.raises(LLMUnavailableError, match="cannot reach"):
        await down.complete(MSG, budget=Budget(), stage="s")
    await down.aclose()


async def test_concurrency_is_bounded_and_cancel_abandons():
    async with ScriptedLLM(default=Reply(hang=True)) as llm:
        client = make(llm, model="m", max_concurrency=2)
        budget = Budget()
        tasks = [
            asyncio.create_task(client.complete(MSG, budget=budget, stage="s")) for _ in range(5)
        ]
        await llm.wait_for_requests(2)
        assert llm.open_requests == 2 and len(llm.requests) == 2  # the other three wait for a slot
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        await llm.wait_until(lambda: llm.open_requests == 0)
        assert len(llm.requests) == 2 and budget.reserved == 0
        await client.aclose()


async def test_whole_answers_without_streaming():
    async with ScriptedLLM(default=Reply("ok", prompt_tokens=7, completion_tokens=2)) as llm:
        client = make(llm, model="m", stream=False)
        done = await client.complete(MSG, budget=Budget(), stage="s")
        assert (done.text, done.prompt_tokens, done.completion_tokens) == ("ok", 7, 2)
        assert "stream" not in llm.requests[0]
        streamed = make(llm, model="m")
        again = await streamed.complete(MSG, budget=Budget(), stage="s")
        assert (again.text, again.prompt_tokens, again.completion_tokens) == ("ok", 7, 2)
        assert llm.requests[1]["stream"] is True
        await client.aclose()
        await streamed.aclose()


async def test_timeout_bounds_silence_not_answer_length():
    # 10 pieces, 0.1 s apart: 1 s in all, never 0.5 s of silence
    slow = Reply("x" * 160, chunk_delay=0.1)
    async with ScriptedLLM(default=slow) as llm:
        streamed = make(llm, model="m", timeout=0.5)
        done = await streamed.complete(MSG, budget=Budget(), stage="s")
        assert done.text == "x" * 160
        whole = make(llm, model="m", timeout=0.5, stream=False)
        with pytest.raises(LLMTimeoutError):
            await whole.complete(MSG, budget=Budget(), stage="s")
        await streamed.aclose()
        await whole.aclose()


async def test_a_server_that_refuses_streaming_is_asked_without():
    def handler(body):
        return Reply(status=400, error="stream_options not supported") if body.get("stream") else "ok"

    async with ScriptedLLM(handler) as llm:
        client = make(llm, model="m")
        assert (await client.complete(MSG, budget=Budget(), stage="s")).text == "ok"
        assert (await client.complete(MSG, budget=Budget(), stage="s")).text == "ok"
        assert [bool(body.get("stream")) for body in llm.requests] == [True, False, False]
        await client.aclose()
