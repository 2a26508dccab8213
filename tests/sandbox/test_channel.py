"""Attack classes 6 and 7: forged result frames fail only their own run, and nothing of a
candidate (source, output, result, nonce) stays in the zygote that later children fork from."""

from __future__ import annotations

import os
import re
import secrets

import pytest
import pytest_asyncio

import sandbox.pool
from sandbox import OutcomeKind, Probe, SandboxPool

from .conftest import FAST

pytestmark = pytest.mark.asyncio(loop_scope="module")

# A candidate that finds this run's nonce in its own memory (the runner's state is a Python
# object like any other) and writes the frame it likes, then leaves before the real one.
FORGER = """
import gc, json, os, struct
run = next(o for o in gc.get_objects() if type(o).__name__ == "_Run")
nan = float("nan")
def forge(frame):
    data = json.dumps(dict(frame, nonce=run.nonce)).encode()
    os.write(3, struct.pack(">Q", len(data)) + data)
    os._exit(0)
"""
EVERYTHING_MISSING = '{name: ["missing", "forged"] for name in run.layers}'
OK_RECORD = {"st": "ok", "plain": True, "v": 1, "r": "1", "out": "", "disp": "1\n", "dt": 0.1}
BAD_RECORDS = [
    dict(OK_RECORD, dt=10**400),  # an int no float can hold: OverflowError in the old verdict
    dict(OK_RECORD, dt=float("nan")),
    dict(OK_RECORD, dt=-1),
    dict(OK_RECORD, dt=1e300),
    dict(OK_RECORD, r="x" * 10**6),
    dict(OK_RECORD, out=["not", "text"]),
    dict(OK_RECORD, extra="field"),
    dict(OK_RECORD, plain="yes"),
    dict(OK_RECORD, v={"x": "zz"}),
    dict(OK_RECORD, v=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]),
    {"st": "exc", "et": "E", "em": "m", "tl": "t", "dt": 0.1,
     "err": {"f": [[1, "f", "x"]] * 50, "l": []}},
    {"st": "exc", "et": "E", "em": "m", "tl": "t", "dt": 0.1,
     "err": {"f": [[-5, "f", "x"]], "l": []}},
    {"st": "exc", "et": "E", "dt": 0.1, "err": {"f": [[1, "f", "x"]], "l": [["a", "b" * 500]]}},
    {"st": "bogus"},
    "not a record",
]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool():
    async with SandboxPool(1, limits=FAST) as p:
        yield p


async def benign_still_works(pool: SandboxPool) -> None:
    r = await pool.run("def f(x):\n    return x * 3\n", Probe.expression("f(14)"))
    assert r.steps[0].kind is OutcomeKind.RETURNED and r.steps[0].value == 42


async def test_a_forged_refusal_fails_only_its_own_run(pool):
    report = pool.report
    frame = f'{{"records": [], "layers": {EVERYTHING_MISSING}, "refused": ["seccomp"]}}'
    r = await pool.run(FORGER + f"forge({frame})\n", Probe.expression("1"))  # no exception
    assert r.setup.kind is OutcomeKind.CRASHED and "refused" in r.setup.exception_message
    assert pool.report is report and pool.report.is_active("seccomp")  # layers not believed
    await benign_still_works(pool)


async def test_forged_layers_in_a_good_frame_are_ignored(pool):
    frame = f'{{"records": [{OK_RECORD!r}, {OK_RECORD!r}], "layers": {EVERYTHING_MISSING}}}'
    r = await pool.run(FORGER + f"forge({frame})\n", Probe.expression("1"))
    # The frame is well formed: its values stand for this run only (the candidate could have
    # returned them anyway); the layers it claims change nothing.
    assert r.steps[0].kind is OutcomeKind.RETURNED and r.steps[0].value == 1
    assert all(state.applied for name, state in pool.report.layers.items()
               if name in ("seccomp", "landlock_fs", "pid_budget"))


@pytest.mark.parametrize("record", BAD_RECORDS, ids=range(len(BAD_RECORDS)))
async def test_a_malformed_record_makes_that_run_crashed_and_nothing_else(pool, record):
    source = FORGER + f"forge({{'records': [{OK_RECORD!r}, {record!r}], 'layers': {{}}}})\n"
    r = await pool.run(source, Probe.expression("1"))
    assert r.setup.kind is OutcomeKind.CRASHED, r
    assert "tampered" in r.setup.exception_message
    assert [s.kind for s in r.steps] == [OutcomeKind.NOT_RUN]
    await benign_still_works(pool)


def readable_memory(pid: int) -> bytes:
    """The anonymous and heap memory of a process (where freed buffers would linger)."""
    chunks = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            path = fields[5] if len(fields) > 5 else ""
            if fields[1].startswith("rw") and (not path or path in ("[heap]", "[stack]")):
                try:
                    mem.seek(lo)
                    chunks.append(mem.read(hi - lo))
                except OSError:
                    continue
    return b"".join(chunks)


async def test_no_candidate_residue_stays_in_the_zygote(pool, monkeypatch):
    token = secrets.token_hex(8)
    nonce = "f00d" + secrets.token_hex(14)
    monkeypatch.setattr(sandbox.pool.secrets, "token_hex", lambda n=16: nonce)
    source = (f"# SOURCE_MARK_{token}\n"
              f"def f():\n    print('PRINT' + '_MARK_{token}')\n"
              f"    return 'RESULT' + '_MARK_{token}'\n")
    r = await pool.run(source, Probe((f"f()  # STEP_MARK_{token}",)))
    monkeypatch.undo()
    assert r.steps[0].value == f"RESULT_MARK_{token}"
    assert f"PRINT_MARK_{token}" in r.steps[0].stdout
    (zygote,) = pool.worker_pids
    memory = readable_memory(zygote)
    # The scan does see the zygote's own state (its worker directory lives in its config)...
    assert pool._workers[0].base.encode() in memory
    # ...and nothing a child had: not the source, the step, the output, the result or the nonce.
    for marker in ("SOURCE", "STEP", "PRINT", "RESULT"):
        assert f"{marker}_MARK_{token}".encode() not in memory, marker
    assert nonce.encode() not in memory


async def test_a_later_child_finds_no_earlier_candidate(pool):
    token = secrets.token_hex(8)
    await pool.run(f"SECRET = 'EARLIER_{token}'\n", Probe.expression("SECRET"))
    # The attack: look through every live object inherited from the zygote.
    hunt = ("import gc\nneedle = 'EARLIER_' + TOKEN\n"
            "hits = [o for o in gc.get_objects() if isinstance(o, (str, bytes, bytearray, dict))"
            " and needle in repr(o)[:10000] and o is not globals() and o is not needle]\n")
    r = await pool.run(f"TOKEN = {token!r}\n" + hunt, Probe.expression("len(hits)"))
    assert r.steps[0].value == 0
    assert not re.search(f"EARLIER_{token}".encode(), readable_memory(pool.worker_pids[0]))
    assert os.path.exists(f"/proc/{pool.worker_pids[0]}")
