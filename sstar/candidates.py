"""Candidates (distinct programs) and how they fare on the public tests.

A candidate is identified by the normalised AST of the body it would write, so the same program
from two samples (or two repair rounds) is executed and judged once. Public tests are the stub's
docstring examples, run as ONE probe (the steps share state, as doctest does) and compared in the
parent with `sandbox.compare.example_passes`, plus the workspace tests that call it, one probe each
(assert-style, run next to the code under test: hints that also count in the pass rate).
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from sandbox import OutcomeKind, Probe, ProbeResult, StepOutcome
from sandbox.compare import example_passes

from .edits import candidate_body
from .errors import SourceSyntaxError
from .extract_code import dedup_key
from .problem import Problem
from .prompts import Failure
from .source import line_count

__all__ = [
    "Candidate",
    "PublicRun",
    "describe_outcome",
    "make_candidate",
    "run_public",
    "where_it_failed",
]


@dataclass(frozen=True)
class Candidate:
    id: str
    key: str  # normalised-AST identity of the body
    body: str  # the new body, dedented (what gets written)
    code: str  # the whole function as it will read in the file (what the model is shown)
    module: str  # the user's module with this body: what the sandbox executes
    sample: int  # the sample index that first produced it
    round: int  # repair rounds that led to it (0 = as sampled)


@dataclass(frozen=True)
class PublicRun:
    """A candidate on the public tests."""

    passed: int
    total: int
    setup_ok: bool  # the module with this body loads
    example_outcomes: tuple[StepOutcome, ...]  # one per docstring example (empty if setup failed)
    example_passed: tuple[bool, ...]  # same order
    failures: tuple[Failure, ...]

    @property
    def passes(self) -> bool:
        return self.setup_ok and self.passed == self.total

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else (1.0 if self.setup_ok else 0.0)


def make_candidate(problem: Problem, snippet: str, sample: int, round_: int) -> Candidate | None:
    """The candidate a snippet amounts to, or None when it cannot become a body."""
    try:
        body = candidate_body(snippet, problem.name, problem.inventory)
        module = problem.module_with(body)
        code = problem.function_with(body)
    except (SourceSyntaxError, SyntaxError, ValueError, IndexError):
        return None
    key = dedup_key(body)
    ident = hashlib.sha256(key.encode()).hexdigest()[:10]
    return Candidate(ident, key, body, code, module, sample, round_)


def public_probes(problem: Problem) -> list[Probe]:
    """The examples as one probe (possibly with no step: then it only loads the module), then one
    probe per workspace test."""
    probes = [Probe(steps=tuple(_awaitable(example.source) for example in problem.examples))]
    probes += [Probe(steps=(test.body,)) for test in problem.tests]
    return probes


def _awaitable(source: str) -> str:
    """`await f(x)` (how async examples are often written, though doctest cannot run it) as an
    expression the sandbox can evaluate."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        value = tree.body[0].value
        if isinstance(value, ast.Await):
            return f"__import__('asyncio').run({ast.unparse(value.value)})"
    return source


async def run_public(ctx, candidate: Candidate) -> PublicRun:
    problem: Problem = ctx.problem
    results = await ctx.run(candidate.module, public_probes(problem))
    return judge_public(problem, results, candidate)


def judge_public(
    problem: Problem, results: list[ProbeResult], candidate: Candidate | None = None
) -> PublicRun:
    examples, tests = results[0], results[1:]
    total = len(problem.examples) + len(problem.tests)
    if examples.setup.kind is not OutcomeKind.RETURNED:
        error = describe_outcome(examples.setup)
        failure = Failure(source="(loading the module)", expected=None, actual=error)
        return PublicRun(0, total, False, (), (), (failure,))
    passed = 0
    failures: list[Failure] = []
    verdicts: list[bool] = []
    for example, outcome in zip(problem.examples, examples.steps, strict=False):
        verdicts.append(example_passes(example.want, example.exc_msg, outcome))
        if verdicts[-1]:
            passed += 1
        else:
            expected = (
                example.want.rstrip("\n")
                if not example.exc_msg
                else f"raises {example.exc_msg.strip()}"
            )
            failures.append(
                Failure(
                    example.source,
                    expected or "(nothing)",
                    describe_outcome(outcome),
                    where_it_failed(problem, candidate, outcome),
                )
            )
    for test, result in zip(problem.tests, tests, strict=False):
        outcome = result.steps[0] if result.steps else result.setup
        if result.setup.kind is OutcomeKind.RETURNED and outcome.kind is OutcomeKind.RETURNED:
            passed += 1
        else:
            detail = where_it_failed(problem, candidate, outcome)
            failures.append(Failure(test.source, None, describe_outcome(outcome), detail))
    return PublicRun(passed, total, True, tuple(examples.steps), tuple(verdicts), tuple(failures))


_SHOWN_FRAMES = 3
_SHOWN_LOCALS = 6


def where_it_failed(
    problem: Problem, candidate: Candidate | None, outcome: StepOutcome
) -> str | None:
    """The failing line of the candidate's body (numbered within the body, which is what the
    model writes, however the prompt shows the rest), the calls that led there, and the locals
    at that line, for repair feedback (LDB-style). None when the sandbox gave no location."""
    detail = outcome.error
    if outcome.kind is not OutcomeKind.RAISED or detail is None or not detail.frames:
        return None
    first = problem.stub.body_span.start.line  # 0-based: where the new body starts
    length = line_count(candidate.body.rstrip("\n")) if candidate is not None else None

    def place(line: int, function: str) -> str:
        inside = line - first
        if length is not None and not problem.stub.body_inline and 1 <= inside <= length:
            where = f"line {inside} of the body of `{problem.name}`"
            return where if function == problem.name else f"{where} (in `{function}`)"
        return f"`{function}`" if function != "<module>" else "the module"

    frames = detail.frames[-_SHOWN_FRAMES:]
    *outer, inner = frames
    lines = [f"it failed at {place(inner.line, inner.function)}: `{inner.text}`"]
    for frame in reversed(outer):
        lines.append(f"called from {place(frame.line, frame.function)}: `{frame.text}`")
    shown = [f"{name} = {value}" for name, value in detail.locals[:_SHOWN_LOCALS]]
    if shown:
        lines.append("values there: " + ", ".join(shown))
    return "\n".join(lines)


def describe_outcome(outcome: StepOutcome) -> str:
    """What a run produced, as shown to the model and the user."""
    match outcome.kind:
        case OutcomeKind.RETURNED:
            shown = (
                outcome.display.rstrip("\n") if outcome.display else (outcome.value_repr or "None")
            )
            return shown or "(nothing)"
        case OutcomeKind.RAISED:
            if outcome.traceback_line:
                return outcome.traceback_line
            return f"{outcome.exception_type}: {outcome.exception_message}"
        case OutcomeKind.TIMEOUT:
            return "timed out"
        case OutcomeKind.MEMORY_EXCEEDED:
            return "ran out of memory"
        case OutcomeKind.OUTPUT_EXCEEDED:
            return "printed too much output"
        case OutcomeKind.CRASHED:
            return "crashed (the process died)"
        case _:
            return "not run (an earlier step ended the program)"
