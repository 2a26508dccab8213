"""The docstring's checks against the candidates: validated on the examples, run apart from every
candidate, weighed by dual agreement.

A `CheckRunner` belongs to one solve's `Evidence` (`sstar.assess`) and reads the outcomes the
candidates already had there. It
- validates each check against ground truth: a property check must accept every docstring
  example's (arguments, expected value) and must not crash on one; a raises check must not
  contradict an example; the others are dropped;
- runs the property checks in executions of their own (`checks_module`: the user's file with the
  stub still a stub, then the checks), one probe per check, on literals of the candidates' plain
  outputs, so no candidate can forge a verdict (an output that is not plain fails them);
  raises checks are judged in the parent from the candidate's outcome on the check's call;
- weighs each check by the samples whose programs pass it among those it applies to (CodeT's dual
  agreement; candidates failing the examples count too); a check no candidate passes is dropped.
Verdicts already known are never computed again.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox import OutcomeKind, Probe, ProbeResult, StepOutcome

from .candidates import Candidate
from .checks import Check, CheckKind, Rejection, Verdict, checks_module, raises_verdict
from .context import SolveContext
from .literals import to_source
from .prompts import parse_probe_calls
from .signature import bound_arguments, signature_of
from .typed_inputs import example_calls

__all__ = ["TRUSTED", "CheckRunner", "CheckStat"]

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


class CheckRunner:
    def __init__(self, ctx: SolveContext, outcomes: dict[tuple[str, str], StepOutcome]) -> None:
        self.ctx = ctx
        self._outcomes = outcomes  # (candidate id, call) -> outcome, owned by the Evidence
        self._check_steps: dict[str, StepOutcome] = {}  # check step source -> outcome
        self._params = signature_of(ctx.problem)
        self.calls: list[str] = []  # the calls whose outcomes the checks judge, best first

    async def weigh(self, checks, voters, samples, calls: Sequence[str]):
        """Validate, run and weigh the checks on `calls`; each voter's failed kept checks."""
        self.calls = list(calls)
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
        for example, node in example_calls(problem):
            found = parse_probe_calls(ast.unparse(node), problem, 1)
            if found:
                calls[found[0]] = example.exc_msg.strip() if example.exc_msg else None
            if example.exc_msg:
                continue
            args = bound_arguments(node, self._params)
            if args is None or not all(_literal(a) for a in args):
                continue  # names only the examples' own state knows
            try:
                value = ast.literal_eval(example.want.strip())
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            want = to_source(value)
            if want is not None:
                pairs.append((", ".join(args), want))
        return pairs, calls

    async def _verdicts(self, kept: Sequence[Check], voters: Sequence[Candidate]):
        """(check name, candidate id) -> PASS / FAIL / NOT_APPLICABLE."""
        jobs: list[tuple[Check, str, str]] = []
        observed: dict[str, list[tuple[str, str]]] = {}
        opaque: set[str] = set()  # candidates that returned something no check can read
        for candidate in voters:
            pairs = []
            for call in self.calls:
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

    def counterexample(
        self, candidate_id: str, check: Check, primary: int
    ) -> tuple[str, StepOutcome] | None:
        """The shortest call on which the candidate breaks the check, with its outcome there
        (among the first `primary` calls, shaped like the examples, when one of them will do)."""
        if check.kind is CheckKind.RAISES:
            outcome = self._outcomes.get((candidate_id, check.call or ""))
            return (check.call, outcome) if check.call and outcome is not None else None
        found = []
        for tier, call in enumerate(self.calls):  # earlier calls (shaped like the examples) read best
            outcome = self._outcomes.get((candidate_id, call))
            if outcome is None or outcome.kind is not OutcomeKind.RETURNED or not outcome.is_plain:
                continue
            args, result = self._arguments(call), to_source(outcome.value)
            if args is None or result is None:
                continue
            step = self._check_steps.get(_step(check, args, result))
            if step is not None and step.kind is not OutcomeKind.RETURNED:
                found.append((tier >= primary, len(call), call, outcome))
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


def _literal(source: str) -> bool:
    try:
        ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True
