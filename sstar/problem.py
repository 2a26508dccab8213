"""Turn a stub in a source file into a `Problem`: what the model is shown and what the tests run.

A Problem holds the stub as written (signature, raw and cleaned docstring), its doctest examples
(parsed with the standard `doctest` module, with their line in the file for diagnostics), a short
outline of the module the stub can see (imports, other definitions, the enclosing class), and the
workspace tests that mention the function. It also builds the module that the sandbox executes for a
candidate body, through the same edit that later writes the body into the user's file.
"""

from __future__ import annotations

import ast
import doctest
import hashlib
import inspect
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .edits import replace_body
from .informal_examples import informal_examples
from .errors import NotAStubError, StubNotFoundError
from .stubs import Stub, find_stubs, is_stub_function, parse_tolerant, stub_at
from .workspace_tests import WorkspaceTest, find_workspace_tests

__all__ = ["Example", "Problem", "WorkspaceTest", "extract_problem", "outline_module"]

_CONTEXT_LIMIT = 4000  # characters: small models lose the plot in long prompts
_SHORT_DEFINITION = 12  # lines: definitions up to this long are shown whole


@dataclass(frozen=True)
class Example:
    """One `>>>` example of the docstring. Examples of one docstring run in order, sharing state."""

    source: str
    want: str
    exc_msg: str | None
    line: int  # 0-based line of the `>>>` in the file


