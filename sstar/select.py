"""Stage 2 of S*: pick one program among the candidates, grounded in real executions.

1. Public filter: keep the candidates passing every public test. None pass: the best pass rate
   wins and no model call is made. Exactly one passes: it wins, also without a call.
2. The model proposes test *inputs* (calls of the stub); its predicted outputs are never used.
3. Every kept candidate runs on every input; candidates with the same outcome signature (floats
   compared with tolerance by `sandbox.compare.outcome_signature`) form a behaviour group. Groups
   that time out, crash or only raise are dropped (unless nothing would remain).
4. One group left: it wins at once, no judge call. Otherwise a tournament: the champion (largest
   group first) meets each challenger; for a pair the model proposes distinguishing inputs, both
   programs run on them, and the judge sees both programs with their *real* outputs, twice with the
   order swapped. Only a consistent verdict unseats the champion. Running out of budget ends the
   tournament with the current champion. Every tie is broken by group size, then by how many
   samples produced the group, then by the earliest sample.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from sandbox import OutcomeKind, Probe, ProbeResult, StepOutcome
from sandbox.compare import outcome_signature

from .candidates import Candidate, describe_outcome
from .context import SolveContext
from .errors import BudgetExceededError, LLMAuthError, LLMError
from .events import GroupsFormed, InputsSynthesized, MatchJudged, Stage
from .generate import Generation
from .prompts import (
    distinguish_messages,
    inputs_messages,
    judge_messages,
    parse_probe_calls,
    parse_verdict,
)

__all__ = ["Selection", "SelectionReason", "select"]

# Answers in selection are short (a few calls; a few sentences and a verdict). A small model that
# rambles on would otherwise spend up to max_completion_tokens on each: cap them. The probe parser
# reads a cut-off block, and a judge cut off before its verdict keeps the champion.
_INPUTS_TOKENS = 320
_JUDGE_TOKENS = 400

_BROKEN = {
    OutcomeKind.TIMEOUT,
    OutcomeKind.MEMORY_EXCEEDED,
    OutcomeKind.OUTPUT_EXCEEDED,
    OutcomeKind.CRASHED,
}


class SelectionReason(enum.Enum):
    NO_CANDIDATE = "no usable candidate"
    NONE_PASSED = "none passed the public tests: best pass rate"
    ONLY_ONE_PASSED = "the only candidate passing the public tests"
    AGREEMENT = "all passing candidates behave the same"
    TOURNAMENT = "won the judged tournament"


@dataclass(frozen=True)
class Selection:
    chosen: Candidate | None
    reason: SelectionReason
    groups: tuple[tuple[str, ...], ...] = ()  # candidate ids per behaviour group, in group order
    inputs: tuple[str, ...] = ()  # the synthesised probe calls that were run

    def group_of(self, candidate_id: str) -> int | None:
        return next((i for i, group in enumerate(self.groups) if candidate_id in group), None)


async def select(ctx: SolveContext, generation: Generation) -> Selection:
    tested = [c for c in generation.candidates if c.id in generation.runs]
    if not tested:
        return Selection(None, SelectionReason.NO_CANDIDATE)
    rank = _Ranker(generation)
    passing = [c for c in tested if generation.runs[c.id].passes]
    if not passing:
        best = min(tested, key=lambda c: (-generation.runs[c.id].rate, *rank.key(c)))
        return Selection(best, SelectionReason.NONE_PASSED)
    if len(passing) == 1:
        return Selection(passing[0], SelectionReason.ONLY_ONE_PASSED, ((passing[0].id,),))

    inputs = await _synthesise(ctx)
    ctx.emit(InputsSynthesized(len(inputs)))
    outcomes = await _run_all(ctx, passing, inputs)
    groups = _group(passing, outcomes, rank)
    ctx.emit(GroupsFormed(tuple(len(g) for g in groups)))
    ids = tuple(tuple(c.id for c in group) for group in groups)
    if len(groups) == 1:
        return Selection(
            rank.representative(groups[0]), SelectionReason.AGREEMENT, ids, tuple(inputs)
        )

    champion = 0
    for challenger in range(1, len(groups)):
        try:
            champion = await _match(ctx, groups, champion, challenger, inputs, outcomes, rank)
        except BudgetExceededError as error:
            ctx.notice_once(f"{error}; keeping the best group so far")
            break
    return Selection(
        rank.representative(groups[champion]), SelectionReason.TOURNAMENT, ids, tuple(inputs)
    )


class _Ranker:
    """Deterministic preferences between candidates and groups."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation

    def key(self, candidate: Candidate) -> tuple:
        samples = self.generation.samples_of.get(candidate.id, [candidate.sample])
        return (-len(samples), candidate.round, candidate.sample, candidate.id)

    def representative(self, group: Sequence[Candidate]) -> Candidate:
        return min(group, key=self.key)

    def group_key(self, group: Sequence[Candidate]) -> tuple:
        produced = sum(len(self.generation.samples_of.get(c.id, [c.sample])) for c in group)
        return (-len(group), -produced, min(c.sample for c in group), min(c.id for c in group))


