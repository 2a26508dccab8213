"""One solve's stages in order, under one budget and one stopping rule.

1. At once, beside the first wave: one request for checks of the docstring's prose
   (`prose_checks`; temperature 0, cached like every answer).
2. A wave of N samples with their repair rounds (`sstar.generate`).
3. Assess (`sstar.assess`): typed inputs, the checks validated and weighed, behaviour groups.
4. Ask the stopping rule (`sstar.stopping`). Not settled: repair the best program against the
   trusted checks it breaks (once per program, when rounds are allowed) and, with adaptive
   sampling, draw another wave; then assess again. Settled, or out of allowance or budget: go on.
5. Only when two or more programs pass the examples and `judge_selection` is on, ask the model
   for probe inputs and assess once more; then select (`sstar.select`), judging only groups the
   checks cannot separate.
Stages that cannot change the outcome are skipped: no input request when one program remains,
no judge when the checks decide.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from .assess import Assessment, CheckStat, Evidence
from .candidates import describe_outcome
from .check_prompts import checks_messages
from .checks import CheckKind, CheckSet, parse_checks
from .context import SolveContext
from .errors import BudgetExceededError, LLMAuthError, LLMError
from .events import (
    ChecksWeighed,
    InputsSynthesized,
    MoreSamples,
    Stage,
    StageFinished,
    StageStarted,
)
from .generate import Generation, Sampler, checked
from .prompts import Failure
from .select import Selection, select, synthesise_inputs
from .stopping import next_wave

__all__ = ["Outcome", "run_stages"]

_CHECKS_TOKENS = 400  # a few short functions; small models ramble past this
_REPAIRS_PER_ASSESSMENT = 2  # programs repaired against checks after one assessment


@dataclass(frozen=True)
class Outcome:
    generation: Generation
    selection: Selection
    evidence: Evidence


async def run_stages(ctx: SolveContext, samples: int, rounds: int) -> Outcome:
    sampler = Sampler(ctx, rounds)
    checks_task = None
    if ctx.config.prose_checks:
        checks_task = asyncio.create_task(_write_checks(ctx))
    started = time.perf_counter()
    ctx.emit(StageStarted(Stage.SAMPLING))
    try:
        await sampler.wave(samples)
        checks = await checks_task if checks_task is not None else CheckSet()
    finally:
        if checks_task is not None and not checks_task.done():
            checks_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checks_task
    generation = checked(sampler.out)
    ctx.emit(StageFinished(Stage.SAMPLING, time.perf_counter() - started))
    started = time.perf_counter()
    ctx.emit(StageStarted(Stage.SELECTING))
    evidence = Evidence(ctx, checks)
    await evidence.prepare()
    assessment = await _assess(ctx, evidence, generation, checks)
    repaired: set[str] = set()
    while True:
        decision = next_wave(ctx.config, generation, assessment, ctx.budget)
        repairs = _repairs(ctx, evidence, assessment, generation, repaired) if decision.reason else []
        if decision.stop is not None and not repairs:
            break
        work = [sampler.repair(candidate, failures) for candidate, failures in repairs]
        if decision.stop is None and decision.reason is not None:
            ctx.emit(MoreSamples(decision.samples, generation.drawn + decision.samples, decision.reason))
            work.append(sampler.wave(decision.samples))
        await _together(work)
        assessment = await _assess(ctx, evidence, generation, checks)
    passing = sum(len(g.members) for g in assessment.groups)
    if ctx.config.judge_selection and passing >= 2:
        calls = await synthesise_inputs(ctx)
        ctx.emit(InputsSynthesized(len(calls)))
        if calls:
            evidence.add_primary(calls)
            assessment = await _assess(ctx, evidence, generation, checks)
    selection = await select(ctx, generation, assessment, evidence)
    ctx.emit(StageFinished(Stage.SELECTING, time.perf_counter() - started))
    return Outcome(generation, selection, evidence)


async def _together(work) -> None:
    try:
        async with asyncio.TaskGroup() as group:
            for coroutine in work:
                group.create_task(coroutine)
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None


async def _assess(ctx, evidence: Evidence, generation: Generation, checks: CheckSet) -> Assessment:
    assessment = await evidence.assess(generation)
    if checks.checks or checks.dropped:
        kept = assessment.kept_checks
        dropped = len(checks.dropped) + len(assessment.checks) - len(kept)
        ctx.emit(ChecksWeighed(len(kept), dropped, sum(1 for s in kept if s.trusted)))
    return assessment


async def _write_checks(ctx: SolveContext) -> CheckSet:
    """The checks the model writes for the docstring; none when the request fails (told once)."""
    messages = checks_messages(ctx.problem)
    if messages is None:
        return CheckSet()
    ctx.emit(StageStarted(Stage.CHECKING))
    try:
        answer = await ctx.complete(
            messages, stage=Stage.CHECKING, temperature=0.0, max_tokens=_CHECKS_TOKENS
        )
    except LLMAuthError:
        raise
    except BudgetExceededError as error:
        ctx.notice_once(f"{error}; going on without checks from the docstring")
        return CheckSet()
    except LLMError as error:
        ctx.notice_once(f"the request for checks of the docstring failed: {error}")
        return CheckSet()
    return parse_checks(answer.text, ctx.problem)


def _repairs(ctx, evidence: Evidence, assessment: Assessment, generation: Generation, done: set):
    """The best programs that pass the examples but break trusted checks, with those checks'
    counterexamples as failures (each program repaired at most once)."""
    if not ctx.config.prose_checks or ctx.config.rounds <= 0:
        return []  # no checks to repair against, or repairs are off (`rounds=0`)
    by_id = {c.id: c for c in generation.candidates}
    out = []
    for group in assessment.groups:
        candidate = by_id[group.representative]
        broken = assessment.trusted_violations(candidate.id)
        if candidate.id in done or not broken:
            continue
        failures = [f for f in (_failure(evidence, candidate.id, s) for s in broken) if f]
        if failures:
            done.add(candidate.id)
            out.append((candidate, failures))
        if len(out) >= _REPAIRS_PER_ASSESSMENT:
            break
    return out


def _failure(evidence: Evidence, candidate_id: str, stat: CheckStat) -> Failure | None:
    found = evidence.counterexample(candidate_id, stat.check)
    if found is None:
        return None
    call, outcome = found
    check = stat.check
    rule = f'the docstring says "{check.sentence}"' if check.sentence else "a rule of the docstring"
    if check.kind is CheckKind.RAISES:
        expected = f"raises {check.exception} ({rule})"
        detail = None
    else:
        expected = f"a result for which {rule}"
        detail = f"this check of that rule fails: {check.shown}"
    return Failure(call, expected, describe_outcome(outcome), detail)
