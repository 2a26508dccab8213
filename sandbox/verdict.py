"""Turn the raw facts about one child (supervisor report + untrusted frame) into a ProbeResult.

Every verdict is computed here, in the parent. The result frame is only believed when it is
exactly one well-formed frame carrying this run's nonce and the child exited normally; a frame
that breaks these rules makes the probe CRASHED ("result channel tampered"). A child that ends
without a result (hard kill, os._exit, segfault) keeps the steps it finished: their checkpoints on
the progress channel carry the same records and the same nonce.

Layer states and refusals are believed only from the start-up probe (`probing=True`), which runs
no candidate code: in any other run they are the candidate's to forge, so a refusal there only
fails that run. `decide` never raises: whatever the child wrote, the answer is a Decision.
"""

from __future__ import annotations

import signal

from ._child import wire
from .api import LayerState, OutcomeKind, Probe, ProbeResult, StepOutcome
from .records import BadRecord, Bounds, outcome
from .report import parse_layers

__all__ = ["decide", "Decision", "Bounds"]

_STOPS = {OutcomeKind.TIMEOUT, OutcomeKind.OUTPUT_EXCEEDED, OutcomeKind.CRASHED}
_FRAME_KEYS = {"nonce", "records", "layers", "refused"}


class Decision:
    """A ProbeResult plus, for the start-up probe only, the child's isolation layers."""

    def __init__(self, result: ProbeResult, layers: dict[str, LayerState] | None = None,
                 refused: tuple[str, ...] = ()):
        self.result, self.layers, self.refused = result, layers or {}, refused


def _crash(message: str) -> StepOutcome:
    return StepOutcome(OutcomeKind.CRASHED, exception_message=message)


def _fill(first: list[StepOutcome], total: int, duration: float) -> ProbeResult:
    not_run = StepOutcome(OutcomeKind.NOT_RUN)
    first = first + [not_run] * (total + 1 - len(first))
    return ProbeResult(setup=first[0], steps=tuple(first[1:]), duration=duration)


def _crashed(message: str, probe: Probe, duration: float = 0.0) -> Decision:
    return Decision(_fill([_crash(message)], len(probe.steps), duration))


def _module_failed(done: list[StepOutcome]) -> bool:
    return len(done) == 1 and done[0].kind in (OutcomeKind.RAISED, OutcomeKind.MEMORY_EXCEEDED)


def _from_frame(raw: dict, probe: Probe, nonce: str, bounds: Bounds,
                probing: bool) -> Decision:
    frame = wire.loads(wire.unpack_single_frame(raw["frame"]))
    if type(frame) is not dict or not set(frame) <= _FRAME_KEYS or frame.get("nonce") != nonce:
        raise BadRecord("frame without this run's nonce")
    records, refused = frame.get("records"), frame.get("refused") or []
    if type(records) is not list or type(refused) is not list or any(
            type(n) is not str or len(n) > 64 for n in refused) or len(refused) > 64:
        raise BadRecord("bad frame layout")
    if refused:
        if not probing:
            return _crashed(f"the child refused to run: isolation layer(s) "
                            f"{', '.join(refused)} not applied in it", probe)
        return Decision(_fill([_crash("refused")], len(probe.steps), 0.0),
                        parse_layers(frame.get("layers")), tuple(refused))
    total = len(probe.steps) + 1
    if not 1 <= len(records) <= total:
        raise BadRecord("wrong number of records")
    outcomes = [outcome(r, bounds) for r in records]
    last = outcomes[-1].kind
    if len(outcomes) < total and not (last in _STOPS or _module_failed(outcomes)):
        raise BadRecord("records stop early without a reason")
    duration = sum(o.duration for o in outcomes)
    layers = parse_layers(frame.get("layers")) if probing else None
    return Decision(_fill(outcomes, len(probe.steps), duration), layers)


def _checkpoints(raw: dict, probe: Probe, nonce: str,
                 bounds: Bounds) -> list[StepOutcome] | None:
    """Outcomes of the steps the child finished (its progress checkpoints); None if forged.

    A truncated last checkpoint (the child was killed while writing it) is dropped, not fatal.
    """
    total = len(probe.steps) + 1
    payloads, _whole = wire.leading_frames(raw.get("progress") or b"", total + 1)
    outcomes = []
    try:
        for payload in payloads:
            msg = wire.loads(payload)
            if type(msg) is not dict or set(msg) != {"nonce", "record"} or msg["nonce"] != nonce:
                return None
            outcomes.append(outcome(msg["record"], bounds))
    except (wire.WireError, BadRecord):
        return None
    return outcomes if len(outcomes) <= total else None


def _stopped(done: list[StepOutcome], total: int) -> bool:
    """True when the checkpoints already say how the probe ended (nothing left to account for)."""
    if len(done) >= total:
        return True
    return bool(done) and (_module_failed(done) or done[-1].kind in _STOPS)


def _final(raw: dict) -> StepOutcome:
    """The outcome of the step that was running when the child ended without a result."""
    sig, killed = raw.get("signal"), raw.get("killed")
    # The supervisor's own reason first: its SIGKILL must not read as a CPU-limit kill.
    if killed == "output":
        return StepOutcome(OutcomeKind.OUTPUT_EXCEEDED, exception_message="output limit exceeded")
    if killed == "frame":
        return _crash("result channel tampered: oversized result")
    if raw.get("oom"):
        return StepOutcome(OutcomeKind.MEMORY_EXCEEDED, exception_type="MemoryError",
                           exception_message="memory budget exceeded (killed by the cgroup)")
    if killed == "timeout" or sig in (signal.SIGXCPU, signal.SIGKILL):
        return StepOutcome(OutcomeKind.TIMEOUT, exception_message="killed at the deadline")
    head = raw.get("out_head") or b""
    if b"MemoryError" in head:
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


def _no_frame(raw: dict, probe: Probe, nonce: str, bounds: Bounds) -> ProbeResult:
    total, elapsed = len(probe.steps) + 1, float(raw.get("elapsed") or 0.0)
    done = _checkpoints(raw, probe, nonce, bounds)
    if done is None:
        return _fill([_crash("result channel tampered: forged progress")], len(probe.steps),
                     elapsed)
    if not _stopped(done, total):
        done.append(_final(raw))
    return _fill(done, len(probe.steps), elapsed)


def decide(raw: dict, probe: Probe, nonce: str, bounds: Bounds, *,
           probing: bool = False) -> Decision:
    """The verdict on one run. Never raises (a malformed report is a CRASHED run)."""
    try:
        if raw.get("frame") and raw.get("killed") is None and raw.get("exit") == 0:
            try:
                return _from_frame(raw, probe, nonce, bounds, probing)
            except (wire.WireError, BadRecord, ValueError, RecursionError) as exc:
                return _crashed(f"result channel tampered: {exc}"[:300], probe)
        return Decision(_no_frame(raw, probe, nonce, bounds))
    except Exception as exc:  # noqa: BLE001 - one bad child must never end a solve
        return _crashed(f"unreadable result ({type(exc).__name__})", probe)
