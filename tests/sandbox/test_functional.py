"""What a probe returns: values, displays, exceptions, shared state, the workspace, and the same
outcomes on the fork-server and the fresh-interpreter paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from sandbox import Limits, OutcomeKind, PoolMode, Probe, SandboxPool, StepOutcome, compare

from .conftest import DENIED, FAST

pytestmark = pytest.mark.asyncio(loop_scope="module")

INVENTORY = '''
class Inventory:
    """A counter of named items."""

    def __init__(self):
        self.items = {}

    def add(self, name, n):
        self.items[name] = self.items.get(name, 0) + n

    def count(self, name):
        return self.items.get(name, 0)
'''


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fresh_pool(workspace: Path):
    async with SandboxPool(2, workspace=workspace, limits=FAST, mode=PoolMode.FRESH_INTERPRETER) as p:
        yield p


async def test_expression_probe_returns_a_plain_value(pool):
    src = "def merge(xs):\n    return sorted(set(xs))\n"
    r = await pool.run(src, Probe.expression("merge([3, 1, 3, 2])"))
    assert r.setup.kind is OutcomeKind.RETURNED
    (step,) = r.steps
    assert step.kind is OutcomeKind.RETURNED and step.is_plain
    assert step.value == [1, 2, 3] and type(step.value) is list
    assert step.value_repr == "[1, 2, 3]" and step.display == "[1, 2, 3]\n"
    assert r.duration >= step.duration > 0


async def test_plain_values_cross_with_their_exact_types(pool):
    probe = Probe(("(1, 2.5, True, None, 'é', b'\\x00', 3+4j)", "{frozenset({1}): {2}}",
                   "10 ** 40", "float('nan')", "[[]] * 2"))
    r = await pool.run("", probe)
    values = [s.value for s in r.steps]
    assert all(s.is_plain for s in r.steps)
    assert values[0] == (1, 2.5, True, None, "é", b"\x00", 3 + 4j)
    assert [type(v) for v in values[0]] == [int, float, bool, type(None), str, bytes, complex]
    assert values[1] == {frozenset({1}): {2}} and values[2] == 10 ** 40
    assert values[3] != values[3] and values[4] == [[], []]


async def test_doctest_steps_share_one_namespace(pool):
    probe = Probe(("inv = Inventory()", 'inv.add("a", 2)', 'inv.add("a", 3); inv.count("a")',
                   'inv.count("b")'))
    r = await pool.run(INVENTORY, probe)
    assert [s.kind for s in r.steps] == [OutcomeKind.RETURNED] * 4
    assert [s.value for s in r.steps] == [None, None, 5, 0]
    assert [s.display for s in r.steps] == ["", "", "5\n", "0\n"]
    one_line = await pool.run(INVENTORY, Probe.expression(
        'inv = Inventory(); inv.add("a", 2); inv.count("a")'))
    assert one_line.steps[0].value == 2


async def test_each_probe_runs_in_a_fresh_child(pool):
    src = "seen = []\ndef visit(x):\n    seen.append(x)\n    return len(seen)\n"
    results = await pool.run_many(src, [Probe.expression(f"visit({i})") for i in range(6)])
    assert [r.steps[0].value for r in results] == [1] * 6


async def test_display_follows_doctest(pool):
    r = await pool.run("", Probe(("print('hi'); 3", "for i in range(2): print(i)",
                                  "x = 1\ny = 2\nx + y", "None", "'a' + 'b'")))
    assert [s.display for s in r.steps] == ["hi\n3\n", "0\n1\n", "3\n", "", "'ab'\n"]
    assert r.steps[0].stdout == "hi\n" and r.steps[0].value == 3
    assert compare.example_passes("hi\n3\n", None, r.steps[0])
    assert compare.example_passes("'ab'\n", None, r.steps[4])


async def test_exceptions_are_reported_not_raised(pool):
    src = "class BadInput(ValueError):\n    pass\n"
    r = await pool.run(src, Probe(("raise BadInput('no')", "1 / 0", "undefined_name", "7")))
    bad, zero, name, seven = r.steps
    assert bad.kind is OutcomeKind.RAISED and bad.exception_type == "BadInput"
    assert bad.exception_message == "no" and bad.traceback_line == "candidate.BadInput: no"
    assert compare.example_passes("", "BadInput: no\n", bad)  # doctest's module-less form
    assert zero.traceback_line == "ZeroDivisionError: division by zero"
    assert name.exception_type == "NameError"
    assert seven.kind is OutcomeKind.RETURNED and seven.value == 7  # later steps still run


async def test_a_module_that_fails_leaves_nothing_to_probe(pool):
    r = await pool.run("import no_such_module_here\n", Probe(("1", "2")))
    assert r.setup.kind is OutcomeKind.RAISED
    assert r.setup.exception_type == "ModuleNotFoundError"
    assert [s.kind for s in r.steps] == [OutcomeKind.NOT_RUN] * 2
    syntax = await pool.run("def f(:\n", Probe.expression("f()"))
    assert syntax.setup.exception_type == "SyntaxError"


async def test_unplain_values_come_back_as_repr_only(pool):
    src = "class P:\n    def __repr__(self):\n        return 'P()'\n"
    r = await pool.run(src, Probe(("P()", "[P(), 1]", "{1: P()}")))
    for step in r.steps:
        assert step.kind is OutcomeKind.RETURNED and not step.is_plain and step.value is None
    assert [s.value_repr for s in r.steps] == ["P()", "[P(), 1]", "{1: P()}"]


async def test_workspace_modules_are_importable_and_read_only(pool, workspace: Path):
    r = await pool.run("from helpers import double, SECRET_WORD\n",
                       Probe(("double(21)", "SECRET_WORD",
                              f"open({str(workspace / 'helpers.py')!r}, 'a').write('x')",
                              "import iniconfig; iniconfig.__name__")))
    assert [s.value for s in r.steps[:2]] == [42, "ws"]
    assert r.steps[2].exception_type in DENIED
    assert "SECRET_WORD = 'ws'\n" == (workspace / "helpers.py").read_text().splitlines(True)[-1]
    assert r.steps[3].value == "iniconfig"  # installed packages are readable too


async def test_limits_apply_per_call(pool):
    tight = Limits(wall_seconds=0.5, memory_bytes=64 * 1024 * 1024, output_bytes=1024)
    r = await pool.run("", Probe(("print('a' * 2000)",)), tight)
    assert r.steps[0].kind is OutcomeKind.OUTPUT_EXCEEDED
    loose = await pool.run("", Probe(("print('a' * 2000)",)))  # the pool's 16 KiB
    assert loose.steps[0].kind is OutcomeKind.RETURNED and len(loose.steps[0].stdout) == 2001


async def test_a_huge_repr_is_an_output_overflow(pool):
    r = await pool.run("", Probe(("'x' * 100000", "1")))
    assert r.steps[0].kind is OutcomeKind.OUTPUT_EXCEEDED
    assert r.steps[1].kind is OutcomeKind.NOT_RUN


PARITY_CASES = [
    ("def f(x):\n    return x * 2\n", ("f(21)", "f('ab')", "f(None)")),
    (INVENTORY, ("inv = Inventory()", "inv.add('a', 2)", "print(inv.count('a')); inv.items")),
    ("import os\n", ("1", "os._exit(3)", "2")),
    ("import sys\n", ("sys.exit('bye')", "2")),
    ("", ("while True: pass",)),
    ("", ("b = bytearray(10 ** 10)",)),
    ("", ("print('z' * 100000)",)),
    ("import socket\n", ("socket.socket()",)),
    ("import os\n", ("os.fork()",)),
    ("from helpers import double\n", ("double(4)",)),
    ("raise KeyError('module')\n", ("1",)),
]


def _comparable(o: StepOutcome) -> tuple:
    # Durations differ, and so do crash details (a signal vs an exit status) between paths.
    message = o.exception_message if o.kind in (OutcomeKind.RAISED, OutcomeKind.RETURNED) else ""
    return (o.kind, o.value, o.is_plain, o.value_repr, o.display, o.exception_type, message,
            o.traceback_line, o.stdout)


@pytest.mark.parametrize(("source", "steps"), PARITY_CASES)
async def test_fresh_interpreter_path_gives_the_same_outcomes(pool, fresh_pool, source, steps):
    assert (pool.mode, fresh_pool.mode) == (PoolMode.FORK_SERVER, PoolMode.FRESH_INTERPRETER)
    limits = Limits(wall_seconds=0.5, memory_bytes=128 * 1024 * 1024, output_bytes=16 * 1024)
    a = await pool.run(source, Probe(steps), limits)
    b = await fresh_pool.run(source, Probe(steps), limits)
    assert [_comparable(o) for o in (a.setup, *a.steps)] == [
        _comparable(o) for o in (b.setup, *b.steps)]


async def test_default_limits(pool):
    defaults = Limits()
    assert (defaults.wall_seconds, defaults.memory_bytes, defaults.output_bytes) == (
        2.0, 512 * 1024 * 1024, 64 * 1024)
    assert SandboxPool().limits == defaults
    r = await pool.run("", Probe(("print('a' * 60000)", "print('b' * 6000)")), defaults)
    assert [s.kind for s in r.steps] == [OutcomeKind.RETURNED, OutcomeKind.OUTPUT_EXCEEDED]
    for bad in ({"wall_seconds": 0}, {"memory_bytes": 1024}, {"output_bytes": 10}):
        with pytest.raises(ValueError):
            Limits(**bad)
