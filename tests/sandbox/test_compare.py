"""sandbox.compare: strict-by-type values with float tolerance, doctest displays, signatures."""

from __future__ import annotations

import math

import pytest

from sandbox import OutcomeKind, StepOutcome
from sandbox.compare import example_passes, outcome_signature, values_match


@pytest.mark.parametrize(("expected", "actual", "same"), [
    (1, 1, True), (True, 1, False), (1, 1.0, False), (1.0, 1.0 + 1e-12, True),
    (0.1 + 0.2, 0.3, True), (1.0, 1.001, False), (math.nan, math.nan, True),
    ([1, 2], (1, 2), False), ((1, [2.0]), (1, [2.0000000001]), True), ({1: "a"}, {1: "a"}, True),
    ({1: "a"}, {True: "a"}, False), ({1, 2}, {2, 1}, True), ({1}, {True}, False),
    (frozenset({1}), {1}, False), (1 + 2j, 1 + 2.0000000001j, True), (b"a", "a", False),
    (None, None, True), ("a", "a ", False), ([[]], [[]], True), ({"k": [1.0]}, {"k": [1.5]}, False),
])
def test_values_match_strictly_by_type(expected, actual, same):
    assert values_match(expected, actual) is same


def out(kind=OutcomeKind.RETURNED, **fields) -> StepOutcome:
    return StepOutcome(kind, **fields)


def test_example_passes_with_doctest_rules():
    three = out(value=0.30000000000000004, is_plain=True, value_repr="0.30000000000000004",
                display="0.30000000000000004\n")
    assert example_passes("0.30000000000000004\n", None, three)
    assert example_passes("0.3\n", None, three)  # literal-aware float tolerance
    assert not example_passes("0.31\n", None, three)
    printed = out(value=None, value_repr="None", display="a  b\n", stdout="a  b\n")
    assert example_passes("a b\n", None, printed)  # NORMALIZE_WHITESPACE
    raised = out(OutcomeKind.RAISED, exception_type="ValueError", exception_message="bad",
                 traceback_line="ValueError: bad")
    assert example_passes("", "ValueError: bad\n", raised)
    assert not example_passes("", "ValueError: other\n", raised)
    assert not example_passes("", "ValueError: bad\n", three)
    timeout = out(OutcomeKind.TIMEOUT)
    assert not example_passes("", None, timeout) and not example_passes("3\n", None, timeout)


def test_an_unplain_value_only_matches_by_its_display():
    liar = out(value=None, is_plain=False, value_repr="Liar()", display="Liar()\n")
    assert not example_passes("42\n", None, liar)
    assert not values_match(42, liar.value)
    assert example_passes("Liar()\n", None, liar)  # what doctest itself would accept


def test_outcome_signature_groups_indistinguishable_behaviours():
    a = out(value=[0.1 + 0.2], is_plain=True, value_repr="[0.30000000000000004]")
    b = out(value=[0.3], is_plain=True, value_repr="[0.3]")
    c = out(value=[0.4], is_plain=True, value_repr="[0.4]")
    assert outcome_signature(a) == outcome_signature(b) != outcome_signature(c)
    one, true = (out(value=v, is_plain=True, value_repr=repr(v)) for v in (1, True))
    assert outcome_signature(one) != outcome_signature(true)
    e1 = out(OutcomeKind.RAISED, exception_type="KeyError", exception_message="'k'", duration=1)
    e2 = out(OutcomeKind.RAISED, exception_type="KeyError", exception_message="'k'", duration=2)
    assert outcome_signature(e1) == outcome_signature(e2)
    assert outcome_signature(out(OutcomeKind.TIMEOUT)) != outcome_signature(
        out(OutcomeKind.CRASHED))
