"""The baselines S* is measured against, built from the engine's own pieces and requests.

Every baseline asks the model exactly what the engine asks (same prompts, temperatures and seeds:
sample i is `sample_messages` at the configured temperature with seed i, repair round r of sample i
uses seed i * 1000 + r), so all methods share the same cached samples where they overlap:

- `greedy`: one sample at temperature 0.
- `first`: sample 0.
- `public`: the first sample passing the docstring examples (sample 0 when none does).
- `majority`: MBR-exec / AlphaCode: samples passing the examples (all usable ones when none does),
  grouped by behaviour on the engine's synthesised inputs; the group with the most samples wins.
- `codet`: CodeT's dual agreement: the model writes `assert f(...) == ...` tests; samples passing
  the same set of tests form a consensus set scored (samples in it) x (tests it passes).
- `selfdebug`: sample 0 repaired for up to R rounds on the examples, as one engine lineage.

A method returns a `Pick`: the chosen candidate (None when nothing usable came out), the shared
samples it used (`first` and `selfdebug` use sample 0 only, `public` the samples up to the one it
took; the runner charges each method for those alone) and a detail dict for the record. Nothing here sees the hidden tests: methods get a `SolveContext`, whose
Problem holds the docstring examples only.
"""

from __future__ import annotations

import ast
import asyncio
import time
from functools import partial
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from sandbox import OutcomeKind, Probe, StepOutcome

from ..candidates import Candidate, PublicRun, make_candidate, run_public
from ..context import SolveContext
from ..errors import LLMError
from ..events import Stage
from ..prefill import STOP, answer_snippet, prefix
from ..llm import Message
from ..prompts import debug_messages, parse_probe_calls, sample_messages

# S*'s own input synthesis (select has no public name for it yet): majority must send exactly the
# request S* sent (prompt and answer cap), so both see the same inputs and pay for them once.
from ..select import _synthesise as synthesise_inputs
from .metering import Cost, is_fatal, metering

__all__ = ["BASELINES", "Drawn", "Pick", "codet_messages", "draw_samples", "parse_tests"]

_SEED_STRIDE = 1000  # the engine's: repair round r of sample i uses seed i * stride + r
_CODET_TESTS = 10
_CODET_TOKENS = 400  # ten asserts fit; the small model otherwise rambles to the 1024 cap
_BROKEN = {
    OutcomeKind.TIMEOUT,
    OutcomeKind.MEMORY_EXCEEDED,
    OutcomeKind.OUTPUT_EXCEEDED,
    OutcomeKind.CRASHED,
}


@dataclass(frozen=True)
class Drawn:
    """Sample `index`: its program (None when the answer held no usable function) and public run."""

    index: int
    candidate: Candidate | None
    run: PublicRun | None
    cost: Cost = Cost()  # what drawing (and testing) this one sample cost
    seconds: float = 0.0

    @property
    def passes(self) -> bool:
        return self.run is not None and self.run.passes


@dataclass(frozen=True)
class Pick:
    candidate: Candidate | None
    detail: dict = field(default_factory=dict)
    samples: tuple[int, ...] | None = None  # shared samples used; None = all of them


async def _ask(
    ctx: SolveContext,
    messages: list[Message],
    stage: Stage,
    temperature: float,
    seed: int | None,
    max_tokens: int | None = None,
    start: str | None = None,
    alternative: list[Message] | None = None,
) -> str | None:
    """The answer text, or None when this one request failed (the method goes on without it).
    `start`: the request is prefilled with it, and stops where the engine's does."""
    try:
        answer = await ctx.complete(
            messages,
            stage=stage,
            temperature=temperature,
            seed=seed,
            max_tokens=max_tokens,
            stop=STOP if start is not None else None,
            alternative=(alternative, STOP) if alternative else None,
        )
    except LLMError as error:
        if is_fatal(error):
            raise  # the server is gone or refuses us: the whole run must stop, not score zeros
        # a timeout, an exhausted budget, an HTTP error for this one request: the request is lost
        ctx.notice_once(f"a {stage.value} request failed: {error}")
        return None
    return answer.text


def _requests(ctx: SolveContext, build) -> tuple[list[Message], str | None, list[Message] | None]:
    """The engine's request for this solve (`sstar.generate.Sampler._asks`): prefilled when it
    prefills, with the prefilled one as a cached alternative when the server ignores prefixes,
    so samples are the very requests the engine made (and come from the cache)."""
    start = ctx.prefill_for(prefix(ctx.problem))
    dropped = ctx.prefill_dropped(prefix(ctx.problem))
    alternative = build(prefill=dropped) if dropped is not None else None
    return build(prefill=start), start, alternative


