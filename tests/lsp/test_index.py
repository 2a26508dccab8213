"""The code action's stub index (block-wise, cached) agrees with `sstar.stubs.find_stubs` on whole
files, large ones, and files that stop parsing somewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_server.index import index_source
from sstar.stubs import find_stubs

ROOT = Path(__file__).resolve().parents[2]
TRICKY = '''import os

x = """
def not_a_function():
    ...
"""


@decorator
def decorated(a):
    """Doc."""
    ...


class A:
    s = \'\'\'
def inside_string(): ...
\'\'\'

    def m(self):
        pass

    @property
    def p(self):
        raise NotImplementedError()
if x:
    def conditional():
        ...
else:
    pass


async def coroutine():
    ...
'''


def same(source: str) -> None:
    expected = [(s.qualname, s.span, s.body_span) for s in find_stubs(source)]
    got = [(s.qualname, s.span, s.body_span) for s in index_source(source).stubs]
    assert got == expected


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "sstar").glob("*.py")))
def test_agrees_on_project_files(path: Path):
    same(path.read_text())


def test_agrees_on_tricky_and_large_files():
    same(TRICKY)
    qualnames = [s.qualname for s in index_source(TRICKY).stubs]
    assert "decorated" in qualnames and "A.m" in qualnames and "A.p" in qualnames
    assert "not_a_function" not in qualnames and "inside_string" not in qualnames
    big = "\n\n".join(TRICKY.replace("decorated", f"decorated_{i}") for i in range(200))
    assert len(big.splitlines()) > 5000
    same(big)


def test_a_broken_block_hides_only_its_own_stubs():
    broken = TRICKY.replace("    def m(self):\n        pass", "    def m(self:\n        pass")
    qualnames = [s.qualname for s in index_source(broken).stubs]
    assert "decorated" in qualnames and "coroutine" in qualnames
    assert "A.m" not in qualnames
    # after the fix, only the edited block is parsed again and the result is right again
    same(TRICKY)


def test_function_spans_cover_decorators_and_bodies():
    index = index_source(TRICKY)
    lines = TRICKY.splitlines()
    span = index.function("decorated")
    assert lines[span.first_line] == "@decorator" and lines[span.last_line] == "    ..."
    assert index.function_at(span.first_line + 2, {"decorated"}) == span


def test_queries_by_line_match_the_whole_list():
    big = "\n\n".join(TRICKY.replace("decorated", f"decorated_{i}") for i in range(50))
    index = index_source(big)
    for stub in find_stubs(big):
        for line in (stub.span.start.line, stub.body_span.start.line, stub.span.end.line):
            assert index.stubs_in(line, line) == [stub]
        assert index.function_at(stub.def_line, {stub.qualname}).qualname == stub.qualname
    assert index.stubs_in(0, len(big.splitlines())) == list(index.stubs)
