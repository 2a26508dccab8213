"""The stub's parameters as data: names, annotation source, defaults (read with `ast`, never run).

Checks are written over these names, typed inputs are drawn from their annotations, and example
calls are matched to them. A method's `self`/`cls` is not a parameter here: the engine calls
methods as `Class(...).method(...)`.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass

from .problem import Problem

__all__ = ["ParamKind", "Param", "bound_arguments", "parameters", "signature_of"]


class ParamKind(enum.Enum):
    POSITIONAL = "positional"  # positional-only or positional-or-keyword
    KEYWORD = "keyword"  # keyword-only
    VAR_POSITIONAL = "*args"
    VAR_KEYWORD = "**kwargs"


@dataclass(frozen=True)
class Param:
    name: str
    kind: ParamKind
    annotation: str | None  # the annotation's source, as written
    default: str | None  # the default's source, None when required


def signature_of(problem: Problem) -> tuple[Param, ...]:
    """The stub's parameters in order (empty when its definition cannot be read)."""
    try:
        tree = ast.parse(problem.stub_text)
    except SyntaxError:
        return ()
    node = next(
        (n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None
    )
    if node is None:
        return ()
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    out: list[Param] = []
    for arg, default in zip(positional, defaults, strict=True):
        out.append(_param(arg, ParamKind.POSITIONAL, default))
    if args.vararg is not None:
        out.append(_param(args.vararg, ParamKind.VAR_POSITIONAL, None))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(_param(arg, ParamKind.KEYWORD, default))
    if args.kwarg is not None:
        out.append(_param(args.kwarg, ParamKind.VAR_KEYWORD, None))
    if problem.stub.class_path and out and out[0].kind is ParamKind.POSITIONAL:
        if not _is_static(node):
            out = out[1:]  # self / cls
    return tuple(out)


def parameters(problem: Problem) -> list[str]:
    """The names a check receives before `result`."""
    return [param.name for param in signature_of(problem)]


def _param(arg: ast.arg, kind: ParamKind, default: ast.expr | None) -> Param:
    annotation = ast.unparse(arg.annotation) if arg.annotation is not None else None
    return Param(arg.arg, kind, annotation, ast.unparse(default) if default is not None else None)


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def bound_arguments(call: ast.Call, params: tuple[Param, ...]) -> list[str] | None:
    """The call's argument sources in parameter order (defaults filled in), or None when the call
    cannot be matched to the parameters (starred arguments, *args, unknown keywords)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    if any(p.kind in (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD) for p in params):
        return None
    positional = [p for p in params if p.kind is ParamKind.POSITIONAL]
    if len(call.args) > len(positional):
        return None
    keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
    out = [ast.unparse(a) for a in call.args]
    for param in params[len(out) :]:
        if param.name in keywords:
            out.append(keywords.pop(param.name))
        elif param.default is not None and _is_literal(param.default):
            out.append(param.default)
        else:
            return None  # a required argument is missing, or a default only the module knows
    return None if keywords else out


def _is_literal(source: str) -> bool:
    try:
        ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True
