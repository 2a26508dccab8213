"""Code extraction: fenced blocks, prose, classes, renames, truncation, de-duplication keys."""

import ast

from sstar.extract_code import ExtractFailure, dedup_key, extract_snippet


def names(snippet: str) -> list[str]:
    return [getattr(n, "name", type(n).__name__) for n in ast.parse(snippet).body]


def test_last_python_block_wins():
    answer = (
        "First try:\n```python\ndef f(x):\n    return 1\n```\nBetter:\n"
        "```python\nimport math\n\ndef helper(y):\n    return y\n\ndef f(x):\n    return helper(math.floor(x))\n```\nDone."
    )
    got = extract_snippet(answer, "f")
    assert got.ok
    assert names(got.snippet) == ["Import", "helper", "f"]
    assert "math.floor" in got.snippet


def test_block_without_the_function_is_skipped():
    answer = "```python\ndef f(x):\n    return x\n```\nExample:\n```python\nprint(f(2))\n```"
    assert "return x" in extract_snippet(answer, "f").snippet


def test_unfenced_code_and_prose():
    assert extract_snippet("def f():\n    return 2\n", "f").ok
    bad = extract_snippet("I think you should loop over the list and add things up.", "f")
    assert not bad.ok and bad.failure is ExtractFailure.NO_CODE
    assert extract_snippet("   ", "f").failure is ExtractFailure.EMPTY
    assert extract_snippet("```python\ndef g(:\n```", "f").failure is ExtractFailure.NO_CODE
    two = extract_snippet("```python\ndef g():\n    pass\ndef h():\n    pass\n```", "f")
    assert two.failure is ExtractFailure.NO_FUNCTION


def test_method_written_as_whole_class():
    answer = "```python\nimport re\n\nclass Stack:\n    def push(self, x):\n        self.items.append(x)\n```"
    got = extract_snippet(answer, "push")
    assert names(got.snippet) == ["Import", "push"]


def test_renamed_function_is_renamed_back_with_recursion():
    got = extract_snippet(
        "```python\ndef fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n```", "factorial"
    )
    namespace = {}
    exec(got.snippet, namespace)
    assert namespace["factorial"](5) == 120


def test_truncated_block_keeps_complete_part():
    answer = "```python\ndef f(x):\n    return x + 1\n\ndef g(y):\n    return (y +"
    got = extract_snippet(answer, "f")
    assert got.ok and "def g" not in got.snippet


def test_indented_block():
    assert extract_snippet("```\n    def f():\n        return 3\n```", "f").ok


def test_dedup_key_ignores_format_comments_docstrings():
    a = "def f(x):\n    '''Doc.'''\n    # comment\n    return x+1\n"
    b = "def f(x):\n    return (x + 1)\n"
    c = "def f(x):\n    return x + 2\n"
    assert dedup_key(a) == dedup_key(b) != dedup_key(c)
    assert dedup_key("def (") == dedup_key("def (") != dedup_key("def ((")
