"""Write a candidate into the user's file, replacing only the stub's body.

A candidate arrives as a *snippet*: the model's function, possibly with imports and helper
definitions around it. The user's signature, decorators and docstring always stay as written; the
candidate contributes its body, preceded by the imports and helpers it needs (placed inside the body,
so the edit never touches anything but the stub's body).

The same function builds the module that the sandbox executes and the text the editor receives, so
what was tested is exactly what gets written.
"""

from __future__ import annotations

import ast
import textwrap

from .errors import SourceSyntaxError
from .stubs import Span, Stub, parse_tolerant

__all__ = ["candidate_body", "body_replacement", "replace_body", "find_function"]


def find_function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The definition called `name`: top level first, then inside classes (a model writing a whole
    class for a method); the last one wins, as it would when the module runs."""
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    if found is not None:
        return found
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    return found


def candidate_body(snippet: str, name: str, user_source: str = "") -> str:
    """The new body, dedented to column 0: the imports and helpers the snippet adds, then the
    function's own statements (its docstring dropped: the user's stays)."""
    try:
        tree = ast.parse(snippet)
    except SyntaxError as error:
        raise SourceSyntaxError(f"candidate does not parse: {error.msg} (line {error.lineno})") from error
    function = find_function(tree, name)
    if function is None:
        raise SourceSyntaxError(f"candidate defines no function named {name!r}")
    lines = snippet.splitlines()
    support = _support_statements(tree, function, user_source)
    parts = [_statements_text(lines, [statement]) for statement in support]
    statements = function.body
    after_line = function.lineno  # comments before the first statement belong to the body
    if ast.get_docstring(function, clean=False) is not None and len(statements) > 1:
        after_line = statements[0].end_lineno
        statements = statements[1:]
    parts.append(_statements_text(lines, statements, after_line))
    return "\n".join(part for part in parts if part).rstrip() + "\n"


def body_replacement(stub: Stub, body: str) -> tuple[Span, str]:
    """The range of the stub's body and the text that replaces it (indented for the file)."""
    body_lines = body.rstrip("\n").split("\n")
    indented = [stub.body_indent + line if line.strip() else "" for line in body_lines]
    if stub.body_inline:
        text = "\n" + "\n".join(indented)
    else:
        text = "\n".join([body_lines[0]] + indented[1:])
    return stub.body_span, text


def replace_body(source: str, stub: Stub, body: str) -> str:
    """`source` with the stub's body replaced by `body` (as from `candidate_body`)."""
    span, text = body_replacement(stub, body)
    lines = source.splitlines(keepends=True)
    start = _offset(lines, span.start.line, span.start.character)
    end = _offset(lines, span.end.line, span.end.character)
    return source[:start] + text + source[end:]


def _offset(lines: list[str], line: int, character: int) -> int:
    return sum(len(text) for text in lines[:line]) + character


def _statements_text(lines: list[str], statements: list[ast.stmt], after_line: int | None = None) -> str:
    """Source of consecutive statements (with the comments between them), dedented. With
    `after_line`, the comment lines between that line and the first statement come along."""
    first, last = statements[0], statements[-1]
    start_line = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])])
    if after_line is not None:
        while start_line - 1 > after_line and lines[start_line - 2].strip().startswith("#"):
            start_line -= 1
    chunk = lines[start_line - 1 : last.end_lineno]
    head = chunk[0]
    if start_line == first.lineno and head[: first.col_offset].strip():
        # body on the `def` line itself: `def f(x): return x`
        chunk[0] = " " * len(head[: first.col_offset].encode()) + head[first.col_offset :]
    return textwrap.dedent("\n".join(chunk))


def _support_statements(tree: ast.Module, function, user_source: str) -> list[ast.stmt]:
    """Top-level imports and helpers of the snippet that the body needs and the user's module
    lacks. Only the body counts: the signature stays the user's, so an import that served only
    the model's own annotations (`from typing import List`) is left out."""
    existing_imports, existing_names = _module_inventory(user_source)
    used = _names_in(function.body)
    others = [node for node in tree.body if node is not function]
    wanted: set[int] = set()
    changed = True
    while changed:  # a helper can need another helper or an import: follow until nothing new
        changed = False
        for index, node in enumerate(others):
            if index in wanted:
                continue
            defined = _defined_names(node)
            if not defined & used or defined & existing_names:
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)) and ast.dump(node) in existing_imports:
                continue
            wanted.add(index)
            used |= _names_in([node])
            changed = True
    return [node for index, node in enumerate(others) if index in wanted]


def _names_in(nodes: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                names.add(child.id)
            elif isinstance(child, ast.Attribute):
                names.add(child.attr)
    return names


def _defined_names(node: ast.stmt) -> set[str]:
    """Names a top-level statement of the snippet binds (imports, defs, simple assignments)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {t.id for t in targets if isinstance(t, ast.Name)}
    return set()


def _module_inventory(source: str) -> tuple[set[str], set[str]]:
    body = [node for block in parse_tolerant(source) for node in block.tree.body]
    imports = {ast.dump(n) for n in body if isinstance(n, (ast.Import, ast.ImportFrom))}
    names = {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return imports, names
