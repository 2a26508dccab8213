"""The text model: lines as LSP and Python's tokenizer count them, endings kept, positions."""

import ast
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sstar.source import BOM, Position, Source, Span, line_count, split_lines

ODD = "\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines() breaks at these; Python does not


def test_lines_break_only_at_newline_carriage_return_and_both():
    text = f"a{ODD}b\r\nc\rd\ne"
    assert split_lines(text) == [f"a{ODD}b", "c", "d", "e"]
    assert len(text.splitlines()) > 4  # why: the standard method disagrees
    source = Source(text)
    assert source.lines == split_lines(text)
    assert source.endings == ["\r\n", "\r", "\n", ""]
    assert line_count(text) == 4 and line_count("x\n") == 2


def test_python_agrees_on_line_numbers():
    text = f"x = '{ODD}'\r\ny = 1\rz = 2\n# {ODD}\nw = 3\n"
    tree = ast.parse(text)
    source = Source(text)
    for node in tree.body:
        assert source.line(node.lineno - 1).startswith(ast.unparse(node)[:1])
    assert [node.lineno for node in tree.body] == [1, 2, 3, 5]


def test_dominant_newline_and_indent_unit():
    assert Source("a\r\nb\r\nc\nd").newline == "\r\n"
    assert Source("one line").newline == "\n"
    assert Source("a\rb\r").newline == "\r"
    assert Source("class A:\n\tdef f(self):\n\t\tpass\n").indent_unit == "\t"
    assert Source("if x:\n  y\n  if z:\n    w\n").indent_unit == "  "
    assert Source("x = 1\n").indent_unit == "    "


def test_positions_offsets_and_columns():
    source = Source("héllo 𝄞x\r\nb\n")
    assert source.offset(Position(1, 0)) == len("héllo 𝄞x\r\n")
    assert source.position(source.offset(Position(0, 7))) == Position(0, 7)
    assert source.position(len("héllo 𝄞x\r")) == Position(0, 8)  # inside \r\n: end of the line
    assert source.to_utf16(Position(0, 8)) == 9  # 𝄞 is two UTF-16 units
    assert source.to_utf8(Position(0, 8)) == 12  # é two bytes, 𝄞 four
    assert source.from_utf16(0, 9) == 8 and source.from_utf8(0, 12) == 8
    assert source.from_ast(1, 12) == Position(0, 8)
    assert source.offset(Position(0, 99)) == len("héllo 𝄞x")  # clamped to the line


def test_segment_and_replace_keep_everything_else():
    source = Source("a\r\nb\rc\n")
    assert source.segment(1, 1) == "b\r"
    assert source.segment(0, 2) == "a\r\nb\rc\n"
    assert source.replace(Span(Position(1, 0), Position(1, 1)), "B") == "a\r\nB\rc\n"


@pytest.mark.parametrize("text", ["x = 1\n", "def f():\n    pass\r\n"])
def test_a_byte_order_mark_is_not_text_but_comes_back(text):
    source = Source(BOM + text)
    assert source.bom and source.text == text
    assert source.lines[0] == split_lines(text)[0]
    assert source.with_bom(source.text) == BOM + text
    assert not Source(text).bom and Source(text).with_bom(text) == text


@given(st.lists(st.sampled_from(["a", "é", "\n", "\r", "\r\n", " ", "\t", *ODD, "\x0b"]), max_size=40).map("".join))
def test_the_fast_paths_agree_with_the_definition(text):
    source = Source(text)
    assert source.lines == re.split(r"\r\n|\r|\n", text)
    assert "".join(line + ending for line, ending in zip(source.lines, source.endings, strict=True)) == text
    for number in range(len(source.lines)):
        assert source.text[source.line_start(number) :].startswith(source.lines[number] + source.endings[number])
