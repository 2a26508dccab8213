"""`sstar bench --dataset stubs` end to end against a scripted model (real socket, real client, real
sandbox): two stubs run and are scored by their hidden checks, every ablation rung runs, each method
is charged only for the model calls it used, and `--rescore` scores the kept bodies again."""

from __future__ import annotations

import ast
import json
import re

import pytest

from sstar.bench import stubset
from sstar.bench.runner import ALL_METHODS, read_records
from sstar.cli import main
from tests.support.prompt_kinds import kind_of
from tests.support.scripted_llm import ScriptedLLM, fenced, prompt_text

STUBS = ("chunked", "dedupe")


def _function(name: str, kind: str) -> str:
    """The function `name` as written in the stub's reference.py or naive.py."""
    source = stubset.stub_file(name, kind).read_text()
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    return ast.get_source_segment(source, node) or ""


class StubModel:
    """Samples by seed: the greedy one (no seed or seed 0) is the naive version, which passes the
    examples but not the hidden check; the others, and every repair, are the reference."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def __call__(self, body: dict) -> str:
        kind = kind_of(body)
        self.kinds.append(kind)
        text = prompt_text(body)
        name = next((s for s in STUBS if f"def {s}(" in text), None)
        if name is None:
            return "I do not know."
        if kind == "sample":
            naive = body.get("seed") in (None, 0)
            return fenced(_function(name, "naive" if naive else "reference"))
        if kind == "debug":
            return fenced(_function(name, "reference"))
        if kind in ("inputs", "distinguish"):
            calls = {
                "chunked": "chunked([], 2)\nchunked([1, 2, 3], 0)",
                "dedupe": "dedupe(['ab', 'cd'], key=len)",
            }
            return fenced(calls[name])
        return "I do not know."


@pytest.fixture
def server():
    llm = ScriptedLLM(StubModel()).start_in_thread()
    try:
        yield llm
    finally:
        llm.stop_in_thread()


def test_a_stubs_run_completes_scores_and_meters_honestly(server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSTAR_BASE_URL", raising=False)
    out = tmp_path / "results"
    argv = [
        "--dataset", "stubs", "--ids", ",".join(STUBS), "--samples", "4", "--rounds", "1",
        "--methods", "all", "--base-url", server.base_url, "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"), "--no-progress",
    ]  # fmt: skip
    assert main(["bench", *argv]) == 0
    stem = out / "stubs-server-n4-r1"
    summary = json.loads(stem.with_suffix(".json").read_text())
    assert summary["task_ids"] == [f"stubs/{s}" for s in STUBS] and summary["tasks"] == 2
    assert set(summary["methods"]) == set(ALL_METHODS)
    rows = summary["methods"]
    # The naive greedy answer passes the examples, not the hidden check; agreement finds the rest.
    assert rows["greedy"]["solved"] == rows["first"]["solved"] == 0
    assert rows["majority"]["solved"] == rows["sstar"]["solved"] == 2
    assert summary["oracle_samples"] == 1.0
    assert "## Realistic stubs: S* against its baselines" in stem.with_suffix(".md").read_text()
    records = read_records(stem.with_suffix(".jsonl"))
    by = {(r["task_id"], r["method"]): r for r in records}
    for stub in STUBS:
        task = f"stubs/{stub}"
        # `first` made one call (sample 0), not the 4 shared samples; `public` stopped at sample 0.
        assert by[task, "first"]["cost"]["calls"] == 1
        assert by[task, "public"]["cost"]["calls"] == 1
        assert by[task, "majority"]["cost"]["calls"] >= 4
        # Every rung of the ladder is an engine solve of its own, charged for what it asked.
        for rung in ("repair", "selection", "typed", "prose", "adaptive"):
            assert by[task, rung]["cost"]["calls"] >= 4 and by[task, rung]["passed"], rung
        # The chosen code is kept: the reference's body for S*, the naive one for greedy.
        assert "def " not in by[task, "sstar"]["code"] and by[task, "sstar"]["code"].strip()
        assert by[task, "greedy"]["code"] and not by[task, "greedy"]["passed"]
        assert "passed_human_eval" not in by[task, "sstar"]  # only HumanEval has that scorer
    for body in server.requests:  # the hidden checks never reach the model
        assert "def check(" not in prompt_text(body) and "candidate(" not in prompt_text(body)
    # --rescore scores the kept bodies again, without the model: unchanged, then after tampering.
    asked = len(server.requests)
    assert main(["bench", *argv, "--rescore"]) == 0
    assert len(server.requests) == asked
    assert read_records(stem.with_suffix(".jsonl")) == records
    tampered = [r | {"code": "return []\n"} if r["method"] == "sstar" else r for r in records]
    stem.with_suffix(".jsonl").write_text("".join(json.dumps(r) + "\n" for r in tampered))
    assert main(["bench", *argv, "--rescore"]) == 0
    again = {(r["task_id"], r["method"]): r for r in read_records(stem.with_suffix(".jsonl"))}
    assert not again["stubs/chunked", "sstar"]["passed"]
    assert json.loads(stem.with_suffix(".json").read_text())["methods"]["sstar"]["solved"] == 0
    assert re.search(r"\| sstar \| 0\.0 \| 0/2 \|", stem.with_suffix(".md").read_text())


def test_a_greedy_only_run_asks_once_per_stub(server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSTAR_BASE_URL", raising=False)
    out = tmp_path / "results"
    argv = [
        "--dataset", "stubs", "--ids", ",".join(STUBS), "--methods", "greedy",
        "--base-url", server.base_url, "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"), "--no-progress",
    ]  # fmt: skip
    assert main(["bench", *argv]) == 0
    kinds = [kind_of(body) for body in server.requests]
    assert kinds == ["sample", "sample"]  # no N samples drawn for the oracle alone
    summary = json.loads((out / "stubs-server-n8-r2.json").read_text())
    assert summary["tasks"] == 2 and summary["methods"]["greedy"]["solved"] == 0
    assert summary["oracle_samples"] is None
