"""Pure parts of "beyond the examples": sentences, check parsing and filtering, literals, typed
inputs, hard-coded examples, the stopping rule, repair detail."""

from __future__ import annotations

import ast
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox import ErrorDetail, FrameInfo, OutcomeKind, StepOutcome
from sstar.assess import Assessment, CheckStat, GroupEvidence
from sstar.candidates import make_candidate, where_it_failed
from sstar.check_prompts import checks_messages, rule_sentences
from sstar.checks import CheckKind, Rejection, checks_module, parse_checks
from sstar.config import Config
from sstar.events import WaveReason
from sstar.generate import Generation
from sstar.literals import to_source
from sstar.llm import Budget
from sstar.problem import extract_problem
from sstar.prompts import parse_probe_calls
from sstar.special_case import hard_codes_examples
from sstar.stopping import Stop, next_wave
from sstar.typed_inputs import example_arguments, random_calls, shaped_calls

from .test_engine_checks import INTERVALS, RIGHT

SIZES = '''def format_size(n: int, binary: bool = True) -> str:
    """Format a byte count with a unit: B, KiB, MiB, GiB or TiB.

    Use the largest unit in which the value is at least 1; values beyond TiB stay in TiB.
    Raise ValueError if `n` is negative.

    Args:
        n: the count.

    >>> format_size(512)
    '512 B'
    >>> format_size(1536)
    '1.5 KiB'
    """
    ...
'''


def problem(source: str = INTERVALS):
    return extract_problem(source)


# -- sentences and the prompt ------------------------------------------------------------------


def test_rule_sentences_leave_out_examples_and_sections():
    sentences = rule_sentences(problem(SIZES).docstring)
    assert sentences == [
        "Format a byte count with a unit: B, KiB, MiB, GiB or TiB.",
        "Use the largest unit in which the value is at least 1",
        "values beyond TiB stay in TiB.",
        "Raise ValueError if `n` is negative.",
        "n: the count.",
    ]


def test_checks_prompt_gives_one_skeleton_per_sentence():
    messages = checks_messages(problem(SIZES))
    text = messages[-1]["content"]
    assert "def check_1(n, binary, result):" in text
    assert 'def check_4():\n    """Raise ValueError if `n` is negative."""\n    with raises(ValueError):' in text
    assert "'512 B'" not in text.split("Fill in each check", 1)[1]  # no expected output asked for
    assert checks_messages(problem('def f(x):\n    """>>> f(1)\n    2\n    """\n')) is None


# -- parsing and filtering -----------------------------------------------------------------------


ANSWER = '''Here are the checks:
```python
import os

def check_1(intervals, result):
    """Merge overlapping or touching closed intervals"""
    n = len(result)
    assert n <= len(intervals)
    assert n == len(intervals)

def check_2(intervals, result):
    """return them sorted by start."""
    assert result == sorted(result)

def check_3(intervals, result):
    """uses a file"""
    assert open("/etc/passwd").read() == ""

def check_4(intervals, result):
    """calls the candidate"""
    assert merge_intervals(intervals) == result

def check_5(intervals, result):
    """left as it was"""
    assert ...

def check_6():
    """Raise ValueError on a bad interval"""
    with raises(ValueError):
        merge_intervals([(3, 1)])
    with pytest.raises(TypeError):
        merge_intervals(...)

def check_7(result):
    """wrong arity"""
    assert result

def check_8(intervals, result):
    """dunder escape"""
    assert result.__class__.__subclasses__() is not None

def check_9():
    assert merge_intervals([(5, 6), (1, 2)]) == [(1, 2), (5, 6)]
'''  # the answer is cut off (no closing fence), as a capped answer is


