"""Evidence about the candidates beyond the examples: behaviour on generated inputs, and the
docstring's checks, weighed by dual agreement.

`Evidence` lives for one solve and is re-assessed after every wave of samples; runs and check
verdicts already known are never repeated. An assessment:
1. runs candidates on the probe inputs: *primary* calls (perturbed examples, edge values, the
   checks' own calls, the model's inputs when selection asked for them) on which behaviour groups
   are formed, and *secondary* calls (hypothesis draws) that only feed the property checks;
2. has the checks validated, run and weighed (`sstar.check_runs.CheckRunner`), with the programs
   that fail the examples voting too;
3. groups the candidates that pass the public tests by their outcomes on the primary calls, and
   ranks groups: no hard-coded examples first, then the least weighted violations, then the most
   programs and samples, then (with typed inputs) the support of the near misses, the programs
   failing the examples whose outputs side with the group where the groups differ, then the
   earliest sample.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from sandbox import OutcomeKind, Probe, ProbeResult, StepOutcome
from sandbox.compare import outcome_signature

from .candidates import Candidate
from .check_runs import CheckRunner, CheckStat
from .checks import Check, CheckKind, CheckSet
from .context import SolveContext
from .generate import Generation
from .special_case import hard_codes_examples

__all__ = ["Assessment", "CheckStat", "Evidence", "GroupEvidence", "runnable", "signature"]

_BROKEN = {
    OutcomeKind.TIMEOUT,
    OutcomeKind.MEMORY_EXCEEDED,
    OutcomeKind.OUTPUT_EXCEEDED,
    OutcomeKind.CRASHED,
}
_MAX_AGREEMENT_CANDIDATES = 8  # candidates failing the examples that vote on the checks
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class GroupEvidence:
    members: tuple[str, ...]  # ids of candidates passing the public tests, best first
    samples: int  # samples that produced its programs
    violation: float  # weighted checks its best member fails
    violated: tuple[str, ...]  # names of the kept checks its best member fails
    special_cased: bool  # every member hard-codes an example
    support: int = 0  # samples of programs failing the examples that behave like it (see below)

    @property
    def representative(self) -> str:
        return self.members[0]

    def rank_key(self) -> tuple:
        return (self.special_cased, round(self.violation, 6))


@dataclass(frozen=True)
class Assessment:
    groups: tuple[GroupEvidence, ...]  # ranked best first (empty when nothing passes)
    checks: tuple[CheckStat, ...]
    inputs: tuple[str, ...]  # the primary calls the groups were formed on
    violations: dict[str, tuple[str, ...]]  # candidate id -> kept checks it fails

    @property
    def kept_checks(self) -> tuple[CheckStat, ...]:
        return tuple(s for s in self.checks if s.kept)

    def stat(self, name: str) -> CheckStat | None:
        return next((s for s in self.checks if s.check.name == name), None)

    def trusted_violations(self, candidate_id: str) -> tuple[CheckStat, ...]:
        stats = (self.stat(name) for name in self.violations.get(candidate_id, ()))
        return tuple(s for s in stats if s is not None and s.trusted)


class Evidence:
    """Inputs, runs and check verdicts of one solve."""

    def __init__(self, ctx: SolveContext, checks: CheckSet | None = None) -> None:
        self.ctx = ctx
        self.checks = checks or CheckSet()
        self.primary: list[str] = []
        self.secondary: list[str] = []
        self._outcomes: dict[tuple[str, str], StepOutcome] = {}
        self._special: dict[str, bool] = {}
        self.checker = CheckRunner(ctx, self._outcomes)

    # -- inputs --------------------------------------------------------------------------------
    async def prepare(self) -> None:
        """The inputs that cost no model call (typed inputs, the checks' own calls)."""
        config, problem = self.ctx.config, self.ctx.problem
        if config.typed_inputs:
            from .typed_inputs import random_calls, shaped_calls

            self.add_primary(shaped_calls(problem))
            if any(c.kind is CheckKind.PROPERTY for c in self.checks.checks):
                self.secondary += [
                    c for c in await asyncio.to_thread(random_calls, problem) if c not in self.primary
                ]
        self.add_primary(c.call for c in self.checks.checks if c.call is not None)
        self.add_primary(self.checks.calls)

    def add_primary(self, calls) -> None:
        for call in calls:
            if call not in self.primary:
                self.primary.append(call)
            if call in self.secondary:
                self.secondary.remove(call)

    # -- runs ----------------------------------------------------------------------------------
    def counterexample(self, candidate_id: str, check: Check) -> tuple[str, StepOutcome] | None:
        """The simplest call on which the candidate breaks the check (see `CheckRunner`)."""
        return self.checker.counterexample(candidate_id, check, len(self.primary))

    def outcome(self, candidate_id: str, call: str) -> StepOutcome | None:
        return self._outcomes.get((candidate_id, call))

    async def run(self, candidates: Sequence[Candidate], calls: Sequence[str]) -> None:
        """Each candidate on each call it has not met yet (one fresh process per call)."""
        work = [
            (c, [call for call in calls if (c.id, call) not in self._outcomes]) for c in candidates
        ]
        work = [(c, todo) for c, todo in work if todo]
        if not work:
            return
        problem = self.ctx.problem
        try:
            async with asyncio.TaskGroup() as group:  # one failing run stops the others
                tasks = [
                    group.create_task(
                        self.ctx.run(c.module, [Probe.expression(runnable(problem, x)) for x in todo])
                    )
                    for c, todo in work
                ]
        except BaseExceptionGroup as errors:
            raise errors.exceptions[0] from None
        for (candidate, todo), task in zip(work, tasks, strict=True):
            for call, result in zip(todo, task.result(), strict=True):
                self._outcomes[(candidate.id, call)] = _first_outcome(result)

    # -- assessment ----------------------------------------------------------------------------
    async def assess(self, generation: Generation) -> Assessment:
        tested = [
            c
            for c in generation.candidates
            if c.id in generation.runs and generation.runs[c.id].setup_ok
        ]
        passing = [c for c in tested if generation.runs[c.id].passes]
        samples = {c.id: len(generation.samples_of.get(c.id, [c.sample])) for c in tested}
        near = sorted(
            (c for c in tested if c not in passing), key=lambda c: (-samples[c.id], c.sample)
        )[:_MAX_AGREEMENT_CANDIDATES]
        voters = passing + near
        checks = self.checks.checks
        await self.run(passing, self.primary)
        if checks:
            await self.run(voters, [*self.primary, *self.secondary])
        stats, violations = await self.checker.weigh(
            checks, voters, samples, [*self.primary, *self.secondary]
        )
        for candidate in passing:
            if candidate.id not in self._special:
                self._special[candidate.id] = hard_codes_examples(candidate.code, self.ctx.problem)
        groups = self._groups(passing, samples, stats, violations)
        if self.ctx.config.typed_inputs and len(groups) > 1 and near:
            await self.run(near, self.primary)
            groups = self._ranked(self._supported(groups, near, samples))
        found = tuple(g for _, g in groups)
        return Assessment(found, tuple(stats), tuple(self.primary), violations)

    def _supported(self, groups, near, samples):
        """Each group with the samples of the near misses (programs failing the examples) that
        behave like it where the groups differ: a vote over execution results (in the spirit of
        MBR-exec), so two lone passers are not told apart by the order they were drawn in."""
        reps = [members[0] for members, _ in groups]
        split = [
            call
            for call in self.primary
            if len({one_signature(self._outcomes[(r.id, call)]) for r in reps}) > 1
        ]
        votes = [0] * len(groups)
        for voter in near:
            found = [self._outcomes.get((voter.id, call)) for call in split]
            seen = [o for o in found if o is not None and o.kind is OutcomeKind.RETURNED]
            if not seen or len(seen) < len(found):
                continue  # a program that crashes there says nothing about the right answer
            agreement = [
                sum(
                    one_signature(o) == one_signature(self._outcomes[(r.id, call)])
                    for o, call in zip(seen, split, strict=True)
                )
                for r in reps
            ]
            best = max(agreement)
            if best > 0 and agreement.count(best) == 1:
                votes[agreement.index(best)] += samples[voter.id]
        return [
            (members, replace(evidence, support=votes[index]))
            for index, (members, evidence) in enumerate(groups)
        ]

    def _groups(self, passing, samples, stats, violations):
        weights = {s.check.name: s.weight for s in stats if s.kept}
        by_signature: dict[Hashable, list[Candidate]] = {}
        for candidate in passing:
            seen = [self._outcomes[(candidate.id, call)] for call in self.primary]
            by_signature.setdefault(signature(seen), []).append(candidate)

        def violation(candidate: Candidate) -> float:
            return sum(weights.get(name, 0.0) for name in violations.get(candidate.id, ()))

        def member_key(candidate: Candidate) -> tuple:
            return (
                self._special[candidate.id],
                round(violation(candidate), 6),
                -samples[candidate.id],
                candidate.round,
                candidate.sample,
                candidate.id,
            )

        groups = []
        for members in by_signature.values():
            members.sort(key=member_key)
            best = members[0]
            groups.append(
                (
                    members,
                    GroupEvidence(
                        members=tuple(c.id for c in members),
                        samples=sum(samples[c.id] for c in members),
                        violation=violation(best),
                        violated=violations.get(best.id, ()),
                        special_cased=all(self._special[c.id] for c in members),
                    ),
                )
            )
        healthy = [g for g in groups if not self._broken(g[0][0])] or groups
        return self._ranked(healthy)

    @staticmethod
    def _ranked(groups):
        """Best first: no hard-coded examples, fewest weighted violations, then (as S* always
        did) the most programs and samples, then the near misses' support, then the earliest
        sample (the greedy one, when it is there)."""
        return sorted(
            groups,
            key=lambda g: (
                *g[1].rank_key(),
                -len(g[0]),
                -g[1].samples,
                -g[1].support,
                min(c.sample for c in g[0]),
                g[0][0].id,
            ),
        )

    def _broken(self, candidate: Candidate) -> bool:
        seen = [self._outcomes[(candidate.id, call)] for call in self.primary]
        return bool(seen) and (
            any(o.kind in _BROKEN for o in seen) or all(o.kind is OutcomeKind.RAISED for o in seen)
        )


def _first_outcome(result: ProbeResult) -> StepOutcome:
    if result.setup.kind is not OutcomeKind.RETURNED or not result.steps:
        return result.setup
    return result.steps[0]


def runnable(problem, call: str) -> str:
    """The expression the sandbox evaluates for a probe call: an async stub's call is awaited
    (a bare coroutine object would be a different value in every run)."""
    if problem.stub.is_async:
        return f"__import__('asyncio').run({call})"
    return call


def signature(outcomes: Sequence[StepOutcome]) -> Hashable:
    """What makes two candidates' behaviour the same on a list of calls."""
    return tuple(one_signature(o) for o in outcomes)


def one_signature(outcome: StepOutcome) -> Hashable:
    value = outcome_signature(outcome)
    if outcome.kind is OutcomeKind.RETURNED and not outcome.is_plain:
        # A default repr names the object's address, which differs between runs of one program.
        return _ADDRESS.sub(" at 0x", str(value))
    return value
