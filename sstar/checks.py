"""Property checks from the docstring's prose: parse the model's answer, keep only safe checks.

A *property* check is a function over one call's arguments and the `result` that call returned
(`def check_2(intervals, result): assert result == sorted(result)`); a *raises* check is a call
that must raise a named exception (`with raises(ValueError): parse("")`). Each quotes the sentence
it came from. A check with several top-level asserts is split into one check per assert (a small
model often puts one wrong assert next to right ones), each keeping the statements before it.

Checks are untrusted text. Kept only when the AST shows: no imports beyond a small allow-list,
no names that reach I/O, code or the interpreter (`open`, `eval`, `__import__`, `getattr`...), no
underscore attributes, and no call of the function under test (a check must judge an output it is
given, not run the candidate). They then run in the sandbox in an execution of their own, on
literals of the candidates' plain outputs (`sstar.assess`), so a candidate cannot forge a verdict.
Every stub call the answer writes (outside kept checks too) is kept as a probe *input*: its
predicted result, if any, is dropped.
"""

from __future__ import annotations

import ast
import builtins
import copy
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox import OutcomeKind, StepOutcome

from .problem import Problem
from .prompts import parse_probe_calls
from .signature import parameters
from .source import split_lines

__all__ = [
    "Check",
    "CheckKind",
    "CheckSet",
    "Rejection",
    "Verdict",
    "checks_module",
    "parse_checks",
    "property_verdict",
    "raises_verdict",
]

_ALLOWED_MODULES = frozenset(
    {
        "math", "re", "string", "itertools", "functools", "collections", "operator",
        "statistics", "unicodedata", "datetime", "decimal", "fractions", "json",
    }
)  # fmt: skip
_FORBIDDEN_NAMES = frozenset(
    {
        "open", "eval", "exec", "compile", "__import__", "globals", "locals", "vars", "getattr",
        "setattr", "delattr", "input", "breakpoint", "exit", "quit", "help", "memoryview",
        "dir", "os", "sys", "subprocess", "socket", "builtins", "importlib",
    }
)  # fmt: skip
_FORBIDDEN_NODES = (
    ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.ClassDef, ast.AsyncFunctionDef,
    ast.Await, ast.Yield, ast.YieldFrom, ast.With, ast.AsyncWith, ast.Try, ast.Delete,
)  # fmt: skip
_MAX_CHECKS = 16
_MAX_SOURCE = 1500  # characters of one check


class CheckKind(enum.Enum):
    PROPERTY = "property"
    RAISES = "raises"


class Rejection(enum.Enum):
    """Why a check the model wrote is not used."""

    UNSAFE = "uses something a check may not (imports, I/O, dunders)"
    CALLS_FUNCTION = "calls the function under test"
    SIGNATURE = "does not take the call's arguments and the result"
    VACUOUS = "asserts nothing about the result"
    REJECTS_EXAMPLE = "rejects a docstring example"
    CRASHES = "crashes on a docstring example"
    REJECTS_ALL = "rejects every candidate"


