"""The scripted server speaks enough OpenAI for the real `openai` client."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from tests.support.scripted_llm import Reply, Rule, ScriptedLLM, fenced

ROOT = Path(__file__).resolve().parents[2]


def client(llm: ScriptedLLM, **kw) -> openai.AsyncOpenAI:
    kw.setdefault("max_retries", 0)
    kw.setdefault("timeout", 5)
    return openai.AsyncOpenAI(base_url=llm.base_url, api_key="test-key", **kw)


async def ask(c: openai.AsyncOpenAI, text: str, **kw) -> str:
    r = await c.chat.completions.create(
        model="m", messages=[{"role": "user", "content": text}], **kw
    )
    return r.choices[0].message.content


async def test_rules_queue_and_history():
    async with ScriptedLLM(
        rules=[Rule("add", fenced("def add(a, b):\n    return a + b"))], default="nope"
    ) as llm:
        c = client(llm)
        llm.enqueue("first")
        assert await ask(c, "add two numbers") == "first"
        assert "return a + b" in await ask(c, "add two numbers")
        assert await ask(c, "something else") == "nope"
        assert llm.prompts() == ["add two numbers", "add two numbers", "something else"]
        assert llm.headers[0]["authorization"] == "Bearer test-key"
        models = await c.models.list()
        assert [m.id for m in models.data] == ["scripted-model"]
        await c.close()


async def test_usage_and_streaming():
    async with ScriptedLLM(
        default=Reply("hello world, streamed in pieces of sixteen", completion_tokens=7)
    ) as llm:
        c = client(llm)
        r = await c.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x" * 40}]
        )
        assert r.usage.completion_tokens == 7 and r.usage.prompt_tokens == 10
        stream = await c.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        text, usage = "", None
        async for chunk in stream:
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
            if chunk.usage:
                usage = chunk.usage
        assert text == "hello world, streamed in pieces of sixteen"
        assert usage.completion_tokens == 7
        await c.close()


async def test_errors_and_retries():
    async with ScriptedLLM() as llm:
        c = client(llm)
        llm.enqueue(Reply(status=500), Reply(status=429))
        with pytest.raises(openai.InternalServerError):
            await ask(c, "a")
        with pytest.raises(openai.RateLimitError):
            await ask(c, "b")
        # the default with no rule is a 500 so unexpected calls are loud
        with pytest.raises(openai.InternalServerError):
            await ask(c, "c")
        retrying = client(llm, max_retries=2)
        llm.enqueue(Reply(status=429), "ok")
        assert await ask(retrying, "d") == "ok"
        await c.close()
        await retrying.close()


async def test_hang_times_out_and_is_abandoned():
    async with ScriptedLLM(default=Reply(hang=True)) as llm:
        c = client(llm, timeout=0.3)
        with pytest.raises(openai.APITimeoutError):
            await ask(c, "x")
        await llm.wait_until(lambda: llm.abandoned == 1 and llm.open_requests == 0)
        await c.close()


async def test_cancelling_a_request_disconnects():
    async with ScriptedLLM(default=Reply(hang=True)) as llm:
        c = client(llm)
        task = asyncio.create_task(ask(c, "x"))
        await llm.wait_for_requests(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await llm.wait_until(lambda: llm.open_requests == 0)
        assert llm.abandoned == 1
        await c.close()


def test_thread_mode():
    llm = ScriptedLLM(default="threaded").start_in_thread()
    try:
        sync = openai.OpenAI(base_url=llm.base_url, api_key="k", max_retries=0)
        r = sync.chat.completions.create(model="m", messages=[{"role": "user", "content": "q"}])
        assert r.choices[0].message.content == "threaded"
        assert llm.wait_sync(lambda: llm.answered == 1, 5)
    finally:
        llm.stop_in_thread()


def test_standalone_process(tmp_path):
    script = tmp_path / "s.json"
    script.write_text(
        json.dumps({"rules": [{"match": "ping", "reply": "pong"}], "default": {"status": 503}})
    )
    log = tmp_path / "log.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.scripted_llm",
            "--script",
            str(script),
            "--log",
            str(log),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("LISTENING ")
        sync = openai.OpenAI(base_url=line.split()[1], api_key="k", max_retries=0)
        r = sync.chat.completions.create(model="m", messages=[{"role": "user", "content": "ping"}])
        assert r.choices[0].message.content == "pong"
        with pytest.raises(openai.APIStatusError):
            sync.chat.completions.create(model="m", messages=[{"role": "user", "content": "other"}])
        assert [json.loads(x)["messages"][0]["content"] for x in log.read_text().splitlines()] == [
            "ping",
            "other",
        ]
    finally:
        proc.terminate()
        proc.wait(10)
