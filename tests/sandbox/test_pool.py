"""Pool lifecycle: no leaked processes (also after cancelling), worker replacement, `require`,
the isolation report, and the fresh-interpreter fallback."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

import sandbox.host
from sandbox import (
    ALL_LAYERS, IsolationUnavailable, LayerStatus, Limits, OutcomeKind, PoolMode, Probe,
    SandboxClosed, SandboxError, SandboxPool,
)
from sandbox.workers import ZygoteWorker
from tests.support.processes import alive

from .conftest import FAST, child_pids, sandbox_processes, wait_until, zygote_pids

# Every test starts its own pool, so "no sandbox process is left" means exactly that.

NASTY = [
    ("import os\n", "while True: os.fork()"),
    ("", "while True: pass"),
    ("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n", "time.sleep(60)"),
    ("", "b = bytearray(10 ** 10)"),
    ("import os\n", "os._exit(0)"),
    ("import ctypes\n", "ctypes.string_at(0)"),  # a segfault
    ("import os\n", "while True: os.write(1, b'z' * 65536)"),
    ("import threading, time\n", "[threading.Thread(target=time.sleep, args=(60,)).start() "
                                 "for _ in range(20)]"),
    ("import subprocess\n", "subprocess.Popen(['sleep', '60'])"),
]
SHORT = Limits(wall_seconds=0.5, memory_bytes=128 * 1024 * 1024, output_bytes=16 * 1024)
# Long enough that only cancellation can end these children within the test.
PATIENT = Limits(wall_seconds=60, memory_bytes=128 * 1024 * 1024, output_bytes=16 * 1024)
SLEEPER = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"


def no_namespaces(monkeypatch) -> None:
    monkeypatch.setattr(sandbox.host, "_probe_unshare",
                        lambda: ((), "namespaces switched off by this test"))


async def test_no_process_is_left_after_a_batch_of_nasty_runs():
    async with SandboxPool(2, limits=FAST) as pool:
        before = sandbox_processes()
        assert before == zygote_pids(pool) and len(before) == 2
        results = await asyncio.gather(*(pool.run(src, Probe.expression(step), SHORT)
                                          for src, step in NASTY))
        kinds = [r.steps[0].kind for r in results]
        assert OutcomeKind.RETURNED not in kinds[:7], kinds
        assert kinds[5] is OutcomeKind.CRASHED
        assert "SIGSEGV" in results[5].steps[0].exception_message
        assert sandbox_processes() == before  # the same two zygotes, nothing else
        bases = [Path(w.base) for w in pool._workers]
    assert sandbox_processes() == set()
    assert bases and not any(b.exists() for b in bases)  # worker directories are removed


@pytest.mark.parametrize("mode", [PoolMode.FORK_SERVER, PoolMode.FRESH_INTERPRETER])
async def test_cancelling_run_many_kills_the_children_it_started(mode):
    async with SandboxPool(2, limits=PATIENT, mode=mode) as pool:
        zygotes = zygote_pids(pool)
        task = asyncio.create_task(pool.run_many(SLEEPER, [Probe.expression("time.sleep(60)")] * 5))
        await wait_until(lambda: len(child_pids(pool)) == 2)
        running = child_pids(pool)
        task.cancel()
        # Promptly: not after the children's 60 s deadline (asyncio.wait_for on 3.11 can lose
        # a cancellation that lands as a read completes).
        done, _ = await asyncio.wait([task], timeout=10)
        assert task in done and task.cancelled()
        await wait_until(lambda: not (running & sandbox_processes()))
        await wait_until(lambda: not child_pids(pool))
        # The pool keeps working.
        r = await pool.run("", Probe.expression("6 * 7"), SHORT)
        assert r.steps[0].value == 42
        assert zygote_pids(pool) == zygotes  # drained and kept warm, not replaced
    assert sandbox_processes() == set()


async def test_a_killed_zygote_is_replaced():
    async with SandboxPool(2, limits=FAST) as pool:
        first = zygote_pids(pool)
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        results = await pool.run_many("", [Probe.expression(f"{i} + 1") for i in range(4)])
        assert [r.steps[0].value for r in results] == [1, 2, 3, 4]
        now = zygote_pids(pool)
        assert len(now) == 2 and not (now & first)
        assert sandbox_processes() == now
    assert sandbox_processes() == set()


async def test_a_zygote_killed_mid_run_is_replaced_and_the_run_retried():
    async with SandboxPool(1, limits=Limits(wall_seconds=10)) as pool:
        (zygote,) = zygote_pids(pool)
        task = asyncio.create_task(pool.run("import time\n", Probe(("time.sleep(0.5)", "5"))))
        await wait_until(lambda: len(child_pids(pool)) == 1)
        (child,) = child_pids(pool)
        os.kill(zygote, signal.SIGKILL)
        r = await asyncio.wait_for(task, 30)
        assert r.steps[1].value == 5
        assert child not in sandbox_processes()
        assert zygote_pids(pool) and zygote not in zygote_pids(pool)
    assert sandbox_processes() == set()


async def test_closed_or_unstarted_pool_refuses_runs():
    pool = SandboxPool(1)
    with pytest.raises(SandboxClosed):
        await pool.run("", Probe.expression("1"))
    async with pool:
        assert (await pool.run("", Probe.expression("1"))).steps[0].value == 1
    with pytest.raises(SandboxClosed):
        await pool.run("", Probe.expression("1"))
    with pytest.raises(TypeError):
        await SandboxPool(1).run("", "1")  # type: ignore[arg-type]


async def test_more_probes_than_workers_all_run():
    async with SandboxPool(2, limits=FAST) as pool:
        results = await pool.run_many("def sq(x):\n    return x * x\n",
                                      [Probe.expression(f"sq({i})") for i in range(25)])
    assert [r.steps[0].value for r in results] == [i * i for i in range(25)]


async def test_report_lists_every_layer_with_a_reason():
    async with SandboxPool(1, limits=FAST) as pool:
        report = pool.report
    assert report.mode is PoolMode.FORK_SERVER
    assert list(report.layers) == list(ALL_LAYERS)
    for name in ("rlimits", "clean_env", "workdir", "process_group", "deadline_kill",
                 "result_channel", "source_isolation", "read_policy"):
        assert report.state(name).status is LayerStatus.ACTIVE  # these need no kernel feature
    assert all(state.detail for state in report.layers.values())
    text = str(report)
    assert text.startswith("sandbox mode: fork-server")
    for name in ALL_LAYERS:
        assert f"] {name}: " in text


async def test_missing_layers_are_reported_and_warned_about(monkeypatch, caplog):
    no_namespaces(monkeypatch)
    caplog.set_level(logging.WARNING, logger="sandbox")
    async with SandboxPool(1, limits=FAST) as pool:
        report = pool.report
        r = await pool.run("", Probe.expression("1"))
    assert r.steps[0].value == 1  # degraded, not refused
    assert set(report.missing) >= {"user_namespace", "net_namespace", "workdir_quota"}
    assert "no private mount namespace" in report.missing["workdir_quota"]
    assert "shares the host's namespace" in report.missing["net_namespace"]
    assert "[ ] net_namespace: the sandbox shares the host's namespace" in str(report)
    assert "no private mount namespace" in report.missing["private_view"]
    assert "none of your files" in report.state("read_policy").detail
    warnings = [rec.getMessage() for rec in caplog.records]
    assert any("net_namespace missing" in w for w in warnings)
    assert any("switched off by this test" in w for w in warnings)


async def test_require_refuses_a_missing_layer(monkeypatch):
    no_namespaces(monkeypatch)
    pool = SandboxPool(1, limits=FAST, require=["net_namespace", "rlimits"])
    with pytest.raises(IsolationUnavailable) as err:
        await pool.start()
    message = str(err.value)
    assert "net_namespace" in message and "shares the host's namespace" in message
    assert "requireIsolation" in message  # says how to fix it
    assert "rlimits" not in message.split("unavailable:")[1].split(".")[0]
    assert sandbox_processes() == set()
    with pytest.raises(SandboxClosed):
        await pool.run("", Probe.expression("1"))


async def test_require_accepts_active_layers_and_rejects_unknown_names():
    with pytest.raises(IsolationUnavailable, match="unknown isolation layer"):
        SandboxPool(1, require=["moat"])
    async with SandboxPool(1, limits=FAST, require=["rlimits", "workdir", "clean_env"]) as pool:
        assert (await pool.run("", Probe.expression("2"))).steps[0].value == 2


async def test_auto_mode_falls_back_to_fresh_interpreters(monkeypatch, caplog):
    async def broken(self):
        raise OSError("fork server disabled by this test")

    monkeypatch.setattr(ZygoteWorker, "start", broken)
    caplog.set_level(logging.WARNING, logger="sandbox")
    async with SandboxPool(2, limits=FAST) as pool:
        assert pool.mode is PoolMode.FRESH_INTERPRETER
        assert pool.report.mode is PoolMode.FRESH_INTERPRETER
        r = await pool.run("def f():\n    return [1]\n", Probe.expression("f()"))
    assert r.steps[0].value == [1]
    assert any("fresh interpreter" in rec.getMessage() for rec in caplog.records)
    with pytest.raises(SandboxError, match="fork server did not start"):
        async with SandboxPool(1, limits=FAST, mode=PoolMode.FORK_SERVER):
            pass
    assert sandbox_processes() == set()


SERVER = """
import asyncio, sys
sys.path.insert(0, sys.argv[2])
from sandbox import Limits, PoolMode, Probe, SandboxPool