class Verdict(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not applicable"  # the call raised (property) or its output is not plain


@dataclass(frozen=True)
class Check:
    name: str  # the function's name in the checks module (unique)
    kind: CheckKind
    sentence: str  # the docstring sentence it quotes ("" when it quotes none)
    source: str  # PROPERTY: the function's source; RAISES: ""
    call: str | None = None  # RAISES: the probe call that must raise
    exception: str | None = None  # RAISES: the exception type's name

    @property
    def shown(self) -> str:
        """The check as the user and the model read it."""
        if self.kind is CheckKind.RAISES:
            return f"{self.call} raises {self.exception}"
        lines = [line.strip() for line in split_lines(self.source) if line.strip()]
        asserts = [line for line in lines if line.startswith("assert")]
        return asserts[-1] if asserts else lines[-1]


@dataclass(frozen=True)
class CheckSet:
    checks: tuple[Check, ...] = ()
    calls: tuple[str, ...] = ()  # stub calls the answer wrote: inputs, never expected outputs
    dropped: tuple[tuple[str, Rejection], ...] = ()  # (check name, why), for measurements


def parse_checks(answer: str, problem: Problem) -> CheckSet:
    """The safe checks in the model's answer, and the stub calls it wrote."""
    tree = _parse(answer)
    if tree is None:
        return CheckSet()
    arity = len(parameters(problem)) + 1
    checks: list[Check] = []
    dropped: list[tuple[str, Rejection]] = []
    names: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name == problem.name:
            continue
        sentence = ast.get_docstring(node) or ""
        body = node.body[1:] if _has_docstring(node) else list(node.body)
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        if not params and not node.args.vararg:
            checks += _raises_checks(node.name, sentence, body, problem, names)
            continue
        if len(params) != arity or node.args.vararg or node.args.kwonlyargs:
            dropped.append((node.name, Rejection.SIGNATURE))
            continue
        for check in _property_checks(node, sentence, body, names):
            reason = _rejection(check, problem)
            if reason is None:
                checks.append(check)
            else:
                dropped.append((check.name, reason))
    calls = _stub_calls(tree, problem)
    return CheckSet(tuple(checks[:_MAX_CHECKS]), tuple(calls), tuple(dropped))


def _parse(answer: str) -> ast.Module | None:
    blocks = re.findall(r"```[\w+-]*[^\n]*\n(.*?)(?:```|\Z)", answer, re.DOTALL)
    text = "\n".join(blocks) if blocks else answer
    try:
        return ast.parse(text)
    except SyntaxError:
        pass
    # A truncated or partly broken answer: keep the top-level definitions that parse on their own.
    pieces = re.split(r"(?m)^(?=def |@)", text)
    body: list[ast.stmt] = []
    for piece in pieces:
        try:
            body.extend(ast.parse(piece).body)
        except SyntaxError:
            continue
    return ast.Module(body=body, type_ignores=[]) if body else None


def _has_docstring(node: ast.FunctionDef) -> bool:
    first = node.body[0] if node.body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )


def _unique(base: str, names: set[str]) -> str:
    name, number = base, 1
    while name in names:
        number += 1
        name = f"{base}_{number}"
    names.add(name)
    return name


def _property_checks(node: ast.FunctionDef, sentence: str, body: list[ast.stmt], names: set[str]):
    """One check per top-level statement that asserts, with the statements before it."""
    asserting = [i for i, stmt in enumerate(body) if _asserts(stmt)]
    if not asserting:
        yield _property(node, _unique(node.name, names), sentence, body or [ast.Pass()])
        return
    for number, index in enumerate(asserting, 1):
        prefix = [stmt for stmt in body[:index] if not _asserts(stmt)]
        name = _unique(node.name if len(asserting) == 1 else f"{node.name}_{number}", names)
        yield _property(node, name, sentence, [*prefix, body[index]])


def _asserts(stmt: ast.stmt) -> bool:
    return any(isinstance(child, ast.Assert) for child in ast.walk(stmt))


def _property(node: ast.FunctionDef, name: str, sentence: str, body: list[ast.stmt]) -> Check:
    # A copy keeps every field of this Python's FunctionDef (type_params exists from 3.12 on).
    function = copy.copy(node)
    function.name, function.body, function.decorator_list, function.returns = name, body, [], None
    function.lineno, function.col_offset = 1, 0
    source = ast.unparse(ast.fix_missing_locations(function))
    return Check(name, CheckKind.PROPERTY, sentence, source)


def _rejection(check: Check, problem: Problem) -> Rejection | None:
    if len(check.source) > _MAX_SOURCE:
        return Rejection.UNSAFE
    function = ast.parse(check.source).body[0]
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return Rejection.UNSAFE
    own = {problem.name, *problem.stub.class_path}
    asserted = False
    for child in ast.walk(function):
        if isinstance(child, _FORBIDDEN_NODES) and not _allowed_import(child):
            return Rejection.UNSAFE
        if isinstance(child, ast.Name):
            if child.id in own:
                return Rejection.CALLS_FUNCTION
            if child.id in _FORBIDDEN_NAMES or child.id.startswith("__"):
                return Rejection.UNSAFE
        if isinstance(child, ast.Attribute) and child.attr.startswith("_"):
            return Rejection.UNSAFE
        if isinstance(child, ast.Assert) and not _vacuous(child.test):
            asserted = True
    result = function.args.args[-1].arg if function.args.args else None
    looks_at_result = any(
        isinstance(child, ast.Name) and child.id == result for child in ast.walk(function)
    )
    # A check that never reads the result judges the input, not the program: all agree on it.
    return None if asserted and looks_at_result else Rejection.VACUOUS


def _allowed_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return all(alias.name in _ALLOWED_MODULES for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "") in _ALLOWED_MODULES
    return False