@dataclass(frozen=True)
class Problem:
    stub: Stub
    source: str  # the whole file, as it was when the problem was extracted
    path: str | None
    workspace: str | None
    stub_text: str  # the stub definition as written, dedented
    docstring: str | None  # cleaned (inspect.cleandoc)
    examples: tuple[Example, ...]
    context: str  # outline of what the stub can see in its module
    tests: tuple[WorkspaceTest, ...]
    warnings: tuple[str, ...]

    @property
    def qualname(self) -> str:
        return self.stub.qualname

    @property
    def name(self) -> str:
        return self.stub.name

    def module_with(self, body: str) -> str:
        """The whole module with the stub's body replaced: what the sandbox executes."""
        return replace_body(self.source, self.stub, body)

    def function_with(self, body: str) -> str:
        """The new definition (decorators to last line) as it will read in the file, dedented."""
        new_source = self.module_with(body)
        old_lines = self.source.splitlines()
        new_lines = new_source.splitlines()
        last = self.stub.span.end.line + len(new_lines) - len(old_lines)
        return _dedent_block(new_lines[self.stub.span.start.line : last + 1])

    def key(self) -> str:
        """Content address of what the model sees: the same stub in the same context, same key."""
        payload = {
            "qualname": self.qualname,
            "stub": self.stub_text,
            "context": self.context,
            "examples": [[e.source, e.want, e.exc_msg] for e in self.examples],
            "tests": [t.source for t in self.tests],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def extract_problem(
    source: str,
    *,
    path: str | Path | None = None,
    qualname: str | None = None,
    line: int | None = None,
    workspace: str | Path | None = None,
) -> Problem:
    """The problem for the stub named `qualname`, or covering 0-based `line`, or the only stub."""
    stubs = find_stubs(source)
    stub = _choose_stub(source, stubs, qualname, line)
    warnings: list[str] = []
    blocks = parse_tolerant(source)
    whole_file = len(blocks) == 1 and (blocks[0].first_line, blocks[0].last_line) == (
        0,
        max(len(source.splitlines()) - 1, 0),
    )
    if not whole_file:
        warnings.append(
            "the file has syntax errors outside this function; the parts that do not parse are "
            "left out of the context and the tests"
        )
    examples, example_warning = _examples(stub)
    if example_warning:
        warnings.append(example_warning)
    docstring = inspect.cleandoc(stub.docstring) if stub.docstring else None
    if not docstring:
        warnings.append(
            f"{stub.qualname} has no docstring: the model has only the signature to go on; "
            "add a docstring with >>> examples for much better results"
        )
    elif not examples:
        warnings.append(
            f"{stub.qualname} has no >>> examples: candidates cannot be checked before selection"
        )
    root = Path(workspace) if workspace else None
    tests = tuple(find_workspace_tests(root, stub.name, exclude=path)) if root else ()
    lines = source.splitlines()
    return Problem(
        stub=stub,
        source=source,
        path=str(path) if path is not None else None,
        workspace=str(root) if root else None,
        stub_text=_dedent_block(lines[stub.span.start.line : stub.span.end.line + 1]),
        docstring=docstring,
        examples=examples,
        context=outline_module(source, stub),
        tests=tests,
        warnings=tuple(warnings),
    )


def _choose_stub(source: str, stubs: list[Stub], qualname: str | None, line: int | None) -> Stub:
    if qualname is not None:
        for stub in stubs:
            if stub.qualname == qualname:
                return stub
        if _defines(source, qualname):
            raise NotAStubError(
                f"{qualname} already has a body; S* fills only stubs: a body of `...`, `pass` or "
                "`raise NotImplementedError` after the docstring"
            )
        raise StubNotFoundError(f"no function named {qualname} in this file (or it does not parse)")
    if line is not None:
        stub = stub_at(stubs, line)
        if stub is None:
            raise StubNotFoundError(
                f"no stub at line {line + 1}: put the cursor inside a function whose body is "
                "`...`, `pass` or `raise NotImplementedError`"
            )
        return stub
    if len(stubs) == 1:
        return stubs[0]
    if not stubs:
        raise StubNotFoundError(
            "no stub in this file: S* fills functions whose body is `...`, `pass` or "
            "`raise NotImplementedError` (a file that does not parse at all has none either)"
        )
    names = ", ".join(stub.qualname for stub in stubs)
    raise StubNotFoundError(f"several stubs in this file ({names}): name one as PATH::QUALNAME")


def _defines(source: str, qualname: str) -> bool:
    parts = qualname.split(".")
    for block in parse_tolerant(source):
        body: list[ast.stmt] = block.tree.body
        for index, part in enumerate(parts):
            match = next((n for n in body if getattr(n, "name", None) == part), None)
            if match is None:
                break
            if index == len(parts) - 1:
                return isinstance(match, (ast.FunctionDef, ast.AsyncFunctionDef))
            body = getattr(match, "body", [])
    return False


def _examples(stub: Stub) -> tuple[tuple[Example, ...], str | None]:
    if not stub.docstring or stub.docstring_line is None:
        return (), None
    try:
        parsed = doctest.DocTestParser().get_examples(stub.docstring)
    except ValueError as error:
        return (), f"the docstring's examples could not be read ({error}); fix their indentation"
    examples = tuple(
        Example(
            source=example.source.rstrip("\n"),
            want=example.want,
            exc_msg=example.exc_msg,
            line=stub.docstring_line + example.lineno,
        )
        for example in parsed
    )
    if not examples:  # `f(1) == 2` lines, when the docstring has no `>>>` examples
        examples = tuple(
            Example(source=call, want=want, exc_msg=None, line=stub.docstring_line + number)
            for number, call, want in informal_examples(stub.docstring, stub.name)
        )
    return examples, None


def outline_module(source: str, stub: Stub) -> str:
    """What the stub can see: imports, constants, other definitions (short ones whole, long ones as
    signature and docstring), and for a method its class with the other members."""
    lines = source.splitlines()
    parts: list[str] = []
    for block in parse_tolerant(source):
        for node in block.tree.body:
            text = _outline_node(node, lines, stub)
            if text:
                parts.append(text)
    outline = "\n\n".join(parts)
    if len(outline) > _CONTEXT_LIMIT:
        outline = outline[:_CONTEXT_LIMIT].rsplit("\n", 1)[0] + "\n# ... (rest of the module left out)"
    return outline


def _outline_node(node: ast.stmt, lines: list[str], stub: Stub, depth: int = 0) -> str:
    text = _segment(node, lines)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return text
    if depth and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return text if isinstance(node.value.value, str) else ""  # a class docstring
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return text if text.count("\n") < 3 else ""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if depth == len(stub.class_path) and node.name == stub.name:
            return ""  # the stub itself is shown on its own
        if text.count("\n") < _SHORT_DEFINITION or is_stub_function(node) is not None:
            return text
        return _signature_only(node, lines)
    if isinstance(node, ast.ClassDef):
        inside = depth < len(stub.class_path) and stub.class_path[depth] == node.name
        if not inside and text.count("\n") < _SHORT_DEFINITION:
            return text
        header = _segment_lines(lines, _first_line(node), max(node.body[0].lineno - 1, node.lineno)).rstrip()
        members = [_outline_node(child, lines, stub, depth + 1) for child in node.body]
        if inside:
            members.append(f"# ... {stub.name} (the function to write) goes here")
        shown = [_indent(m) for m in members if m]
        return "\n".join([header] + shown) if shown else header + "\n    ..."
    return ""


def _signature_only(node, lines: list[str]) -> str:
    header = _segment_lines(lines, _first_line(node), max(node.body[0].lineno - 1, node.lineno)).rstrip()
    doc = ast.get_docstring(node)
    summary = f'    """{doc.strip().splitlines()[0]}"""\n' if doc else ""
    return f"{header}\n{summary}    ..."


def _first_line(node) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _segment(node, lines: list[str]) -> str:
    return _dedent_block(lines[_first_line(node) - 1 : node.end_lineno])


def _segment_lines(lines: list[str], first: int, last: int) -> str:
    return _dedent_block(lines[first - 1 : last])


def _dedent_block(block: list[str]) -> str:
    return textwrap.dedent("\n".join(block))


def _indent(text: str) -> str:
    return "\n".join("    " + line if line.strip() else "" for line in text.splitlines())