async def _selection_answer(ctx: SolveContext, messages, *, max_tokens: int, what: str) -> str | None:
    """The text of one selection request, or None when it failed: selection goes on without it
    (told once); only a spent budget or a refused key stop the solve."""
    try:
        answer = await ctx.complete(messages, stage=Stage.SELECTING, temperature=0.0, max_tokens=max_tokens)
    except (BudgetExceededError, LLMAuthError):
        raise
    except LLMError as error:
        ctx.notice_once(f"a {what} request failed: {error}")
        return None
    return answer.text


async def _ask(ctx: SolveContext, messages, count: int) -> list[str]:
    """Probe calls from one model answer; an empty list when the model failed us (not fatal)."""
    text = await _selection_answer(ctx, messages, max_tokens=_INPUTS_TOKENS, what="selection")
    return [] if text is None else parse_probe_calls(text, ctx.problem, count)


async def _synthesise(ctx: SolveContext) -> list[str]:
    try:
        return await _ask(
            ctx, inputs_messages(ctx.problem, ctx.config.test_inputs), ctx.config.test_inputs
        )
    except BudgetExceededError as error:
        ctx.notice_once(f"{error}; selecting without generated inputs")
        return []


async def _run_all(
    ctx: SolveContext, candidates: Sequence[Candidate], calls: Sequence[str]
) -> dict[str, list[StepOutcome]]:
    """Each candidate's outcome on each call (one fresh process per call)."""
    if not calls:
        return {c.id: [] for c in candidates}
    probes = [Probe.expression(_runnable(ctx.problem, call)) for call in calls]
    try:
        async with asyncio.TaskGroup() as group:  # one failing run stops the others
            tasks = [group.create_task(ctx.run(c.module, probes)) for c in candidates]
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None
    results = [task.result() for task in tasks]
    return {c.id: [_outcome(r) for r in rs] for c, rs in zip(candidates, results, strict=True)}


def _outcome(result: ProbeResult) -> StepOutcome:
    if result.setup.kind is not OutcomeKind.RETURNED or not result.steps:
        return result.setup
    return result.steps[0]


def _runnable(problem, call: str) -> str:
    """The expression the sandbox evaluates for a probe call: an async stub's call is awaited
    (a bare coroutine object would be a different value in every run)."""
    if problem.stub.is_async:
        return f"__import__('asyncio').run({call})"
    return call


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _signature(outcomes: Sequence[StepOutcome]) -> Hashable:
    return tuple(_one_signature(o) for o in outcomes)


def _one_signature(outcome: StepOutcome) -> Hashable:
    signature = outcome_signature(outcome)
    if outcome.kind is OutcomeKind.RETURNED and not outcome.is_plain:
        # A default repr names the object's address, which differs between runs of one program.
        return _ADDRESS.sub(" at 0x", str(signature))
    return signature


def _group(candidates: Sequence[Candidate], outcomes: dict[str, list[StepOutcome]], rank: _Ranker):
    by_signature: dict[Hashable, list[Candidate]] = {}
    for candidate in candidates:
        by_signature.setdefault(_signature(outcomes[candidate.id]), []).append(candidate)
    groups = sorted(by_signature.values(), key=rank.group_key)

    def broken(group: list[Candidate]) -> bool:
        seen = outcomes[group[0].id]
        return bool(seen) and (
            any(o.kind in _BROKEN for o in seen) or all(o.kind is OutcomeKind.RAISED for o in seen)
        )

    healthy = [g for g in groups if not broken(g)]
    return healthy or groups


async def _match(ctx, groups, champion: int, challenger: int, inputs, outcomes, rank) -> int:
    """Index of the group that wins this pair."""
    a, b = rank.representative(groups[champion]), rank.representative(groups[challenger])
    count = max(2, ctx.config.test_inputs // 2)
    calls = await _ask(ctx, distinguish_messages(ctx.problem, a.code, b.code, count), count)
    fresh = await _run_all(ctx, (a, b), calls)
    runs: list[tuple[str, str, str]] = []
    for index, call in enumerate(calls):
        out_a, out_b = fresh[a.id][index], fresh[b.id][index]
        if _one_signature(out_a) != _one_signature(out_b):
            runs.append((call, describe_outcome(out_a), describe_outcome(out_b)))
    for index, call in enumerate(inputs):
        out_a, out_b = outcomes[a.id][index], outcomes[b.id][index]
        if _one_signature(out_a) != _one_signature(out_b) and len(runs) < 8:
            runs.append((call, describe_outcome(out_a), describe_outcome(out_b)))
    first = await _verdict(ctx, judge_messages(ctx.problem, a.code, b.code, runs))
    swapped = [(call, out_b, out_a) for call, out_a, out_b in runs]
    second = await _verdict(ctx, judge_messages(ctx.problem, b.code, a.code, swapped))
    pick_first = {"A": champion, "B": challenger}.get(first or "")
    pick_second = {"A": challenger, "B": champion}.get(second or "")
    consistent = pick_first is not None and pick_first == pick_second
    winner = pick_first if consistent else champion
    loser = challenger if winner == champion else champion
    ctx.emit(MatchJudged(winner, loser, consistent))
    return winner


async def _verdict(ctx: SolveContext, messages) -> str | None:
    """ "A", "B", or None (unclear answer, or a failed request: the champion then stays)."""
    text = await _selection_answer(ctx, messages, max_tokens=_JUDGE_TOKENS, what="judge")
    return None if text is None else parse_verdict(text)