def _vacuous(test: ast.expr) -> bool:
    """`assert ...`, `assert True`, `assert 1`: a skeleton left unfilled."""
    return isinstance(test, ast.Constant) and (test.value is Ellipsis or bool(test.value))


def _raises_checks(
    base: str, sentence: str, body: list[ast.stmt], problem: Problem, names: set[str]
) -> list[Check]:
    """`with raises(E):` / `with pytest.raises(E):` blocks around stub calls."""
    out: list[Check] = []
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if not isinstance(node, ast.With) or len(node.items) != 1:
            continue
        exception = _raised_type(node.items[0].context_expr)
        if exception is None:
            continue
        for stmt in node.body:
            if _unfilled(stmt):
                continue
            found = parse_probe_calls(ast.unparse(stmt), problem, 1)
            if found:
                name = _unique(base, names)
                out.append(Check(name, CheckKind.RAISES, sentence, "", found[0], exception))
    return out


def _raised_type(expr: ast.expr) -> str | None:
    if not (isinstance(expr, ast.Call) and expr.args):
        return None
    func = expr.func
    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if called not in ("raises", "assertRaises"):
        return None
    kind = expr.args[0]
    if isinstance(kind, ast.Name) and re.fullmatch(r"[A-Z]\w*", kind.id):
        return kind.id
    if isinstance(kind, ast.Attribute) and re.fullmatch(r"[A-Z]\w*", kind.attr):
        return kind.attr
    return None


def _stub_calls(tree: ast.Module, problem: Problem) -> list[str]:
    """Every call of the stub with literal arguments anywhere in the answer, as probe inputs."""
    sources = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _names_stub(node.func, problem)
        and not _unfilled(node)
        and not _free_names(ast.Tuple(elts=[*node.args, *(k.value for k in node.keywords)]))
    ]
    return parse_probe_calls("\n".join(sources), problem, 32)


def _free_names(node: ast.AST) -> bool:
    """A call that names a variable of the answer (`f(intervals)`): not a probe input."""
    bound = {
        target.id
        for comp in ast.walk(node)
        if isinstance(comp, ast.comprehension)
        for target in ast.walk(comp.target)
        if isinstance(target, ast.Name)
    }
    called = {
        c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
    }
    return any(
        isinstance(n, ast.Name) and n.id not in bound and n.id not in called
        for n in ast.walk(node)
    )


def _unfilled(node: ast.AST) -> bool:
    """A skeleton's `f(...)` copied as it was."""
    return any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(node))


def _names_stub(func: ast.expr, problem: Problem) -> bool:
    if isinstance(func, ast.Name):
        return func.id == problem.name
    return isinstance(func, ast.Attribute) and func.attr == problem.name


def checks_module(checks: Sequence[Check], base: str = "") -> str:
    """The module the sandbox loads to run property checks: `base` (the user's file with the
    stub still a stub, so a check can use the module's constants and imports, and no candidate's
    code is there), the allow-listed modules the checks name, then the checks."""
    sources = [check.source for check in checks if check.kind is CheckKind.PROPERTY]
    used = {
        node.id
        for source in sources
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name)
    }
    imports = [f"import {name}" for name in sorted(_ALLOWED_MODULES & used)]
    return "\n".join([base.rstrip(), "", *imports, "", *sources]) + "\n"


def property_verdict(outcome: StepOutcome) -> Verdict:
    """A property check's step: returned = pass; anything else (a failed assert, a crash on
    this output, a timeout) = fail."""
    return Verdict.PASS if outcome.kind is OutcomeKind.RETURNED else Verdict.FAIL


def raises_verdict(check: Check, outcome: StepOutcome) -> Verdict:
    """A candidate's own outcome on a raises check's call."""
    if outcome.kind is OutcomeKind.RAISED:
        return Verdict.PASS if _is_a(outcome.exception_type, check.exception) else Verdict.FAIL
    if outcome.kind in (OutcomeKind.RETURNED, OutcomeKind.TIMEOUT):
        return Verdict.FAIL
    return Verdict.NOT_APPLICABLE


def _is_a(raised: str | None, expected: str | None) -> bool:
    if raised is None or expected is None:
        return False
    raised = raised.rsplit(".", 1)[-1]
    if raised == expected:
        return True
    got, want = getattr(builtins, raised, None), getattr(builtins, expected, None)
    return (
        isinstance(got, type)
        and isinstance(want, type)
        and issubclass(want, BaseException)
        and issubclass(got, want)
    )
