"""Repair feedback: where a step failed inside the module under test, and that frame's locals."""

from __future__ import annotations

import pytest

from sandbox import ErrorDetail, FrameInfo, Limits, OutcomeKind, Probe

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_frames_of_the_module_innermost_last_with_locals(pool):
    src = ("def outer(xs):\n    total = sum(xs)\n    return inner(xs, total)\n\n"
           "def inner(xs, total):\n    ratio = total / len(xs)\n    pick = xs[10]\n"
           "    return pick\n")
    r = await pool.run(src, Probe.expression("outer([1, 2, 3])"))
    step = r.steps[0]
    assert step.kind is OutcomeKind.RAISED and step.exception_type == "IndexError"
    assert step.error == ErrorDetail(
        frames=(FrameInfo(3, "outer", "return inner(xs, total)"),
                FrameInfo(7, "inner", "pick = xs[10]")),
        locals=(("xs", "[1, 2, 3]"), ("total", "6"), ("ratio", "2.0")))


async def test_only_the_module_under_test_and_at_most_five_frames(pool):
    src = ("from helpers import double\n"  # a workspace module: its frames are not shown
           "def down(n):\n    if n == 0:\n        return double(None) + 1\n    return down(n - 1)\n")
    r = await pool.run(src, Probe.expression("down(8)"))
    frames = r.steps[0].error.frames
    assert len(frames) == 5 and all(f.function == "down" for f in frames)
    assert frames[-1] == FrameInfo(4, "down", "return double(None) + 1")
    assert dict(r.steps[0].error.locals) == {"n": "0"}
    probe_only = await pool.run("", Probe.expression("undefined_name"))
    assert probe_only.steps[0].kind is OutcomeKind.RAISED and probe_only.steps[0].error is None


async def test_line_numbers_count_lines_as_the_compiler_does(pool):
    src = "x = 1\r\ny = 2\rdef f():\n    s = 'a\\x0cb'  # form feed in a literal\n    return 1 / 0\n"
    r = await pool.run(src, Probe.expression("f()"))
    assert r.steps[0].error.frames == (FrameInfo(5, "f", "return 1 / 0"),)
    module = await pool.run("a = 1\r\nb = [][0]\n", Probe.expression("1"))
    assert module.setup.kind is OutcomeKind.RAISED
    assert module.setup.error == ErrorDetail((FrameInfo(2, "<module>", "b = [][0]"),), ())


async def test_locals_are_few_short_and_safe_to_show(pool):
    names = ", ".join(f"v{i}" for i in range(15))
    src = (
        "class Hostile:\n    def __repr__(self):\n        raise RuntimeError('no')\n"
        "class Huge:\n    def __repr__(self):\n        return 'H' * 10 ** 6\n"
        f"def f():\n    {names} = range(15)\n    bad, big = Hostile(), Huge()\n"
        "    deep = [[[[[[1]]]]]]\n    text = 'x' * 5000\n    raise ValueError('boom')\n"
        "def g():\n    bad, big = Hostile(), Huge()\n    deep = [[[[[[1]]]]]]\n"
        "    text = 'x' * 5000\n    raise ValueError('boom')\n"
    )
    r = await pool.run(src, Probe(("f()", "g()")))
    many = r.steps[0].error.locals
    assert len(many) == 10 and many[0] == ("v0", "0")
    shown = dict(r.steps[1].error.locals)
    assert shown["bad"] == "<Hostile object, unprintable>"
    assert len(shown["big"]) <= 100 and shown["big"].startswith("HHH")
    assert shown["deep"] == "[[[...]]]" and len(shown["text"]) <= 100


async def test_a_repr_that_never_returns_cannot_hang_the_report(pool):
    src = ("class Slow:\n    def __repr__(self):\n        while True:\n            pass\n"
           "def f():\n    s = Slow()\n    raise KeyError('k')\n")
    r = await pool.run(src, Probe(("f()", "2")), Limits(wall_seconds=0.5))
    assert r.steps[0].kind is OutcomeKind.TIMEOUT  # contained by the deadline, nothing worse
    assert r.steps[1].kind is OutcomeKind.NOT_RUN
