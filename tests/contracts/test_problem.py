"""Problem extraction: examples, context, errors and warnings."""

import textwrap
from pathlib import Path

import pytest

from sstar.errors import NotAStubError, StubNotFoundError
from sstar.problem import extract_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_examples_come_with_their_file_lines():
    source = (EXAMPLES / "intervals.py").read_text()
    problem = extract_problem(source, qualname="merge_intervals")
    lines = source.splitlines()
    assert [e.source for e in problem.examples] == [
        "merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)])",
        "merge_intervals([(1, 4), (4, 5)])",
        "merge_intervals([])",
    ]
    for example in problem.examples:
        assert lines[example.line].strip() == ">>> " + example.source
    assert problem.examples[0].want == "[(1, 6), (8, 10), (15, 18)]\n"


def test_exception_examples_keep_the_expected_message():
    source = 'def f(x):\n    """\n    >>> f(-1)\n    Traceback (most recent call last):\n    ValueError: negative\n    """\n    ...\n'
    (example,) = extract_problem(source).examples
    assert example.exc_msg == "ValueError: negative\n"


def test_method_context_shows_the_class_but_not_the_stub():
    problem = extract_problem((EXAMPLES / "inventory.py").read_text(), qualname="Inventory.add")
    assert "class Inventory" in problem.context
    assert "def count(self, name: str) -> int:" in problem.context
    assert "def add" not in problem.context
    assert problem.stub_text.startswith("def add(self, name: str, count: int = 1) -> int:")


def test_module_with_a_body_runs_the_examples():
    source = (EXAMPLES / "intervals.py").read_text()
    problem = extract_problem(source, line=8)
    module = problem.module_with(
        "result = []\n"
        "for start, end in sorted(intervals):\n"
        "    if result and start <= result[-1][1]:\n"
        "        result[-1] = (result[-1][0], max(result[-1][1], end))\n"
        "    else:\n"
        "        result.append((start, end))\n"
        "return result\n"
    )
    namespace: dict = {}
    exec(module, namespace)
    assert namespace["merge_intervals"]([(1, 3), (2, 6)]) == [(1, 6)]
    assert problem.function_with("return []\n").endswith("    return []")


def test_the_key_ignores_unrelated_edits_but_not_the_docstring():
    source = (EXAMPLES / "intervals.py").read_text()
    key = extract_problem(source).key()
    assert extract_problem(source + "\n\n# a comment\n").key() == key
    assert extract_problem(source.replace("sorted by start", "sorted")).key() != key


def test_errors_say_what_to_do():
    source = "def real():\n    return 1\n\ndef a(): ...\ndef b(): ...\n"
    with pytest.raises(NotAStubError, match="already has a body"):
        extract_problem(source, qualname="real")
    with pytest.raises(StubNotFoundError, match="no function named nope"):
        extract_problem(source, qualname="nope")
    with pytest.raises(StubNotFoundError, match="several stubs"):
        extract_problem(source)
    with pytest.raises(StubNotFoundError, match="line 2"):
        extract_problem(source, line=1)


def test_warnings_for_missing_docstring_and_broken_file():
    problem = extract_problem("def f(x): ...\n\ndef g(:\n")
    assert any("no docstring" in w for w in problem.warnings)
    assert any("syntax errors outside" in w for w in problem.warnings)


def test_workspace_tests_that_call_the_function_are_found(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_geo.py").write_text(
        textwrap.dedent(
            """
            from geo import area

            def test_area():
                assert area(0) == 0

            def test_unrelated():
                assert True
            """
        )
    )
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "test_area.py").write_text("def test_x():\n    area(1)\n")
    source = 'def area(r):\n    """Area."""\n    ...\n'
    problem = extract_problem(source, workspace=tmp_path, path=tmp_path / "geo.py")
    assert [t.name for t in problem.tests] == ["test_area"]
    assert problem.tests[0].body == "assert area(0) == 0"


def test_informal_examples_are_public_tests_when_there_are_no_doctests():
    source = textwrap.dedent(
        '''
        def fly(q, w):
            """Will it fly?

            fly([1, 2], 5) ➞ False
            fly([3], 5) == True   # balanced
            fly([3, 2, 3], 9) => True.
            other([1]) == 3
            fly is a function == 4
            fly(x) -> 19 - 5 - 6 = 8
            """
            ...
        '''
    )
    examples = extract_problem(source).examples
    assert [(e.source, e.want) for e in examples] == [
        ("fly([1, 2], 5)", "False\n"),
        ("fly([3], 5)", "True\n"),
        ("fly([3, 2, 3], 9)", "True\n"),
    ]
    lines = source.splitlines()
    assert all(lines[e.line].strip().startswith(e.source) for e in examples)


def test_several_informal_examples_on_one_line():
    source = textwrap.dedent(
        '''
        def sq(n):
            """Square.

            sq(2) returns 4 and sq(3) returns 9.
            sq(4) -> 16, sq(5) -> 25
            sq(6) == 36
            """
            ...
        '''
    )
    examples = extract_problem(source).examples
    assert [(e.source, e.want) for e in examples] == [
        ("sq(2)", "4\n"), ("sq(3)", "9\n"), ("sq(4)", "16\n"), ("sq(5)", "25\n"), ("sq(6)", "36\n"),
    ]
    lines = source.split("\n")
    assert all(e.source in lines[e.line] for e in examples)


def test_a_stub_file_is_refused_clearly():
    with pytest.raises(StubNotFoundError, match=r"stub file \(\.pyi\)"):
        extract_problem("def f(x: int) -> int: ...\n", path="pkg/mod.pyi")


def test_a_nested_function_can_be_solved_but_its_examples_cannot_run_alone():
    source = 'def outer():\n    def inner(x):\n        """>>> inner(1)\n        2\n        """\n        ...\n    return inner\n'
    problem = extract_problem(source, qualname="outer.<locals>.inner")
    assert problem.examples == ()
    assert any("inside another function" in w for w in problem.warnings)
    namespace: dict = {}
    exec(problem.module_with("return x + 1\n"), namespace)
    assert namespace["outer"]()(1) == 2


def test_a_syntax_error_elsewhere_leaves_only_the_parseable_part_to_run():
    source = "def broken(:\n    pass\n\nimport math\n\ndef area(r):\n    '''>>> round(area(1), 2)\n    3.14\n    '''\n    ...\n"
    problem = extract_problem(source)
    [warning] = [w for w in problem.warnings if "syntax errors outside" in w]
    module = problem.module_with("return math.pi * r * r\n")
    namespace: dict = {}
    exec(module, namespace)  # the broken part is left out, the import is kept
    assert round(namespace["area"](1), 2) == 3.14
    assert module.split("\n")[5] == "def area(r):"  # line numbers stay true