async def main():
    pool = SandboxPool(1, mode=PoolMode(sys.argv[1]), limits=Limits(wall_seconds=60))
    await pool.start()
    print("ready", flush=True)
    await pool.run("import signal, time\\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\\n",
                   Probe.expression("time.sleep(60)"))

asyncio.run(main())
"""




def ignores_sigalrm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = int(status.split("SigIgn:")[1].split()[0], 16)
    return bool(mask & (1 << (signal.SIGALRM - 1)))


@pytest.mark.parametrize("mode", [PoolMode.FORK_SERVER, PoolMode.FRESH_INTERPRETER])
async def test_no_orphans_when_the_server_is_killed(mode):
    # A crashed server cannot cancel anything: its sandbox processes must die with it.
    before = sandbox_processes()
    root = str(Path(__file__).resolve().parents[2])
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, mode.value, root, stdout=asyncio.subprocess.PIPE)
    try:
        assert await asyncio.wait_for(server.stdout.readline(), 30) == b"ready\n"
        expected = 2 if mode is PoolMode.FORK_SERVER else 1  # zygote + child, or the child alone
        await wait_until(lambda: len(sandbox_processes() - before) == expected)
        theirs = sandbox_processes() - before
        # Kill only once the probe itself runs (it ignores SIGALRM), not while it starts up.
        await wait_until(lambda: any(ignores_sigalrm(pid) for pid in theirs))
    finally:
        server.kill()
        await server.wait()
    await wait_until(lambda: not any(alive(pid) for pid in theirs), timeout=10)


async def test_closing_with_runs_in_flight_leaves_nothing_behind():
    before = sandbox_processes()
    pool = SandboxPool(1, limits=Limits(wall_seconds=5))
    await pool.start()
    tasks = [asyncio.create_task(pool.run("import time\n", Probe(("time.sleep(0.3)", "7"))))
             for _ in range(3)]
    await wait_until(lambda: len(child_pids(pool)) == 1)
    await pool.close()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    # The run under way finishes; the queued ones are refused, not left waiting.
    assert outcomes[0].steps[1].value == 7
    assert all(isinstance(o, SandboxClosed) for o in outcomes[1:]), outcomes
    assert sandbox_processes() == before
