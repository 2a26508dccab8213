"""One step record from a child's frame, checked field by field and turned into a StepOutcome.

A child's frame is written by code the candidate controls (it can find the nonce in its own
memory and write any bytes to the result pipe), so every record is hostile input: unknown keys,
wrong types, out-of-range numbers, oversized text or nesting all raise `BadRecord`, and the
verdict turns that into a CRASHED probe. Nothing here may raise anything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._child import runner, wire
from .api import ErrorDetail, FrameInfo, OutcomeKind, StepOutcome

__all__ = ["BadRecord", "Bounds", "outcome"]

_KEYS = {"st", "plain", "v", "r", "disp", "out", "et", "em", "tl", "dt", "err"}
_STATES = {"ok", "exc", "timeout", "output", "exit"}
_NAME_CAP = runner.NAME_CAP
_TEXT_CAP = 4096 + len("...[truncated]")  # runner._cut
_MAX_LINE = 10_000_000


class BadRecord(ValueError):
    """A record that no honest child writes."""


@dataclass(frozen=True)
class Bounds:
    """What an honest record of this run can hold."""

    output: int  # Limits.output_bytes: stdout, display and repr are cut to it
    wall: float  # Limits.wall_seconds: no step lasts longer (plus slack)


def _text(rec: dict, key: str, cap: int) -> str | None:
    value = rec.get(key)
    if value is None:
        return None
    if type(value) is not str or len(value) > cap:
        raise BadRecord(f"field {key!r} is not a string of at most {cap} characters")
    return value


def _duration(rec: dict, bounds: Bounds) -> float:
    value = rec.get("dt", 0.0)
    if type(value) not in (int, float):
        raise BadRecord("duration is not a number")
    value = float(value)  # ints are bounded by JSON's parser only: check after converting
    if not math.isfinite(value) or not 0.0 <= value <= bounds.wall + 60.0:
        raise BadRecord("duration out of range")
    return value


def _detail(raw: object) -> ErrorDetail | None:
    if raw is None:
        return None
    if type(raw) is not dict or set(raw) != {"f", "l"}:
        raise BadRecord("bad error detail")
    frames, local_vars = raw["f"], raw["l"]
    if (type(frames) is not list or not 1 <= len(frames) <= runner.DETAIL_FRAMES
            or type(local_vars) is not list or len(local_vars) > runner.DETAIL_LOCALS):
        raise BadRecord("bad error detail counts")
    infos = []
    for item in frames:
        if type(item) is not list or len(item) != 3:
            raise BadRecord("bad frame")
        line, function, text = item
        if (type(line) is not int or not 0 <= line <= _MAX_LINE or type(function) is not str
                or len(function) > _NAME_CAP or type(text) is not str
                or len(text) > runner.LINE_CAP):
            raise BadRecord("bad frame fields")
        infos.append(FrameInfo(line, function, text))
    pairs = []
    for item in local_vars:
        if (type(item) is not list or len(item) != 2 or type(item[0]) is not str
                or len(item[0]) > _NAME_CAP or type(item[1]) is not str
                or len(item[1]) > runner.REPR_CAP):
            raise BadRecord("bad local")
        pairs.append((item[0], item[1]))
    return ErrorDetail(tuple(infos), tuple(pairs))


def outcome(rec: object, bounds: Bounds) -> StepOutcome:
    """The StepOutcome a record describes. Raises BadRecord (and only that)."""
    try:
        return _outcome(rec, bounds)
    except BadRecord:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a value decoder surprise: still a bad record
        raise BadRecord(f"{type(exc).__name__}: {exc}"[:200]) from None


def _outcome(rec: object, bounds: Bounds) -> StepOutcome:
    if type(rec) is not dict or not set(rec) <= _KEYS or rec.get("st") not in _STATES:
        raise BadRecord("bad record layout")
    st = rec["st"]
    out = _text(rec, "out", bounds.output) or ""
    shown = _text(rec, "disp", bounds.output) or ""
    took = _duration(rec, bounds)
    message = _text(rec, "em", _TEXT_CAP)
    if st == "ok":
        plain, r = rec.get("plain"), _text(rec, "r", bounds.output)
        if type(plain) is not bool or r is None:
            raise BadRecord("a returned step needs plain and repr")
        value = wire.from_plain(rec.get("v")) if plain else None
        return StepOutcome(OutcomeKind.RETURNED, value=value, is_plain=plain, value_repr=r,
                           display=shown, stdout=out, duration=took)
    if st == "exc":
        kind = _text(rec, "et", _NAME_CAP)
        return StepOutcome(
            OutcomeKind.MEMORY_EXCEEDED if kind == "MemoryError" else OutcomeKind.RAISED,
            exception_type=kind, exception_message=message,
            traceback_line=_text(rec, "tl", _TEXT_CAP), error=_detail(rec.get("err")),
            display=shown, stdout=out, duration=took)
    if st == "timeout":
        return StepOutcome(OutcomeKind.TIMEOUT, exception_message="wall time limit",
                           display=shown, stdout=out, duration=took)
    if st == "output":
        return StepOutcome(OutcomeKind.OUTPUT_EXCEEDED, exception_message=message,
                           display=shown, stdout=out, duration=took)
    return StepOutcome(OutcomeKind.CRASHED, exception_type="SystemExit",
                       exception_message=f"sys.exit({message}) ended the child",
                       display=shown, stdout=out, duration=took)
