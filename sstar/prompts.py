"""Every prompt the engine sends, and the parsers for the answers that are not code.

Small models (Qwen2.5-Coder-0.5B) must be able to follow them: short, concrete, the stub shown
exactly as written, one fenced block asked for. Prompts show only what the user wrote (the stub,
its module outline, its examples and workspace tests) and real executions; never predicted outputs,
never anything the sandbox keeps to itself.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from .llm import Message
from .problem import Problem
from .source import split_lines

__all__ = [
    "PROMPT_VERSION",
    "Failure",
    "debug_messages",
    "distinguish_messages",
    "inputs_messages",
    "judge_messages",
    "parse_probe_calls",
    "parse_verdict",
    "sample_messages",
]

PROMPT_VERSION = "3"  # part of every cache key: change it when a prompt changes
_SYSTEM = "You are an expert Python programmer. Answer with Python code in one ```python block."
_MAX_SHOWN = 300  # characters of a value or error shown in feedback
_MAX_PROBE = 400  # characters of one probe expression


@dataclass(frozen=True)
class Failure:
    """One public test a candidate failed, as the model will read it."""

    source: str  # the example or test source
    expected: str | None  # what the example wants (None for assert-style workspace tests)
    actual: str  # what happened: the value shown, the error line, or "timed out"
    detail: str | None = None  # where it went wrong (failing line, short traceback, locals)


def _fence(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def _clip(text: str, limit: int = _MAX_SHOWN) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _what(problem: Problem) -> str:
    if problem.stub.class_path:
        owner = ".".join(problem.stub.class_path)
        return f"the method `{problem.name}` of class `{owner}` (write only the method, as a def)"
    return f"the function `{problem.name}`"


def _module_part(problem: Problem) -> list[str]:
    if not problem.context.strip():
        return []
    return ["The module already contains (do not repeat it):\n" + _fence(problem.context)]


_REPLY = "Reply with the complete function in one ```python block. Put any imports it needs inside that block."


def _started(messages: list[Message], prefill: str | None) -> list[Message]:
    """The conversation, ending with the answer already begun when `prefill` is given (see
    `sstar.prefill`): the model then writes only what follows it."""
    return [*messages, {"role": "assistant", "content": prefill}] if prefill else messages


def sample_messages(problem: Problem, *, prefill: str | None = None) -> list[Message]:
    """Ask for the complete function (its body only, after `prefill`, when one is given)."""
    parts = _module_part(problem)
    if problem.tests:
        shown = "\n\n".join(test.source for test in problem.tests[:3])
        parts.append("Tests in the project that use it:\n" + _fence(_clip(shown, 1500)))
    parts.append(
        f"Write {_what(problem)}. Keep the signature exactly:\n" + _fence(problem.stub_text)
    )
    parts.append(_REPLY)
    return _started(
        [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}],
        prefill,
    )


def debug_messages(
    problem: Problem, code: str, failures: Sequence[Failure], *, prefill: str | None = None
) -> list[Message]:
    """Show the candidate with the tests it failed; ask for a corrected function.

    Shorter than the sampling conversation it follows: the candidate already shows the signature
    and docstring as written (`code` is the whole function as it would read in the file), so the
    stub is not shown a second time, and the project's tests are left out (the ones that fail are
    in the feedback, with their details). The module outline stays: the fix may need its names."""
    lines = []
    for failure in failures[:5]:
        test = _clip(failure.source)
        if failure.expected is not None:
            lines.append(
                f"- `{test}`\n  expected: {_clip(failure.expected)}\n  got: {_clip(failure.actual)}"
            )
        else:
            lines.append(f"- test:\n{_fence(test)}\n  got: {_clip(failure.actual)}")
        if failure.detail:
            lines.append(textwrap.indent(_clip(failure.detail, 600), "  "))
    feedback = (
        "Your function fails these tests:\n"
        + "\n".join(lines)
        + f"\n\nFind the bug, then reply with the corrected complete `{problem.name}` in one ```python block."
    )
    ask = "\n\n".join([*_module_part(problem), f"Write {_what(problem)}. {_REPLY}"])
    return _started(
        [
            {"role": "system", "content": _SYSTEM},
            {"role": "user", "content": ask},
            {"role": "assistant", "content": _fence(code)},
            {"role": "user", "content": feedback},
        ],
        prefill,
    )


def _call_form(problem: Problem) -> str:
    if problem.stub.class_path:
        return f"{problem.stub.class_path[-1]}(...).{problem.name}(...)"
    return f"{problem.name}(...)"


def _example_call(problem: Problem) -> str:
    """One call in the form we can run, taken from the examples when they have one."""
    found = parse_probe_calls("\n".join(e.source for e in problem.examples), problem, 1)
    return found[0] if found else _call_form(problem)


def _function_part(problem: Problem) -> str:
    if problem.stub.class_path and problem.context.strip():
        return f"Class:\n{_fence(problem.context)}\n\nMethod:\n{_fence(problem.stub_text)}"
    return f"Function:\n{_fence(problem.stub_text)}"


def inputs_messages(problem: Problem, count: int) -> list[Message]:
    """Ask for calls that probe edge cases (inputs only: outputs are never trusted)."""
    content = (
        f"{_function_part(problem)}\n\n"
        f"Write {count} different calls `{_call_form(problem)}` that test edge cases and likely "
        "bugs (empty or tiny inputs, zeros, negatives, duplicates, large values, ties). "
        f"One call per line, only the call, no results, in one ```python block. Example line:\n"
        f"{_fence(_example_call(problem))}"
    )
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": content}]


def distinguish_messages(problem: Problem, code_a: str, code_b: str, count: int) -> list[Message]:
    """Ask for calls on which the two programs would return different results."""
    content = (
        f"{_function_part(problem)}\n\n"
        f"Version 1:\n{_fence(code_a)}\n\nVersion 2:\n{_fence(code_b)}\n\n"
        f"Write {count} calls `{_call_form(problem)}` where the two versions return different "
        "results. One call per line, only the call, no results, in one ```python block. "
        f"Example line:\n{_fence(_example_call(problem))}"
    )
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": content}]


def judge_messages(
    problem: Problem, code_a: str, code_b: str, runs: Sequence[tuple[str, str, str]]
) -> list[Message]:
    """Both programs with what they really returned on each call: `runs` = (call, a, b)."""
    shown = "\n".join(
        f"{_clip(call, 200)}\n  A returned: {_clip(a, 200)}\n  B returned: {_clip(b, 200)}"
        for call, a, b in runs[:8]
    )
    content = (
        f"Task:\n{_fence(problem.stub_text)}\n\n"
        f"Program A:\n{_fence(code_a)}\n\nProgram B:\n{_fence(code_b)}\n\n"
        f"We ran both programs:\n{shown}\n\n"
        "Which program does what the task asks? Think step by step in a few sentences, "
        "then end with one line: `Answer: A` or `Answer: B`."
    )
    return [
        {
            "role": "system",
            "content": "You are an expert Python programmer and a careful reviewer.",
        },
        {"role": "user", "content": content},
    ]


_VERDICT = re.compile(
    r"answer\s*(?:is)?\s*[:\-]?\s*[*`\"'(\[]*\s*(?:program\s+)?([AB])\b", re.IGNORECASE
)
_PROGRAM = re.compile(r"\bprogram\s+([AB])\b", re.IGNORECASE)


def parse_verdict(answer: str) -> str | None:
    """ "A", "B", or None when the answer names neither clearly."""
    found = _VERDICT.findall(answer)
    if found:
        return found[-1].upper()
    stripped = answer.strip().strip("`*.").upper()
    if stripped in ("A", "B"):
        return stripped
    named = {m.upper() for m in _PROGRAM.findall(answer[-200:])}
    return named.pop() if len(named) == 1 else None


# -- probe expressions -------------------------------------------------------------------------

_SAFE_BUILTINS = {
    "range",
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "complex",
    "sorted",
    "reversed",
    "len",
    "abs",
    "min",
    "max",
    "sum",
}
_SAFE_NODES = (
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.UnaryOp,
    ast.BinOp,
    ast.USub,
    ast.UAdd,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Load,
    ast.keyword,
    ast.Starred,
    ast.ListComp,
    ast.comprehension,
    ast.Store,
    ast.Compare,
    ast.Lt,
    ast.Gt,
    ast.Eq,
    ast.NotEq,
    ast.LtE,
    ast.GtE,
    ast.Subscript,
    ast.Slice,
)


def parse_probe_calls(answer: str, problem: Problem, limit: int) -> list[str]:
    """Call expressions of the stub found in `answer`, normalised and de-duplicated.

    Only calls of the function itself (or `Class(...).method(...)` for a method) whose arguments
    are literals, arithmetic on literals, comprehensions over them and a few pure builtins are kept:
    a probe must not reach files, imports or other state the model might invent.
    """
    text = answer
    blocks = re.findall(r"```[\w+-]*[^\n]*\n(.*?)```", answer, re.DOTALL)
    if blocks:
        text = "\n".join(blocks)
    found: list[str] = []
    bound: dict[str, ast.Call] = {}  # `inv = Inventory()` lines, for a later `inv.add(...)`
    for line in _logical_lines(text):
        _bind(line, problem, bound)
        call = _safe_call(line, problem, bound)
        if call is not None and call not in found:
            found.append(call)
        if len(found) >= limit:
            break
    return found


def _logical_lines(text: str) -> list[str]:
    """Statements of the text, parsing line by line when the whole does not parse."""
    try:
        tree = ast.parse(text)
        return [ast.unparse(stmt) for stmt in tree.body]
    except (SyntaxError, ValueError):
        out: list[str] = []
        for raw in split_lines(text):
            raw = raw.strip().removeprefix(">>>").strip()
            try:
                out.extend(ast.unparse(stmt) for stmt in ast.parse(raw).body)
            except (SyntaxError, ValueError):
                continue
        return out


def _bind(statement: str, problem: Problem, bound: dict[str, ast.Call]) -> None:
    """Remember `name = Class(literal args)` for a method stub's class."""
    if not problem.stub.class_path:
        return
    node = ast.parse(statement).body[0]
    if not (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return
    name, value = node.targets[0].id, node.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == problem.stub.class_path[-1]
    ):
        bound[name] = value
    else:
        bound.pop(name, None)


