"""Value types at the sandbox boundary: limits, probes and the outcomes the parent computes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["OutcomeKind", "Limits", "Probe", "FrameInfo", "ErrorDetail", "StepOutcome", "ProbeResult",
           "PoolMode", "LayerStatus", "LayerState"]


class PoolMode(enum.Enum):
    """How a pool runs children: AUTO picks FORK_SERVER and falls back to FRESH_INTERPRETER."""

    AUTO = "auto"
    FORK_SERVER = "fork-server"  # a warm zygote per worker forks one child per run
    FRESH_INTERPRETER = "fresh-interpreter"  # a new `python -I -S` per run (several times slower)


class LayerStatus(enum.Enum):
    ACTIVE = "active"
    WEAKER = "weaker"  # a fallback that confines the class less well or costs features (see detail)
    MISSING = "missing"


@dataclass(frozen=True)
class LayerState:
    """One isolation layer as the start-up probe found it."""

    status: LayerStatus
    detail: str  # what it does here, or why it is weaker or missing

    @property
    def applied(self) -> bool:
        """Active or weaker: `requireIsolation` accepts both (the report names the weaker)."""
        return self.status is not LayerStatus.MISSING


class OutcomeKind(enum.Enum):
    RETURNED = "returned"  # step finished normally (value may be None)
    RAISED = "raised"  # step raised an exception
    TIMEOUT = "timeout"
    MEMORY_EXCEEDED = "memory_exceeded"
    OUTPUT_EXCEEDED = "output_exceeded"
    CRASHED = "crashed"  # killed / segfault / os._exit / sys.exit / tampered result channel
    NOT_RUN = "not_run"  # an earlier step (or the module itself) ended the child first


@dataclass(frozen=True)
class Limits:
    """Per-call limits; wall time covers the module and all steps of one probe."""

    wall_seconds: float = 2.0
    memory_bytes: int = 512 * 1024 * 1024
    output_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        if not self.wall_seconds > 0:
            raise ValueError("Limits.wall_seconds must be > 0; pass e.g. 2.0")
        if self.memory_bytes < 32 * 1024 * 1024:
            raise ValueError("Limits.memory_bytes must be >= 32 MiB or Python cannot start")
        if self.output_bytes < 1024:
            raise ValueError("Limits.output_bytes must be >= 1024")


@dataclass(frozen=True)
class Probe:
    """Steps run in order in one fresh child sharing the module's globals (doctest-like)."""

    steps: tuple[str, ...]

    def __post_init__(self) -> None:
        if isinstance(self.steps, str):
            raise TypeError("Probe.steps is a tuple of sources; use Probe.expression(src)")
        object.__setattr__(self, "steps", tuple(self.steps))

    @classmethod
    def expression(cls, source: str) -> Probe:
        return cls((source,))


@dataclass(frozen=True)
class FrameInfo:
    """One traceback frame inside the module under test (never the probe's or the sandbox's)."""

    line: int  # 1-based line in the executed module source
    function: str  # the frame's function name ("<module>" at top level)
    text: str  # that source line, stripped and clipped


@dataclass(frozen=True)
class ErrorDetail:
    """Where a step failed inside the module under test, for repair feedback (LDB-style)."""

    frames: tuple[FrameInfo, ...]  # innermost last, at most a few
    locals: tuple[tuple[str, str], ...] = ()  # (name, clipped repr) in the innermost frame


@dataclass(frozen=True)
class StepOutcome:
    kind: OutcomeKind
    value: object = None  # a plain built-in value when is_plain (rebuilt in the parent)
    is_plain: bool = False
    value_repr: str | None = None  # repr() of the value (always set when RETURNED)
    display: str = ""  # what doctest would show: printed stdout + repr(value) + "\n"
    exception_type: str | None = None  # e.g. "ValueError"
    exception_message: str | None = None  # str(exc)
    traceback_line: str | None = None  # last traceback line, e.g. "ValueError: bad input"
    stdout: str = ""  # captured stdout of the step (capped)
    duration: float = 0.0  # seconds
    error: ErrorDetail | None = None  # RAISED inside the module under test: where, and its locals


@dataclass(frozen=True)
class ProbeResult:
    setup: StepOutcome  # executing module_source itself (RETURNED, value None, when fine)
    steps: tuple[StepOutcome, ...]  # one per Probe.steps, same order
    duration: float
