"""The stub finder: what counts as a stub, where its body is, and tolerance of broken files."""

import textwrap

from sstar.stubs import Position, StubKind, find_stubs, stub_at, stubs_in_lines


def stubs_of(source: str):
    return {stub.qualname: stub for stub in find_stubs(textwrap.dedent(source))}


def test_each_stub_form_is_found_and_real_bodies_are_not():
    found = stubs_of(
        '''
        def a(): ...
        def b():
            pass
        def c():
            raise NotImplementedError
        def d():
            raise NotImplementedError("later")
        def e():
            """Only a docstring."""
        async def f():
            ...
        def real():
            return 1
        def two_statements():
            pass
            pass
        def raises_other():
            raise ValueError
        '''
    )
    assert {name: stub.kind for name, stub in found.items()} == {
        "a": StubKind.ELLIPSIS,
        "b": StubKind.PASS,
        "c": StubKind.RAISE_NOT_IMPLEMENTED,
        "d": StubKind.RAISE_NOT_IMPLEMENTED,
        "e": StubKind.DOCSTRING_ONLY,
        "f": StubKind.ELLIPSIS,
    }
    assert found["f"].is_async


def test_overloads_abstract_methods_and_protocols_are_left_alone():
    found = stubs_of(
        """
        from typing import overload, Protocol
        from abc import ABC, abstractmethod

        @overload
        def g(x: int) -> int: ...
        def g(x): return x

        class Base(ABC):
            @abstractmethod
            def run(self): ...

        class Shape(Protocol):
            def area(self) -> float: ...

        class Concrete:
            @staticmethod
            def make(): ...
        """
    )
    assert list(found) == ["Concrete.make"]


def test_methods_and_nested_classes_get_qualified_names():
    found = stubs_of(
        """
        class Outer:
            class Inner:
                def deep(self):
                    pass
            def top(self): ...
        """
    )
    assert set(found) == {"Outer.Inner.deep", "Outer.top"}
    assert found["Outer.Inner.deep"].class_path == ("Outer", "Inner")


def test_body_span_covers_only_the_stub_statement():
    source = 'def f(x):\n    """Doc."""\n    ...  # fill me\n'
    (stub,) = find_stubs(source)
    assert stub.body_span.start == Position(2, 4)
    assert stub.body_span.end == Position(2, 7)
    assert not stub.body_inline and stub.body_indent == "    "
    assert stub.docstring == "Doc." and stub.docstring_line == 1


def test_inline_stub_span_starts_at_the_colon():
    (stub,) = find_stubs("def f(x): ...\n")
    assert stub.body_inline
    assert stub.body_span.start == Position(0, 9)


def test_columns_are_code_points_not_bytes():
    (stub,) = find_stubs('def f(): "é"; ...\n')
    # 'def f(): "é"; ' is 14 code points (15 UTF-8 bytes); the stub statement starts after it
    assert stub.body_span.end == Position(0, 17)


def test_syntax_error_elsewhere_does_not_hide_stubs():
    source = textwrap.dedent(
        """
        import os

        def broken(:
            pass

        @decorator
        def good(x):
            '''Doc.'''
            ...

        class Kept:
            def m(self): pass
        """
    )
    assert set(stubs_of(source)) == {"good", "Kept.m"}
    good = stubs_of(source)["good"]
    assert good.span.start.line == 6  # the decorator line, 0-based


def test_stub_at_and_selection():
    source = "def a():\n    ...\n\n\ndef b():\n    pass\n"
    stubs = find_stubs(source)
    assert stub_at(stubs, 1).name == "a"
    assert stub_at(stubs, 2) is None
    assert [s.name for s in stubs_in_lines(stubs, 0, 5)] == ["a", "b"]


def test_empty_and_garbage_sources_have_no_stubs():
    assert find_stubs("") == []
    assert find_stubs("def (((\n  \x00") == []


def test_stubs_are_found_where_people_put_them():
    found = stubs_of(
        """
        import sys

        if sys.version_info >= (3, 11):
            def conditional(x):
                ...
        else:
            def conditional(x):
                return x

        try:
            from fast import speedy
        except ImportError:
            def speedy(x):
                pass

        with open(__file__) as handle:
            def under_with(): ...

        def outer(x):
            def inner(y):
                raise NotImplementedError
            return inner

        class Outer:
            class Inner:
                class Deepest:
                    def deep(self): ...
        """
    )
    assert set(found) == {"conditional", "speedy", "under_with", "outer.<locals>.inner", "Outer.Inner.Deepest.deep"}
    assert found["outer.<locals>.inner"].in_function and not found["speedy"].in_function
    assert found["Outer.Inner.Deepest.deep"].class_path == ("Outer", "Inner", "Deepest")


def test_protocol_members_stay_excluded_at_any_depth():
    found = stubs_of(
        """
        from typing import Protocol

        class Shape(Protocol):
            def area(self) -> float: ...
            class Nested:
                def inside(self): ...

        if True:
            class Maybe(Protocol):
                def m(self): ...
        """
    )
    assert found == {}
