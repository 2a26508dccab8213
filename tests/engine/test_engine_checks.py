"""Beyond the examples (issue 14), end to end with the scripted model and the real sandbox:
checks from the docstring, adaptive sampling, forged verdicts, hard-coded examples, repair
feedback that locates the bug, confidence, and each pipeline switch."""

from __future__ import annotations

from dataclasses import replace

from sandbox import ErrorDetail, FrameInfo, OutcomeKind
from sstar.events import ChecksWeighed, GroupsFormed, MatchJudged, MoreSamples, WaveReason, summary
from sstar.results import Confidence, EvidenceKind, SelectionReason, SolveStatus
from tests.support.prompt_kinds import kind_of
from tests.support.scripted_llm import fenced, prompt_text

from .conftest import PRODUCT, by_seed, kinds

INTERVALS = '''def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching closed intervals; return them sorted by start.

    >>> merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)])
    [(1, 6), (8, 10), (15, 18)]
    >>> merge_intervals([(1, 4), (4, 5)])
    [(1, 5)]
    >>> merge_intervals([])
    []
    """
    ...
'''

RIGHT = """def merge_intervals(intervals):
    out = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
"""
# Passes the three examples (they come sorted) but keeps unsorted input unsorted.
UNSORTED = """def merge_intervals(intervals):
    out = []
    for start, end in intervals:
        if out and start <= out[-1][1] and end >= out[-1][0]:
            out[-1] = (min(out[-1][0], start), max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
"""
# Sorts, but does not merge touching intervals: fails the second example.
NO_TOUCH = RIGHT.replace("start <= out[-1][1]", "start < out[-1][1]")
# UNSORTED that also makes `sorted` a no-op in its own process: a check run there would pass.
FORGER = "import builtins\nbuiltins.sorted = lambda xs, **kw: list(xs)\n\n\n" + UNSORTED
HARD_CODED = """def merge_intervals(intervals):
    if intervals == [(1, 3), (2, 6), (8, 10), (15, 18)]:
        return [(1, 6), (8, 10), (15, 18)]
    if intervals == [(1, 4), (4, 5)]:
        return [(1, 5)]
    return list(intervals)
"""

SORTED_CHECK = '''def check_2(intervals, result):
    """return them sorted by start."""
    assert result == sorted(result)
'''
WRONG_CHECK = '''def check_1(intervals, result):
    """Merge overlapping or touching closed intervals"""
    assert len(result) == len(intervals)
'''


async def solve(engine, problem, **kw):
    events = []
    result = await engine.solve(problem, on_event=events.append, **kw)
    return result, events


def product(make_engine, **overrides):
    return make_engine(**{**PRODUCT, **overrides})


def feedback_of(body: dict) -> str:
    """The failures part of a repair prompt (the stub's own docstring left out: also the
    prefilled answer's start, which follows the feedback)."""
    last_user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    return last_user.rsplit("Your function fails these tests", 1)[-1]


def sample_seeds(model) -> list[int]:
    return sorted(b["seed"] for b in model.requests if kind_of(b) == "sample")


# -- checks and adaptive sampling ---------------------------------------------------------------


async def test_a_lone_passer_that_breaks_a_check_is_not_simply_chosen(
    model, make_engine, write_problem
):
    # Wave 1: only UNSORTED passes the examples; NO_TOUCH (3 samples) fails them but sorts, so
    # the sorted check is trusted (3 of 4 samples pass it). Wave 2 (samples 4, 5) finds RIGHT.
    model.script.samples = by_seed({0: fenced(UNSORTED), 4: fenced(RIGHT), 5: fenced(RIGHT)},
                                   fenced(NO_TOUCH))
    model.script.debug = fenced(NO_TOUCH)
    model.script.checks = fenced(WRONG_CHECK + "\n\n" + SORTED_CHECK)
    result, events = await solve(product(make_engine), write_problem(INTERVALS))
    assert result.status is SolveStatus.SOLVED
    assert "sorted(intervals)" in result.body
    assert result.reason is SelectionReason.CHECKS
    waves = [e for e in events if isinstance(e, MoreSamples)]
    assert waves == [MoreSamples(2, 6, WaveReason.VIOLATES)]
    assert sample_seeds(model) == [0, 1, 2, 3, 4, 5]  # the wave continues the seeds
    weighed = [e for e in events if isinstance(e, ChecksWeighed)]
    assert weighed[0] == ChecksWeighed(kept=1, dropped=1, trusted=1)  # the wrong one is dropped
    assert kinds(model).count("checks") == 1
    # The lone passer was also repaired against the check it breaks, with a counterexample.
    feedback = [feedback_of(b) for b in model.requests if kind_of(b) == "debug"]
    against_check = [text for text in feedback if "return them sorted by start" in text]
    assert "- `merge_intervals([(15, 18), " in against_check[0]  # a reordered example
    assert "got: [(15, 18), " in against_check[0]
    assert "this check of that rule fails: assert result == sorted(result)" in against_check[0]


