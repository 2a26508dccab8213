"""What a benchmark method costs, even when the calls it makes were answered from the cache.

Methods share samples through the engine's content-addressed cache, so a method that reuses sample 3
pays nothing in this run. To compare methods fairly we charge every method for every model call it
*uses*: `MeteredLLM` records each real completion (tokens, latency) and `MeteredCache` stores that
usage next to the cached answer, so a later cache hit is charged what the call originally cost.

The active `Meter` is a context variable, not a global: asyncio tasks copy the context they were
created in, so every call made inside `with metering()` (the engine's concurrent calls of one solve
included) charges that block's meter, and concurrent blocks (the N samples, each metered on its
own so a method is charged only for the samples it used) do not charge each other.

`MeteredLLM` also keeps a per-problem memo of answers the cache refuses to keep (truncated ones),
so every method sees the very same N samples.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import openai

from ..cache import Cache
from ..errors import LLMAuthError, LLMError, LLMUnavailableError
from ..llm import Budget, Completion, LLMClient, Message

__all__ = ["Cost", "Meter", "MeteredCache", "MeteredLLM", "is_fatal", "metering"]

# The completion that the running task received last: SolveContext.complete awaits the client and
# then writes the cache in the same task, so put_json can attach the usage of that very answer.
_LAST: contextvars.ContextVar[Completion | None] = contextvars.ContextVar("_LAST", default=None)
_METER: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("_METER", default=None)


@dataclass(frozen=True)
class Cost:
    calls: int = 0  # model calls the method used (fresh + reused)
    fresh_calls: int = 0  # of those, really sent in this run
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_seconds: float = 0.0  # sum of the calls' latencies (as originally measured)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.calls + other.calls,
            self.fresh_calls + other.fresh_calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.model_seconds + other.model_seconds,
        )

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "model_seconds": round(self.model_seconds, 3)}


class Meter:
    """Accumulates the cost of one method on one problem."""

    def __init__(self) -> None:
        self.cost = Cost()

    def charge(self, usage: dict | None, *, fresh: bool) -> None:
        usage = usage or {}
        self.cost = self.cost + Cost(
            calls=1,
            fresh_calls=int(fresh),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            model_seconds=float(usage.get("seconds", 0.0)),
        )


def is_fatal(error: BaseException) -> bool:
    """Errors that end a benchmark run (to be resumed) rather than cost one task a request: a
    refused key, or a server we cannot reach at all. An HTTP error status is about one request."""
    if isinstance(error, LLMAuthError):
        return True
    return isinstance(error, LLMUnavailableError) and isinstance(
        error.__cause__, openai.APIConnectionError
    )


def _usage(done: Completion) -> dict[str, object]:
    return {
        "prompt_tokens": done.prompt_tokens,
        "completion_tokens": done.completion_tokens,
        "seconds": round(done.seconds, 3),
    }


class MeteredLLM(LLMClient):
    """An LLMClient that charges the active meter and memoises answers per problem.

    `identity` replaces the base URL in the engine's cache fingerprint: the embedded server listens
    on a fresh port each run, and an interrupted benchmark must find its earlier answers.
    """

    def __init__(self, *, identity: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.server_url = self.base_url
        self.base_url = identity
        self.fatal: LLMError | None = None  # set once the server is lost (see `is_fatal`)
        self._memo: dict[str, Completion] = {}

    def forget(self) -> None:
        """Drop the per-problem memo (between problems)."""
        self._memo.clear()

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        budget: Budget,
        stage,
        temperature: float = 0.0,
        seed: int | None = None,
        max_tokens: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> Completion:
        key = json.dumps([list(messages), round(temperature, 4), seed, max_tokens, list(stop or ())])
        done = self._memo.get(key)
        fresh = done is None
        if done is None:
            try:
                done = await super().complete(
                    messages,
                    budget=budget,
                    stage=stage,
                    temperature=temperature,
                    seed=seed,
                    max_tokens=max_tokens,
                    stop=stop,
                )
            except LLMError as error:
                # The engine survives a lost request by dropping that sample; a lost *server* must
                # not quietly shrink a task's samples, so the runner checks this before recording.
                if is_fatal(error) and self.fatal is None:
                    self.fatal = error
                raise
            self._memo[key] = done
        _LAST.set(done)
        meter = _METER.get()
        if meter is not None:
            meter.charge(_usage(done), fresh=fresh)
        return done


class MeteredCache(Cache):
    """The engine's cache, storing each answer's original usage and charging it on every hit."""

    def get_json(self, key: str) -> object | None:
        value = super().get_json(key)
        meter = _METER.get()
        if (
            meter is not None
            and key.startswith("completion-")
            and isinstance(value, dict)
            and isinstance(value.get("text"), str)
        ):
            meter.charge(value.get("usage"), fresh=False)
        return value

    def put_json(self, key: str, value: object) -> None:
        last = _LAST.get()
        if (
            key.startswith("completion-")
            and isinstance(value, dict)
            and last is not None
            and value.get("text") == last.text
        ):
            value = {**value, "usage": _usage(last)}
        super().put_json(key, value)


@contextlib.contextmanager
def metering() -> Iterator[Meter]:
    """A fresh meter, active for the block (and the tasks it starts), then the previous one again."""
    meter = Meter()
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)
