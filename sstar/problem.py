"""Turn a stub in a source file into a `Problem`: what the model is shown and what the tests run.

A Problem holds the stub as written (signature, raw and cleaned docstring), its doctest examples
(parsed with the standard `doctest` module, with their line in the file for diagnostics), a short
outline of the module the stub can see (imports, other definitions, the enclosing class), and the
workspace tests that mention the function. It also builds the module that the sandbox executes for a
candidate body with the same rendering (`sstar.writeback.render_body`) that later writes the body
into the user's file. Everything that needs the whole file (parsing it, its inventory, where the body
goes) is computed once here, so making a candidate costs only the size of the candidate.

A file with syntax errors elsewhere: the module the sandbox executes is only the parseable part
(the blocks that parse; the others blanked so line numbers stay true), said once in `warnings`.
"""

from __future__ import annotations

import ast
import doctest
import hashlib
import inspect
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from .edits import ModuleInventory, module_inventory
from .errors import NotAStubError, SourceSyntaxError, StubNotFoundError
from .informal_examples import informal_examples
from .source import Position, Source, split_lines
from .stubs import (
    ParsedBlock,
    Stub,
    find_stubs,
    is_stub_function,
    iter_functions,
    parse_tolerant,
    parses_whole,
    stub_at,
)
from .workspace_tests import WorkspaceTest, find_workspace_tests
from .writeback import StubTarget, body_matches, render_body, stub_indent

__all__ = ["Example", "Problem", "BodyLayout", "WorkspaceTest", "extract_problem", "outline_module"]

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
class BodyLayout:
    """Where a body goes, computed once per problem: the executed module around the body, the
    function around it, and how the file indents and ends its lines."""

    head: str  # the executed module before the body
    tail: str  # and after it
    function_head: str  # the function's text (from its first line) before the body
    function_tail: str  # and after it, to the end of its last line
    wrapper: str  # what makes the function parse on its own ("if True:" when it is indented)
    indent: str
    unit: str
    newline: str
    inline: bool
    after_docstring: bool

    def render(self, body: str) -> str:
        return render_body(body, self.indent, self.unit, self.newline, self.inline)


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
    layout: BodyLayout = field(repr=False, compare=False)
    inventory: ModuleInventory = field(repr=False, compare=False)
    original: str = field(default="", repr=False, compare=False)  # the stub's lines as in the file

    @property
    def qualname(self) -> str:
        return self.stub.qualname

    @property
    def name(self) -> str:
        return self.stub.name

    @property
    def target(self) -> StubTarget:
        """The stub as `sstar.writeback.write_body` finds it again."""
        return StubTarget(self.qualname, self.stub_text, self.original)

    def module_with(self, body: str) -> str:
        """The module with the stub's body replaced: what the sandbox executes (the whole file, or
        its parseable part when it has syntax errors elsewhere). Raises `SourceSyntaxError` when
        the body does not land as itself (checked on the function alone: O(candidate))."""
        rendered = self.layout.render(body)
        self._check(rendered, body)
        return self.layout.head + rendered + self.layout.tail

    def function_with(self, body: str) -> str:
        """The new definition (decorators to last line) as it will read in the file, dedented,
        lines joined with "\n"."""
        layout = self.layout
        text = layout.function_head + layout.render(body) + layout.function_tail
        indent = self.stub.def_indent
        return "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in split_lines(text))

    def _check(self, rendered: str, body: str) -> None:
        layout = self.layout
        text = layout.wrapper + layout.function_head + rendered + layout.function_tail + "\n"
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError) as error:
            raise SourceSyntaxError(f"the body does not fit {self.qualname}: {error}") from error
        node = tree.body[0].body[0] if layout.wrapper else tree.body[0]  # type: ignore[attr-defined]
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not body_matches(
            node, body, after_docstring=layout.after_docstring
        ):
            raise SourceSyntaxError(f"the body does not land as itself in {self.qualname}")

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
    if path is not None and str(path).endswith(".pyi"):
        raise StubNotFoundError(
            f"{Path(path).name} is a stub file (.pyi): its `...` bodies declare signatures; S* "
            "fills stubs in the .py module that implements them"
        )
    text = Source(source)
    blocks = parse_tolerant(text)
    stubs = find_stubs(text, blocks)
    stub = _choose_stub(blocks, stubs, qualname, line)
    warnings: list[str] = []
    whole_file = parses_whole(text, blocks)
    if not whole_file:
        warnings.append(
            "the file has syntax errors outside this function; only the parts that parse are "
            "shown to the model and executed with the candidates (fix them to test against the "
            "whole module)"
        )
    examples, example_warning = _examples(stub)
    if example_warning:
        warnings.append(example_warning)
    if stub.in_function and examples:
        warnings.append(
            f"{stub.qualname} is defined inside another function: its examples cannot be run on "
            "their own, so they only guide the model; move it to module level to have them checked"
        )
        examples = ()
    docstring = inspect.cleandoc(stub.docstring) if stub.docstring else None
    if not docstring:
        warnings.append(
            f"{stub.qualname} has no docstring: the model has only the signature to go on; "
            "add a docstring with >>> examples for much better results"
        )
    elif not examples and not stub.in_function:
        warnings.append(
            f"{stub.qualname} has no >>> examples: candidates cannot be checked before selection"
        )
    root = Path(workspace) if workspace else None
    tests = tuple(find_workspace_tests(root, stub.name, exclude=path)) if root else ()
    lines = text.lines
    first, last = stub.span.start.line, stub.span.end.line
    return Problem(
        stub=stub,
        source=source,
        path=str(path) if path is not None else None,
        workspace=str(root) if root else None,
        stub_text=_dedent_block(lines[first : last + 1]),
        docstring=docstring,
        examples=examples,
        context=_outline(text, blocks, stub),
        tests=tests,
        warnings=tuple(warnings),
        layout=_layout(text, blocks, stub, whole_file),
        inventory=module_inventory(source),
        original=text.segment(first, last)[: len(text.segment(first, last)) - len(text.endings[last])],
    )