async def _candidate(ctx: SolveContext, text: str | None, index: int, round_: int):
    if text is None:
        return None, None
    read_after = prefix(ctx.problem) if ctx.config.prefill_answers else None
    extraction = answer_snippet(text, ctx.problem.name, read_after)
    if extraction.snippet is None:
        return None, None
    candidate = make_candidate(ctx.problem, extraction.snippet, index, round_)
    if candidate is None:
        return None, None
    return candidate, await run_public(ctx, candidate)


async def draw_sample(ctx: SolveContext, index: int) -> Drawn:
    """Sample `index`, metered on its own (it runs beside the others: see `metering`)."""
    started = time.perf_counter()
    messages, start, alternative = _requests(ctx, partial(sample_messages, ctx.problem))
    with metering() as meter:
        text = await _ask(
            ctx, messages, Stage.SAMPLING, ctx.config.temperature, index, start=start,
            alternative=alternative,
        )
        candidate, run = await _candidate(ctx, text, index, 0)
    return Drawn(index, candidate, run, meter.cost, time.perf_counter() - started)


async def draw_samples(ctx: SolveContext, count: int) -> list[Drawn]:
    """Samples 0..count-1, exactly as the engine's stage 1 draws them (so they come from the cache)."""
    return list(await asyncio.gather(*(draw_sample(ctx, i) for i in range(count))))


# -- methods -----------------------------------------------------------------------------------


async def greedy(ctx: SolveContext, samples: Sequence[Drawn]) -> Pick:
    messages, start, alternative = _requests(ctx, partial(sample_messages, ctx.problem))
    text = await _ask(
        ctx, messages, Stage.SAMPLING, 0.0, None, start=start, alternative=alternative
    )
    candidate, run = await _candidate(ctx, text, -1, 0)
    return Pick(candidate, {"public_passed": run is not None and run.passes}, samples=())


async def first(ctx: SolveContext, samples: Sequence[Drawn]) -> Pick:
    return Pick(samples[0].candidate, {"public_passed": samples[0].passes}, samples=(0,))


async def public(ctx: SolveContext, samples: Sequence[Drawn]) -> Pick:
    """Samples are tried in order until one passes: the ones after it were never needed."""
    chosen = next((s for s in samples if s.passes), None)
    if chosen is None:
        return Pick(samples[0].candidate, {"sample": 0, "public_passed": False})
    used = tuple(range(chosen.index + 1))
    return Pick(chosen.candidate, {"sample": chosen.index, "public_passed": True}, samples=used)


async def selfdebug(ctx: SolveContext, samples: Sequence[Drawn]) -> Pick:
    """Sample 0 and its repair rounds, as the engine's lineage 0 would run them alone."""
    candidate, run = samples[0].candidate, samples[0].run
    rounds = 0
    while (
        candidate is not None and run is not None and not run.passes and rounds < ctx.config.rounds
    ):
        rounds += 1
        # as the engine asks for repairs (`Sampler._repair_asks`): the whole function, unprefilled
        messages = debug_messages(ctx.problem, candidate.code, run.failures)
        seed = samples[0].index * _SEED_STRIDE + rounds
        text = await _ask(ctx, messages, Stage.DEBUGGING, ctx.config.temperature, seed)
        fixed, fixed_run = await _candidate(ctx, text, 0, rounds)
        if fixed is None:
            break  # no usable answer: the lineage keeps its last program
        candidate, run = fixed, fixed_run
    detail = {"rounds": rounds, "public_passed": run is not None and run.passes}
    return Pick(candidate, detail, samples=(0,))


def _programs(samples: Sequence[Drawn]) -> list[tuple[Candidate, list[int]]]:
    """Distinct programs in order of first sample, with the samples that produced each."""
    by_key: dict[str, tuple[Candidate, list[int]]] = {}
    for drawn in samples:
        if drawn.candidate is not None:
            by_key.setdefault(drawn.candidate.key, (drawn.candidate, []))[1].append(drawn.index)
    return list(by_key.values())


async def _outcomes(ctx: SolveContext, programs, calls: Sequence[str]) -> list[list[StepOutcome]]:
    probes = [Probe.expression(call) for call in calls]
    results = await asyncio.gather(*(ctx.run(c.module, probes) for c, _ in programs))
    return [
        [
            r.setup if r.setup.kind is not OutcomeKind.RETURNED or not r.steps else r.steps[0]
            for r in rs
        ]
        for rs in results
    ]


