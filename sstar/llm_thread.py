"""The model client on a thread of its own, so streaming answers never stall the caller's loop.

Measured in the language server (benchmarks/results/lsp_latency.md): while a 32-sample solve ran,
about half of the event loop's busy time was the `openai` SDK's per-request and per-chunk work
(request building, httpx, SSE decoding, model construction), and code actions waited behind it.
`ThreadedLLM` builds the real `LLMClient` on a dedicated thread with its own asyncio loop and
offers the same coroutines (`complete`, `model`, `aclose`); each call runs there as a task while
the caller awaits a future of its own loop.

Cancellation crosses both ways: cancelling the caller cancels the worker's task (which abandons
the HTTP request and frees its concurrency slot, see `sstar.llm`) and the caller waits until that
task has finished before re-raising, so no request outlives the solve that made it. A worker task
cancelled by anything else (the client closing under it) is an `LLMUnavailableError` for the
caller. Exceptions come back as raised, with their own type (`sstar.errors`). `aclose` closes the client, stops the loop and joins the thread.

`complete`'s keyword arguments are forwarded untouched. The caller's `Budget` is shared with the
worker thread: only `LLMClient.complete` writes it, from one thread, and the stage entry is
created here first so the worker never resizes the dict the caller may be iterating.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from .errors import LLMUnavailableError
from .llm import Budget, Completion, LLMClient, Message

__all__ = ["ThreadedLLM"]

T = TypeVar("T")


class ThreadedLLM:
    """An `LLMClient(**options)` driven on its own thread; the same calls, awaited from any loop."""

    def __init__(self, **options: Any) -> None:
        self.base_url: str = options["base_url"]
        self._closed = False
        self._lock = threading.Lock()
        self._doomed: list[list[asyncio.Task[Any]]] = []  # calls to cancel on the worker
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, name=f"sstar-model {self.base_url}", daemon=True
        )
        self._thread.start()
        # Built on the worker: its semaphore, lock and HTTP pool belong to the worker's loop, and
        # building it (an SSL context) costs the caller nothing.
        self._client = asyncio.run_coroutine_threadsafe(_build(options), self._loop)

    # -- the client's coroutines ---------------------------------------------------------------
    async def complete(self, messages: Sequence[Message], **kwargs: Any) -> Completion:
        budget, stage = kwargs.get("budget"), kwargs.get("stage")
        if isinstance(budget, Budget) and stage is not None:
            budget.stage(stage)  # created on this thread (see the module docstring)
        client = await self._built()
        return await self._call(lambda: client.complete(messages, **kwargs))

    @property
    def continues_prefill(self) -> bool | None:
        """The wrapped client's finding about prefilled answers (`LLMClient.continues_prefill`);
        None until it is built."""
        client = self._ready()
        return None if client is None else client.continues_prefill

    def note_prefill(self, continued: bool) -> None:
        client = self._ready()
        if client is not None:  # a plain flag: set from this thread, read by the next solve
            client.note_prefill(continued)

    def _ready(self) -> LLMClient | None:
        if not self._client.done() or self._client.exception() is not None:
            return None
        return self._client.result()

    async def model(self) -> str:
        client = await self._built()
        return await self._call(client.model)

    async def aclose(self) -> None:
        """Close the client, stop the worker loop and join its thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            client = await self._built()
            await self._call(lambda: _shut(client))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)

    # -- plumbing ------------------------------------------------------------------------------
    async def _built(self) -> LLMClient:
        if not self._client.done():  # shielded: one caller's cancellation is not everyone's
            await asyncio.shield(asyncio.wrap_future(self._client))
        return self._client.result()

    async def _call(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """`make()` run as a task on the worker loop; its outcome, or its cancellation, here."""
        caller = asyncio.get_running_loop()
        outcome: asyncio.Future[T] = caller.create_future()
        context = contextvars.copy_context()  # what the caller's context holds, on the worker too
        started: list[asyncio.Task[T]] = []

        def start() -> None:  # on the worker
            task = self._loop.create_task(make(), context=context)
            started.append(task)
            task.add_done_callback(lambda done: caller.call_soon_threadsafe(_settle, outcome, done))

        try:
            self._loop.call_soon_threadsafe(start)
        except RuntimeError as error:  # the worker loop is closed
            raise LLMUnavailableError(
                f"the model client for {self.base_url} was closed; start the solve again"
            ) from error
        try:
            return await asyncio.shield(outcome)
        except asyncio.CancelledError:
            if not outcome.done():
                self._cancel(started)
                await _until_done(outcome)
            raise

    def _cancel(self, started: list[asyncio.Task[Any]]) -> None:
        """Cancel a call's task on the worker (after it started: callbacks run in order).

        Calls cancelled together (a solve's lineages) are cancelled together there too, in one
        callback: one by one, the slot the first frees could send a waiting request out before
        its own cancellation arrived.
        """
        with self._lock:
            self._doomed.append(started)
            first = len(self._doomed) == 1
        if first:
            try:
                self._loop.call_soon_threadsafe(self._cancel_doomed)
            except RuntimeError:  # the loop is closed: `_serve` cancelled what it still ran
                pass

    def _cancel_doomed(self) -> None:  # on the worker
        with self._lock:
            doomed, self._doomed = self._doomed, []
        for started in doomed:
            for task in started:
                task.cancel()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            # Whatever is still running (the caller's loop went away without closing us) ends
            # with its request abandoned, not in the middle of the interpreter's shutdown.
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            if tasks:
                self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()


async def _build(options: dict[str, Any]) -> LLMClient:
    return LLMClient(**options)


async def _shut(client: LLMClient) -> None:
    """On the worker: end the requests in flight (their callers get "closed"), then the client."""
    current = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not current]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
    await client.aclose()


def _settle(outcome: asyncio.Future[T], done: asyncio.Task[T]) -> None:
    """On the caller's loop: give `outcome` what the worker's task ended with."""
    if outcome.done():
        return
    if done.cancelled():  # not by our caller (it waits in `_until_done`): the client closed
        outcome.set_exception(LLMUnavailableError("the model client was closed during the request"))
    elif (error := done.exception()) is not None:
        outcome.set_exception(error)
    else:
        outcome.set_result(done.result())


async def _until_done(outcome: asyncio.Future[Any]) -> None:
    """Wait for the worker's task to finish after cancelling it. Further cancellations of the
    caller only repeat what is already under way; the caller re-raises its own afterwards."""
    while not outcome.done():
        try:
            await asyncio.shield(outcome)
        except asyncio.CancelledError:
            continue
        except Exception:  # the task ended with an error while being cancelled: it is done
            return