async def test_without_adaptive_sampling_the_lone_passer_wins_with_low_confidence(
    model, make_engine, write_problem
):
    model.script.samples = by_seed({0: fenced(UNSORTED)}, fenced(NO_TOUCH))
    model.script.debug = fenced(NO_TOUCH)
    model.script.checks = fenced(SORTED_CHECK)
    engine = product(make_engine, adaptive_sampling=False)
    result, events = await solve(engine, write_problem(INTERVALS))
    assert not [e for e in events if isinstance(e, MoreSamples)]
    assert sample_seeds(model) == [0, 1, 2, 3]
    assert result.reason is SelectionReason.ONLY_ONE_PASSED and "sorted(" not in result.body
    assert result.confidence is Confidence.LOW
    assert [e.kind for e in result.evidence][:2] == [
        EvidenceKind.PASSES_EXAMPLES,
        EvidenceKind.VIOLATES_CHECK,
    ]
    line = summary(result)
    assert 'low confidence: violates a check from: "return them sorted by start."' in line
    assert "add an example for merge_intervals([(15, 18), " in line
    assert result.to_json()["confidence"] == "low"
    assert result.to_json()["suggestion"]["call"].startswith("merge_intervals(")


async def test_checks_that_reject_an_example_are_dropped(model, make_engine, write_problem):
    # The only check contradicts the first example: nothing is held against UNSORTED.
    model.script.samples = by_seed({0: fenced(UNSORTED)}, fenced(NO_TOUCH))
    model.script.debug = fenced(NO_TOUCH)
    model.script.checks = fenced(WRONG_CHECK)
    result, events = await solve(
        product(make_engine, adaptive_sampling=False), write_problem(INTERVALS)
    )
    assert [e for e in events if isinstance(e, ChecksWeighed)][0] == ChecksWeighed(0, 1, 0)
    assert not [e for e in result.evidence if e.kind is EvidenceKind.VIOLATES_CHECK]
    feedback = [feedback_of(b) for b in model.requests if kind_of(b) == "debug"]
    assert feedback and not [text for text in feedback if "Merge overlapping or" in text]


async def test_a_check_verdict_cannot_be_forged_by_the_candidate(
    model, make_engine, write_problem
):
    # FORGER (three samples) makes `sorted` a no-op in its own process; RIGHT has one sample.
    # Checks run in an execution of their own on the output's literal, so FORGER fails.
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(FORGER))
    model.script.checks = fenced(SORTED_CHECK)
    engine = product(make_engine, adaptive_sampling=False, rounds=0)
    result, _ = await solve(engine, write_problem(INTERVALS))
    assert "sorted(intervals)" in result.body and "builtins" not in result.body
    assert result.reason is SelectionReason.CHECKS
    assert not model.script.count("judge")  # the checks decided


async def test_an_output_only_the_candidate_can_read_passes_no_check(
    model, make_engine, write_problem
):
    # A list subclass equal to everything prints like the right answer (passes the examples):
    # a check could only be fooled in the candidate's process, so it simply fails it here.
    fake = (
        "class _Any(list):\n    def __eq__(self, other):\n        return True\n\n\n"
        + UNSORTED.replace("    return out", "    return _Any(out)")
    )
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(fake))
    model.script.checks = fenced(SORTED_CHECK)
    engine = product(make_engine, adaptive_sampling=False, rounds=0)
    result, _ = await solve(engine, write_problem(INTERVALS))
    assert "sorted(intervals)" in result.body


