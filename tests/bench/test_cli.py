"""`sstar bench` end to end against the scripted model (a real socket, the real OpenAI client, the
real sandbox): records, JSON, Markdown with the exact command and commit, and the PNG plot."""

from __future__ import annotations

import json

import pytest

from sstar.bench import humaneval
from sstar.bench.runner import METHODS
from sstar.cli import main
from tests.bench.conftest import HasCloseElements
from tests.support.scripted_llm import ScriptedLLM


@pytest.fixture
def server():
    llm = ScriptedLLM(HasCloseElements()).start_in_thread()
    try:
        yield llm
    finally:
        llm.stop_in_thread()


def test_bench_writes_json_markdown_and_plot(server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSTAR_BASE_URL", raising=False)
    out = tmp_path / "results"
    argv = [
        "--ids",
        "0,2",
        "--samples",
        "4",
        "--rounds",
        "1",
        "--base-url",
        server.base_url,
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
    ]
    assert main(["bench", *argv]) == 0
    stem = out / "humaneval-server-n4-r1"
    summary = json.loads(stem.with_suffix(".json").read_text())
    assert summary["tasks"] == 2 and summary["task_ids"] == ["HumanEval/0", "HumanEval/2"]
    assert set(summary["methods"]) == set(METHODS)
    # HumanEval/0: majority, codet and S* find the right program; nobody solves HumanEval/2.
    assert summary["methods"]["sstar"]["pass@1"] == 0.5
    assert summary["methods"]["greedy"]["pass@1"] == 0.0
    assert summary["oracle_samples"] == 0.5 and summary["selection_efficiency"] == 1.0
    markdown = stem.with_suffix(".md").read_text()
    assert f"Command: `sstar bench {' '.join(argv)}`" in markdown
    assert "commit(s): " in markdown and "| sstar | 50.0 | 1/2 |" in markdown
    assert stem.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    records = stem.with_suffix(".jsonl").read_text().splitlines()
    assert len(records) == 2 * (len(METHODS) + 1)
    # Running the same command again resumes: nothing new is asked or recorded.
    asked = len(server.requests)
    assert main(["bench", *argv]) == 0
    assert len(server.requests) == asked
    assert stem.with_suffix(".jsonl").read_text().splitlines() == records
    # --report-only rewrites the reports from the records, naming the command that made them.
    stem.with_suffix(".md").unlink()
    assert main(["bench", *argv, "--report-only"]) == 0
    assert len(server.requests) == asked
    assert f"Command: `sstar bench {' '.join(argv)}`" in stem.with_suffix(".md").read_text()


def test_bad_options_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--methods", "sstar,oracle"])
    assert exit_.value.code == 2 and "unknown method(s) oracle" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["bench", "--offset", "500"])


def test_task_selection_and_stubs(tasks):
    assert len(tasks) == 164
    chosen = humaneval.select_tasks(tasks, offset=3, limit=2)
    assert [t.task_id for t in chosen] == ["HumanEval/3", "HumanEval/4"]
    chosen = humaneval.select_tasks(tasks, offset=3, limit=2, ids=["7", "HumanEval/1"])
    assert [t.task_id for t in chosen] == ["HumanEval/1", "HumanEval/7"]
    # HumanEval/115 puts `import math` before its docstring: it moves above the stub.
    source = tasks[115].stub_source
    assert source.startswith("import math\n") and tasks[115].problem().stub_text
    for task in tasks:
        problem = task.problem()
        assert "def check(candidate)" not in problem.source + problem.stub_text
