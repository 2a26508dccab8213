"""The realistic stub set (benchmarks/stubs/) is sound: every stub is an S* Problem with a few
examples; every reference passes its examples and its hidden check in the sandbox; versions that
only satisfy the examples (the stub's `naive.py`, and a body hard-coding the examples) fail the
hidden checks, so those check the prose, not the examples; and no prompt S* builds for a stub
holds text of its hidden check or of its reference."""

from __future__ import annotations

import ast
import re
from types import SimpleNamespace

import pytest

from sstar.bench import humaneval, stubset
from sstar.bench.methods import codet_messages
from sstar.candidates import judge_public, public_probes
from sstar.check_prompts import checks_messages
from sstar.problem import Problem
from sstar.prompts import inputs_messages, sample_messages


@pytest.fixture(scope="module")
def tasks() -> list[humaneval.Task]:
    return stubset.load_tasks()


def _source(task: humaneval.Task, kind: str) -> str:
    return stubset.stub_file(task.task_id.removeprefix(stubset.PREFIX), kind).read_text()


async def _passes_examples(pool, problem: Problem, module: str) -> bool:
    results = [await pool.run(module, probe) for probe in public_probes(problem)]
    return judge_public(problem, results).passes


def test_the_set_is_large_and_varied(tasks):
    assert len(tasks) >= 36
    entries = stubset.entries()
    assert len({e.name for e in entries}) == len(entries) == len(tasks)
    assert sum("." in e.qualname for e in entries) >= 3  # methods of a class
    assert any(t.problem().stub.is_async for t in tasks)  # and an async function


def test_every_stub_is_a_problem_with_a_few_examples_and_prose(tasks):
    for task in tasks:
        problem = task.problem()
        assert problem.qualname == (task.qualname or task.entry_point)
        assert 1 <= len(problem.examples) <= 4, task.task_id  # an async/class example takes 2-3
        prose = re.sub(r"(?m)^(>>>|\.\.\.).*\n?.*", "", problem.docstring or "")
        assert len(prose.split()) >= 25, task.task_id  # the edge cases are stated in words
        assert "def check(" not in problem.source and "assert candidate" not in problem.source


async def test_references_pass_their_examples_and_hidden_checks(pool, tasks):
    for task in tasks:
        problem = task.problem()
        reference = _source(task, "reference")
        assert await _passes_examples(pool, problem, reference), task.task_id
        assert await humaneval.score(pool, task, reference), task.task_id


async def test_naive_versions_pass_the_examples_and_fail_the_hidden_checks(pool, tasks):
    for task in tasks:
        problem = task.problem()
        naive = _source(task, "naive")
        assert await _passes_examples(pool, problem, naive), task.task_id
        assert not await humaneval.score(pool, task, naive), task.task_id


def _hard_coded_body(problem: Problem) -> str | None:
    """A body answering each example call with its expected value and nothing else right (None
    when the examples are not plain calls of the function, e.g. a method's or an async one's)."""
    if problem.stub.class_path or problem.stub.is_async:
        return None
    node = next(
        n
        for n in ast.walk(ast.parse(problem.stub_text))
        if isinstance(n, ast.FunctionDef) and n.name == problem.name
    )
    cases = []
    for example in problem.examples:
        call = ast.parse(example.source.strip(), mode="eval").body
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == problem.name):
            return None
        bound = ast.unparse(ast.Call(ast.Name("_hc_bind"), call.args, call.keywords))
        cases.append((bound, example.want.strip()))
    params = ast.unparse(node.args)
    lines = [
        "_hc_got = dict(locals())",
        f"def _hc_bind({params}):",
        "    return dict(locals())",
    ]
    for bound, want in cases:
        lines += [f"if {bound} == _hc_got:", f"    return {want}"]
    lines.append("return None")
    return "\n".join(lines) + "\n"


async def test_hard_coding_the_examples_fails_the_hidden_checks(pool, tasks):
    tried = failed = 0
    for task in tasks:
        problem = task.problem()
        body = _hard_coded_body(problem)
        if body is None:
            continue
        module = problem.module_with(body)
        assert await _passes_examples(pool, problem, module), task.task_id
        tried += 1
        failed += not await humaneval.score(pool, task, module)
    assert tried >= 30 and failed == tried


def _secrets(task: humaneval.Task) -> list[str]:
    """Lines of the hidden check and of the reference that the stub file does not itself hold."""
    stub = task.stub_source
    lines = []
    for kind in ("hidden", "reference"):
        for line in _source(task, kind).splitlines():
            text = line.strip()
            if len(text) >= 12 and text not in stub and not text.startswith(("#", '"""')):
                lines.append(text)
    arguments = []
    for line in task.hidden_test.splitlines():
        match = re.match(r"\s*assert candidate(\(.*?\))\s*(==|is)", line)
        if match and match.group(1) not in stub and len(match.group(1)) > 4:
            arguments.append(match.group(1))
    return lines + arguments


def test_no_prompt_holds_the_hidden_check_or_the_reference(tasks):
    for task in tasks:
        problem = task.problem()
        prompts = [sample_messages(problem), inputs_messages(problem, 6)]
        prompts.append(codet_messages(SimpleNamespace(problem=problem), 10))  # type: ignore[arg-type]
        prompts.append(checks_messages(problem) or [])
        text = "\n".join(m["content"] for messages in prompts for m in messages)
        assert "def check(" not in text and "candidate(" not in text
        for secret in _secrets(task):
            assert secret not in text, (task.task_id, secret)


def test_select_by_name_or_index(tasks):
    chosen = stubset.select_tasks(tasks, ids=["slugify", "0", "stubs/dedupe"])
    assert [t.task_id for t in chosen] == sorted(
        ["stubs/slugify", tasks[0].task_id, "stubs/dedupe"], key=[t.task_id for t in tasks].index
    )
    assert stubset.select_tasks(tasks, offset=2, limit=3) == tasks[2:5]
    assert stubset.select_tasks(tasks, ids=["no_such_stub"]) == []