async def test_a_candidate_hard_coding_the_examples_loses(model, make_engine, write_problem):
    model.script.samples = by_seed({3: fenced(RIGHT)}, fenced(HARD_CODED))
    result, events = await solve(
        product(make_engine, prose_checks=False, adaptive_sampling=False, rounds=0),
        write_problem(INTERVALS),
    )
    assert "sorted(intervals)" in result.body
    assert result.reason is SelectionReason.CHECKS  # ranked first without a judge
    assert [e for e in events if isinstance(e, GroupsFormed)][0].sizes[0] == 1


async def test_agreement_gives_high_confidence(model, make_engine, write_problem):
    model.script.samples = fenced(RIGHT)
    model.script.checks = fenced(SORTED_CHECK)
    result, events = await solve(product(make_engine), write_problem(INTERVALS))
    assert result.confidence is Confidence.HIGH and result.suggestion is None
    assert not [e for e in events if isinstance(e, MoreSamples)]  # settled: no wave
    assert "judge" not in kinds(model) and "inputs" not in kinds(model)  # one program
    assert summary(result).startswith("merge_intervals: passes 3/3 examples; high confidence")


# -- repair feedback ------------------------------------------------------------------------------


class LocatingSandbox:
    """The real pool, with each raised step located the way the sandbox reports it: the line of
    the module where `needle` stands, and one local (as `sandbox.ErrorDetail`)."""

    def __init__(self, pool, needle: str) -> None:
        self.pool, self.needle = pool, needle

    async def run_many(self, module, probes, limits):
        results = await self.pool.run_many(module, probes, limits)
        lines = module.splitlines()
        where = next((i + 1 for i, line in enumerate(lines) if self.needle in line), None)
        if where is None:
            return results
        frame = FrameInfo(where, "merge_intervals", lines[where - 1].strip())
        detail = ErrorDetail((frame,), (("current", "(1, 3)"), ("merged", "[]")))
        return [
            replace(
                r,
                steps=tuple(
                    replace(s, error=detail) if s.kind is OutcomeKind.RAISED else s
                    for s in r.steps
                ),
            )
            for r in results
        ]


TUPLE_ASSIGN = """def merge_intervals(intervals):
    if not intervals:
        return []
    intervals.sort()
    merged = []
    current = intervals[0]
    for interval in intervals[1:]:
        if current[1] >= interval[0]:
            current[1] = max(current[1], interval[1])
        else:
            merged.append(current)
            current = interval
    merged.append(current)
    return merged
"""


async def test_repair_feedback_names_the_failing_line_and_its_locals(
    model, make_engine, write_problem, pool
):
    model.script.samples = fenced(TUPLE_ASSIGN)
    model.script.debug = fenced(RIGHT)
    sandbox = LocatingSandbox(pool, "current[1] = max(")
    engine = make_engine(sandbox=sandbox, samples=1, rounds=1)
    result, _ = await solve(engine, write_problem(INTERVALS))
    assert result.status is SolveStatus.SOLVED
    debug = prompt_text(next(b for b in model.requests if kind_of(b) == "debug"))
    assert "TypeError: 'tuple' object does not support item assignment" in debug
    # Numbered within the body (what the model writes), whatever else the prompt shows.
    body = next(c.body for c in result.candidates if "current[1] = max(" in c.body)
    line = next(i for i, text in enumerate(body.splitlines(), 1) if "current[1] = max(" in text)
    assert line == 8
    assert (
        f"it failed at line {line} of the body of `merge_intervals`: "
        "`current[1] = max(current[1], interval[1])`" in debug
    )
    assert "values there: current = (1, 3), merged = []" in debug


# -- each switch off restores the stage as it was -----------------------------------------------


