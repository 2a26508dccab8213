"""The one write-back path: properties over files like users' own, and the regressions measured
on the landed code (issue 11)."""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from sstar.problem import extract_problem
from sstar.source import BOM, Source, split_lines
from sstar.stubs import find_stubs
from sstar.writeback import BodyEdit, Refusal, RefusalKind, write_body

from .files import GeneratedFile, bodies, python_files

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def string_rows(body: str) -> set[int]:
    """Rows of `body` (0-based) that continue a multi-line string: they must stay verbatim."""
    rows: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(body).readline):
        if token.type == tokenize.STRING and token.end[0] > token.start[0]:
            rows.update(range(token.start[0], token.end[0]))
    return rows


def edit_of(file: GeneratedFile, body: str) -> tuple[Source, BodyEdit]:
    problem = extract_problem(file.text, qualname=file.qualname)
    edit = write_body(file.text, problem.target, body)
    assert isinstance(edit, BodyEdit), edit
    return Source(file.text), edit


@PROPERTY
@given(python_files(), bodies)
def test_the_result_parses_and_holds_exactly_the_body(file, body):
    old, edit = edit_of(file, body)
    new_text = edit.new_text
    if not file.broken:
        tree = ast.parse(new_text)
    else:
        tree = ast.parse(new_text.replace("def broken(:", "def broken():"))
    names = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "target"]
    [function] = names
    statements = function.body[1:] if ast.get_docstring(function, clean=False) is not None else function.body
    assert [ast.dump(s) for s in statements] == [ast.dump(s) for s in ast.parse(body).body]
    assert Source(file.text).with_bom(new_text).startswith(BOM) == file.text.startswith(BOM)


@PROPERTY
@given(python_files(), bodies)
def test_every_character_outside_the_body_is_unchanged(file, body):
    old, edit = edit_of(file, body)
    start, end = old.offset(edit.span.start), old.offset(edit.span.end)
    assert edit.new_text == old.text[:start] + edit.text + old.text[end:]
    (stub,) = [s for s in find_stubs(old) if s.qualname == file.qualname]
    assert edit.span == stub.body_span  # only the stub statement(s) after the docstring
    assert old.text[start:end].strip() in ("...", "pass", "raise NotImplementedError('later')", "")


@PROPERTY
@given(python_files(), bodies)
def test_the_body_uses_the_files_line_ending_and_indentation(file, body):
    old, edit = edit_of(file, body)
    assert old.newline == file.newline
    breaks = [edit.text[i : i + 2] if edit.text[i : i + 2] == "\r\n" else edit.text[i] for i in range(len(edit.text)) if edit.text[i] in "\r\n" and edit.text[i - 1 : i + 1] != "\r\n"]
    assert set(breaks) <= {file.newline}
    (stub,) = [s for s in find_stubs(old) if s.qualname == file.qualname]
    new_lines = split_lines(edit.text)
    if stub.body_inline:
        assert new_lines[0] == ""
        new_lines = new_lines[1:]
    verbatim = string_rows(body)
    body_lines = split_lines(body.rstrip("\n"))
    base = None
    for number, (line, original) in enumerate(zip(new_lines, body_lines, strict=True)):
        if number in verbatim:
            assert line == original  # inside a multi-line string: byte for byte
            continue
        if not line.strip():
            assert line == ""
            continue
        if number == 0 and not stub.body_inline:
            assert line == original.lstrip()
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        base = base if base is not None else _first_level(old, stub, edit)
        assert indent.startswith(base)
        extra = indent[len(base) :]
        assert extra == "" or set(extra.split(file.unit)) <= {""}, (extra, file.unit)


def _first_level(old: Source, stub, edit) -> str:
    if not stub.body_inline:
        line = old.line(stub.body_span.start.line)
        return line[: stub.body_span.start.character].rsplit("\x0c", 1)[-1]
    return Source(edit.new_text).line(stub.body_span.start.line + 1)[: len(stub.def_indent)] + ""


@PROPERTY
@given(python_files(), bodies)
def test_the_tested_module_is_what_gets_written(file, body):
    problem = extract_problem(file.text, qualname=file.qualname)
    edit = write_body(file.text, problem.target, body)
    assert isinstance(edit, BodyEdit)
    module = problem.module_with(body)
    if not file.broken:
        assert module == edit.new_text
    else:  # only the parseable part runs, line for line where it is in the file
        assert len(split_lines(module)) == len(split_lines(edit.new_text))
        ast.parse(module)
        assert any("syntax errors outside" in w for w in problem.warnings)
    function = problem.function_with(body)
    assert ast.parse(textwrap.dedent(function)) is not None


