"""Stage 1 of S*: parallel samples, each repaired with execution feedback for up to R rounds.

Every sample is a *lineage* running concurrently with the others: draw the sample, execute it on
the public tests, and while it fails and rounds remain, show the model its failures and take the
corrected program. A lineage stops as soon as its program passes. A program already seen (same
normalised AST) is neither executed nor repaired twice: the later lineage ends and the earlier one
carries on. Sample i always uses seed i and its own cache entries, so "more samples" reuses 0..N-1.

Samples come in *waves* (`Sampler.wave`): the first is the configured N; the engine may ask for
more (adaptive sampling) with the next indices, so the cache stays honest and "regenerate" reuses
them. With `greedy_sample`, sample 0 and its repairs are drawn at temperature 0: the model's best
guess is always among the candidates. `Sampler.repair` runs one extra repair of a program that
passes the examples but breaks a trusted check of the docstring (the failures are the check's).

Samples are prefilled with the stub's header when the server continues a trailing assistant
message (`sstar.prefill`): the model writes only the body, which ends at the fence. Repairs ask
for the whole corrected function (`Sampler._repair_asks` says why).

Model failures are per lineage: a timeout or a server error loses that sample (with a notice);
an authentication failure or an exhausted budget ends every lineage. If no sample got an answer at
all, the first model error is raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from .candidates import Candidate, PublicRun, make_candidate, run_public
from .context import Answer, SolveContext
from .errors import BudgetExceededError, LLMAuthError, LLMError
from .events import (
    CandidatePassed,
    CandidateTested,
    RoundFinished,
    SampleGenerated,
    Stage,
    StageStarted,
)
from .llm import Message
from .prefill import STOP, answer_snippet, prefix, verdict
from .problem import Problem
from .prompts import Failure, debug_messages, sample_messages

__all__ = ["Generation", "Sampler", "generate"]

_SEED_STRIDE = 1000  # repair round r of sample i uses seed i * stride + r
_FEEDBACK_SEED = 500  # + k: the k-th repair of sample i against a check uses i * stride + 500 + k


@dataclass(frozen=True)
class _Asks:
    messages: list[Message]
    start: str | None  # the answer's prefilled start, when `messages` ends with it
    alternative: list[Message] | None  # the prefilled request of a server that ignores prefixes


@dataclass
class Generation:
    """Every distinct program stage 1 produced, in order of first appearance, with its public run."""

    candidates: list[Candidate] = field(default_factory=list)
    runs: dict[str, PublicRun] = field(default_factory=dict)
    samples_of: dict[str, list[int]] = field(default_factory=dict)  # candidate id -> sample indices
    usable_samples: int = 0
    drawn: int = 0  # sample indices asked for so far (0 .. drawn-1)
    waves: int = 0
    llm_errors: list[LLMError] = field(default_factory=list)
    budget_exhausted: bool = False


class Sampler:
    """Draws and repairs samples for one solve; `out` accumulates across waves."""

    def __init__(self, ctx: SolveContext, rounds: int) -> None:
        self.ctx, self.rounds = ctx, rounds
        self.out = Generation()
        self.by_key: dict[str, Candidate] = {}
        self.sampled = 0
        self._wave_size = 0
        self._round_done = [0] * (rounds + 1)  # lineages of this wave past each round
        self._feedback_repairs: dict[int, int] = {}  # sample -> check repairs asked
        self._prefix = prefix(ctx.problem)  # the answer's start, when the stub can be prefilled
        # Answers are read as answers to the prefilled request whenever prefilling is on (also
        # when the server turned out to ignore it: `answer_snippet` reads those whole); off,
        # exactly as before.
        self._read_after = self._prefix if ctx.config.prefill_answers else None

    async def wave(self, count: int) -> None:
        """Draw `count` more samples (the next indices), each with its repair rounds."""
        first = self.out.drawn
        self.out.drawn += count
        self.out.waves += 1
        self._wave_size = count
        self._round_done = [0] * (self.rounds + 1)
        await self._all(self._lineage(index) for index in range(first, first + count))

    async def repair(self, candidate: Candidate, failures: Sequence[Failure]) -> Candidate | None:
        """One repair of `candidate` against `failures`; the new program (tested), or None."""
        sample = candidate.sample
        number = self._feedback_repairs.get(sample, 0)
        self._feedback_repairs[sample] = number + 1
        asks = self._repair_asks(candidate, failures)
        seed = sample * _SEED_STRIDE + _FEEDBACK_SEED + number
        answer = await self._ask(asks, Stage.DEBUGGING, seed, greedy=self._greedy(sample))
        fixed, duplicate = await self._register(answer, sample, candidate.round + 1)
        if fixed is None or duplicate:
            return None
        await self._test(fixed)
        return fixed

    async def _all(self, coroutines) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                for coroutine in coroutines:
                    group.create_task(coroutine)
        except BaseExceptionGroup as group:
            # A lineage failed for a reason that ends the solve (a refused key, the sandbox):
            # the others were cancelled; report the cause plainly, not as a group.
            errors = list(group.exceptions)
            auth = [error for error in errors if isinstance(error, LLMAuthError)]
            raise (auth or errors)[0] from None

    def _greedy(self, index: int) -> bool:
        return index == 0 and self.ctx.config.greedy_sample

    async def _lineage(self, index: int) -> None:
        reached = -1  # last round this lineage finished
        greedy = self._greedy(index)
        try:
            asks = self._asks(partial(sample_messages, self.ctx.problem))
            answer = await self._ask(asks, Stage.SAMPLING, index, greedy=greedy)
            candidate, duplicate = await self._register(answer, index, 0)
            self.sampled += 1
            if candidate is not None:
                self.out.usable_samples += 1
            cached = answer is not None and answer.cached
            self.ctx.emit(
                SampleGenerated(
                    index, self.sampled, self.out.drawn, candidate is not None, duplicate, cached
                )
            )
            if candidate is None or duplicate:
                return
            run = await self._test(candidate)
            reached = 0
            self._finish_round(0)
            for round_ in range(1, self.rounds + 1):
                if run.passes:
                    return
                asks = self._repair_asks(candidate, run.failures)
                seed = index * _SEED_STRIDE + round_
                answer = await self._ask(asks, Stage.DEBUGGING, seed, greedy=greedy)
                fixed, duplicate = await self._register(answer, index, round_)
                if fixed is None or duplicate:
                    return  # nothing new to test; the lineage that owns the program carries on
                candidate = fixed
                run = await self._test(candidate)
                reached = round_
                self._finish_round(round_)
        except BaseException:
            reached = self.rounds  # cancelled or failed: no round is finished on its behalf
            raise
        finally:
            # Lineages that stopped early count as done for the rounds they skipped.
            for skipped in range(reached + 1, self.rounds + 1):
                self._finish_round(skipped)

    def _asks(self, build: Callable[..., list[Message]]) -> _Asks:
        """The request to send (prefilled when this solve prefills) and, when the server was
        found to ignore prefixes, the prefilled request whose cached answer serves as well."""
        start = self.ctx.prefill_for(self._prefix)
        dropped = self.ctx.prefill_dropped(self._prefix)
        alternative = build(prefill=dropped) if dropped is not None else None
        return _Asks(build(prefill=start), start, alternative)

    def _repair_asks(self, candidate: Candidate, failures: Sequence[Failure]) -> _Asks:
        """A repair is asked for the whole corrected function, never prefilled: continuing the
        stub's header right after the failures, the model wrote the same body again (examples/
        intervals.py: 0 of 5 solves found a passing program with prefilled repairs, 2 of 2 with
        plain ones on the same samples; benchmarks/RESULTS.md, issue 13). The answer is read
        whole (`answer_snippet` falls back to that when it does not continue the header)."""
        messages = debug_messages(self.ctx.problem, candidate.code, failures)
        return _Asks(messages, None, None)

    async def _ask(self, asks: _Asks, stage: Stage, seed: int, *, greedy: bool) -> Answer | None:
        """The answer; for a prefilled request, cut at the end of the code block, and what it
        shows about the server is told to the client."""
        if self.out.budget_exhausted:
            return None
        temperature = 0.0 if greedy else self.ctx.config.temperature
        start = asks.start
        try:
            answer = await self.ctx.complete(
                asks.messages,
                stage=stage,
                temperature=temperature,
                seed=seed,
                stop=STOP if start is not None else None,
                alternative=(asks.alternative, STOP) if asks.alternative else None,
            )
        except BudgetExceededError as error:
            self.out.budget_exhausted = True
            self.ctx.notice_once(str(error))
            return None
        except LLMAuthError:
            raise
        except LLMError as error:
            self.out.llm_errors.append(error)
            self.ctx.notice_once(f"a {stage.value} request failed: {error}")
            return None
        if start is not None:
            self.ctx.note_prefill(verdict(answer.text, self.ctx.problem.name, start))
        return answer

    async def _register(
        self, answer: Answer | None, index: int, round_: int
    ) -> tuple[Candidate | None, bool]:
        if answer is None:
            return None, False
        # Parsing an answer and re-parsing the module with its body is pure and grows with the
        # user's file (milliseconds per candidate on 5,000 lines): not on the event loop, where
        # 32 of them would delay an editor's requests.
        candidate = await asyncio.to_thread(
            _candidate, self.ctx.problem, answer.text, index, round_, self._read_after
        )
        if candidate is None:
            return None, False
        known = self.by_key.get(candidate.key)
        if known is not None:
            samples = self.out.samples_of[known.id]
            if index not in samples:
                samples.append(index)
            return known, True
        self.by_key[candidate.key] = candidate
        self.out.candidates.append(candidate)
        self.out.samples_of[candidate.id] = [index]
        return candidate, False

    async def _test(self, candidate: Candidate) -> PublicRun:
        run = await run_public(self.ctx, candidate)
        self.out.runs[candidate.id] = run
        self.ctx.emit(CandidateTested(candidate.id, candidate.round, run.passed, run.total))
        if run.passes:
            self.ctx.emit(
                CandidatePassed(candidate.id, candidate.round, candidate.body, candidate.code)
            )
        return run

    def _finish_round(self, round_: int) -> None:
        self._round_done[round_] += 1
        if self._round_done[round_] == self._wave_size:
            tested = [c for c in self.out.candidates if c.id in self.out.runs]
            passing = sum(1 for c in tested if self.out.runs[c.id].passes)
            self.ctx.emit(RoundFinished(round_, passing, len(tested)))
            if round_ == 0 and self.rounds and passing < len(tested):
                self.ctx.emit(StageStarted(Stage.DEBUGGING))


def _candidate(
    problem: Problem, text: str, index: int, round_: int, read_after: str | None
) -> Candidate | None:
    """The candidate an answer amounts to, or None (no function with the stub's name in it);
    `read_after`: the prefilled start the answer continues, if any (`prefill.answer_snippet`)."""
    snippet = answer_snippet(text, problem.name, read_after).snippet
    if snippet is None:
        return None
    return make_candidate(problem, snippet, index, round_)


async def generate(ctx: SolveContext, samples: int, rounds: int) -> Generation:
    """Stage 1 for `samples` lineages of up to `rounds` repairs each (one wave)."""
    sampler = Sampler(ctx, rounds)
    await sampler.wave(samples)
    return checked(sampler.out)


def checked(generation: Generation) -> Generation:
    """The generation, or the first model error when no sample got an answer at all."""
    if not generation.candidates and generation.llm_errors:
        raise generation.llm_errors[0]
    return generation
