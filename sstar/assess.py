"""Evidence about the candidates beyond the examples: behaviour on generated inputs, and the
docstring's checks, weighed by dual agreement.

`Evidence` lives for one solve and is re-assessed after every wave of samples; runs and check
verdicts already known are never repeated. An assessment:
1. runs candidates on the probe inputs: *primary* calls (perturbed examples, edge values, the
   checks' own calls, the model's inputs when selection asked for them) on which behaviour groups
   are formed, and *secondary* calls (hypothesis draws) that only feed the property checks;
2. validates each check against ground truth: a property check must accept every docstring
   example's (arguments, expected value), and must not crash on one; a raises check must not
   contradict an example; the others are dropped;
3. runs the property checks in executions of their own (`checks_module`), on literals of the
   candidates' plain outputs, so no candidate can forge a verdict; raises checks are judged in the
   parent from the candidate's outcome on the check's call;
4. weighs each check by the samples whose programs pass it among those it applies to (CodeT's dual
   agreement: candidates failing the examples count too); a check no candidate passes is dropped;
5. groups the candidates that pass the public tests by their outcomes on the primary calls, and
   ranks groups: no hard-coded examples first, then the least weighted violations, then the most
   programs and samples, then (with typed inputs) the support of the near misses, the programs
   failing the examples whose outputs side with the group where the groups differ, then the
   earliest sample.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from sandbox import OutcomeKind, Probe, ProbeResult, StepOutcome
from sandbox.compare import outcome_signature

from .candidates import Candidate
from .checks import Check, CheckKind, CheckSet, Rejection, Verdict, checks_module, raises_verdict
from .context import SolveContext
from .generate import Generation
from .literals import to_source
from .prompts import parse_probe_calls
from .signature import bound_arguments, signature_of
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
TRUSTED = 0.5  # a check passed by more than this share of the samples it applies to


@dataclass(frozen=True)
class CheckStat:
    check: Check
    rejection: Rejection | None  # None: kept
    passed: int = 0  # samples whose program passes it
    failed: int = 0

    @property
    def kept(self) -> bool:
        return self.rejection is None

    @property
    def weight(self) -> float:
        total = self.passed + self.failed
        return self.passed / total if self.kept and total else 0.0

    @property
    def trusted(self) -> bool:
        """Most samples it applies to and every example agree with it: safe to repair against
        and to hold against a lone candidate."""
        return self.kept and self.weight > TRUSTED


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
        self._check_steps: dict[str, StepOutcome] = {}  # check step source -> outcome
        self._special: dict[str, bool] = {}
        self._params = signature_of(ctx.problem)

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
        stats, violations = await self._weigh(checks, voters, samples)
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
            seen = [self._outcomes.get((voter.id, call)) for call in split]
            if not seen or any(o is None or o.kind is not OutcomeKind.RETURNED for o in seen):
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

    async def _weigh(self, checks, voters, samples):
        """Validate, run and weigh the checks; each voter's failed kept checks."""
        if not checks:
            return [], {c.id: () for c in voters}
        rejected = await self._validate(checks)
        kept = [c for c in checks if c.name not in rejected]
        verdicts = await self._verdicts(kept, voters)
        stats: list[CheckStat] = []
        violations: dict[str, list[str]] = {c.id: [] for c in voters}
        for check in checks:
            if check.name in rejected:
                stats.append(CheckStat(check, rejected[check.name]))
                continue
            passed = sum(samples[c.id] for c in voters if verdicts[check.name, c.id] is Verdict.PASS)
            failed = sum(samples[c.id] for c in voters if verdicts[check.name, c.id] is Verdict.FAIL)
            if failed and not passed:
                stats.append(CheckStat(check, Rejection.REJECTS_ALL, 0, failed))
                continue
            stats.append(CheckStat(check, None, passed, failed))
            for candidate in voters:
                if verdicts[check.name, candidate.id] is Verdict.FAIL:
                    violations[candidate.id].append(check.name)
        return stats, {k: tuple(v) for k, v in violations.items()}

    async def _validate(self, checks: Sequence[Check]) -> dict[str, Rejection]:
        """Checks that contradict a docstring example (or crash on one)."""
        rejected: dict[str, Rejection] = {}
        pairs, calls = self._example_pairs()
        properties = [c for c in checks if c.kind is CheckKind.PROPERTY]
        outcomes = await self._run_checks(properties, [(c, args, want) for c in properties for args, want in pairs])
        for check in properties:
            for args, want in pairs:
                outcome = outcomes[_step(check, args, want)]
                if outcome.kind is OutcomeKind.RETURNED:
                    continue
                wrong = outcome.kind is OutcomeKind.RAISED and outcome.exception_type == "AssertionError"
                rejected[check.name] = Rejection.REJECTS_EXAMPLE if wrong else Rejection.CRASHES
                break
        for check in checks:
            if check.kind is CheckKind.RAISES and check.call in calls:
                raised = calls[check.call]
                if raised is None or raised.split(":")[0].strip().rsplit(".", 1)[-1] != check.exception:
                    rejected[check.name] = Rejection.REJECTS_EXAMPLE
        return rejected

    def _example_pairs(self) -> tuple[list[tuple[str, str]], dict[str, str | None]]:
        """(argument sources, expected value source) of the examples with a literal value, and
        for every example call its exception line (None when it returns)."""
        problem = self.ctx.problem
        pairs: list[tuple[str, str]] = []
        calls: dict[str, str | None] = {}
        for example in problem.examples:
            found = parse_probe_calls(example.source, problem, 1)
            node = _call_node(example.source)
            if found:
                calls[found[0]] = example.exc_msg.strip() if example.exc_msg else None
            if node is None or example.exc_msg:
                continue
            args = bound_arguments(node, self._params)
            try:
                value = ast.literal_eval(example.want.strip())
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            want = to_source(value)
            if args is not None and want is not None:
                pairs.append((", ".join(args), want))
        return pairs, calls

    async def _verdicts(self, kept: Sequence[Check], voters: Sequence[Candidate]):
        """(check name, candidate id) -> PASS / FAIL / NOT_APPLICABLE."""
        jobs: list[tuple[Check, str, str]] = []
        observed: dict[str, list[tuple[str, str]]] = {}
        opaque: set[str] = set()  # candidates that returned something no check can read
        for candidate in voters:
            pairs = []
            for call in [*self.primary, *self.secondary]:
                outcome = self._outcomes.get((candidate.id, call))
                if outcome is None or outcome.kind is not OutcomeKind.RETURNED:
                    continue
                if not outcome.is_plain:
                    # An object of the candidate's own (a list subclass whose == is always
                    # True...) could pass anything in its own process: here it passes nothing.
                    opaque.add(candidate.id)
                    continue
                args = self._arguments(call)
                result = to_source(outcome.value)
                if args is not None and result is not None:
                    pairs.append((args, result))
            observed[candidate.id] = pairs
            jobs += [(c, a, r) for c in kept if c.kind is CheckKind.PROPERTY for a, r in pairs]
        outcomes = await self._run_checks(kept, jobs)
        verdicts: dict[tuple[str, str], Verdict] = {}
        for check in kept:
            for candidate in voters:
                if check.kind is CheckKind.RAISES:
                    outcome = self._outcomes.get((candidate.id, check.call or ""))
                    verdict = Verdict.NOT_APPLICABLE if outcome is None else raises_verdict(check, outcome)
                else:
                    seen = [outcomes[_step(check, a, r)] for a, r in observed[candidate.id]]
                    verdict = _property_verdict(seen)
                    if candidate.id in opaque:
                        verdict = Verdict.FAIL
                verdicts[check.name, candidate.id] = verdict
        return verdicts

    def counterexample(self, candidate_id: str, check: Check) -> tuple[str, StepOutcome] | None:
        """The shortest call on which the candidate breaks the check, with its outcome there."""
        if check.kind is CheckKind.RAISES:
            outcome = self._outcomes.get((candidate_id, check.call or ""))
            return (check.call, outcome) if check.call and outcome is not None else None
        found = []
        tiers = [(0, call) for call in self.primary] + [(1, call) for call in self.secondary]
        for tier, call in tiers:  # a call shaped like the examples reads best
            outcome = self._outcomes.get((candidate_id, call))
            if outcome is None or outcome.kind is not OutcomeKind.RETURNED or not outcome.is_plain:
                continue
            args, result = self._arguments(call), to_source(outcome.value)
            if args is None or result is None:
                continue
            step = self._check_steps.get(_step(check, args, result))
            if step is not None and step.kind is not OutcomeKind.RETURNED:
                found.append((tier, len(call), call, outcome))
        if not found:
            return None
        _, _, call, outcome = min(found, key=lambda item: item[:3])
        return call, outcome

    def _arguments(self, call: str) -> str | None:
        node = _call_node(call)
        if node is None:
            return None
        args = bound_arguments(node, self._params)
        return None if args is None else ", ".join(args)

    async def _run_checks(self, checks: Sequence[Check], jobs) -> dict[str, StepOutcome]:
        """Outcome of every check step (`name(args, result)`), one probe per check, in the
        checks' own module: the candidate's code is nowhere in that execution."""
        module = checks_module(checks, self.ctx.problem.source)
        by_check: dict[str, list[str]] = {}
        for check, args, result in jobs:
            step = _step(check, args, result)
            if step not in self._check_steps and step not in by_check.setdefault(check.name, []):
                by_check[check.name].append(step)
        probes = [Probe(steps=tuple(steps)) for steps in by_check.values() if steps]
        if probes:
            results = await self.ctx.run(module, probes)
            for probe, result in zip(probes, results, strict=True):
                for step, outcome in zip(probe.steps, _padded(result, len(probe.steps)), strict=True):
                    if outcome.kind is not OutcomeKind.NOT_RUN:
                        self._check_steps[step] = outcome
        missing = StepOutcome(OutcomeKind.NOT_RUN)
        return {
            _step(check, args, result): self._check_steps.get(_step(check, args, result), missing)
            for check, args, result in jobs
        }

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


def _property_verdict(outcomes: list[StepOutcome]) -> Verdict:
    ran = [o for o in outcomes if o.kind is not OutcomeKind.NOT_RUN]
    if not ran:
        return Verdict.NOT_APPLICABLE
    return Verdict.PASS if all(o.kind is OutcomeKind.RETURNED for o in ran) else Verdict.FAIL


def _step(check: Check, args: str, result: str) -> str:
    return f"{check.name}({args}, {result})" if args else f"{check.name}({result})"


def _padded(result: ProbeResult, count: int) -> list[StepOutcome]:
    if result.setup.kind is not OutcomeKind.RETURNED:
        return [result.setup] * count  # the checks module itself failed: every step failed
    steps = list(result.steps)
    return steps + [StepOutcome(OutcomeKind.NOT_RUN)] * (count - len(steps))


def _call_node(source: str) -> ast.Call | None:
    """The stub call of a one-expression source (an example or a probe call)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    node = tree.body[0].value
    if isinstance(node, ast.Await):
        node = node.value
    return node if isinstance(node, ast.Call) else None


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