async def majority(ctx: SolveContext, samples: Sequence[Drawn]) -> Pick:
    from sandbox.compare import outcome_signature

    passing = [s for s in samples if s.passes]
    programs = _programs(passing or samples)
    if not programs:
        return Pick(None, {"programs": 0})
    if len(programs) == 1:
        return Pick(programs[0][0], {"programs": 1, "filtered": bool(passing)})
    calls = await synthesise_inputs(ctx)  # the engine's request: same prompt, cap and cache
    outcomes = await _outcomes(ctx, programs, calls)
    groups: dict[Hashable, list[int]] = {}
    for position, seen in enumerate(outcomes):
        groups.setdefault(tuple(outcome_signature(o) for o in seen), []).append(position)

    def broken(positions: list[int]) -> bool:
        seen = outcomes[positions[0]]
        return bool(seen) and (
            any(o.kind in _BROKEN for o in seen) or all(o.kind is OutcomeKind.RAISED for o in seen)
        )

    healthy = [g for g in groups.values() if not broken(g)] or list(groups.values())

    def votes(positions: list[int]) -> tuple[int, int]:
        return (
            sum(len(programs[p][1]) for p in positions),
            -min(programs[p][1][0] for p in positions),
        )

    winner = max(healthy, key=votes)
    chosen = min(winner, key=lambda p: programs[p][1][0])
    return Pick(
        programs[chosen][0],
        {
            "programs": len(programs),
            "filtered": bool(passing),
            "inputs": len(calls),
            "groups": sorted((votes(g)[0] for g in groups.values()), reverse=True),
        },
    )


def codet_messages(ctx: SolveContext, count: int) -> list[Message]:
    problem = ctx.problem
    content = (
        f"Function:\n```python\n{problem.stub_text.rstrip()}\n```\n\n"
        f"Write {count} different tests of `{problem.name}`, one per line, each of the form "
        f"`assert {problem.name}(...) == expected` with the exact expected result. Cover normal "
        "cases and edge cases. Reply with the asserts only, in one ```python block."
    )
    system = "You are an expert Python programmer. Answer with Python code in one ```python block."
    return [{"role": "system", "content": system}, {"role": "user", "content": content}]


def parse_tests(answer: str, ctx: SolveContext, limit: int) -> list[tuple[str, object]]:
    """(call, expected value) of each `assert f(...) == literal` whose call is a safe probe."""
    tests: list[tuple[str, object]] = []
    for line in answer.splitlines():
        line = line.strip()
        if not line.startswith("assert "):
            continue
        try:
            node = ast.parse(line).body[0]
        except (SyntaxError, IndexError):
            continue
        test = getattr(node, "test", None)
        if not (
            isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
        ):
            continue
        call = ast.unparse(test.left)
        if parse_probe_calls(call, ctx.problem, 1) != [call]:
            continue
        try:
            expected = ast.literal_eval(test.comparators[0])
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        if (call, repr(expected)) not in {(c, repr(e)) for c, e in tests}:
            tests.append((call, expected))
        if len(tests) >= limit:
            break
    return tests


def _test_passes(expected: object, outcome: StepOutcome) -> bool:
    from sandbox.compare import values_match

    if outcome.kind is not OutcomeKind.RETURNED or not outcome.is_plain:
        return False
    try:
        same = expected == outcome.value  # Python's ==, as the assert would judge (2 == 2.0)
    except Exception:  # noqa: BLE001 - a comparison of odd plain values must not end the run
        same = False
    return bool(same) or values_match(expected, outcome.value)


async def codet(ctx: SolveContext, samples: Sequence[Drawn]) -> Pick:
    programs = _programs(samples)
    if not programs:
        return Pick(None, {"programs": 0})
    messages = codet_messages(ctx, _CODET_TESTS)
    text = await _ask(ctx, messages, Stage.SELECTING, 0.0, None, _CODET_TOKENS)
    tests = parse_tests(text or "", ctx, _CODET_TESTS)
    outcomes = await _outcomes(ctx, programs, [call for call, _ in tests])
    passed = [
        frozenset(i for i, (_, expected) in enumerate(tests) if _test_passes(expected, seen[i]))
        for seen in outcomes
    ]
    consensus: dict[frozenset[int], list[int]] = {}
    for position, tests_passed in enumerate(passed):
        consensus.setdefault(tests_passed, []).append(position)

    def score(item: tuple[frozenset[int], list[int]]) -> tuple[int, int]:
        tests_passed, positions = item
        agreeing = sum(len(programs[p][1]) for p in positions)
        return (agreeing * len(tests_passed), -min(programs[p][1][0] for p in positions))

    best_tests, best = max(consensus.items(), key=score)
    chosen = min(best, key=lambda p: programs[p][1][0])
    return Pick(
        programs[chosen][0],
        {"programs": len(programs), "tests": len(tests), "score": score((best_tests, best))[0]},
    )


BASELINES = {
    "greedy": greedy,
    "first": first,
    "public": public,
    "majority": majority,
    "codet": codet,
    "selfdebug": selfdebug,
}
