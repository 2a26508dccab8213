"""One solve's shared machinery: cached and budgeted model calls, cached sandbox runs, events.

Every stage talks to the model and the sandbox through a `SolveContext`, so caching, budgets,
usage accounting and event emission live in exactly one place. A model call first looks in the
cache (content-addressed by model fingerprint, messages, temperature, seed, token limit and stop
strings); a hit costs no budget and is counted as a cached call. Sandbox runs are cached by
(module source, probe, limits).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sandbox import Limits, Probe, ProbeResult

from .cache import Cache
from .config import Config
from .events import Event, EventSink, Notice, Stage
from .llm import Budget, LLMClient, Message
from .problem import Problem
from .prompts import PROMPT_VERSION
from .results import StageUsage, Usage

__all__ = ["Answer", "SolveContext", "Timing"]


@dataclass(frozen=True)
class Timing:
    """Where a solve's wall time went; `overhead` is time with no model call or sandbox run in
    flight, i.e. the engine's own work on the critical path."""

    wall_seconds: float
    llm_seconds: float  # union of model-call intervals
    sandbox_seconds: float  # sum over sandbox batches
    external_seconds: float  # union of model-call and sandbox intervals

    @property
    def overhead_seconds(self) -> float:
        return max(0.0, self.wall_seconds - self.external_seconds)


@dataclass(frozen=True)
class Answer:
    text: str
    cached: bool
    # What producing the answer cost when it was first asked (also for a cached answer, so a
    # benchmark can charge each method for the calls it used, cached or not).
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


@dataclass
class _Counters:
    cached_calls: dict[Stage, int] = field(default_factory=dict)
    sandbox_runs: int = 0
    sandbox_seconds: float = 0.0
    llm_seconds: float = 0.0  # wall time with at least one model call in flight
    external_seconds: float = 0.0  # wall time with a model call or a sandbox run in flight
    noticed: set[str] = field(default_factory=set)


