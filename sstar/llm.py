"""Talk to an OpenAI-compatible chat server: bounded concurrency, budgets, usage, clean errors.

`LLMClient` wraps `openai.AsyncOpenAI` (openai 3.x). One client serves many solves; each solve
brings a `Budget` that counts calls and tokens per stage and refuses a call once the solve's
`max_calls` or `max_tokens` is spent (`BudgetExceededError`, raised *before* the request is sent).
Errors of the `openai` package are wrapped in `sstar.errors` types with `raise ... from`; their
messages name the server and say what to do, and never contain the API key. Cancelling the awaiting
task abandons the HTTP request (the connection is closed) and releases the concurrency slot.
Answers are streamed, so `timeout` bounds the server's silence, not the length of an answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from .errors import (
    BudgetExceededError,
    LLMAuthError,
    LLMError,
    LLMTimeoutError,
    LLMUnavailableError,
)

__all__ = ["Budget", "Completion", "LLMClient", "Message", "StageCount"]

Message = dict[str, str]
_Answer = tuple[str, str | None, int, int]  # text, finish reason, prompt and completion tokens


def _wire(messages: Sequence[Message]) -> list[ChatCompletionMessageParam]:
    """Our plain role/content dicts are what the SDK's typed message params describe."""
    return cast("list[ChatCompletionMessageParam]", list(messages))


