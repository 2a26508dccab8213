"""Stage 2 of S*: pick one program among the candidates, grounded in real executions.

It decides from an `Assessment` (`sstar.assess`): behaviour groups of the candidates that pass
the public tests, ranked by hard-coded examples, then the docstring's weighted checks, then size.
1. No candidate passes: the best public pass rate wins, no model call.
2. One group: it wins at once (one program: "the only one passing"; several: "agreement").
3. The best group is strictly ahead on the checks (or the others hard-code the examples): it wins,
   no judge call.
4. Otherwise, with `judge_selection`, a tournament among the groups tied at the top (the champion,
   the largest, meets at most `_MAX_CHALLENGERS` challengers): for a pair the judge sees both
   programs with their *real* outputs on inputs where they differ, twice with the order swapped;
   only a consistent verdict unseats the champion. With `typed_inputs`, the inputs already run
   tell the pair apart, and the *value judge* (`sstar.judge_prompts`) is asked which of the two
   real results the docstring wants on the simplest of them; without it, as before, the model is
   asked for distinguishing inputs and the judge reads both programs with their outputs.
   Without `judge_selection`, the largest group wins. Running out of budget keeps the champion.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from .assess import Assessment, Evidence, GroupEvidence, one_signature
from .candidates import Candidate, describe_outcome
from .context import SolveContext
from .errors import BudgetExceededError, LLMAuthError, LLMError
from .events import GroupsFormed, MatchJudged, Stage
from .generate import Generation
from .results import SelectionReason
from .judge_prompts import option, parse_value_choice, value_judge_messages
from .prompts import (
    distinguish_messages,
    inputs_messages,
    judge_messages,
    parse_probe_calls,
    parse_verdict,
)

__all__ = [
    "JudgeVerdict",
    "Selection",
    "SelectionReason",
    "select",
    "selection_answer",
    "synthesise_inputs",
]

# Caps on selection answers: a probe list is a few short lines, a verdict a few sentences and an
# `Answer:` line. A judge cut off before its verdict keeps the champion.
_INPUTS_TOKENS = 320
_JUDGE_TOKENS = 400
_MAX_CHALLENGERS = 3
_SHOWN_RUNS = 8
_VALUE_INPUTS = 2  # inputs the value judge is asked about per match (each in both orders)
_VALUE_TOKENS = 200


class JudgeVerdict(enum.Enum):
    A = "A"
    B = "B"
    UNCLEAR = "unclear"  # no clear answer, or a failed request: the champion stays


@dataclass(frozen=True)
class Selection:
    chosen: Candidate | None
    reason: SelectionReason
    groups: tuple[tuple[str, ...], ...] = ()  # candidate ids per behaviour group, in rank order
    inputs: tuple[str, ...] = ()  # the probe calls the groups were formed on
    assessment: Assessment | None = None

    def group_of(self, candidate_id: str) -> int | None:
        return next((i for i, group in enumerate(self.groups) if candidate_id in group), None)


async def select(
    ctx: SolveContext,
    generation: Generation,
    assessment: Assessment | None = None,
    evidence: Evidence | None = None,
) -> Selection:
    tested = [c for c in generation.candidates if c.id in generation.runs]
    if not tested:
        return Selection(None, SelectionReason.NO_CANDIDATE)
    by_id = {c.id: c for c in tested}
    passing = [c for c in tested if generation.runs[c.id].passes]
    if not passing or assessment is None or evidence is None or not assessment.groups:
        return Selection(_best_rate(generation, tested), SelectionReason.NONE_PASSED)
    groups = assessment.groups
    ids = tuple(g.members for g in groups)
    inputs = assessment.inputs
    if len(passing) > 1:
        ctx.emit(GroupsFormed(tuple(len(g.members) for g in groups)))

    def chosen(group: GroupEvidence, reason: SelectionReason) -> Selection:
        return Selection(by_id[group.representative], reason, ids, inputs, assessment)

    if len(groups) == 1:
        one = len(passing) == 1
        return chosen(groups[0], SelectionReason.ONLY_ONE_PASSED if one else SelectionReason.AGREEMENT)
    contenders = [g for g in groups if g.rank_key() == groups[0].rank_key()]
    if len(contenders) == 1:
        return chosen(groups[0], SelectionReason.CHECKS)
    if not ctx.config.judge_selection:
        return chosen(groups[0], SelectionReason.MAJORITY)
    champion = 0
    for challenger in range(1, min(len(contenders), _MAX_CHALLENGERS + 1)):
        try:
            champion = await _match(ctx, evidence, contenders, champion, challenger, by_id)
        except BudgetExceededError as error:
            ctx.notice_once(f"{error}; keeping the best group so far")
            break
    return chosen(contenders[champion], SelectionReason.TOURNAMENT)


def _best_rate(generation: Generation, tested: Sequence[Candidate]) -> Candidate:
    def key(candidate: Candidate) -> tuple:
        samples = generation.samples_of.get(candidate.id, [candidate.sample])
        rate = generation.runs[candidate.id].rate
        return (-rate, -len(samples), candidate.round, candidate.sample, candidate.id)

    return min(tested, key=key)


async def selection_answer(ctx: SolveContext, messages, *, max_tokens: int, what: str) -> str | None:
    """The text of one selection request, or None when it failed: selection goes on without it
    (told once); only a spent budget or a refused key stop the solve."""
    try:
        answer = await ctx.complete(
            messages, stage=Stage.SELECTING, temperature=0.0, max_tokens=max_tokens
        )
    except (BudgetExceededError, LLMAuthError):
        raise
    except LLMError as error:
        ctx.notice_once(f"a {what} request failed: {error}")
        return None
    return answer.text


async def ask_calls(ctx: SolveContext, messages, count: int) -> list[str]:
    """Probe calls from one model answer; an empty list when the model failed us (not fatal)."""
    text = await selection_answer(ctx, messages, max_tokens=_INPUTS_TOKENS, what="selection")
    return [] if text is None else parse_probe_calls(text, ctx.problem, count)


async def synthesise_inputs(ctx: SolveContext) -> list[str]:
    """S*'s input synthesis: probe calls the model proposes for edge cases (one request, its
    answer capped; a spent budget gives none). Baselines send exactly this request too."""
    count = ctx.config.test_inputs
    try:
        return await ask_calls(ctx, inputs_messages(ctx.problem, count), count)
    except BudgetExceededError as error:
        ctx.notice_once(f"{error}; selecting without generated inputs")
        return []


_synthesise = synthesise_inputs  # the name sstar.bench used before it was public


def differing(
    evidence: Evidence, a: Candidate, b: Candidate, calls: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(call, what a returned, what b returned) for the known calls where they differ."""
    out = []
    for call in calls:
        out_a, out_b = evidence.outcome(a.id, call), evidence.outcome(b.id, call)
        if out_a is None or out_b is None or one_signature(out_a) == one_signature(out_b):
            continue
        out.append((call, describe_outcome(out_a), describe_outcome(out_b)))
    return out


