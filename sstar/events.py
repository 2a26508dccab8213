"""The closed set of events a solve emits, and their one-line descriptions.

The engine calls `on_event(event)` synchronously as things happen; adapters render them (the CLI's
progress line, LSP `$/progress` reports and log lines). Events carry counts and ids, never code
the user did not ask for, never the API key.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from collections.abc import Callable

from .results import Confidence, SolveResult

__all__ = [
    "Stage",
    "WaveReason",
    "SolveStarted",
    "StageStarted",
    "SampleGenerated",
    "CandidateTested",
    "CandidatePassed",
    "RoundFinished",
    "InputsSynthesized",
    "GroupsFormed",
    "MatchJudged",
    "ChecksWeighed",
    "MoreSamples",
    "StageFinished",
    "Notice",
    "SolveFinished",
    "Event",
    "EventSink",
    "describe",
]


class Stage(enum.Enum):
    STARTING = "starting"  # e.g. starting the embedded model
    SAMPLING = "sampling"
    DEBUGGING = "debugging"
    SELECTING = "selecting"
    CHECKING = "checking"  # writing checks of the docstring's prose


class WaveReason(enum.Enum):
    """Why adaptive sampling draws another wave."""

    NONE_PASS = "no program passes the examples"
    ONE_PASSES = "only one program passes the examples"
    VIOLATES = "the best program breaks a trusted check of the docstring"


@dataclass(frozen=True)
class SolveStarted:
    qualname: str
    samples: int
    rounds: int
    backend: str  # e.g. "embedded qwen2.5-coder-0.5b" or a base URL's host


@dataclass(frozen=True)
class StageStarted:
    stage: Stage


@dataclass(frozen=True)
class SampleGenerated:
    index: int
    done: int  # samples finished so far (this one included)
    total: int
    usable: bool  # the answer held a function we could use
    duplicate: bool  # same program (normalised AST) as an earlier sample
    cached: bool


@dataclass(frozen=True)
class CandidateTested:
    candidate_id: str
    round: int  # 0 = as sampled, 1.. = after that many repairs
    passed: int
    total: int


@dataclass(frozen=True)
class CandidatePassed:
    """A program that passes every public test, as soon as it is known: an editor may offer it as
    a preview while selection goes on (the final choice arrives with `SolveFinished`)."""

    candidate_id: str
    round: int
    body: str  # the body as it would be written (dedented)
    code: str  # the whole function as it would read in the file


@dataclass(frozen=True)
class RoundFinished:
    round: int
    passing: int  # distinct candidates passing every public example
    total: int  # distinct candidates


@dataclass(frozen=True)
class InputsSynthesized:
    count: int


@dataclass(frozen=True)
class GroupsFormed:
    sizes: tuple[int, ...]  # candidates per behaviour group, largest first


@dataclass(frozen=True)
class MatchJudged:
    winner: int  # group index
    loser: int
    consistent: bool  # both orders gave the same verdict


@dataclass(frozen=True)
class ChecksWeighed:
    kept: int  # checks that agree with every example and some candidate
    dropped: int
    trusted: int  # kept checks most candidates pass


@dataclass(frozen=True)
class MoreSamples:
    added: int
    total: int  # samples drawn once this wave is done
    reason: WaveReason


@dataclass(frozen=True)
class StageFinished:
    stage: Stage
    seconds: float


@dataclass(frozen=True)
class Notice:
    message: str  # something the user should know (a fallback taken, a sample lost)


@dataclass(frozen=True)
class SolveFinished:
    result: SolveResult


Event = (
    SolveStarted
    | StageStarted
    | SampleGenerated
    | CandidateTested
    | CandidatePassed
    | RoundFinished
    | InputsSynthesized
    | GroupsFormed
    | MatchJudged
    | ChecksWeighed
    | MoreSamples
    | StageFinished
    | Notice
    | SolveFinished
)
EventSink = Callable[[Event], None]


def describe(event: Event) -> str | None:
    """A short progress line for the event, or None when it is not worth a line."""
    match event:
        case SolveStarted(qualname, samples, rounds, backend):
            return f"solving {qualname}: {samples} samples, {rounds} repair rounds, {backend}"
        case StageStarted(Stage.STARTING):
            return "starting the local model"
        case StageStarted(Stage.CHECKING):
            return None  # runs beside sampling: the sampling lines say where the solve is
        case StageStarted(stage):
            return stage.value
        case SampleGenerated(done=done, total=total, usable=False):
            return f"sampling {done}/{total} (no usable code in that answer)"
        case SampleGenerated(done=done, total=total):
            return f"sampling {done}/{total}"
        case RoundFinished(round=0, passing=passing, total=total):
            return f"tested samples: {passing}/{total} pass the examples"
        case RoundFinished(round=number, passing=passing, total=total):
            return f"debugging round {number}: {passing}/{total} pass"
        case InputsSynthesized(count):
            return f"selecting: {count} test inputs"
        case GroupsFormed(sizes):
            return f"selecting: {len(sizes)} behaviour group{'s' if len(sizes) != 1 else ''}"
        case MatchJudged(winner, loser, consistent):
            verdict = "" if consistent else " (inconsistent verdict)"
            return f"selecting: group {winner + 1} beat group {loser + 1}{verdict}"
        case ChecksWeighed(kept, dropped, trusted):
            return f"checks from the docstring: {kept} kept ({trusted} trusted), {dropped} dropped"
        case MoreSamples(added, total, reason):
            return f"sampling {added} more ({total} in all): {reason.value}"
        case Notice(message):
            return message
        case SolveFinished(result):
            return summary(result)
    return None


def summary(result: SolveResult) -> str:
    """One line for the end of a solve: what the answer passes and how sure the engine is."""
    chosen = result.chosen
    distinct = len(result.candidates)
    if result.body is None:
        return f"{result.qualname}: no usable candidate"
    passed = sum(e.passed for e in result.examples)
    total = len(result.examples)
    checks = f"passes {passed}/{total} examples" if total else "no examples to check"
    passing = sum(1 for c in result.candidates if c.total and c.passed == c.total)
    origin = (
        f" (chosen among {distinct} distinct programs, {passing} passing the examples)"
        if chosen and distinct > 1
        else ""
    )
    line = f"{result.qualname}: {checks}{origin}"
    if result.confidence is Confidence.NONE or not result.evidence:
        return line
    reasons = [e.text for e in result.evidence[1:3]]  # the first item repeats the examples
    line += f"; {result.confidence.value} confidence"
    if reasons:
        line += ": " + ", ".join(reasons)
    if result.suggestion is not None and result.confidence is not Confidence.HIGH:
        line += f"; {result.suggestion.text}"
    return line