def test_parse_checks_keeps_safe_checks_and_splits_asserts():
    parsed = parse_checks(ANSWER, problem())
    names = {c.name: c for c in parsed.checks}
    assert set(names) == {"check_1_1", "check_1_2", "check_2", "check_6"}
    assert "n = len(result)" in names["check_1_2"].source  # the statements before it stay
    assert "n <= len(intervals)" not in names["check_1_2"].source
    assert names["check_2"].sentence == "return them sorted by start."
    assert names["check_2"].shown == "assert result == sorted(result)"
    raises = names["check_6"]
    assert raises.kind is CheckKind.RAISES and raises.call == "merge_intervals([(3, 1)])"
    assert raises.exception == "ValueError"
    assert dict(parsed.dropped) == {
        "check_3": Rejection.UNSAFE,
        "check_4": Rejection.CALLS_FUNCTION,
        "check_5": Rejection.VACUOUS,
        "check_7": Rejection.SIGNATURE,
        "check_8": Rejection.UNSAFE,
    }
    # Every stub call becomes an input; the predicted result of check_9 is not kept anywhere.
    assert "merge_intervals([(5, 6), (1, 2)])" in parsed.calls
    assert all("..." not in call for call in parsed.calls)
    module = checks_module(parsed.checks)
    assert "import os" not in module and "(1, 2), (5, 6)" not in module
    compile(module, "<checks>", "exec")


def test_allowed_imports_are_kept_and_a_broken_answer_gives_nothing():
    answer = '```python\ndef check_1(intervals, result):\n    import math\n    assert math.isfinite(len(result))\n```'
    parsed = parse_checks(answer, problem())
    assert [c.name for c in parsed.checks] == ["check_1"]
    assert parse_checks("no code at all (", problem()).checks == ()


# -- literals ------------------------------------------------------------------------------------

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
    | st.complex_numbers(),
    lambda inner: st.lists(inner, max_size=4)
    | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(st.integers() | st.text(max_size=3), inner, max_size=3)
    | st.frozensets(st.integers() | st.text(max_size=3), max_size=3)
    | st.sets(st.integers(), max_size=3),
    max_leaves=12,
)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, complex):
        return _same(a.real, b.real) and _same(a.imag, b.imag)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=300, deadline=None)
@given(plain)
def test_literals_rebuild_plain_values_exactly(value):
    source = to_source(value)
    assert source is not None
    rebuilt = eval(source, {"__builtins__": {"float": float, "complex": complex, "set": set, "frozenset": frozenset}})  # noqa: S307
    assert _same(rebuilt, value)


def test_literals_refuse_objects_and_long_values():
    assert to_source(object()) is None
    assert to_source(list(range(10_000)), limit=100) is None
    assert to_source((1,)) == "(1,)" and to_source(set()) == "set()"


# -- typed inputs --------------------------------------------------------------------------------


def test_shaped_calls_perturb_the_examples_and_are_probe_calls():
    p = problem()
    calls = shaped_calls(p)
    assert calls[0] == "merge_intervals([(15, 18), (8, 10), (2, 6), (1, 3)])"  # reversed first
    assert "merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)])" not in calls  # an example
    for call in calls:
        assert parse_probe_calls(call, p, 1) == [call]


def test_typed_inputs_from_annotations_and_edges():
    p = problem(SIZES)
    assert example_arguments(p) == [(512,), (1536,)]
    calls = shaped_calls(p)
    assert "format_size(-512)" in calls and "format_size(0)" in calls
    drawn = random_calls(p, 8)
    assert drawn == random_calls(p, 8)  # the same draws every run
    assert len(drawn) == 8 and all(c.startswith("format_size(") for c in drawn)
    no_examples = problem('def f(xs: list[int] | None, name: str) -> int:\n    """Sum."""\n    ...\n')
    drawn = random_calls(no_examples, 6)
    assert drawn and all(parse_probe_calls(c, no_examples, 1) == [c] for c in drawn)
    assert shaped_calls(no_examples) == []  # nothing to perturb


def test_ranges_stay_ranges():
    drawn = random_calls(problem(), 10)
    for call in drawn:
        (arg,) = ast.literal_eval(call.split("(", 1)[1].rsplit(")", 1)[0] + ",")
        assert all(start <= end for start, end in arg)


# -- hard-coded examples -------------------------------------------------------------------------


def test_hard_coded_examples_are_seen_and_base_cases_are_not():
    p = problem()
    cheat = "def merge_intervals(intervals):\n    if intervals == [(1, 4), (4, 5)]:\n        return [(1, 5)]\n    return intervals\n"
    assert hard_codes_examples(cheat, p)
    base = "def merge_intervals(intervals):\n    if intervals == []:\n        return []\n    return sorted(intervals)\n"
    assert not hard_codes_examples(base, p)
    assert not hard_codes_examples(RIGHT, p)