def _layout(text: Source, blocks: list[ParsedBlock], stub: Stub, whole_file: bool) -> BodyLayout:
    executed = text if whole_file else Source(_parseable_part(text, blocks))
    start, end = executed.offset(stub.body_span.start), executed.offset(stub.body_span.end)
    function_start = text.offset(Position(stub.span.start.line, 0))
    function_end = text.offset(Position(stub.span.end.line, len(text.line(stub.span.end.line))))
    body_start, body_end = text.offset(stub.body_span.start), text.offset(stub.body_span.end)
    return BodyLayout(
        head=executed.text[:start],
        tail=executed.text[end:],
        function_head=text.text[function_start:body_start],
        function_tail=text.text[body_end:function_end],
        wrapper="if True:\n" if stub.def_indent else "",
        indent=stub_indent(stub, text),
        unit=text.indent_unit,
        newline=text.newline,
        inline=stub.body_inline,
        after_docstring=stub.docstring is not None,
    )


def _parseable_part(text: Source, blocks: list[ParsedBlock]) -> str:
    """The file with every line outside the blocks that parse blanked (line numbers stay)."""
    kept = [""] * len(text.lines)
    for block in blocks:
        kept[block.first_line : block.last_line + 1] = text.lines[block.first_line : block.last_line + 1]
    return "\n".join(kept)


def _choose_stub(blocks: list[ParsedBlock], stubs: list[Stub], qualname: str | None, line: int | None) -> Stub:
    if qualname is not None:
        for stub in stubs:
            if stub.qualname == qualname:
                return stub
        if _defines(blocks, qualname):
            raise NotAStubError(
                f"{qualname} already has a body; S* fills only stubs: a body of `...`, `pass` or "
                "`raise NotImplementedError` after the docstring"
            )
        raise StubNotFoundError(f"no function named {qualname} in this file (or it does not parse)")
    if line is not None:
        found = stub_at(stubs, line)
        if found is None:
            raise StubNotFoundError(
                f"no stub at line {line + 1}: put the cursor inside a function whose body is "
                "`...`, `pass` or `raise NotImplementedError`"
            )
        return found
    if len(stubs) == 1:
        return stubs[0]
    if not stubs:
        raise StubNotFoundError(
            "no stub in this file: S* fills functions whose body is `...`, `pass` or "
            "`raise NotImplementedError` (a file that does not parse at all has none either)"
        )
    names = ", ".join(stub.qualname for stub in stubs)
    raise StubNotFoundError(f"several stubs in this file ({names}): name one as PATH::QUALNAME")


def _defines(blocks: list[ParsedBlock], qualname: str) -> bool:
    return any(site.qualname == qualname for block in blocks for site in iter_functions(block.tree.body))


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
    text = Source(source)
    return _outline(text, parse_tolerant(text), stub)


def _outline(text: Source, blocks: list[ParsedBlock], stub: Stub) -> str:
    lines = text.lines
    parts: list[str] = []
    for block in blocks:
        for node in block.tree.body:
            shown = _outline_node(node, lines, stub)
            if shown:
                parts.append(shown)
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
    summary = f'    """{split_lines(doc.strip())[0]}"""\n' if doc else ""
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
    return "\n".join("    " + line if line.strip() else "" for line in text.split("\n"))
