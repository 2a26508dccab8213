"""Replacing a stub's body: only the body changes, and what is written runs."""

import textwrap

import pytest

from sstar.edits import candidate_body, replace_body
from sstar.errors import SourceSyntaxError
from sstar.stubs import find_stubs

SOURCE = textwrap.dedent(
    '''
    import math

    @functools.cache
    def area(r: float) -> float:
        """Area of a circle.

        >>> round(area(1.0), 2)
        3.14
        """
        ...  # todo

    def other():
        return 1
    '''
)


def written(source: str, snippet: str, name: str) -> str:
    stub = next(s for s in find_stubs(source) if s.name == name)
    return replace_body(source, stub, candidate_body(snippet, name, source))


def test_only_the_body_changes_and_the_users_signature_and_docstring_stay():
    snippet = 'def area(radius):\n    """Model doc."""\n    return math.pi * r ** 2\n'
    result = written(SOURCE, snippet, "area")
    assert result == SOURCE.replace("...", "return math.pi * r ** 2")


def test_added_imports_and_helpers_move_inside_the_body():
    snippet = textwrap.dedent(
        """
        import math
        import statistics

        def square(x):
            return x * x

        def area(r):
            # pi r squared
            return math.pi * square(r)

        if __name__ == "__main__":
            print(area(2))
        """
    )
    body = candidate_body(snippet, "area", SOURCE)
    assert body == (  # `statistics` is not used by the body: left out
        "def square(x):\n    return x * x\n"
        "# pi r squared\n"
        "return math.pi * square(r)\n"
    )
    namespace: dict = {}
    exec(written(SOURCE, snippet, "area").replace("@functools.cache\n", ""), namespace)
    assert round(namespace["area"](1.0), 2) == 3.14


def test_imports_only_for_the_models_own_signature_are_left_out():
    snippet = textwrap.dedent(
        """
        from typing import List
        import collections
        from functools import reduce as fold

        def _count(xs: List[int]):
            return collections.Counter(xs)

        def area(r: List[int]) -> List[int]:
            return fold(max, _count(r))
        """
    )
    body = candidate_body(snippet, "area", SOURCE)
    assert body.splitlines() == [
        "from typing import List",  # needed by the helper's annotation, which is kept
        "import collections",
        "from functools import reduce as fold",
        "def _count(xs: List[int]):",
        "    return collections.Counter(xs)",
        "return fold(max, _count(r))",
    ]
    alone = "from typing import List\n\ndef area(r: List[int]) -> List[int]:\n    return r\n"
    assert candidate_body(alone, "area", SOURCE) == "return r\n"


def test_methods_keep_their_indentation_and_one_line_stubs_are_split():
    source = "class A:\n    def f(self, x): pass\n    def g(self): return 2\n"
    result = written(source, "def f(self, x):\n    y = x + 1\n    return y\n", "f")
    assert result == (
        "class A:\n    def f(self, x):\n        y = x + 1\n        return y\n"
        "    def g(self): return 2\n"
    )


def test_a_whole_class_answer_for_a_method_uses_the_method():
    source = "class A:\n    def f(self):\n        ...\n"
    snippet = "class A:\n    def f(self):\n        return 7\n"
    assert written(source, snippet, "f") == "class A:\n    def f(self):\n        return 7\n"


def test_docstring_only_stub_gets_a_body_after_the_docstring():
    source = 'def f():\n    """Doc."""\n\nX = 1\n'
    assert written(source, "def f():\n    return 1\n", "f") == (
        'def f():\n    """Doc."""\n    return 1\n\nX = 1\n'
    )


@pytest.mark.parametrize("snippet", ["this is prose", "def other():\n    return 1\n"])
def test_unusable_snippets_are_clear_errors(snippet):
    with pytest.raises(SourceSyntaxError):
        candidate_body(snippet, "area", SOURCE)
