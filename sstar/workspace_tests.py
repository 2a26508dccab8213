"""Find the workspace's own tests that call a function, to show the model and to run as hints.

The search is bounded (files, bytes, results) because it runs at the start of every solve, and it
skips virtual environments, caches and hidden folders. A found test is a *hint*: it runs inside the
sandbox next to the code under test, which could forge an assert's outcome, so it never decides on
its own that a candidate is right.
"""

from __future__ import annotations

import ast
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .source import split_lines

__all__ = ["WorkspaceTest", "find_workspace_tests"]

_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages", "build", "dist", "venv", "env"}
_MAX_FILES = 400
_MAX_BYTES = 512 * 1024
_MAX_TESTS = 5


@dataclass(frozen=True)
class WorkspaceTest:
    path: str
    name: str  # e.g. "test_merge" or "TestMerge.test_overlap"
    source: str  # the test function, dedented
    body: str  # its statements without the `def` line, for running in the candidate's namespace


def find_workspace_tests(
    root: Path, function_name: str, *, exclude: str | Path | None = None
) -> list[WorkspaceTest]:
    """Test functions under `root` whose body mentions `function_name`."""
    found: list[WorkspaceTest] = []
    excluded = Path(exclude).resolve() if exclude else None
    for path in _test_files(root):
        if excluded is not None and path.resolve() == excluded:
            continue
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            with open(path, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        if function_name not in text:
            continue
        found.extend(_tests_in(path, text, function_name))
        if len(found) >= _MAX_TESTS:
            break
    return found[:_MAX_TESTS]


def _test_files(root: Path):
    seen = 0
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(
            d for d in subdirs if not d.startswith(".") and d not in _SKIP_DIRS and "venv" not in d
        )
        for name in sorted(files):
            if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")):
                seen += 1
                if seen > _MAX_FILES:
                    return
                yield Path(directory) / name


def _tests_in(path: Path, text: str, function_name: str) -> list[WorkspaceTest]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines = split_lines(text)  # as ast counts lines (never str.splitlines)
    tests = []
    for node, prefix in _test_functions(tree):
        if not any(_mentions(n, function_name) for n in ast.walk(node)):
            continue
        source = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        body = "\n".join(lines[node.body[0].lineno - 1 : node.end_lineno])
        tests.append(
            WorkspaceTest(
                path=str(path),
                name=prefix + node.name,
                source=textwrap.dedent(source),
                body=textwrap.dedent(body),
            )
        )
    return tests


def _test_functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            yield node, ""
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for child in node.body:
                if isinstance(child, ast.FunctionDef) and child.name.startswith("test"):
                    yield child, node.name + "."


def _mentions(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )
