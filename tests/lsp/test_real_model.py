"""The real embedded model (llama.cpp, TEST_MODEL: Qwen2.5-Coder 0.5B, set as `localModel`) solving
examples/intervals.py through the server: no baseUrl, 2 samples, 1 round. Slow (a minute or two on 2 cores); the only such test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from sstar.localmodel.paths import default_cache_dir
from tests.support.models import TEST_MODEL

from .conftest import ROOT, descendants, line_of, server_env, solve, start_editor, stop_editor, token_of, wait_gone

pytestmark = pytest.mark.real_model


def shared_model_cache(tmp_path: Path) -> Path:
    """A fresh cache directory (no cached answers) that still finds the installed weights and the
    built llama-server through symlinks."""
    installed = default_cache_dir()
    cache = tmp_path / "cache"
    cache.mkdir()
    for part in ("models", "runtime"):
        (cache / part).symlink_to(installed / part)
    return cache


async def test_embedded_model_solves_merge_intervals(workspace, tmp_path):
    source = (ROOT / "examples" / "intervals.py").read_text()
    path = workspace / "intervals.py"
    path.write_text(source)
    init = {"samples": 2, "rounds": 1, "timeoutSeconds": 600, "localModel": TEST_MODEL}
    client = await start_editor("neovim", workspace, init_options=init, env=server_env(shared_model_cache(tmp_path)))
    try:
        uri = path.as_uri()
        client.open(uri, source)
        job = await solve(client, uri, position={"line": line_of(source, "    ..."), "character": 4})
        seen = set()

        def llama_seen() -> bool:  # remember the model server while it runs
            seen.update(pid for pid, line in descendants(client._server.pid).items() if "llama-server" in line)
            return token_of(job) in client.ended_tokens()

        await client.wait_for(llama_seen, timeout=900, what="the solve")
        values = client.progress(token_of(job))
        messages = [v.message for v in values if isinstance(v, types.WorkDoneProgressReport)]
        assert "starting the local model" in messages and "sampling 2/2" in messages
        assert client.statuses[-1]["backend"] == f"embedded {TEST_MODEL}"
        total = source.count(">>> ")
        end = values[-1].message
        print(f"real model: {end}; heartbeats: {[m for m in messages if 'waiting for the model' in m or 'starting the local model:' in m]}")
        # the early preview, when the solve went on long enough after a candidate passed
        for preview in client.previews:
            assert preview["jobId"] == job and preview["passed"] == preview["total"] == total
            print(f"real model: a preview was offered: {preview['code']!r}")
        if f"passes 0/{total} examples" in end:  # nothing that passes anything is written
            assert "nothing written" in end and client.texts[uri] == source
            await client.wait_for(lambda: client.diagnostics_for(uri), what="the diagnostic")
            assert "nothing was written" in client.diagnostics_for(uri)[0].message
            return
        assert "written" in end, end

        text = client.texts[uri]
        head = source.split("    ...\n")[0]
        assert text.startswith(head) and "    ...\n" not in text  # only the body changed
        # The 0.5B model with 2 samples does not always get it right; what the server says about
        # the written code must match what doctest says about it.
        failing = failing_example_lines(text)
        await client.wait_for(lambda: uri in client.diagnostics, what="diagnostics")
        diagnostics = client.diagnostics_for(uri)
        assert sorted(d.range.start.line for d in diagnostics if d.code == "example-failed") == failing
        if failing:
            assert [d.code for d in diagnostics].count("no-candidate-passed") == 1
            assert f"passes {total - len(failing)}/{total} examples" in values[-1].message
        else:
            assert diagnostics == [] and f"passes {total}/{total} examples" in values[-1].message
        print(f"real model: {total - len(failing)}/{total} examples pass; {values[-1].message}")
    finally:
        left = set(descendants(client._server.pid))
        await stop_editor(client)
    assert seen, "llama-server never ran under the language server"
    await wait_gone(left | seen)  # llama-server and the sandbox workers are gone with the server


def failing_example_lines(text: str) -> list[int]:
    """0-based lines of the `>>>` examples that fail, by the standard doctest runner in a separate
    interpreter (model-written code does not run in ours)."""
    script = """
import doctest, json, sys, types
module = types.ModuleType("intervals")
exec(compile(sys.stdin.read(), "intervals.py", "exec"), module.__dict__)
failed = []
class Runner(doctest.DocTestRunner):
    def report_failure(self, out, test, example, got):
        failed.append(test.lineno + example.lineno)
    def report_unexpected_exception(self, out, test, example, exc_info):
        failed.append(test.lineno + example.lineno)
runner = Runner(verbose=False)
for test in doctest.DocTestFinder().find(module, "intervals", module=module, globs=module.__dict__):
    test.lineno = test.lineno or 0
    runner.run(test, out=lambda s: None)
print(json.dumps(sorted(failed)))
"""
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], input=text, text=True, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
