"""How sure the engine is of its answer, and why, from the evidence selection had.

- NONE: no candidate passes the examples.
- LOW: the answer breaks a check of the docstring that most programs pass, hard-codes the
  examples, is the lone program passing the examples with no trusted check behind it, or won
  against other behaviours without a clear majority.
- HIGH: every program that passes the examples behaves the same on the generated inputs and
  several samples wrote it (or it holds a clear majority and is ahead on the checks), and it
  breaks no trusted check.
- MEDIUM: the rest (a clear majority; a lone program that passes trusted checks). Without
  examples it is at most MEDIUM.
A LOW or MEDIUM answer carries a `Suggestion`: a call on which it and another program that passes
the examples differ (or on which it breaks a check), so the user can add the right answer as an
example and settle it.
"""

from __future__ import annotations

from .assess import Assessment, Evidence, one_signature
from .candidates import describe_outcome
from .generate import Generation
from .problem import Problem
from .results import Confidence, EvidenceItem, EvidenceKind, SelectionReason, Suggestion
from .select import Selection

__all__ = ["judge_confidence"]

_LOW_REASONS = {SelectionReason.NONE_PASSED, SelectionReason.NO_CANDIDATE}


def judge_confidence(
    problem: Problem, generation: Generation, selection: Selection, evidence: Evidence | None
) -> tuple[Confidence, tuple[EvidenceItem, ...], Suggestion | None]:
    chosen = selection.chosen
    if chosen is None:
        return Confidence.NONE, (), None
    run = generation.runs[chosen.id]
    items: list[EvidenceItem] = []
    examples = len(problem.examples)
    if not run.passes or selection.reason in _LOW_REASONS:
        text = f"passes {run.passed} of {run.total} public tests"
        items.append(EvidenceItem(EvidenceKind.FAILS_EXAMPLES, text, run.passed, run.total))
        return Confidence.NONE, tuple(items), None
    if examples:
        text = f"passes the {examples} example{'s' if examples != 1 else ''}"
        items.append(EvidenceItem(EvidenceKind.PASSES_EXAMPLES, text, examples, examples))
    else:
        items.append(EvidenceItem(EvidenceKind.NO_EXAMPLES, "no examples to check it against"))
    assessment = selection.assessment
    if assessment is None or evidence is None:
        return Confidence.MEDIUM, tuple(items), None
    group = next(g for g in assessment.groups if chosen.id in g.members)
    passing = [c for c in generation.candidates if c.id in generation.runs and generation.runs[c.id].passes]
    passing_samples = sum(g.samples for g in assessment.groups)
    tested = sum(1 for c in generation.candidates if c.id in generation.runs)
    inputs = len(assessment.inputs)
    broken = assessment.trusted_violations(chosen.id)
    trusted = [s for s in assessment.kept_checks if s.trusted]
    passed_trusted = [s for s in trusted if s not in broken]
    alone = len(assessment.groups) == 1 and group.samples < 2 and len(passing) == 1

    for stat in broken:
        sentence = stat.check.sentence or None
        quoted = f'"{sentence}"' if sentence else stat.check.shown
        items.append(
            EvidenceItem(
                EvidenceKind.VIOLATES_CHECK,
                f"violates a check from: {quoted}",
                sentence=sentence,
            )
        )
    if group.special_cased:
        items.append(EvidenceItem(EvidenceKind.HARD_CODES, "hard-codes the docstring's examples"))
    if alone:
        text = f"the only one of {tested} programs written that passes the examples"
        items.append(EvidenceItem(EvidenceKind.ALONE, text, 1, tested))
    elif len(assessment.groups) == 1 and len(passing) == 1:
        text = f"{group.samples} of {generation.drawn} samples wrote this same program"
        items.append(EvidenceItem(EvidenceKind.AGREES, text, group.samples, generation.drawn))
    elif len(assessment.groups) == 1:
        text = f"agrees with {len(passing)} of {len(passing)} programs on {inputs} generated inputs"
        items.append(EvidenceItem(EvidenceKind.AGREES, text, len(passing), len(passing), inputs))
    else:
        text = (
            f"agrees with {len(group.members)} of {len(passing)} programs on {inputs} generated "
            f"inputs ({len(assessment.groups)} different behaviours)"
        )
        items.append(
            EvidenceItem(EvidenceKind.CONTESTED, text, len(group.members), len(passing), inputs)
        )
    if passed_trusted:
        text = f"passes {len(passed_trusted)} of {len(trusted)} trusted checks from the docstring"
        items.append(
            EvidenceItem(EvidenceKind.PASSES_CHECKS, text, len(passed_trusted), len(trusted))
        )

    majority = group.samples * 2 > passing_samples
    if broken or group.special_cased:
        confidence = Confidence.LOW
    elif len(assessment.groups) == 1:
        if group.samples >= 2 or len(passing) >= 2:
            confidence = Confidence.HIGH
        else:
            confidence = Confidence.MEDIUM if passed_trusted else Confidence.LOW
    elif majority and selection.reason is SelectionReason.CHECKS:
        confidence = Confidence.HIGH
    elif majority or selection.reason is SelectionReason.CHECKS:
        confidence = Confidence.MEDIUM
    else:
        confidence = Confidence.LOW
    if not examples and confidence is Confidence.HIGH:
        confidence = Confidence.MEDIUM
    suggestion = None
    if confidence is not Confidence.HIGH:
        suggestion = _suggestion(chosen.id, group, assessment, evidence, broken)
    return confidence, tuple(items), suggestion


def _suggestion(chosen_id, group, assessment: Assessment, evidence: Evidence, broken):
    """The simplest call on which the chosen program differs from the runner-up, or on which
    it breaks a trusted check."""
    others = [g for g in assessment.groups if g is not group]
    if others:
        other_id = others[0].representative
        found = []
        for call in assessment.inputs:
            mine, theirs = evidence.outcome(chosen_id, call), evidence.outcome(other_id, call)
            if mine is None or theirs is None or one_signature(mine) == one_signature(theirs):
                continue
            found.append((len(call), call, mine, theirs))
        if found:
            _, call, mine, theirs = min(found, key=lambda item: (item[0], item[1]))
            return Suggestion(call, describe_outcome(mine), describe_outcome(theirs))
    for stat in broken:
        example = evidence.counterexample(chosen_id, stat.check)
        if example is not None:
            call, outcome = example
            return Suggestion(call, describe_outcome(outcome), None, stat.check.sentence or None)
    return None
