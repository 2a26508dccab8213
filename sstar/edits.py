"""Write a candidate into the user's file, replacing only the stub's body.

A candidate arrives as a *snippet*: the model's function, possibly with imports and helper
definitions around it. The user's signature, decorators and docstring always stay as written; the
candidate contributes its body, preceded by the imports and helpers it needs (placed inside the body,
so the edit never touches anything but the stub's body).

`sstar.writeback` renders the body into the file (the file's line ending and indentation unit) for
both the module the sandbox executes and the text the editor or `--write` receives, so what was
tested is exactly what gets written. The user module's inventory (its imports and top-level names)
is computed once per problem (`module_inventory`), not once per candidate.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from functools import lru_cache

from .errors import SourceSyntaxError
from .source import Source, Span, split_lines
from .stubs import Stub, parse_tolerant
from .writeback import render_body, stub_indent

__all__ = [
    "ModuleInventory",
    "module_inventory",
    "candidate_body",
    "body_replacement",
    "replace_body",
    "find_function",
]


@dataclass(frozen=True)
class ModuleInventory:
    """What the user's module already has at top level: a snippet's imports and helpers that
    duplicate these are left out of the body."""

    imports: frozenset[str]  # ast.dump of each import statement
    names: frozenset[str]  # functions and classes defined


@lru_cache(maxsize=8)
def module_inventory(source: str) -> ModuleInventory:
    """The inventory of `source` (cached: a solve asks once per candidate with the same text)."""
    body = [node for block in parse_tolerant(source) for node in block.tree.body]
    imports = frozenset(ast.dump(n) for n in body if isinstance(n, (ast.Import, ast.ImportFrom)))
    names = frozenset(
        n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    )
    return ModuleInventory(imports, names)


def find_function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The definition called `name`: top level first, then inside classes (a model writing a whole
    class for a method); the last one wins, as it would when the module runs."""
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    if found is not None:
        return found
    for child in ast.walk(tree):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name == name:
            found = child
    return found


def candidate_body(snippet: str, name: str, user_source: str | ModuleInventory = "") -> str:
    """The new body, dedented to column 0: the imports and helpers the snippet adds, then the
    function's own statements (its docstring dropped: the user's stays). `user_source` is the
    user's module or its `ModuleInventory` (`Problem.inventory`)."""
    try:
        tree = ast.parse(snippet)
    except SyntaxError as error:
        raise SourceSyntaxError(f"candidate does not parse: {error.msg} (line {error.lineno})") from error
    function = find_function(tree, name)
    if function is None:
        raise SourceSyntaxError(f"candidate defines no function named {name!r}")
    lines = split_lines(snippet)
    inventory = user_source if isinstance(user_source, ModuleInventory) else module_inventory(user_source)
    support = _support_statements(tree, function, inventory)
    parts = [_statements_text(lines, [statement]) for statement in support]
    statements = function.body
    after_line = function.lineno  # comments before the first statement belong to the body
    if ast.get_docstring(function, clean=False) is not None and len(statements) > 1:
        after_line = statements[0].end_lineno or after_line
        statements = statements[1:]
    parts.append(_statements_text(lines, statements, after_line))
    return "\n".join(part for part in parts if part).rstrip() + "\n"


def body_replacement(stub: Stub, body: str, source: str | Source = "") -> tuple[Span, str]:
    """The range of the stub's body and the text that replaces it, rendered for the file (its
    line ending and indentation unit) by `sstar.writeback.render_body`."""
    text = source if isinstance(source, Source) else Source(source)
    rendered = render_body(body, stub_indent(stub, text), text.indent_unit, text.newline, stub.body_inline)
    return stub.body_span, rendered


def replace_body(source: str, stub: Stub, body: str) -> str:
    """`source` with the stub's body replaced by `body` (as from `candidate_body`), unchecked:
    writing into a user's file goes through `sstar.writeback.write_body`, which re-parses."""
    text = Source(source)
    span, rendered = body_replacement(stub, body, text)
    return text.with_bom(text.replace(span, rendered))


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
    column = len(head.encode("utf-8")[: first.col_offset].decode("utf-8", "replace"))
    if start_line == first.lineno and head[:column].strip():
        # body on the `def` line itself: `def f(x): return x`
        chunk[0] = " " * column + head[column:]
    return textwrap.dedent("\n".join(chunk))


def _support_statements(tree: ast.Module, function, inventory: ModuleInventory) -> list[ast.stmt]:
    """Top-level imports and helpers of the snippet that the body needs and the user's module
    lacks. Only the body counts: the signature stays the user's, so an import that served only
    the model's own annotations (`from typing import List`) is left out."""
    existing_imports, existing_names = inventory.imports, inventory.names
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