async def _match(ctx, evidence: Evidence, groups, champion: int, challenger: int, by_id) -> int:
    """Index of the group that wins this pair."""
    a = by_id[groups[champion].representative]
    b = by_id[groups[challenger].representative]
    known = [*evidence.primary, *evidence.secondary]
    await evidence.run((a, b), evidence.secondary)
    if ctx.config.typed_inputs:
        # The inputs already run tell the two apart (that is why they are two groups): judge the
        # values on the simplest of them, no distinguishing request needed.
        picked = await _value_judge(ctx, evidence, a, b, known)
        winner = challenger if picked == 1 else champion
        loser = challenger if winner == champion else champion
        ctx.emit(MatchJudged(winner, loser, picked is not None))
        return winner
    runs = differing(evidence, a, b, known)
    count = max(2, ctx.config.test_inputs // 2)
    calls = await ask_calls(ctx, distinguish_messages(ctx.problem, a.code, b.code, count), count)
    await evidence.run((a, b), calls)
    runs = differing(evidence, a, b, calls) + [run for run in runs if run[0] not in calls]
    runs = runs[:_SHOWN_RUNS]
    first = await _verdict(ctx, judge_messages(ctx.problem, a.code, b.code, runs))
    swapped = [(call, out_b, out_a) for call, out_a, out_b in runs]
    second = await _verdict(ctx, judge_messages(ctx.problem, b.code, a.code, swapped))
    pick_first = {JudgeVerdict.A: champion, JudgeVerdict.B: challenger}.get(first)
    pick_second = {JudgeVerdict.A: challenger, JudgeVerdict.B: champion}.get(second)
    consistent = pick_first is not None and pick_first == pick_second
    winner = pick_first if consistent and pick_first is not None else champion
    loser = challenger if winner == champion else champion
    ctx.emit(MatchJudged(winner, loser, consistent))
    return winner


async def _value_judge(ctx, evidence: Evidence, a: Candidate, b: Candidate, calls) -> int | None:
    """0 (a) or 1 (b) by the model's consistent choices of the right value on the simplest inputs
    where they differ (each asked in both orders); None when undecided."""
    found = []
    for call in calls:
        out_a, out_b = evidence.outcome(a.id, call), evidence.outcome(b.id, call)
        if out_a is None or out_b is None or one_signature(out_a) == one_signature(out_b):
            continue
        (shown_a, key_a), (shown_b, key_b) = option(out_a), option(out_b)
        if key_a != key_b:
            found.append((len(call), call, shown_a, key_a, shown_b, key_b))
    found.sort()
    asks = []
    for _, call, shown_a, key_a, shown_b, key_b in found[:_VALUE_INPUTS]:
        asks.append((call, (shown_a, shown_b), (key_a, key_b)))
    answers = await asyncio.gather(
        *(
            selection_answer(
                ctx,
                value_judge_messages(ctx.problem, call, *(shown if order == 0 else shown[::-1])),
                max_tokens=_VALUE_TOKENS,
                what="judge",
            )
            for call, shown, _ in asks
            for order in (0, 1)
        )
    )
    votes = [0, 0]
    for index, (_, _, keys) in enumerate(asks):
        straight, swapped = answers[2 * index], answers[2 * index + 1]
        first = None if straight is None else parse_value_choice(straight, keys)
        second = None if swapped is None else parse_value_choice(swapped, keys[::-1])
        if first is not None and second is not None and first == 1 - second:
            votes[first] += 1
    if votes[0] == votes[1]:
        return None
    return 0 if votes[0] > votes[1] else 1


async def _verdict(ctx: SolveContext, messages) -> JudgeVerdict:
    text = await selection_answer(ctx, messages, max_tokens=_JUDGE_TOKENS, what="judge")
    found = None if text is None else parse_verdict(text)
    return JudgeVerdict(found) if found in ("A", "B") else JudgeVerdict.UNCLEAR