# -- the stopping rule ---------------------------------------------------------------------------


def _assessment(groups, stats=(), violations=None) -> Assessment:
    return Assessment(tuple(groups), tuple(stats), ("f(1)",), violations or {})


def test_stopping_rule():
    config = Config(samples=4, adaptive_samples=4)
    generation = Generation(drawn=4)
    budget = Budget(max_calls=100)
    lone = GroupEvidence(("a",), 1, 0.0, (), False)
    pair = GroupEvidence(("a", "b"), 2, 0.0, (), False)
    assert next_wave(config, generation, _assessment([pair]), budget).stop is Stop.SETTLED
    decision = next_wave(config, generation, _assessment([lone]), budget)
    assert decision.stop is None and decision.samples == 2
    assert decision.reason is WaveReason.ONE_PASSES
    assert next_wave(config, generation, _assessment([]), budget).reason is WaveReason.NONE_PASS
    check = parse_checks('def check_1(x, result):\n    assert result\n', problem("def f(x):\n    ...\n")).checks[0]
    trusted = CheckStat(check, None, passed=3, failed=1)
    broken = _assessment([pair], [trusted], {"a": ("check_1",)})
    assert next_wave(config, generation, broken, budget).reason is WaveReason.VIOLATES
    assert next_wave(config, Generation(drawn=8), _assessment([lone]), budget).stop is (
        Stop.ALLOWANCE_SPENT
    )
    off = Config(samples=4, adaptive_sampling=False)
    assert next_wave(off, generation, _assessment([lone]), budget).stop is Stop.ADAPTIVE_OFF
    spent = Budget(max_calls=0)
    assert next_wave(config, generation, _assessment([lone]), spent).stop is Stop.BUDGET_SPENT


# -- repair detail -------------------------------------------------------------------------------


def test_where_it_failed_maps_module_lines_to_the_function():
    source = "import math\n\n\n" + INTERVALS
    p = extract_problem(source)
    candidate = make_candidate(p, "def merge_intervals(intervals):\n    x = 1\n    return helper(x)\n", 0, 0)
    module_lines = candidate.module.splitlines()
    line = next(i for i, text in enumerate(module_lines, 1) if "return helper(x)" in text)
    detail = ErrorDetail(
        (FrameInfo(line, "merge_intervals", "return helper(x)"), FrameInfo(1, "helper", "raise KeyError")),
        (("x", "1"),),
    )
    outcome = StepOutcome(OutcomeKind.RAISED, exception_type="KeyError", error=detail)
    text = where_it_failed(p, candidate, outcome)
    assert text.splitlines() == [
        "it failed at `helper`: `raise KeyError`",
        "called from line 2 of the body of `merge_intervals`: `return helper(x)`",
        "values there: x = 1",
    ]
    assert where_it_failed(p, candidate, StepOutcome(OutcomeKind.RAISED)) is None


def test_checks_must_read_the_result_and_calls_must_be_literal():
    parsed = parse_checks(
        "merge_intervals(intervals)\nmerge_intervals([x for x in range(3)])\n"
        "def check_1(intervals, result):\n    assert len(intervals) == 4\n",
        problem(),
    )
    assert dict(parsed.dropped) == {"check_1": Rejection.VACUOUS}  # judges the input only
    assert parsed.calls == ("merge_intervals([x for x in range(3)])",)


def test_value_choice_reads_which_value_was_copied_last():
    from sstar.judge_prompts import option, parse_value_choice

    keys = ("[(1, 18)]", "[(1, 6), (8, 10), (15, 18)]")
    assert parse_value_choice("It must be sorted.\n[(1,6), (8,10), (15,18)]", keys) == 1
    assert parse_value_choice("Not [(1, 6), (8, 10), (15, 18)] but\n[(1, 18)]", keys) == 0
    assert parse_value_choice("I am not sure.", keys) is None
    assert parse_value_choice("3", ("3", "[3]")) == 0 and parse_value_choice("[3]", ("3", "[3]")) == 1
    raised = StepOutcome(OutcomeKind.RAISED, exception_type="ValueError", traceback_line="ValueError: bad")
    assert option(raised) == ("raises ValueError: bad", "ValueError")
    assert parse_value_choice("so it raises a ValueError", ("'-1 B'", option(raised)[1])) == 1
