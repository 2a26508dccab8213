"""A real S* solve on the real embedded model, configured only by its name, leaves no server behind.

No base URL, no key: the embedded model, TEST_MODEL (the 0.5B; the product's default is the 1.5B,
too slow for CI). Both tests point ``SSTAR_CACHE_DIR`` at scratch space, as users' test setups do:
the installed model and runtime must still be found (in the home cache), and nothing may be
started twice. Small N on purpose: the real model is slow on two cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from sstar.cache import Cache
from sstar.config import Config
from sstar.engine import Engine
from sstar.localmodel import LocalModelServer
from sstar.problem import extract_problem
from tests.support.models import TEST_MODEL

from .conftest import live_processes_of
from .test_real_server import wait_for_exit

pytestmark = [pytest.mark.real_model, pytest.mark.usefixtures("real_model", "stop_servers")]

ROOT = Path(__file__).resolve().parents[2]
STUB = ROOT / "examples" / "intervals.py"


@pytest.fixture
def scratch_env(tmp_path, monkeypatch):
    """No base URL, no model, no key from the developer's shell; a scratch cache directory; the
    tests' local model (for the CLI, which reads it from the environment)."""
    for name in list(os.environ):
        if name.startswith("SSTAR_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SSTAR_LOCAL_MODEL", TEST_MODEL)
    return tmp_path


def servers_started_under(binary: Path, directory: Path) -> set[int]:
    """Live llama-servers whose command line points into ``directory`` (its key file is there),
    so servers of other tests or of other people on this machine are not counted."""
    pids = set()
    for pid in live_processes_of(binary):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(directory) in cmdline:
            pids.add(pid)
    return pids


async def test_engine_solves_a_stub_on_the_embedded_model(scratch_env, real_model):
    # The defaults otherwise (base_url "" = the embedded model), but a patient request timeout:
    # on a busy 2-core CI machine a rambling 1024-token answer can take longer than 120 s.
    config = Config(samples=2, rounds=1, timeout_seconds=600, local_model=TEST_MODEL)
    assert config.base_url == ""
    problem = extract_problem(STUB.read_text(), path=STUB, qualname="merge_intervals")
    async with Engine(config, cache=Cache(None)) as engine:
        result = await asyncio.wait_for(engine.solve(problem), 600)
        # The engine leaves the server warm for the next solve; it is this test's own server.
        (pid,) = servers_started_under(real_model.binary, scratch_env)

    assert result.backend == f"embedded {TEST_MODEL}"
    assert result.usage.total.calls >= 2
    assert result.usage.total.completion_tokens > 0
    assert result.candidates, "the model's answers produced no candidate at all"

    await LocalModelServer.stop_all()  # what the language server and the CLI do on exit
    assert await wait_for_exit(pid, 30), f"llama-server {pid} outlived stop_all()"
    assert servers_started_under(real_model.binary, scratch_env) == set()


async def test_cli_solve_starts_the_model_and_leaves_no_server(scratch_env, real_model):
    project = scratch_env / "proj"
    project.mkdir()
    shutil.copy(STUB, project / "intervals.py")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sstar.cli",
        "solve",
        f"{project / 'intervals.py'}::merge_intervals",
        "--samples",
        "1",
        "--rounds",
        "1",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=project,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 600)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode in (0, 1), err.decode(errors="replace")[-2000:]  # solved / unsolved
    report = json.loads(out)
    assert report["backend"] == f"embedded {TEST_MODEL}"
    assert report["usage"]["completion_tokens"] > 0
    logs = list((scratch_env / "cache" / "logs").glob("llama-server-*.log"))
    assert logs, "the CLI did not start its own server"
    # The CLI exits without an explicit stop; atexit (and PDEATHSIG) must take the server along.
    assert servers_started_under(real_model.binary, scratch_env) == set()
