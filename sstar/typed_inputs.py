"""Probe inputs that are not the model's: from the examples' shapes and the signature's types.

Two tiers, both as probe call expressions in the form `sstar.prompts.parse_probe_calls` returns:
- `shaped_calls`: the docstring examples' own arguments, perturbed one at a time (lists reversed,
  sorted, shortened, with a duplicate; strings re-cased, padded, emptied; numbers negated, zeroed,
  moved by one) plus edge values of each parameter's annotated type (empty, zero, negative, None
  for Optional, non-ASCII text). They look like real calls, so behaviour groups are formed on them.
- `random_calls`: values drawn with hypothesis (`derandomize=True`, no database: the same draws
  every run) from strategies for each parameter, built from its annotation (read from the AST,
  never evaluated) or else from the shape of its example values (signs, sizes, element types).
  Many are outside what the docstring promises to handle, so they feed the property checks only.
Nothing here runs the user's code.
"""

from __future__ import annotations

from typing import Any

import ast
import itertools
from collections.abc import Iterator

from .literals import to_source
from .problem import Example, Problem
from .prompts import parse_probe_calls
from .signature import Param, ParamKind, signature_of
from .strategies import draw, from_annotation, from_values, union_parts

__all__ = ["example_arguments", "example_calls", "random_calls", "shaped_calls"]

Args = tuple[object, ...]


def example_calls(problem: Problem) -> list[tuple[Example, ast.Call]]:
    """Each example that calls the stub, with the names earlier examples bound to literals
    (`>>> rows = [...]`) replaced by those literals."""
    env: dict[str, ast.expr] = {}
    out: list[tuple[Example, ast.Call]] = []
    for example in problem.examples:
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue
        node = tree.body[0] if len(tree.body) == 1 else None
        if isinstance(node, ast.Assign) and [type(t) for t in node.targets] == [ast.Name]:
            value = _Bind(env).visit(node.value)
            name = node.targets[0].id  # type: ignore[attr-defined]
            if _is_literal(value):
                env[name] = value
            else:
                env.pop(name, None)
            continue
        call = _stub_call(example.source, problem)
        if call is not None:
            call.args = [_Bind(env).visit(a) for a in call.args]
            for keyword in call.keywords:
                keyword.value = _Bind(env).visit(keyword.value)
            out.append((example, call))
    return out


class _Bind(ast.NodeTransformer):
    def __init__(self, env: dict[str, ast.expr]) -> None:
        self.env = env

    def visit_Name(self, node: ast.Name) -> ast.expr:  # noqa: N802 - the visitor's name
        return self.env.get(node.id, node) if isinstance(node.ctx, ast.Load) else node


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def example_arguments(problem: Problem) -> list[Args]:
    """The literal positional arguments of each example call of the stub (in parameter order)."""
    params = [p for p in signature_of(problem) if p.kind is ParamKind.POSITIONAL]
    out: list[Args] = []
    for _, call in example_calls(problem):
        args = _literal_args(call, params)
        if args is not None and args not in out:
            out.append(args)
    return out


def shaped_calls(problem: Problem, limit: int = 12) -> list[str]:
    """Perturbed example calls and edge values, most informative first, de-duplicated."""
    params = [p for p in signature_of(problem) if p.kind is ParamKind.POSITIONAL]
    receiver = _receiver(problem)
    if receiver is None or not params:
        return []
    bases = example_arguments(problem)
    variants: list[list[Args]] = []
    for example_args in bases:
        for index, value in enumerate(example_args):
            variants.append([_replace(example_args, index, v) for v in _perturb(value)])
    first = bases[0] if bases else None
    for index, param in enumerate(params):
        edges = list(_edges(param.annotation))
        if first is None:
            continue
        variants.append([_replace(first, index, v) for v in edges])
    seen = {_call(receiver, problem, args) for args in bases}
    calls: list[str] = []
    for args in _round_robin(variants):
        text = _call(receiver, problem, args)
        if text is not None and text not in seen:
            seen.add(text)
            calls.append(text)
        if len(calls) >= limit:
            break
    return _safe(calls, problem)


def random_calls(problem: Problem, count: int = 10) -> list[str]:
    """Values drawn by hypothesis for every positional parameter (same draws on every run)."""
    params = [p for p in signature_of(problem) if p.kind is ParamKind.POSITIONAL]
    receiver = _receiver(problem)
    if receiver is None or not params:
        return []
    from hypothesis import strategies as st  # imported on first use: it is slow to load

    samples = example_arguments(problem)
    strategies = []
    for index, param in enumerate(params):
        values = [args[index] for args in samples if index < len(args)]
        strategy = from_values(values, st) if values else None
        if strategy is None:
            strategy = from_annotation(param.annotation, st)
        if strategy is None:
            if param.default is not None:
                break  # leave this and later optional parameters to their defaults
            return []
        strategies.append(strategy)
    drawn = draw(st.tuples(*strategies), count * 3)
    calls: list[str] = []
    for args in drawn:
        text = _call(receiver, problem, tuple(args))
        if text is not None and text not in calls:
            calls.append(text)
        if len(calls) >= count:
            break
    return _safe(calls, problem)


