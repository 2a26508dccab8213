"""`sstar solve` with the real embedded model (no base URL: the CLI starts llama-server itself).

One small solve (2 samples, 1 repair round) of an examples/ stub through the CLI as a subprocess;
the code it prints must pass the stub's examples when run through the sandbox, and no llama-server
started for it may outlive the command. Runs TEST_MODEL (the 0.5B, by `SSTAR_LOCAL_MODEL`), which
`make test` installs; SSTAR_CACHE_DIR is left as it is so the weights are found, and `--no-cache`
makes the model really answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import Probe, SandboxPool
from sandbox.compare import example_passes
from sstar.problem import extract_problem
from tests.support.models import TEST_MODEL
from tests.support.processes import marked_processes, new_mark

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "examples" / "text_tools.py"
QUALNAME = "is_palindrome"


@pytest.mark.real_model
@pytest.mark.timeout(1200)
async def test_cli_solves_an_example_with_the_embedded_model():
    name, mark = new_mark()  # llama-server inherits it: a leaked one is found even if reparented
    env = {k: v for k, v in os.environ.items() if k not in ("SSTAR_BASE_URL", "SSTAR_MODEL")}
    env["PYTHONPATH"] = str(ROOT)
    env[name] = mark
    env["SSTAR_LOCAL_MODEL"] = TEST_MODEL
    command = [sys.executable, "-m", "sstar.cli", "solve", f"{TARGET}::{QUALNAME}", "--json"]
    command += ["--samples", "2", "--rounds", "1", "--no-cache"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1100)
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    assert result["backend"] == f"embedded {TEST_MODEL}", result["backend"]
    assert result["usage"]["calls"] >= 2 and result["usage"]["completion_tokens"] > 0
    assert not marked_processes(mark), "a process of the solve outlived it"
    assert done.returncode == 0 and result["passed_public"], done.stderr

    # Re-check independently: the printed body in the user's file, examples run in the sandbox.
    source = TARGET.read_text()
    problem = extract_problem(source, qualname=QUALNAME)
    module = problem.module_with(result["body"])
    assert result["code"] in module
    async with SandboxPool(workers=1) as pool:
        run = await pool.run(module, Probe(steps=tuple(e.source for e in problem.examples)))
    outcomes = [
        example_passes(e.want, e.exc_msg, step)
        for e, step in zip(problem.examples, run.steps, strict=True)
    ]
    assert outcomes == [True] * len(problem.examples), run