class SolveContext:
    def __init__(
        self,
        problem: Problem,
        config: Config,
        *,
        llm: LLMClient,
        sandbox,  # sandbox.SandboxPool (duck-typed so tests may pass a fake with the same API)
        cache: Cache,
        on_event: EventSink | None,
        fingerprint: dict[str, object],
    ) -> None:
        self.problem = problem
        self.config = config
        self.llm = llm
        self.sandbox = sandbox
        self.cache = cache
        self._on_event = on_event
        self.fingerprint = {**fingerprint, "prompts": PROMPT_VERSION}
        self.budget = Budget(max_calls=config.max_calls, max_tokens=config.max_tokens)
        self.limits = Limits(
            wall_seconds=config.sandbox_timeout_seconds,
            memory_bytes=config.sandbox_memory_mb * 1024 * 1024,
            output_bytes=config.sandbox_output_kb * 1024,
        )
        self.counters = _Counters()
        # Prefill answers unless the server is known to ignore a trailing assistant message
        # (`LLMClient.continues_prefill`). Decided once per solve, not per request: which prompt a
        # request gets must not depend on which answer arrived first, or a second run of the same
        # solve would miss the cache.
        self._prefill = (
            config.prefill_answers and getattr(llm, "continues_prefill", None) is not False
        )
        self.started = time.perf_counter()
        self._in_flight = 0
        self._busy_since = 0.0
        self._external = 0
        self._external_since = 0.0

    # -- events ------------------------------------------------------------------------------
    def emit(self, event: Event) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def notice_once(self, message: str) -> None:
        if message not in self.counters.noticed:
            self.counters.noticed.add(message)
            self.emit(Notice(message))

    # -- the model ---------------------------------------------------------------------------
    async def complete(
        self,
        messages: Sequence[Message],
        *,
        stage: Stage,
        temperature: float,
        seed: int | None = None,
        max_tokens: int | None = None,
        stop: Sequence[str] | None = None,
        alternative: tuple[Sequence[Message], Sequence[str] | None] | None = None,
    ) -> Answer:
        """The model's answer; from the cache when this exact request was answered before.
        `max_tokens` caps this answer below the configured `max_completion_tokens`; the answer
        ends before the first of the `stop` strings. `alternative` (messages, stop) is another
        request whose cached answer serves as well: it is looked up, never sent."""
        limit = self.config.max_completion_tokens
        if max_tokens is not None:
            limit = min(limit, max_tokens)

        def key_of(asked: Sequence[Message], stops: Sequence[str] | None) -> str:
            return self.cache.key(
                "completion",
                self.fingerprint,
                list(asked),
                round(temperature, 4),
                seed,
                limit,
                list(stops or ()),
            )

        key = key_of(messages, stop)
        hit = self.cache.get_json(key)
        if not (isinstance(hit, dict) and isinstance(hit.get("text"), str)) and alternative:
            hit = self.cache.get_json(key_of(*alternative))
        if isinstance(hit, dict) and isinstance(hit.get("text"), str):
            self.counters.cached_calls[stage] = self.counters.cached_calls.get(stage, 0) + 1
            return Answer(
                hit["text"],
                cached=True,
                prompt_tokens=_count(hit.get("prompt_tokens")),
                completion_tokens=_count(hit.get("completion_tokens")),
                seconds=_seconds(hit.get("seconds")),
            )
        self._enter_llm()
        try:
            done = await self.llm.complete(
                messages,
                budget=self.budget,
                stage=stage,
                temperature=temperature,
                seed=seed,
                max_tokens=limit,
                **({"stop": list(stop)} if stop else {}),
            )
        finally:
            self._leave_llm()
        if done.finish_reason != "length":  # a truncated answer is not worth replaying
            # A file write (mkdir, mkstemp, rename) per answer: off the event loop, which serves
            # the editor meanwhile (it was 10-18 % of the loop's busy time during a solve).
            await asyncio.to_thread(
                self.cache.put_json,
                key,
                {
                    "text": done.text,
                    "prompt_tokens": done.prompt_tokens,
                    "completion_tokens": done.completion_tokens,
                    "seconds": round(done.seconds, 4),
                },
            )
        return Answer(
            done.text,
            cached=False,
            prompt_tokens=done.prompt_tokens,
            completion_tokens=done.completion_tokens,
            seconds=done.seconds,
        )

    def prefill_for(self, start: str | None) -> str | None:
        """`start` when this solve prefills answers, else None (see `_prefill`)."""
        return start if self._prefill else None

    def prefill_dropped(self, start: str | None) -> str | None:
        """`start` when this solve would prefill but the server ignores prefixes: answers cached
        for the prefilled requests (an earlier solve's, before the server was found out) are
        complete answers, as good as the plain request's (`complete(alternative=...)`)."""
        dropped = self.config.prefill_answers and not self._prefill
        return start if dropped else None

    def note_prefill(self, verdict: bool | None) -> None:
        """Tell the client what an answer to a prefilled request showed (None: nothing)."""
        note = getattr(self.llm, "note_prefill", None)
        if verdict is not None and callable(note):
            note(verdict)

    # Busy time is measured as a union of intervals (not a sum), so concurrent calls count once:
    # wall time minus external time is the engine's own overhead.
    def _enter_llm(self) -> None:
        if self._in_flight == 0:
            self._busy_since = time.perf_counter()
        self._in_flight += 1
        self._enter_external()

    def _leave_llm(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self.counters.llm_seconds += time.perf_counter() - self._busy_since
        self._leave_external()

    def _enter_external(self) -> None:
        if self._external == 0:
            self._external_since = time.perf_counter()
        self._external += 1

    def _leave_external(self) -> None:
        self._external -= 1
        if self._external == 0:
            self.counters.external_seconds += time.perf_counter() - self._external_since

    # -- the sandbox -------------------------------------------------------------------------
    async def run(self, module: str, probes: Sequence[Probe]) -> list[ProbeResult]:
        """Results of `probes` against `module`, cached per probe."""
        results: list[ProbeResult | None] = []
        missing: list[int] = []
        keys = []
        for index, probe in enumerate(probes):
            key = self.cache.key("run", module, list(probe.steps), _limits_key(self.limits))
            keys.append(key)
            hit = self.cache.get_result(key)
            results.append(hit)
            if hit is None:
                missing.append(index)
        if missing:
            started = time.perf_counter()
            self._enter_external()
            try:
                fresh = await self.sandbox.run_many(
                    module, [probes[i] for i in missing], self.limits
                )
            finally:
                self._leave_external()
            self.counters.sandbox_seconds += time.perf_counter() - started
            self.counters.sandbox_runs += len(missing)
            for index, result in zip(missing, fresh, strict=True):
                results[index] = result
            await asyncio.to_thread(
                _store, self.cache, [(keys[i], r) for i, r in zip(missing, fresh, strict=True)]
            )
        return [r for r in results if r is not None]

    # -- accounting --------------------------------------------------------------------------
    def timing(self) -> Timing:
        return Timing(
            wall_seconds=time.perf_counter() - self.started,
            llm_seconds=self.counters.llm_seconds,
            sandbox_seconds=self.counters.sandbox_seconds,
            external_seconds=self.counters.external_seconds,
        )

    def usage(self) -> Usage:
        stages: dict[str, StageUsage] = {}
        for stage in Stage:
            counted = self.budget.stages.get(stage)
            cached = self.counters.cached_calls.get(stage, 0)
            if counted is None and not cached:
                continue
            stages[stage.value] = StageUsage(
                calls=counted.calls if counted else 0,
                cached_calls=cached,
                prompt_tokens=counted.prompt_tokens if counted else 0,
                completion_tokens=counted.completion_tokens if counted else 0,
                seconds=round(counted.seconds, 4) if counted else 0.0,
            )
        return Usage(
            stages=stages,
            wall_seconds=time.perf_counter() - self.started,
            sandbox_runs=self.counters.sandbox_runs,
            sandbox_seconds=self.counters.sandbox_seconds,
        )


def _store(cache: Cache, results: list[tuple[str, ProbeResult]]) -> None:
    for key, result in results:
        cache.put_result(key, result)


def _usage(value: object) -> float:
    """A usage number from a cache entry: a non-negative int or float, else 0 (older entries
    have none; a bool is not a number here)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return 0.0


def _count(value: object) -> int:
    return int(_usage(value))


def _seconds(value: object) -> float:
    return _usage(value)


def _limits_key(limits: Limits) -> list[object]:
    return [limits.wall_seconds, limits.memory_bytes, limits.output_bytes]
