"""sandbox.verdict on hand-made supervisor reports: what the parent believes, and what it doesn't."""

from __future__ import annotations

import signal

from sandbox import OutcomeKind, Probe
from sandbox._child import wire
from sandbox.verdict import Bounds
from sandbox.verdict import decide as _decide

NONCE = "a" * 32
BOUNDS = Bounds(output=16 * 1024, wall=1.0)
PROBE = Probe(("x = 1", "x + 1", "x + 2"))
OK = {"st": "ok", "plain": True, "v": None, "r": "None", "out": "", "disp": "", "dt": 0.001}


def returned(value: int) -> dict:
    return dict(OK, v=value, r=repr(value), disp=f"{value}\n")


def frame(records: list[dict], nonce: str = NONCE, **extra) -> bytes:
    return wire.pack_frame(wire.dumps({"nonce": nonce, "records": records, "layers": {},
                                       **extra}))


def checkpoints(records: list[dict], nonce: str = NONCE) -> bytes:
    return b"".join(wire.pack_frame(wire.dumps({"nonce": nonce, "record": r}))
                    for r in records)


def raw(frame: bytes = b"", progress: bytes = b"", **facts) -> dict:
    base = {"frame": frame, "progress": progress, "killed": None, "exit": 0, "signal": None,
            "out_head": b"", "out_total": 0, "elapsed": 0.5, "oom": False}
    return dict(base, **facts)


def decide(raw_facts: dict, probe: Probe, nonce: str, probing: bool = False):
    return _decide(raw_facts, probe, nonce, BOUNDS, probing=probing)


def kinds(decision) -> list[OutcomeKind]:
    result = decision.result
    return [result.setup.kind, *(s.kind for s in result.steps)]


R, T, C, N = OutcomeKind.RETURNED, OutcomeKind.TIMEOUT, OutcomeKind.CRASHED, OutcomeKind.NOT_RUN


def test_a_whole_frame_is_believed():
    d = decide(raw(frame([OK, OK, returned(2), returned(3)])), PROBE, NONCE)
    assert kinds(d) == [R, R, R, R]
    assert [s.value for s in d.result.steps] == [None, 2, 3]


def test_a_frame_with_extra_bytes_or_another_nonce_is_tampered():
    records = [OK, OK, returned(2), returned(3)]
    for bad in (frame(records) + b"x", frame(records) * 2, frame(records, nonce="b" * 32),
                frame(records)[:-1]):
        d = decide(raw(bad), PROBE, NONCE)
        assert kinds(d) == [C, N, N, N]
        assert "tampered" in d.result.setup.exception_message


def test_checkpoints_keep_finished_steps_after_a_hard_kill():
    progress = checkpoints([OK, OK, returned(2)])
    d = decide(raw(progress=progress, killed="timeout", exit=None, signal=9), PROBE, NONCE)
    assert kinds(d) == [R, R, R, T]
    assert d.result.steps[1].value == 2


def test_a_truncated_last_checkpoint_is_dropped():
    progress = checkpoints([OK, OK, returned(2)])
    d = decide(raw(progress=progress[:-3], exit=None, signal=signal.SIGSEGV), PROBE, NONCE)
    assert kinds(d) == [R, R, C, N]
    assert d.result.steps[1].exception_message == "killed by signal SIGSEGV"


def test_forged_checkpoints_spoil_the_whole_probe():
    for progress in (checkpoints([OK, returned(5)], nonce="guess"),
                     checkpoints([OK]) + checkpoints([returned(5)], nonce="guess"),
                     checkpoints([OK] * 5),
                     checkpoints([OK, {"st": "ok", "r": 5}])):
        d = decide(raw(progress=progress, exit=0), PROBE, NONCE)
        assert kinds(d) == [C, N, N, N]
        assert "forged" in d.result.setup.exception_message


def test_a_checkpoint_that_says_how_it_ended_gets_no_extra_outcome():
    progress = checkpoints([OK, {"st": "timeout", "dt": 0.5}])
    d = decide(raw(progress=progress, killed="timeout", exit=None, signal=9), PROBE, NONCE)
    assert kinds(d) == [R, T, N, N]


def test_the_supervisors_reason_beats_its_own_sigkill():
    for killed, kind in (("output", OutcomeKind.OUTPUT_EXCEEDED), ("frame", C), ("timeout", T)):
        d = decide(raw(progress=checkpoints([OK]), killed=killed, exit=None, signal=9),
                   PROBE, NONCE)
        assert kinds(d) == [R, kind, N, N], killed


def test_exit_paths_without_a_frame():
    d = decide(raw(progress=checkpoints([OK]), exit=3), PROBE, NONCE)
    assert d.result.steps[0].kind is C
    assert d.result.steps[0].exception_message == "exited with status 3 without a result"
    memory = decide(raw(exit=1, out_head=b"Traceback...\nMemoryError\n"), PROBE, NONCE)
    assert memory.result.setup.kind is OutcomeKind.MEMORY_EXCEEDED
    cpu = decide(raw(progress=checkpoints([OK, OK]), exit=None, signal=signal.SIGXCPU),
                 PROBE, NONCE)
    assert kinds(cpu) == [R, R, T, N]


def test_the_frame_is_ignored_when_the_child_did_not_exit_cleanly():
    d = decide(raw(frame([OK, OK, returned(2), returned(3)]), exit=None, signal=9,
                   killed="timeout", progress=checkpoints([OK])), PROBE, NONCE)
    assert kinds(d) == [R, T, N, N]


def test_refused_layers_are_believed_only_from_the_start_up_probe():
    layers = {"seccomp": ["missing", "no filter"]}
    d = decide(raw(frame([], refused=["seccomp"], layers=layers)), PROBE, NONCE, probing=True)
    assert d.refused == ("seccomp",) and d.layers["seccomp"].detail == "no filter"
    # Anywhere else a refusal is the candidate's to forge: that run fails, nothing else.
    d = decide(raw(frame([], refused=["seccomp"], layers=layers)), PROBE, NONCE)
    assert d.refused == () and d.layers == {}
    assert kinds(d) == [C, N, N, N] and "refused" in d.result.setup.exception_message
