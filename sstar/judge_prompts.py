"""The value judge: "which of these two results does `f(x)` return?", for one input on which two
behaviour groups differ, and the parser of its answer.

Small models asked to pick "A" or "B" answer "A" whatever the order (measured with the 0.5B and
1.5B: 12 of 12 answers "A"); asked to copy the right value, the 1.5B picked it consistently in
both orders on 4 of 6 hand-made cases. So the judge is shown only the stub and the two real
outcomes, asked twice with the order swapped, and its answer is read by which of the two values
it copied last. Outcomes shown are real executions, never predictions.
"""

from __future__ import annotations

import re

from sandbox import OutcomeKind, StepOutcome

from .candidates import describe_outcome
from .llm import Message
from .problem import Problem

__all__ = ["VALUE_JUDGE_MARKER", "option", "parse_value_choice", "value_judge_messages"]

VALUE_JUDGE_MARKER = "It is one of these two"  # how tests recognise this prompt
_SPACE = re.compile(r"\s+")


def option(outcome: StepOutcome) -> tuple[str, str]:
    """(what the judge is shown, what its answer must contain to pick it) for one outcome."""
    if outcome.kind is OutcomeKind.RAISED and outcome.exception_type:
        return f"raises {describe_outcome(outcome)}", outcome.exception_type.rsplit(".", 1)[-1]
    shown = describe_outcome(outcome)
    return shown, shown


def value_judge_messages(problem: Problem, call: str, first: str, second: str) -> list[Message]:
    content = (
        f"Function:\n```python\n{problem.stub_text.rstrip()}\n```\n\n"
        f"What does `{call}` return? {VALUE_JUDGE_MARKER}:\n{first}\n{second}\n\n"
        "Think about what the docstring says, then answer with the correct one, copied "
        "exactly, on the last line."
    )
    return [
        {"role": "system", "content": "You are an expert Python programmer and a careful reviewer."},
        {"role": "user", "content": content},
    ]


def parse_value_choice(answer: str, keys: tuple[str, str]) -> int | None:
    """0 or 1: the key the answer names last (spaces ignored); None when it names neither."""
    tail = _SPACE.sub("", answer[-600:])
    wanted = [_SPACE.sub("", key) for key in keys]
    if not all(wanted) or wanted[0] == wanted[1]:
        return None
    positions = []
    for index, key in enumerate(wanted):
        other = wanted[1 - index]
        text = tail.replace(other, "\0" * len(other)) if key in other else tail
        positions.append(text.rfind(key))
    if max(positions) < 0:
        return None
    return 0 if positions[0] > positions[1] else 1
