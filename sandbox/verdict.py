"""Turn the raw facts about one child (supervisor report + untrusted frame) into a ProbeResult.

Every verdict is computed here, in the parent. The result frame is only believed when it is
exactly one well-formed frame carrying this run's nonce and the child exited normally; a frame
that breaks these rules makes the probe CRASHED ("result channel tampered"). A child that ends
without a result (hard kill, os._exit, segfault) keeps the steps it finished: their checkpoints on
the progress channel carry the same records and the same nonce.
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


def _checkpoints(raw: dict, probe: Probe, nonce: str) -> list[StepOutcome] | None:
    """Outcomes of the steps the child finished (its progress checkpoints); None if forged.

    A truncated last checkpoint (the child was killed while writing it) is dropped, not fatal.
    """
    total = len(probe.steps) + 1
    payloads, _whole = wire.leading_frames(raw.get("progress") or b"", total + 1)
    outcomes = []
    try:
        for payload in payloads:
            msg = wire.loads(payload)
            if type(msg) is not dict or msg.get("nonce") != nonce:
                return None
            outcomes.append(_outcome(msg.get("record")))
    except (wire.WireError, KeyError, TypeError, ValueError, RecursionError):
        return None
    return outcomes if len(outcomes) <= total else None


def _stopped(done: list[StepOutcome], total: int) -> bool:
    """True when the checkpoints already say how the probe ended (nothing left to account for)."""
    if len(done) >= total:
        return True
    if not done:
        return False
    last = done[-1].kind
    module_failed = len(done) == 1 and last in (OutcomeKind.RAISED, OutcomeKind.MEMORY_EXCEEDED)
    return module_failed or last in (OutcomeKind.TIMEOUT, OutcomeKind.OUTPUT_EXCEEDED,
                                     OutcomeKind.CRASHED)


def _final(raw: dict) -> StepOutcome:
    """The outcome of the step that was running when the child ended without a result."""
    sig, killed = raw.get("signal"), raw.get("killed")
    # The supervisor's own reason first: its SIGKILL must not read as a CPU-limit kill.
    if killed == "output":
        return StepOutcome(OutcomeKind.OUTPUT_EXCEEDED, exception_message="output limit exceeded")
    if killed == "frame":
        return _crash("result channel tampered: oversized result")
    if killed == "timeout" or sig in (signal.SIGXCPU, signal.SIGKILL):
        return StepOutcome(OutcomeKind.TIMEOUT, exception_message="killed at the deadline")
    if "MemoryError" in raw.get("out_head", ""):
        return StepOutcome(OutcomeKind.MEMORY_EXCEEDED, exception_type="MemoryError",
                           exception_message="memory limit exceeded")
    if sig:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return _crash(f"killed by signal {name}")
    if raw.get("frame"):
        return _crash("result channel tampered")
    return _crash(f"exited with status {raw.get('exit')} without a result")


def _no_frame(raw: dict, probe: Probe, nonce: str) -> ProbeResult:
    total, elapsed = len(probe.steps) + 1, float(raw.get("elapsed", 0.0))
    done = _checkpoints(raw, probe, nonce)
    if done is None:
        return _fill([_crash("result channel tampered: forged progress")], len(probe.steps),
                     elapsed)
    if not _stopped(done, total):
        done.append(_final(raw))
    return _fill(done, len(probe.steps), elapsed)


def decide(raw: dict, probe: Probe, nonce: str) -> Decision:
    if raw.get("frame") and raw.get("killed") is None and raw.get("exit") == 0:
        try:
            return _from_frame(raw, probe, nonce)
        except (wire.WireError, KeyError, TypeError, ValueError, RecursionError) as exc:
            tampered = _crash(f"result channel tampered: {exc}")
            return Decision(_fill([tampered], len(probe.steps), 0.0), {}, [])
    return Decision(_no_frame(raw, probe, nonce), {}, [])
