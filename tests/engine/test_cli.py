"""`sstar solve` end to end: scripted model, real sandbox, exit codes, --json and --write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sstar.cli import main
from tests.support.processes import alive, descendants, marked_processes, new_mark
from tests.support.scripted_llm import Reply, ScriptedLLM, fenced

from .conftest import ADD_ONE, RIGHT, WRONG, ModelScript

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    script = ModelScript()
    llm = ScriptedLLM(script).start_in_thread()
    llm.script = script
    yield llm
    llm.stop_in_thread()


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-key-0000")
    (tmp_path / "proj").mkdir()
    path = tmp_path / "proj" / "mod.py"
    path.write_text("import math\n\n\n" + ADD_ONE + "\n\nCONSTANT = 1\n")
    return path


def args(server, path, *extra):
    return [
        "solve",
        f"{path}::add_one",
        "--base-url",
        server.base_url,
        "--model",
        "m",
        "--samples",
        "2",
        "--rounds",
        "1",
        *extra,
    ]


def test_solve_prints_the_function(server, project, capsys):
    assert main(args(server, project)) == 0
    out, err = capsys.readouterr()
    assert out.startswith("def add_one(xs: list[int]) -> list[int]:")
    assert "return [x + 1 for x in xs]" in out
    assert "sampling 2/2" in err  # plain progress lines: stderr is not a terminal here
    assert "sk-cli-key-0000" not in out + err
    assert server.headers[0]["authorization"] == "Bearer sk-cli-key-0000"


def test_json_and_write(server, project, capsys):
    before = project.read_text()
    assert main(args(server, project, "--json", "--write")) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"code", "passed_public", "candidates", "usage"} <= set(result)
    # two samples and the request for checks of the docstring (product defaults)
    assert result["passed_public"] is True and result["usage"]["calls"] == 3
    assert result["usage"]["stages"]["checking"]["calls"] == 1
    assert result["confidence"] in ("high", "medium", "low") and result["evidence"]
    after = project.read_text()
    assert after == before.replace("    ...\n", "    return [x + 1 for x in xs]\n", 1)


def test_unsolved_exit_code_one(server, project, capsys):
    server.script.samples = fenced(WRONG)
    server.script.debug = fenced(WRONG)
    assert main(args(server, project)) == 1
    assert "return [x + 2" in capsys.readouterr().out


def test_usage_errors_exit_two(server, project, tmp_path, capsys):
    assert main(["solve", str(tmp_path / "missing.py")]) == 2
    assert main(["solve", f"{project}::nothing_here", "--base-url", server.base_url]) == 2
    assert main(args(server, project, "--samples", "0")) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "no function named nothing_here" in err and "--samples" in err
    assert server.requests == []


def test_server_down_exit_three(server, project, capsys):
    server.script.samples = Reply(status=503)
    assert main(args(server, project, "--no-cache")) == 3
    assert "HTTP 503" in capsys.readouterr().err


def test_real_process(server, project):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "sstar.cli", *args(server, project, "--json")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["code"].startswith("def add_one")
    assert RIGHT.splitlines()[1].strip() in done.stdout


def test_sigterm_cancels_and_leaves_no_process(server, project):
    server.script.samples = Reply(hang=True)
    name, mark = new_mark()
    env = {**os.environ, "PYTHONPATH": str(ROOT), name: mark}
    child = subprocess.Popen(
        [sys.executable, "-m", "sstar.cli", *args(server, project, "--no-cache")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        # both samples are waiting for the model: the solve (and its sandbox pool) is running
        assert server.wait_sync(lambda: len(server.requests) >= 2, 60), "no request arrived"
        # The sandbox workers get a clean environment (no mark): follow them by pid.
        workers = descendants(child.pid)
        assert workers and marked_processes(mark)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 143 and "cancelled" in err and out == ""
    assert server.wait_sync(lambda: server.open_requests == 0, 10)
    assert not marked_processes(mark) and not {pid for pid in workers if alive(pid)}




def test_missing_local_model_exit_three(project, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SSTAR_BASE_URL", raising=False)
    monkeypatch.setenv("SSTAR_MODEL_PATH", str(tmp_path / "missing.gguf"))
    assert main(["solve", f"{project}::add_one"]) == 3
    err = capsys.readouterr().err
    assert "missing.gguf" in err and "modelPath" in err
