"""Turn a model's answer into a code snippet defining the stub's function, or say why not.

Models answer with prose, several fenced blocks, a whole class for a method, a renamed function, or
a truncated block. We try, in order: the fenced blocks from last to first (python-labelled first),
an unclosed final fence, then the whole answer; the first piece of text that parses and defines the
function (found with `ast`, never by splitting text) wins. A bare `def` for a method and a whole
class that contains the method are both accepted. A snippet keeps the imports and helpers written
next to the function; `sstar.edits.candidate_body` later keeps only the ones the body needs.

`dedup_key` gives the normalised-AST identity used to skip executing or judging a program twice.
"""

from __future__ import annotations

import ast
import enum
import hashlib
import re
import textwrap
from dataclasses import dataclass
from typing import TypeGuard

from .source import split_lines

__all__ = ["ExtractFailure", "Extraction", "dedup_key", "extract_snippet"]

_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)```", re.DOTALL)
_OPEN_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*)\Z", re.DOTALL)
_PY_LABELS = {"python", "py", "python3", "py3", ""}


class ExtractFailure(enum.Enum):
    EMPTY = "empty answer"
    NO_CODE = "no code that parses"
    NO_FUNCTION = "no function with the stub's name"


@dataclass(frozen=True)
class Extraction:
    """A snippet that parses and defines `name` at top level, or the reason there is none."""

    snippet: str | None
    failure: ExtractFailure | None = None

    @property
    def ok(self) -> bool:
        return self.snippet is not None


def extract_snippet(answer: str, name: str) -> Extraction:
    """The best code snippet in `answer` that defines a top-level function called `name`."""
    if not answer or not answer.strip():
        return Extraction(None, ExtractFailure.EMPTY)
    parsed_any = False
    for piece in _pieces(answer):
        parsed = _parse(piece)
        if parsed is None:
            continue
        parsed_any = True
        snippet = _with_function(*parsed, name)
        if snippet is not None:
            return Extraction(snippet)
    return Extraction(None, ExtractFailure.NO_FUNCTION if parsed_any else ExtractFailure.NO_CODE)


def _pieces(answer: str) -> list[str]:
    """Candidate code texts, most likely first."""
    closed = [(m.group(1).lower(), m.group(2), m.end()) for m in _FENCE.finditer(answer)]
    pieces = [code for label, code, _ in reversed(closed) if label in _PY_LABELS]
    pieces += [code for label, code, _ in reversed(closed) if label not in _PY_LABELS]
    tail = answer[closed[-1][2] :] if closed else answer
    opened = _OPEN_FENCE.search(tail)
    if opened:  # a block cut off by the token limit: the complete part may still parse
        pieces.insert(0 if not closed else len(pieces), opened.group(2))
    pieces.append(answer)
    return pieces


def _parse(text: str) -> tuple[str, ast.Module] | None:
    """The text that parses (as given, dedented, or cut short) and its tree."""
    for candidate in (text, textwrap.dedent(text)):
        try:
            return candidate, ast.parse(candidate)
        except (SyntaxError, ValueError):
            continue
    # A truncated answer: drop trailing lines until what is left parses (bounded work).
    lines = split_lines(textwrap.dedent(text))
    for cut in range(len(lines) - 1, max(0, len(lines) - 40), -1):
        candidate = "\n".join(lines[:cut])
        try:
            return candidate, ast.parse(candidate)
        except (SyntaxError, ValueError):
            continue
    return None


def _is_function(node: ast.AST) -> TypeGuard[ast.FunctionDef | ast.AsyncFunctionDef]:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))


def _with_function(piece: str, tree: ast.Module, name: str) -> str | None:
    top = [node for node in tree.body if _is_function(node)]
    if any(node.name == name for node in top):
        return piece.strip("\n") + "\n"
    # A method written inside its class (or any class): lift it out next to the imports.
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if _is_function(item) and item.name == name:
                    return _lift(tree, item)
    # A single function under another name: the model renamed the stub.
    if len(top) == 1:
        return _rename(tree, top[0].name, name)
    return None


def _lift(tree: ast.Module, method: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    keep = [
        node
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        or (_is_function(node) and node is not method)
    ]
    module = ast.Module(body=[*keep, method], type_ignores=[])
    return ast.unparse(module).strip() + "\n"


class _Renamer(ast.NodeTransformer):
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def visit_FunctionDef(self, node):
        if node.name == self.old:
            node.name = self.new
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.old:
            node.id = self.new
        return node


def _rename(tree: ast.Module, old: str, new: str) -> str:
    return ast.unparse(_Renamer(old, new).visit(tree)).strip() + "\n"


class _StripDocstrings(ast.NodeTransformer):
    def _strip(self, node):
        self.generic_visit(node)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            if isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Module = _strip


def dedup_key(code: str) -> str:
    """Identity of a program up to formatting, comments and docstrings; the text itself when it
    does not parse (then only identical texts collide)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return "text:" + hashlib.sha256(code.encode()).hexdigest()
    dumped = ast.dump(
        _StripDocstrings().visit(tree), annotate_fields=False, include_attributes=False
    )
    return "ast:" + hashlib.sha256(dumped.encode()).hexdigest()