@PROPERTY
@given(python_files(), bodies, bodies)
def test_what_s_star_wrote_can_be_replaced_again_and_nothing_else(file, first, second):
    problem = extract_problem(file.text, qualname=file.qualname)
    written = write_body(file.text, problem.target, first)
    assert isinstance(written, BodyEdit)
    target = replace(problem.target, written=written.function_text)
    again = write_body(written.new_text, target, second)
    assert isinstance(again, BodyEdit)
    direct = write_body(file.text, problem.target, second)
    assert isinstance(direct, BodyEdit) and again.new_text == direct.new_text
    old = Source(written.new_text)
    assert again.new_text == old.replace(again.span, again.text)
    edited = written.new_text.replace("return", "return  ", 1) if "return" in first else written.new_text + ""
    if edited != written.new_text:
        refused = write_body(edited, target, second)
        assert isinstance(refused, Refusal)
        assert refused.kind in (RefusalKind.FUNCTION_CHANGED, RefusalKind.STUB_NOT_FOUND)


# -- regressions measured on the landed code (issue 11) ----------------------------------------------
FORM_FEED = (
    'import math\r\n\x0c\r\n'
    'NOTE = "a\u2028b"\r\n'
    "\r\n"
    "def square(n):\r\n"
    '    """Square n.\r\n'
    "\r\n"
    "    >>> square(2)\r\n"
    "    4\r\n"
    "    >>> square(3)\r\n"
    "    9\r\n"
    '    """\r\n'
    "    raise NotImplementedError\r\n"
)


def test_form_feed_and_line_separator_above_the_stub():
    problem = extract_problem(FORM_FEED)
    lines = Source(FORM_FEED).lines
    assert [lines[e.line].strip() for e in problem.examples] == [">>> square(2)", ">>> square(3)"]
    edit = write_body(FORM_FEED, problem.target, "return n * n\n")
    assert isinstance(edit, BodyEdit)
    assert edit.new_text == FORM_FEED.replace("raise NotImplementedError", "return n * n")
    assert ">>> square(3)\r\n    9\r\n" in edit.new_text  # the docstring is whole
    assert edit.new_text.count("\r\n") == FORM_FEED.count("\r\n")  # CRLF everywhere


def test_a_tab_indented_method_gets_a_tab_indented_body():
    source = "class A:\n\tdef f(self, x):\n\t\t...\n"
    problem = extract_problem(source)
    edit = write_body(source, problem.target, "if x:\n    return 1\nreturn 2\n")
    assert isinstance(edit, BodyEdit)
    assert edit.new_text == "class A:\n\tdef f(self, x):\n\t\tif x:\n\t\t\treturn 1\n\t\treturn 2\n"


def test_a_string_with_a_line_starting_with_def_does_not_confuse_the_engine():
    source = 'import os\nHELP = """\ndef usage():\n    ...\n"""\ndef broken(:\n\ndef real(x):\n    """>>> real(1)\n    2\n    """\n    ...\n'
    problem = extract_problem(source, qualname="real")
    assert problem.stub.qualname == "real" and len(problem.examples) == 1
    assert [s.qualname for s in find_stubs(source)] == ["real"]


def test_the_write_is_refused_when_it_would_not_parse_and_when_the_function_changed():
    source = "def f(x): ...\n"
    problem = extract_problem(source)
    refused = write_body(source, problem.target, "return (\n")
    assert isinstance(refused, Refusal) and refused.kind is RefusalKind.BODY_DOES_NOT_PARSE
    changed = write_body("def f(x, y): ...\n", problem.target, "return x\n")
    assert isinstance(changed, Refusal) and changed.kind is RefusalKind.FUNCTION_CHANGED
    gone = write_body("def g(x): ...\n", problem.target, "return x\n")
    assert isinstance(gone, Refusal) and gone.kind is RefusalKind.STUB_NOT_FOUND


def test_a_string_statement_as_first_line_of_the_body_is_not_taken_for_a_docstring():
    source = "def f(x):\n    ...\n"
    problem = extract_problem(source)
    edit = write_body(source, problem.target, "'not a docstring'\nreturn x\n")
    assert isinstance(edit, BodyEdit)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_inline_stubs_take_the_files_unit_and_ending(newline):
    source = newline.join(["class A:", "  def f(self): ...", "  def g(self):", "    return 1", ""])
    problem = extract_problem(source, qualname="A.f")
    edit = write_body(source, problem.target, "x = 1\nreturn x\n")
    assert isinstance(edit, BodyEdit)
    assert edit.new_text == newline.join(
        ["class A:", "  def f(self):", "    x = 1", "    return x", "  def g(self):", "    return 1", ""]
    )
