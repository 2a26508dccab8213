"""Watching one solve's model requests: how many are outstanding and since when (the heartbeat
in progress: "waiting for the model: 40 s"), which stage made them and which failed (so progress
never counts a failed request as an answer, nor a repair round nobody asked for), and the solve's
total deadline.

The deadline: a request still outstanding when it passes is abandoned, and every later one is
refused with `BudgetExceededError`, the engine's own "stop asking" signal; every stage treats that
as the end of its model calls and goes on with what it has, so the solve ends with its best result
so far instead of waiting out `timeoutSeconds` x retries of a model that never answers.

The engine takes its model client per solve (`Engine._model`); `lsp_server.watched_engine`
wraps that client in `WatchedModel` when the solve runs under `watching(watch)`. Nothing else of
the engine changes. (This module does not import the engine: `openai` loads on the first solve.)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator

from sstar.errors import BudgetExceededError, LLMError
from sstar.events import Stage

__all__ = ["SolveWatch", "WatchedModel", "watching", "current_watch"]

_CURRENT: contextvars.ContextVar[SolveWatch | None] = contextvars.ContextVar("sstar_watch", default=None)


class SolveWatch:
    """The model requests of one solve. Times are `time.monotonic()` seconds."""

    def __init__(self, deadline_seconds: float | None, on_change: Callable[[], None] = lambda: None) -> None:
        self.started = time.monotonic()
        self.deadline_seconds = deadline_seconds
        self.deadline = self.started + deadline_seconds if deadline_seconds else None
        self.outstanding = 0
        self.quiet_since: float | None = None  # requests outstanding, no answer since then
        self.calls: collections.Counter[Stage] = collections.Counter()  # requests sent, per stage
        self.failed: collections.Counter[Stage] = collections.Counter()  # the server failed them
        self.stopped: collections.Counter[Stage] = collections.Counter()  # by the deadline
        self.refused: collections.Counter[Stage] = collections.Counter()  # the budget was spent
        self.answers = 0
        self.answered: collections.Counter[Stage] = collections.Counter()  # answers, per stage
        self.deadline_hit = False
        self.last_error: LLMError | None = None
        self._on_change = on_change
        self._deadline_error: BudgetExceededError | None = None

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def waited(self) -> float:
        """Seconds the outstanding requests have gone without any answer (0 when none wait)."""
        if self.outstanding == 0 or self.quiet_since is None:
            return 0.0
        return time.monotonic() - self.quiet_since

    def deadline_error(self) -> BudgetExceededError:
        return BudgetExceededError(
            f"the solve reached its deadline of {self.deadline_seconds:g} s (solveTimeoutSeconds); "
            "no more model requests: going on with the candidates so far"
        )

    # -- called by WatchedModel ------------------------------------------------------------------
    def _sent(self, stage: Stage | None) -> None:
        if self.outstanding == 0:
            self.quiet_since = time.monotonic()
        self.outstanding += 1
        if stage is not None:
            self.calls[stage] += 1

    def wrote_code(self) -> bool:
        """Whether any request that asks for a program (a sample or a repair) was answered: an
        answered request for checks or inputs alone gives nothing to write."""
        return bool(self.answered[Stage.SAMPLING] or self.answered[Stage.DEBUGGING])

    def unanswered(self, stage: Stage) -> int:
        """Requests of `stage` that got no answer: failed, stopped or refused."""
        return self.failed[stage] + self.stopped[stage] + self.refused[stage]

    def _ended(self, stage: Stage | None, error: BaseException | None) -> None:
        self.outstanding -= 1
        if error is None:
            self.answers += 1
            if stage is not None:
                self.answered[stage] += 1
            self.quiet_since = time.monotonic()
        elif stage is not None and isinstance(error, LLMError):
            if error is self._deadline_error:
                self.stopped[stage] += 1
            elif isinstance(error, BudgetExceededError):
                self.refused[stage] += 1
            else:
                self.last_error = error
                self.failed[stage] += 1
        self._on_change()

    def _stop(self, stage: Stage | None, sent: bool) -> BudgetExceededError:
        """The deadline passed: the error that stops a request of `stage`."""
        self.deadline_hit = True
        error = self._deadline_error = self.deadline_error()
        if not sent and stage is not None:
            self.stopped[stage] += 1
        return error


class WatchedModel:
    """A model client (anything with `complete(messages, **kwargs)`) counted by a `SolveWatch`
    and held to its deadline. Every other attribute is the wrapped client's."""

    def __init__(self, inner: object, watch: SolveWatch) -> None:
        self._inner = inner
        self._watch = watch

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def complete(self, messages, **kwargs):
        watch = self._watch
        stage = kwargs.get("stage")
        stage = stage if isinstance(stage, Stage) else None
        remaining = watch.remaining()
        if remaining is not None and remaining <= 0:
            raise watch._stop(stage, sent=False)
        watch._sent(stage)
        error: BaseException | None = None
        try:
            async with asyncio.timeout(remaining) as limit:
                return await self._inner.complete(messages, **kwargs)  # type: ignore[attr-defined]
        except TimeoutError as raised:
            if not limit.expired():
                error = raised
                raise
            error = watch._stop(stage, sent=True)
            raise error from None
        except BaseException as raised:
            error = raised
            raise
        finally:
            watch._ended(stage, error)


@contextlib.contextmanager
def watching(watch: SolveWatch) -> Iterator[SolveWatch]:
    """Solves started inside (in this task) are watched by `watch`."""
    token = _CURRENT.set(watch)
    try:
        yield watch
    finally:
        _CURRENT.reset(token)


def current_watch() -> SolveWatch | None:
    return _CURRENT.get()
