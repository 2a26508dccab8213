"""Prompts show the stub exactly; probe parsing keeps only safe calls; verdicts parse."""

from sstar.problem import extract_problem
from sstar.prompts import (
    Failure,
    debug_messages,
    distinguish_messages,
    inputs_messages,
    judge_messages,
    parse_probe_calls,
    parse_verdict,
    sample_messages,
)

SOURCE = '''import math

LIMIT = 10


def add(a: int, b: int) -> int:
    """Add two numbers.

    >>> add(1, 2)
    3
    """
    ...


class Stack:
    def __init__(self):
        self.items = []

    def peek(self):
        """Top item.

        >>> s = Stack(); s.items.append(3); s.peek()
        3
        """
        raise NotImplementedError
'''


def problem(qualname="add"):
    return extract_problem(SOURCE, qualname=qualname)


def test_sample_prompt_shows_stub_and_context():
    text = sample_messages(problem())[-1]["content"]
    assert problem().stub_text in text
    assert "LIMIT = 10" in text and "import math" in text
    assert "```python" in text
    method = sample_messages(problem("Stack.peek"))[-1]["content"]
    assert "method `peek` of class `Stack`" in method


def test_debug_prompt_lists_failures():
    messages = debug_messages(
        problem(),
        "def add(a, b):\n    return a - b",
        [
            Failure("add(1, 2)", "3", "-1"),
            Failure("assert add(0, 0) == 0", None, "timed out"),
        ],
    )
    assert messages[-2] == {
        "role": "assistant",
        "content": "```python\ndef add(a, b):\n    return a - b\n```",
    }
    last = messages[-1]["content"]
    assert (
        "add(1, 2)" in last and "expected: 3" in last and "got: -1" in last and "timed out" in last
    )


def test_inputs_and_judge_prompts():
    assert "add(1, 2)" in inputs_messages(problem(), 5)[-1]["content"]
    judge = judge_messages(problem(), "CODE_A", "CODE_B", [("add(1, 1)", "2", "0")])[-1]["content"]
    assert "CODE_A" in judge and "A returned: 2" in judge and "B returned: 0" in judge
    assert "Version 2" in distinguish_messages(problem(), "X", "Y", 3)[-1]["content"]


def test_probe_parsing_keeps_only_safe_calls():
    answer = """Some inputs:
```python
add(0, 0)
add(-1, 1)  # expected 0
assert add(2, 2) == 4
print(add(10**3, 1))
add(*[1, 2])
add(len([1, 2, 3]), 0)
add(open('/etc/passwd'), 1)
add(__import__('os').system('ls'), 1)
other(1, 2)
x = add(1, 1)
add(0, 0)
add([i for i in range(3)], 1)
```"""
    calls = parse_probe_calls(answer, problem(), 20)
    assert calls == [
        "add(0, 0)",
        "add(-1, 1)",
        "add(2, 2)",
        "add(*[1, 2])",
        "add(len([1, 2, 3]), 0)",
        "add([i for i in range(3)], 1)",
    ]
    assert parse_probe_calls(answer, problem(), 2) == ["add(0, 0)", "add(-1, 1)"]
    method = parse_probe_calls(
        "Stack().peek()\npeek()\nStack([1]).peek()", problem("Stack.peek"), 5
    )
    assert method == ["Stack().peek()", "Stack([1]).peek()"]
    assert parse_probe_calls(">>> add(1, 2)\n3\n>>> add(3,", problem(), 5) == ["add(1, 2)"]


def test_verdicts():
    assert parse_verdict("A is wrong because...\nAnswer: B") == "B"
    assert parse_verdict("**Answer:** A") == "A"
    assert parse_verdict("The answer is Program A.") == "A"
    assert parse_verdict("B") == "B"
    assert parse_verdict("Program B is correct") == "B"
    assert parse_verdict("Both Program A and Program B fail") is None
    assert parse_verdict("I cannot tell.") is None


def test_method_calls_bind_the_constructor_and_awaits_unwrap():
    method = problem("Stack.peek")
    answer = "s = Stack([1])\ns.peek()\nt = 5\nt.peek()\nother.peek()\nStack().peek()\n"
    assert parse_probe_calls(answer, method, 5) == ["Stack([1]).peek()", "Stack().peek()"]
    text = inputs_messages(method, 4)[-1]["content"]
    assert "`Stack(...).peek(...)`" in text and "class Stack" in text
    assert "Stack(...).peek(...)" in distinguish_messages(method, "a", "b", 2)[-1]["content"]
    # a call from the examples shows the model the form we can run
    assert "add(1, 2)" in inputs_messages(problem(), 4)[-1]["content"]
    assert parse_probe_calls("await add(1, 2)\nasyncio.run(add(3, 4))", problem(), 5) == [
        "add(1, 2)",
        "add(3, 4)",
    ]