async def test_greedy_sample_zero(model, make_engine, write_problem):
    model.script.samples = fenced(RIGHT)
    await solve(product(make_engine), write_problem(INTERVALS))
    temps = {b["seed"]: b["temperature"] for b in model.requests if kind_of(b) == "sample"}
    assert temps == {0: 0.0, 1: 0.7, 2: 0.7, 3: 0.7}
    model.requests.clear()
    await solve(product(make_engine, greedy_sample=False), write_problem(INTERVALS, name="b.py"))
    temps = {b["seed"]: b["temperature"] for b in model.requests if kind_of(b) == "sample"}
    assert set(temps.values()) == {0.7}


async def test_prose_checks_off_sends_no_checks_request(model, make_engine, write_problem):
    model.script.samples = fenced(RIGHT)
    await solve(product(make_engine, prose_checks=False), write_problem(INTERVALS))
    assert "checks" not in kinds(model)


async def test_typed_inputs_split_programs_the_model_inputs_do_not(
    model, make_engine, write_problem
):
    # Both pass the examples; the model's inputs are sorted already, only a reversed example
    # (a typed input) tells them apart, and the value judge then picks the sorted result.
    model.script.samples = by_seed({0: fenced(UNSORTED), 1: fenced(UNSORTED)}, fenced(RIGHT))
    model.script.inputs = fenced("merge_intervals([(1, 2), (3, 4)])")

    def value(text: str) -> str:  # a judge that copies the sorted option
        options = text.split("It is one of these two:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        ordered = [o for o in options if o.startswith("[") and o == str(sorted(eval(o)))]
        return f"The docstring says sorted by start.\n{ordered[0] if ordered else options[0]}"

    model.script.value = value

    def groups(events):
        return [e.sizes for e in events if isinstance(e, GroupsFormed)]

    off = dict(prose_checks=False, adaptive_sampling=False, rounds=0)
    result, events = await solve(
        product(make_engine, typed_inputs=False, **off), write_problem(INTERVALS)
    )
    assert groups(events) == [(2,)]  # two programs, one behaviour on the model's inputs
    assert "judge" not in kinds(model) and "value" not in kinds(model)
    model.requests.clear()
    result, events = await solve(product(make_engine, **off), write_problem(INTERVALS, name="b.py"))
    assert groups(events) == [(1, 1)]
    assert kinds(model).count("value") == 4  # two differing inputs, each in both orders
    assert "distinguish" not in kinds(model) and "judge" not in kinds(model)
    assert "sorted(intervals)" in result.body and result.reason is SelectionReason.TOURNAMENT
    assert [e for e in events if isinstance(e, MatchJudged)] == [MatchJudged(1, 0, True)]


async def test_judge_selection_off_keeps_the_majority_without_model_calls(
    model, make_engine, write_problem
):
    model.script.samples = by_seed({0: fenced(RIGHT)}, fenced(UNSORTED))
    off = dict(prose_checks=False, adaptive_sampling=False, rounds=0, judge_selection=False)
    result, _ = await solve(product(make_engine, **off), write_problem(INTERVALS))
    assert set(kinds(model)) == {"sample"}
    assert result.reason is SelectionReason.MAJORITY and "sorted(" not in result.body
    assert result.confidence is Confidence.MEDIUM  # a clear majority, nothing more


async def test_near_misses_side_with_the_right_lone_passer(model, make_engine, write_problem):
    # Two lone passers (the earliest would win a tie); the two near misses (NO_TOUCH, failing
    # the touching example) sort, so where the passers differ they behave like RIGHT.
    model.script.samples = by_seed({0: fenced(UNSORTED), 3: fenced(RIGHT)}, fenced(NO_TOUCH))
    off = dict(prose_checks=False, adaptive_sampling=False, rounds=0)
    result, _ = await solve(product(make_engine, **off), write_problem(INTERVALS))
    assert "sorted(intervals)" in result.body  # the judge was undecided: the champion stayed
    assert kinds(model).count("value") == 4
    model.requests.clear()
    result, _ = await solve(
        product(make_engine, typed_inputs=False, **off), write_problem(INTERVALS, name="b.py")
    )
    assert "sorted(" not in result.body  # without typed inputs: no groups, the earliest wins