# -- example calls -----------------------------------------------------------------------------


def _stub_call(source: str, problem: Problem) -> ast.Call | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    node = tree.body[0].value
    if isinstance(node, ast.Await):
        node = node.value
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id == problem.name and not problem.stub.class_path:
        return node
    if isinstance(func, ast.Attribute) and func.attr == problem.name and problem.stub.class_path:
        return node
    return None


def _literal_args(call: ast.Call, params: list[Param]) -> Args | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > len(params):
        return None
    try:
        values = [ast.literal_eval(a) for a in call.args]
        keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    for param in params[len(values) :]:
        if param.name in keywords:
            values.append(keywords.pop(param.name))
        elif param.default is not None:
            break
        else:
            return None
    if keywords:
        return None
    return tuple(values)


def _receiver(problem: Problem) -> str | None:
    """ "" for a function; `Class(...)` for a method (as the examples build it), or None."""
    if not problem.stub.class_path:
        return ""
    found = parse_probe_calls("\n".join(e.source for e in problem.examples), problem, 1)
    if not found:
        return None
    call = ast.parse(found[0], mode="eval").body
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
        return ast.unparse(call.func.value)
    return None


def _call(receiver: str | None, problem: Problem, args: Args) -> str | None:
    sources = [to_source(value, limit=400) for value in args]
    if receiver is None or any(s is None for s in sources):
        return None
    head = f"{receiver}.{problem.name}" if receiver else problem.name
    return f"{head}({', '.join(sources)})"  # type: ignore[arg-type]


def _safe(calls: list[str], problem: Problem) -> list[str]:
    """The calls as `parse_probe_calls` normalises them (and only those it accepts)."""
    return [c for c in calls if parse_probe_calls(c, problem, 1) == [c]] or [
        found for c in calls for found in parse_probe_calls(c, problem, 1)
    ]


def _replace(args: Args, index: int, value: object) -> Args:
    return (*args[:index], value, *args[index + 1 :])


def _round_robin(groups: list[list[Args]]) -> Iterator[Args]:
    for layer in itertools.zip_longest(*groups):
        for item in layer:
            if item is not None:
                yield item


# -- perturbations and edges ---------------------------------------------------------------------


def _perturb(value: Any) -> list[object]:
    """Variants of one example argument, as a programmer would try them."""
    kind = type(value)
    out: list[object] = []
    if kind is list and value:
        items: list = value
        out += [items[::-1], items[1:], [*items, items[0]], items[:-1]]
        try:
            out.append(sorted(items))
            out.append(sorted(items, reverse=True))
        except TypeError:
            pass
        out.append([items[-1], *items[:-1]])
    elif kind is list:
        out += [[]]
    elif kind is str:
        text: str = value
        out += [text.upper(), f"  {text} ", "", text.lower(), text[::-1], text + text]
    elif kind is bool:
        out.append(not value)
    elif kind is int:
        number: int = value
        out += [-number, 0, number + 1, number - 1, number * 1000 + 7]
    elif kind is float:
        real: float = value
        out += [-real, 0.0, real + 0.5, real * 1000]
    elif kind is dict and value:
        first = next(iter(value))
        out += [{}, {k: v for k, v in value.items() if k != first}]
    elif kind is tuple and value:
        out.append(tuple(_perturb_first(value)))
    return [v for v in out if v != value or type(v) is not type(value)]


def _perturb_first(items: tuple) -> list:
    varied = _perturb(items[0])
    return [varied[0] if varied else items[0], *items[1:]]


_EDGES: dict[str, list[object]] = {
    "int": [0, -1, 10**6],
    "float": [0.0, -1.5, 1e-9],
    "str": ["", " ", "Ünïcödé ß"],
    "bytes": [b""],
    "bool": [True, False],
    "list": [[]],
    "List": [[]],
    "Sequence": [[]],
    "Iterable": [[]],
    "dict": [{}],
    "Dict": [{}],
    "Mapping": [{}],
    "set": [set()],
    "Set": [set()],
    "tuple": [()],
}


def _edges(annotation: str | None) -> list[object]:
    if not annotation:
        return []
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return []
    out: list[object] = []
    optional = False
    for part in union_parts(node):
        if isinstance(part, ast.Constant) and part.value is None:
            optional = True
            continue
        head = part.value if isinstance(part, ast.Subscript) else part
        name = head.id if isinstance(head, ast.Name) else getattr(head, "attr", None)
        if name == "Optional":
            optional = True
            inner = part.slice if isinstance(part, ast.Subscript) else None
            out += _edges(ast.unparse(inner)) if inner is not None else []
        out += _EDGES.get(name or "", [])
    return ([None] if optional else []) + out
