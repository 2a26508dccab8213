"""The one stopping rule of a solve: after each wave, is there enough to choose from?

Pure: it reads what the solve knows (the generation, the assessment, the budget) and returns
either "stop" or "draw a wave of k more samples, because ...". A solve is settled when a behaviour
group passes the examples, breaks no trusted check of the docstring, and either several programs
pass the examples or several samples wrote the winning program (`settled`). Otherwise another
wave is worth drawing, while adaptive sampling is on, the extra-sample allowance
(`adaptive_samples`) lasts and the call/token budget has room. Waves are half the first batch
(at least two), so a problem already settled never pays for one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .assess import Assessment
from .config import Config
from .events import WaveReason
from .generate import Generation
from .llm import Budget

__all__ = ["Decision", "Stop", "next_wave", "unsettled"]


class Stop(enum.Enum):
    SETTLED = "settled"
    ADAPTIVE_OFF = "adaptive sampling is off"
    ALLOWANCE_SPENT = "the extra samples are spent"
    BUDGET_SPENT = "the call or token budget is spent"


@dataclass(frozen=True)
class Decision:
    stop: Stop | None  # None: draw `samples` more
    reason: WaveReason | None = None  # why the solve is not settled
    samples: int = 0


def unsettled(assessment: Assessment) -> WaveReason | None:
    """Why the solve cannot stop yet on quality grounds; None when settled."""
    if not assessment.groups:
        return WaveReason.NONE_PASS
    top = assessment.groups[0]
    if assessment.trusted_violations(top.representative) or top.special_cased:
        return WaveReason.VIOLATES
    programs = sum(len(g.members) for g in assessment.groups)
    if programs < 2 and top.samples < 2:
        return WaveReason.ONE_PASSES
    return None


def next_wave(
    config: Config, generation: Generation, assessment: Assessment, budget: Budget
) -> Decision:
    reason = unsettled(assessment)
    if reason is None:
        return Decision(Stop.SETTLED)
    if not config.adaptive_sampling:
        return Decision(Stop.ADAPTIVE_OFF, reason)
    room = config.samples + config.adaptive_samples - generation.drawn
    if room <= 0:
        return Decision(Stop.ALLOWANCE_SPENT, reason)
    if generation.budget_exhausted or _spent(budget):
        return Decision(Stop.BUDGET_SPENT, reason)
    return Decision(None, reason, min(room, max(2, config.samples // 2)))


def _spent(budget: Budget) -> bool:
    remaining = budget.remaining_calls()
    if remaining is not None and remaining <= 0:
        return True
    return budget.max_tokens is not None and budget.tokens >= budget.max_tokens