def _safe_call(
    statement: str, problem: Problem, bound: dict[str, ast.Call] | None = None
) -> str | None:
    if len(statement) > _MAX_PROBE:
        return None
    tree = ast.parse(statement)
    node = tree.body[0]
    # `assert f(x) == y` and `print(f(x))`: keep the call, drop the predicted result.
    if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
        expr = node.test.left
    elif isinstance(node, ast.Expr):
        expr = node.value
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "print"
            and expr.args
        ):
            expr = expr.args[0]
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.ops[0], ast.Eq):
            expr = expr.left
    else:
        return None
    expr = _awaited(expr)
    if (
        bound
        and isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and isinstance(expr.func.value, ast.Name)
        and expr.func.value.id in bound
    ):  # `inv.add(...)` after `inv = Inventory()`: one fresh object per call
        expr.func.value = bound[expr.func.value.id]
    if not isinstance(expr, ast.Call) or not _targets_stub(expr.func, problem):
        return None
    arguments = [*expr.args, *expr.keywords]
    if isinstance(
        expr.func, ast.Attribute
    ):  # Class(...).method(...): the constructor's arguments too
        owner = expr.func.value
        if isinstance(owner, ast.Call):
            arguments += [*owner.args, *owner.keywords]
    if not all(_safe_argument(arg) for arg in arguments):
        return None
    return ast.unparse(expr)


def _awaited(expr: ast.expr) -> ast.expr:
    """`await f(x)` and `asyncio.run(f(x))` are the call `f(x)`: the engine runs an async stub's
    calls itself (see `sstar.select`)."""
    if isinstance(expr, ast.Await):
        return expr.value
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "run"
        and isinstance(expr.func.value, ast.Name)
        and expr.func.value.id == "asyncio"
        and len(expr.args) == 1
        and not expr.keywords
    ):
        return expr.args[0]
    return expr


def _targets_stub(func: ast.expr, problem: Problem) -> bool:
    if not problem.stub.class_path:
        return isinstance(func, ast.Name) and func.id == problem.name
    return (
        isinstance(func, ast.Attribute)
        and func.attr == problem.name
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == problem.stub.class_path[-1]
    )


def _safe_argument(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            if not (isinstance(child.func, ast.Name) and child.func.id in _SAFE_BUILTINS):
                return False
        elif isinstance(child, ast.Name):
            continue  # comprehension variables and the builtins above; checked by the call rule
        elif not isinstance(child, _SAFE_NODES):
            return False
    return True
