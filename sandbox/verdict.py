"""Turn the raw facts about one child (supervisor report + untrusted frame) into a ProbeResult.

Every verdict is computed here, in the parent. The frame is only believed when it is exactly one
well-formed frame carrying this run's nonce and the child exited normally; anything else is
CRASHED ("result channel tampered").
"""

from __future__ import annotations

import signal

from ._child import wire
from .api import OutcomeKind, Probe, ProbeResult, StepOutcome

__all__ = ["decide", "Decision"]

_STOPS = {"timeout", "output", "exit"}
_TEXT_FIELDS = ("r", "disp", "out", "et", "em", "tl")


class Decision:
    """A ProbeResult plus what the child reported about its isolation layers."""

    def __init__(self, result: ProbeResult, layers: dict[str, str], refused: list[str]):
        self.result, self.layers, self.refused = result, layers, refused


def _crash(message: str) -> StepOutcome:
    return StepOutcome(OutcomeKind.CRASHED, exception_message=message)


def _fill(first: list[StepOutcome], total: int, duration: float) -> ProbeResult:
    not_run = StepOutcome(OutcomeKind.NOT_RUN)
    first = first + [not_run] * (total + 1 - len(first))
    return ProbeResult(setup=first[0], steps=tuple(first[1:]), duration=duration)


def _outcome(rec: dict) -> StepOutcome:
    if type(rec) is not dict or any(
        rec.get(k) is not None and type(rec[k]) is not str for k in _TEXT_FIELDS
    ) or type(rec.get("dt", 0.0)) not in (int, float):
        raise wire.WireError("bad record")
    common = {"stdout": rec.get("out") or "", "display": rec.get("disp") or "",
              "duration": float(rec.get("dt", 0.0))}
    st = rec.get("st")
    if st == "ok":
        plain = rec.get("plain") is True
        value = wire.from_plain(rec.get("v")) if plain else None
        if type(rec.get("r")) is not str:
            raise wire.WireError("missing repr")
        return StepOutcome(OutcomeKind.RETURNED, value=value, is_plain=plain,
                           value_repr=rec["r"], **common)
    if st == "exc":
        kind = OutcomeKind.MEMORY_EXCEEDED if rec.get("et") == "MemoryError" else OutcomeKind.RAISED
        return StepOutcome(kind, exception_type=rec.get("et"), exception_message=rec.get("em"),
                           traceback_line=rec.get("tl"), **common)
    if st == "timeout":
        return StepOutcome(OutcomeKind.TIMEOUT, exception_message="wall time limit", **common)
    if st == "output":
        return StepOutcome(OutcomeKind.OUTPUT_EXCEEDED, exception_message=rec.get("em"), **common)
    if st == "exit":
        return StepOutcome(OutcomeKind.CRASHED, exception_type="SystemExit",
                           exception_message=f"sys.exit({rec.get('em')}) ended the child", **common)
    raise wire.WireError(f"unknown status {st!r}")


def _from_frame(raw: dict, probe: Probe, nonce: str) -> Decision:
    frame = wire.loads(wire.unpack_single_frame(raw["frame"]))
    if type(frame) is not dict or frame.get("nonce") != nonce:
        raise wire.WireError("frame without this run's nonce")
    layers, records = frame.get("layers"), frame.get("records")
    refused = frame.get("refused") or []
    if type(layers) is not dict or type(records) is not list or type(refused) is not list:
        raise wire.WireError("bad frame layout")
    if not refused and not 1 <= len(records) <= len(probe.steps) + 1:
        raise wire.WireError("wrong number of records")
    outcomes = [_outcome(r) for r in records]
    complete = len(records) == len(probe.steps) + 1
    last = records[-1]["st"] if records else None
    if records and not complete and not (last in _STOPS or (len(records) == 1 and last == "exc")):
        raise wire.WireError("records stop early without a reason")
    duration = sum(o.duration for o in outcomes)
    layers = {str(k): str(v) for k, v in layers.items()}
    return Decision(_fill(outcomes, len(probe.steps), duration), layers, [str(n) for n in refused])


def _no_frame(raw: dict, probe: Probe) -> ProbeResult:
    at = max(0, min(int(raw.get("progress", -1)), len(probe.steps)))
    sig, killed = raw.get("signal"), raw.get("killed")
    if killed == "timeout" or sig in (signal.SIGXCPU, signal.SIGKILL):
        final = StepOutcome(OutcomeKind.TIMEOUT, exception_message="killed at the deadline")
    elif killed == "output":
        final = StepOutcome(OutcomeKind.OUTPUT_EXCEEDED, exception_message="output limit exceeded")
    elif killed == "frame":
        final = _crash("result channel tampered: oversized result")
    elif "MemoryError" in raw.get("out_head", ""):
        final = StepOutcome(OutcomeKind.MEMORY_EXCEEDED, exception_type="MemoryError",
                            exception_message="memory limit exceeded")
    elif sig:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        final = _crash(f"killed by signal {name}")
    elif raw.get("frame"):
        final = _crash("result channel tampered")
    else:
        final = _crash(f"exited with status {raw.get('exit')} without a result")
    lost = _crash("no result: the child ended during a later step")
    return _fill([lost] * at + [final], len(probe.steps), float(raw.get("elapsed", 0.0)))


def decide(raw: dict, probe: Probe, nonce: str) -> Decision:
    if raw.get("frame") and raw.get("killed") is None and raw.get("exit") == 0:
        try:
            return _from_frame(raw, probe, nonce)
        except (wire.WireError, KeyError, TypeError, ValueError, RecursionError) as exc:
            tampered = _crash(f"result channel tampered: {exc}")
            return Decision(_fill([tampered], len(probe.steps), 0.0), {}, [])
    return Decision(_no_frame(raw, probe), {}, [])
