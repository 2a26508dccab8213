"""The real llama-server with the real weights of TEST_MODEL (the 0.5B): chat, sharing, restart,
stop, no orphans."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
import textwrap

import pytest
from openai import AsyncOpenAI, BadRequestError

from sstar.localmodel import LocalModelServer, ServerSettings
from tests.support.models import TEST_MODEL

from .conftest import REAL_SETTINGS, live_processes_of

pytestmark = [pytest.mark.real_model, pytest.mark.usefixtures("real_model", "stop_servers")]


async def chat(srv: LocalModelServer, prompt: str, max_tokens: int = 8) -> str:
    client = AsyncOpenAI(base_url=srv.base_url, api_key=srv.api_key, max_retries=0, timeout=120)
    try:
        resp = await client.chat.completions.create(
            model=srv.model_name,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=max_tokens,
            temperature=0.0,
        )
    finally:
        await client.close()
    assert resp.usage is not None and resp.usage.completion_tokens > 0
    return resp.choices[0].message.content or ""


async def wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait on a pidfd (an event, not a poll loop) for any process, even one not our child."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = await asyncio.to_thread(select.select, [fd], [], [], timeout)
        return bool(ready)
    finally:
        os.close(fd)


async def test_real_chat_completion():
    async with LocalModelServer.shared(TEST_MODEL, settings=REAL_SETTINGS) as srv:
        assert srv.base_url.startswith("http://127.0.0.1:") and srv.base_url.endswith("/v1")
        assert srv.model_name == TEST_MODEL
        environ = open(f"/proc/{srv.pid}/environ", "rb").read().split(b"\0")
        assert b"OMP_WAIT_POLICY=PASSIVE" in environ  # see server_env: no spinning threads
        answer = await chat(srv, "Reply with the single word: yes", max_tokens=4)
    assert answer.strip()


async def test_concurrent_users_share_one_server(real_model):
    baseline = live_processes_of(real_model.binary)
    entered = asyncio.Barrier(2)

    async def user(prompt: str) -> tuple[int, str, int]:
        async with LocalModelServer.shared(TEST_MODEL, settings=REAL_SETTINGS) as srv:
            await entered.wait()  # both hold the server at the same time
            users = srv.users
            return srv.pid, await chat(srv, prompt), users

    (pid_a, text_a, users_a), (pid_b, text_b, users_b) = await asyncio.gather(
        user("Say hi."), user("Say bye.")
    )
    assert pid_a == pid_b
    assert users_a == users_b == 2
    assert text_a and text_b
    assert live_processes_of(real_model.binary) - baseline == {pid_a}


async def test_restarts_after_the_server_dies():
    srv = LocalModelServer.shared(TEST_MODEL, settings=REAL_SETTINGS)
    async with srv:
        first = srv.pid
        port = srv.port
        os.kill(first, signal.SIGKILL)
        assert await wait_for_exit(first, 30)
        assert not srv.running
        await srv.ensure_running()
        assert srv.pid not in (None, first)
        assert srv.port == port  # clients built from base_url keep working
        assert await chat(srv, "Say ok.")


async def test_stop_returns_process_count_to_baseline(real_model):
    baseline = live_processes_of(real_model.binary)
    async with LocalModelServer.shared(TEST_MODEL, settings=REAL_SETTINGS) as srv:
        pid = srv.pid
        assert pid in live_processes_of(real_model.binary)
    await srv.stop()
    assert await wait_for_exit(pid, 30)
    assert live_processes_of(real_model.binary) == baseline


PARENT = textwrap.dedent(
    """
    import asyncio, sys
    from sstar.localmodel import LocalModelServer, ServerSettings

    async def main():
        settings = ServerSettings(parallel=1, ctx_per_slot=512, idle_seconds=None)
        async with LocalModelServer.shared(@MODEL@, settings=settings) as srv:
            sys.stdout.write(f"{srv.pid}\\n")
            sys.stdout.flush()
            await asyncio.Event().wait()

    asyncio.run(main())
    """
).replace("@MODEL@", repr(TEST_MODEL))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
async def test_killing_the_parent_leaves_no_orphan(sig):
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PARENT, stdout=asyncio.subprocess.PIPE
    )
    server_pid = None
    try:
        line = await asyncio.wait_for(parent.stdout.readline(), 180)
        server_pid = int(line)
        assert await wait_for_exit(server_pid, 0) is False  # it is up
        parent.send_signal(sig)
        await asyncio.wait_for(parent.wait(), 30)
        assert await wait_for_exit(server_pid, 30), f"llama-server {server_pid} outlived its parent"
    finally:
        if parent.returncode is None:
            parent.kill()
            await parent.wait()
        if server_pid is not None and not await wait_for_exit(server_pid, 0):
            os.kill(server_pid, signal.SIGKILL)  # do not let a failure leak a server


async def test_a_prompt_longer_than_a_slot_is_refused_not_truncated():
    """The stub must never be cut off silently: llama-server answers 400 naming both sizes."""
    settings = ServerSettings(parallel=1, ctx_per_slot=256, idle_seconds=None)
    async with LocalModelServer.shared(TEST_MODEL, settings=settings) as srv:
        client = AsyncOpenAI(base_url=srv.base_url, api_key=srv.api_key, max_retries=0)
        try:
            with pytest.raises(BadRequestError, match="exceeds the available context size"):
                await client.chat.completions.create(
                    model=srv.model_name,
                    messages=[{"role": "user", "content": "def f(x):\n    return x\n" * 60}],
                    max_tokens=4,
                )
            # A prompt that fits but leaves little room: the answer stops at the slot's end and
            # says so ("length"), it does not shift the prompt out of the context.
            resp = await client.chat.completions.create(
                model=srv.model_name,
                messages=[{"role": "user", "content": "def f(x):\n    return x\n" * 20}],
                max_tokens=400,
                extra_body={"ignore_eos": True},
            )
        finally:
            await client.close()
    assert resp.choices[0].finish_reason == "length"
    assert resp.usage.prompt_tokens + resp.usage.completion_tokens <= 256
