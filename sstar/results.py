"""What a solve returns: the chosen body, how every candidate did, and what it cost.

Adapters render these (CLI JSON, LSP edits, diagnostics, the candidates picker); `to_json` is the
CLI's `--json` object.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field

__all__ = [
    "Confidence",
    "SelectionReason",
    "EvidenceItem",
    "EvidenceKind",
    "Suggestion",
    "SolveStatus",
    "ExampleResult",
    "CandidateReport",
    "StageUsage",
    "Usage",
    "SolveResult",
]


class SolveStatus(enum.Enum):
    SOLVED = "solved"  # the chosen candidate passes every public example (or there were none)
    NO_CANDIDATE_PASSED = "no_candidate_passed"  # best effort: the best public pass rate
    NO_CANDIDATE = "no_candidate"  # the model produced no usable code at all


class SelectionReason(enum.Enum):
    NO_CANDIDATE = "no usable candidate"
    NONE_PASSED = "none passed the public tests: best pass rate"
    ONLY_ONE_PASSED = "the only candidate passing the public tests"
    AGREEMENT = "all passing candidates behave the same"
    CHECKS = "passes more of the docstring's checks than the other behaviours"
    MAJORITY = "the behaviour most samples agree on"
    TOURNAMENT = "won the judged tournament"


class Confidence(enum.Enum):
    """How sure the engine is of its answer, from the evidence it gathered (`sstar.confidence`)."""

    HIGH = "high"  # passes the examples and the trusted checks; the programs agree
    MEDIUM = "medium"  # passes the examples; little else to compare, or a clear majority
    LOW = "low"  # breaks a trusted check, hard-codes examples, or won a close contest / alone
    NONE = "none"  # no candidate passes the examples


class EvidenceKind(enum.Enum):
    PASSES_EXAMPLES = "passes_examples"
    FAILS_EXAMPLES = "fails_examples"
    NO_EXAMPLES = "no_examples"
    AGREES = "agrees"  # with K of M programs on N generated inputs
    ALONE = "alone"  # the only program passing the examples
    CONTESTED = "contested"  # other programs that pass the examples behave differently
    PASSES_CHECKS = "passes_checks"  # of the docstring's trusted checks
    VIOLATES_CHECK = "violates_check"
    HARD_CODES = "hard_codes_examples"


@dataclass(frozen=True)
class EvidenceItem:
    kind: EvidenceKind
    text: str  # one clause for people, e.g. 'violates a check from: "return them sorted"'
    count: int = 0  # K: programs agreeing, checks passed, examples passed
    of: int = 0  # M: programs compared, checks known, examples
    inputs: int = 0  # N: generated inputs compared on
    sentence: str | None = None  # the docstring sentence a check came from


@dataclass(frozen=True)
class Suggestion:
    """A call whose expected result, added as an example, would settle what the engine could not."""

    call: str
    chosen: str  # what the chosen code returns there
    other: str | None = None  # what another program that passes the examples returns
    sentence: str | None = None  # the docstring sentence the chosen code seems to break there

    @property
    def text(self) -> str:
        if self.other is not None:
            seen = f"the chosen code gives {self.chosen}, another program {self.other}"
        else:
            seen = f"the chosen code gives {self.chosen}"
        return f"add an example for {self.call} to settle it ({seen})"


@dataclass(frozen=True)
class ExampleResult:
    """A docstring example run against the chosen code."""

    line: int  # 0-based line of the `>>>` in the file
    source: str
    expected: str
    actual: str
    passed: bool


@dataclass(frozen=True)
class CandidateReport:
    id: str  # short content hash of the normalised code
    body: str  # the body as it would be written (dedented)
    code: str  # the whole function as it would read in the file
    passed: int  # public examples passed
    total: int
    group: int | None  # behaviour group in selection, None when not grouped
    chosen: bool
    samples: tuple[int, ...]  # sample indices that produced this program
    debug_rounds: int  # repair rounds it went through


@dataclass(frozen=True)
class StageUsage:
    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def __add__(self, other: StageUsage) -> StageUsage:
        return StageUsage(
            self.calls + other.calls,
            self.cached_calls + other.cached_calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.seconds + other.seconds,
        )


@dataclass(frozen=True)
class Usage:
    stages: dict[str, StageUsage] = field(default_factory=dict)  # "sampling", "debugging", ...
    wall_seconds: float = 0.0
    sandbox_runs: int = 0
    sandbox_seconds: float = 0.0

    @property
    def total(self) -> StageUsage:
        total = StageUsage()
        for usage in self.stages.values():
            total = total + usage
        return total


@dataclass(frozen=True)
class SolveResult:
    qualname: str
    status: SolveStatus
    body: str | None  # dedented new body, None when there is nothing to write
    code: str | None  # the whole new function as it will read in the file
    examples: tuple[ExampleResult, ...]
    candidates: tuple[CandidateReport, ...]
    usage: Usage
    warnings: tuple[str, ...] = ()
    backend: str = ""  # which model answered, for display
    confidence: Confidence = Confidence.NONE
    evidence: tuple[EvidenceItem, ...] = ()  # why, most important first
    suggestion: Suggestion | None = None  # for a low-confidence answer: the example to add
    reason: SelectionReason | None = None  # how selection decided

    @property
    def passed_public(self) -> bool:
        return all(example.passed for example in self.examples) and self.body is not None

    @property
    def chosen(self) -> CandidateReport | None:
        return next((c for c in self.candidates if c.chosen), None)

    def to_json(self) -> dict[str, object]:
        total = self.usage.total
        return {
            "qualname": self.qualname,
            "status": self.status.value,
            "code": self.code,
            "body": self.body,
            "passed_public": self.passed_public,
            "examples": [asdict(e) for e in self.examples],
            "candidates": [asdict(c) for c in self.candidates],
            "usage": {
                "calls": total.calls,
                "cached_calls": total.cached_calls,
                "prompt_tokens": total.prompt_tokens,
                "completion_tokens": total.completion_tokens,
                "wall_seconds": round(self.usage.wall_seconds, 3),
                "sandbox_runs": self.usage.sandbox_runs,
                "stages": {name: asdict(u) for name, u in self.usage.stages.items()},
            },
            "warnings": list(self.warnings),
            "backend": self.backend,
            "confidence": self.confidence.value,
            "evidence": [
                {"kind": e.kind.value, "text": e.text, "count": e.count, "of": e.of,
                 "inputs": e.inputs, "sentence": e.sentence}
                for e in self.evidence
            ],
            "suggestion": None if self.suggestion is None else {
                "call": self.suggestion.call, "chosen": self.suggestion.chosen,
                "other": self.suggestion.other, "sentence": self.suggestion.sentence,
                "text": self.suggestion.text,
            },
            "reason": None if self.reason is None else self.reason.name.lower(),
        }