def _estimate(messages: Sequence[Message]) -> int:
    """Rough prompt tokens (4 characters each) when the server reports none."""
    return max(1, sum(len(m.get("content") or "") for m in messages) // 4)


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None
    seconds: float  # wall time of the request, including waiting for a concurrency slot


@dataclass
class StageCount:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failed_calls: int = 0
    seconds: float = 0.0


@dataclass
class Budget:
    """Calls and tokens spent by one solve, per stage, against its limits (None = unlimited)."""

    max_calls: int | None = None
    max_tokens: int | None = None
    stages: dict[Hashable, StageCount] = field(default_factory=dict)
    reserved: int = 0  # calls sent and not yet answered: they count against max_calls
    # Completion tokens granted to calls in flight: concurrent calls share what is left of
    # max_tokens instead of each being promised all of it.
    reserved_tokens: int = 0

    @property
    def calls(self) -> int:
        return sum(s.calls for s in self.stages.values())

    @property
    def tokens(self) -> int:
        return sum(s.prompt_tokens + s.completion_tokens for s in self.stages.values())

    def remaining_calls(self) -> int | None:
        return (
            None if self.max_calls is None else max(0, self.max_calls - self.calls - self.reserved)
        )

    def check(self) -> None:
        """Raise BudgetExceededError when no further call may start."""
        if self.max_calls is not None and self.calls + self.reserved >= self.max_calls:
            raise BudgetExceededError(
                f"this solve used its {self.max_calls} model calls (maxCalls); "
                "raise maxCalls or lower samples/rounds to let it go further"
            )
        if self.max_tokens is not None and self.tokens + self.reserved_tokens >= self.max_tokens:
            raise BudgetExceededError(
                f"this solve used its {self.max_tokens} tokens (maxTokens); "
                "raise maxTokens or lower samples/rounds to let it go further"
            )

    def grant(self, wanted: int) -> int:
        """Completion tokens a call may use (at least 1: `check` already refused a spent budget)."""
        if self.max_tokens is None:
            return wanted
        return max(1, min(wanted, self.max_tokens - self.tokens - self.reserved_tokens))

    def stage(self, stage: Hashable) -> StageCount:
        return self.stages.setdefault(stage, StageCount())


class LLMClient:
    """An OpenAI-compatible chat client for the engine. `model=""` asks the server for its first
    model (what a llama.cpp server or a single-model gateway offers)."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        model: str = "",
        timeout: float = 120.0,
        max_retries: int = 2,
        max_concurrency: int = 8,
        max_completion_tokens: int = 1024,
        stream: bool = True,
    ) -> None:
        self.base_url = base_url
        self.stream = stream
        self._model = model
        self._model_lock = asyncio.Lock()
        self._api_key = api_key or ""
        self.max_completion_tokens = max_completion_tokens
        self.timeout = timeout
        self.max_retries = max_retries
        # Local servers take any key; the client insists on one, so give it a harmless placeholder.
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key or "sstar-no-key",
            timeout=timeout,
            max_retries=max_retries,
        )
        self._slots = asyncio.Semaphore(max(1, max_concurrency))
        # Whether this server continues a trailing assistant message (see `sstar.prefill`):
        # None until an answer to a prefilled request shows it, then kept for the client's life.
        self.continues_prefill: bool | None = None

    def note_prefill(self, continued: bool) -> None:
        """Remember how the server answered a prefilled request. One restarted answer before any
        continuation means the server ignores prefixes (OpenAI's API does): stop sending them.
        Once the server has continued one, it can; a later restart is the model's, not the API's."""
        if self.continues_prefill is None:
            self.continues_prefill = continued

    async def model(self) -> str:
        """The model name used in requests (asks the server once when none was configured)."""
        if self._model:
            return self._model
        async with self._model_lock:
            if not self._model:
                try:
                    listing = await self._client.models.list()
                except openai.OpenAIError as error:
                    raise self._wrap(error) from error
                ids = [m.id for m in listing.data]
                if not ids:
                    raise LLMUnavailableError(
                        f"the model server at {self.base_url} lists no models; set `model` explicitly"
                    )
                self._model = ids[0]
        return self._model

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        budget: Budget,
        stage: Hashable,
        temperature: float = 0.0,
        seed: int | None = None,
        max_tokens: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> Completion:
        """One chat completion, counted against `budget` under `stage`; the server ends the answer
        before the first of the `stop` strings."""
        budget.check()
        limit = budget.grant(max_tokens or self.max_completion_tokens)
        budget.reserved += 1
        budget.reserved_tokens += limit
        counted = budget.stage(stage)
        started = time.perf_counter()
        try:
            model = await self.model()
            kwargs: dict = {"temperature": temperature, "max_tokens": limit}
            if seed is not None:
                kwargs["seed"] = seed
            if stop:
                kwargs["stop"] = list(stop)
            async with self._slots:
                try:
                    if self.stream:
                        try:
                            answer = await self._streamed(model, messages, kwargs)
                        except (openai.BadRequestError, openai.UnprocessableEntityError):
                            # A server that refuses streaming (or `stream_options`): ask once
                            # more without; if that works, stop streaming to this server.
                            answer = await self._whole(model, messages, kwargs)
                            self.stream = False
                    else:
                        answer = await self._whole(model, messages, kwargs)
                except openai.OpenAIError as error:
                    counted.failed_calls += 1
                    raise self._wrap(error) from error
        finally:
            budget.reserved -= 1
            budget.reserved_tokens -= limit
        text, finish_reason, prompt_tokens, completion_tokens = answer
        seconds = time.perf_counter() - started
        counted.calls += 1
        counted.prompt_tokens += prompt_tokens
        counted.completion_tokens += completion_tokens
        counted.seconds += seconds
        return Completion(text, prompt_tokens, completion_tokens, finish_reason, seconds)

    async def _whole(self, model: str, messages: Sequence[Message], kwargs: dict) -> _Answer:
        response = await self._client.chat.completions.create(
            model=model, messages=_wire(messages), **kwargs
        )
        usage = response.usage
        choice = response.choices[0] if response.choices else None
        return (
            (choice.message.content or "") if choice else "",
            choice.finish_reason if choice else None,
            usage.prompt_tokens if usage else _estimate(messages),
            usage.completion_tokens if usage else 0,
        )

    async def _streamed(self, model: str, messages: Sequence[Message], kwargs: dict) -> _Answer:
        # Streaming makes `timeout` bound the silence between tokens rather than the whole
        # answer: a slow but working server (a small CPU model serving 8 streams) is never cut
        # off mid-answer, a stuck one still is.
        stream = await self._client.chat.completions.create(
            model=model,
            messages=_wire(messages),
            stream=True,
            stream_options={"include_usage": True},
            **kwargs,
        )
        pieces: list[str] = []
        finish_reason = None
        usage = None
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices[:1]:
                    if choice.delta is not None and choice.delta.content:
                        pieces.append(choice.delta.content)
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        text = "".join(pieces)
        if usage is None:  # a server that does not report usage: count roughly, never zero
            return text, finish_reason, _estimate(messages), max(1, len(text) // 4) if text else 0
        return text, finish_reason, usage.prompt_tokens, usage.completion_tokens

    def _scrub(self, text: str) -> str:
        if self._api_key and len(self._api_key) >= 4:
            text = text.replace(self._api_key, "***")
        return text

    def _wrap(self, error: openai.OpenAIError) -> LLMError:
        where = self.base_url
        if isinstance(error, openai.APITimeoutError):
            return LLMTimeoutError(
                f"the model server at {where} did not answer within {self.timeout:g} s; "
                "raise timeoutSeconds, lower maxConcurrency, or use a faster model"
            )
        if isinstance(error, openai.APIConnectionError):
            return LLMUnavailableError(
                f"cannot reach the model server at {where}; check baseUrl and that the server runs"
            )
        if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return LLMAuthError(
                f"the model server at {where} refused the API key (HTTP {error.status_code}); "
                "set a valid key in the environment variable named by apiKeyEnv"
            )
        if isinstance(error, openai.NotFoundError):
            return LLMUnavailableError(
                f"the model server at {where} answered 404 ({self._scrub(error.message)}); "
                "check baseUrl (it usually ends in /v1) and the model name"
            )
        if isinstance(error, openai.RateLimitError):
            return LLMUnavailableError(
                f"the model server at {where} is rate limiting us (HTTP 429, after "
                f"{self.max_retries} retries); lower maxConcurrency or samples, or retry later"
            )
        if isinstance(error, openai.APIStatusError):
            return LLMUnavailableError(
                f"the model server at {where} failed with HTTP {error.status_code} "
                f"({self._scrub(error.message)[:200]}); retry later or check the server's log"
            )
        return LLMError(f"the model server at {where} failed: {self._scrub(str(error))[:200]}")

    async def aclose(self) -> None:
        await self._client.close()
