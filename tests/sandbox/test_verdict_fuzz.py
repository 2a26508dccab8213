"""No exception from a child's output may escape: `decide` fuzzed with hypothesis.

Whatever bytes the result and progress pipes carry, and whatever a well-framed JSON payload
holds, `decide` returns a Decision whose ProbeResult has one outcome per step; a forged frame in
a normal run never carries layers or refusals out.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import OutcomeKind, Probe, ProbeResult
from sandbox._child import wire
from sandbox.verdict import Bounds, Decision, decide

NONCE = "b" * 32
PROBE = Probe(("x = 1", "x + 1"))
BOUNDS = Bounds(output=1024, wall=1.0)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=5),
    max_leaves=30,
)
record_keys = st.sampled_from(["st", "plain", "v", "r", "disp", "out", "et", "em", "tl", "dt",
                               "err", "zz"])
records = st.dictionaries(record_keys, json_values, max_size=8) | json_values
states = st.sampled_from(["ok", "exc", "timeout", "output", "exit", "bogus"])
plausible = st.fixed_dictionaries(
    {"st": states},
    optional={"plain": st.booleans(), "v": json_values, "r": st.text(max_size=30),
              "dt": json_values, "out": json_values, "err": json_values, "et": json_values},
)


def framed(obj: object) -> bytes:
    return wire.pack_frame(json.dumps(obj, allow_nan=True).encode())


def check(decision: Decision, probing: bool, validated: bool = True) -> None:
    assert isinstance(decision, Decision)
    result = decision.result
    if validated:  # the record checks caught it, not decide's last-resort net
        assert "unreadable result" not in (result.setup.exception_message or "")
    assert isinstance(result, ProbeResult) and len(result.steps) == len(PROBE.steps)
    assert all(isinstance(o.kind, OutcomeKind) for o in (result.setup, *result.steps))
    if not probing:
        assert decision.layers == {} and decision.refused == ()


def facts(frame: bytes, progress: bytes, **extra) -> dict:
    base = {"frame": frame, "progress": progress, "killed": None, "exit": 0, "signal": None,
            "out_head": b"", "out_total": 0, "elapsed": 0.1, "oom": False}
    return dict(base, **extra)


@FAST
@given(st.binary(max_size=300), st.binary(max_size=300), st.booleans())
def test_arbitrary_bytes_on_both_pipes(frame, progress, probing):
    check(decide(facts(frame, progress), PROBE, NONCE, BOUNDS, probing=probing), probing)


@FAST
@given(st.lists(records | plausible, max_size=4), json_values, json_values, st.booleans())
def test_well_framed_but_hostile_frames(recs, layers, refused, probing):
    frame = framed({"nonce": NONCE, "records": recs, "layers": layers, "refused": refused})
    check(decide(facts(frame, b""), PROBE, NONCE, BOUNDS, probing=probing), probing)


@FAST
@given(st.lists(records | plausible, max_size=5), st.sampled_from([None, 9, 11, 24]),
       st.sampled_from([None, "timeout", "output", "frame"]), st.booleans())
def test_hostile_checkpoints_after_a_kill(recs, signal, killed, oom):
    progress = b"".join(framed({"nonce": NONCE, "record": r}) for r in recs)
    raw = facts(b"", progress, exit=None if signal else 1, signal=signal, killed=killed, oom=oom)
    check(decide(raw, PROBE, NONCE, BOUNDS), False)


@FAST
@given(st.dictionaries(st.sampled_from(["frame", "progress", "killed", "exit", "signal",
                                        "out_head", "elapsed", "oom"]), json_values))
def test_even_odd_supervisor_facts_do_not_raise(odd):
    # The zygote's facts are checked by the worker before this; here only the net must hold.
    check(decide(dict(facts(b"", b""), **odd), PROBE, NONCE, BOUNDS), False, validated=False)
