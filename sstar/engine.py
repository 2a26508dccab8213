"""The S* engine: a `Problem` in, a `SolveResult` out, with a stream of typed events in between.

`Engine` owns the long-lived pieces (the model client, one sandbox pool per workspace, the cache)
and runs each solve through `sstar.pipeline` (samples in waves with repair rounds, checks of the
docstring, typed and synthesised inputs, behaviour groups, selection, under one stopping rule),
then the report with its confidence (`sstar.confidence`).

Cancellation: `solve` runs inside the caller's task; cancelling it cancels every lineage, which
abandons model requests and makes the sandbox kill the children it started. `CancelledError` is
never caught here. With `config.base_url` empty the engine uses the embedded llama.cpp server
(`sstar.localmodel`), started on the first request the cache cannot answer (a fully cached solve
never starts it) and left warm for the next solve until its idle timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .cache import Cache
from .candidates import Candidate, describe_outcome
from .config import Config, model_thread
from .context import SolveContext, Timing
from .confidence import judge_confidence
from .errors import SandboxError
from .events import EventSink, SolveFinished, SolveStarted, Stage, StageStarted
from .generate import Generation
from .llm import LLMClient
from .llm_thread import ThreadedLLM
from .pipeline import Outcome, run_stages
from .problem import Problem
from .results import CandidateReport, ExampleResult, SolveResult, SolveStatus

if TYPE_CHECKING:
    from sandbox import SandboxPool

__all__ = ["Engine"]


class Engine:
    """Solve stubs with S*. One engine serves many (possibly concurrent) solves."""

    def __init__(
        self,
        config: Config,
        *,
        llm: LLMClient | None = None,
        sandbox=None,
        cache: Cache | None = None,
    ) -> None:
        self.config = config
        self._llm: LLMClient | ThreadedLLM | None = llm
        self._own_llm = llm is None
        self._model_thread = model_thread()
        self._sandbox = sandbox
        self._pools: dict[tuple[str | None, tuple[str, ...]], SandboxPool] = {}
        self._pool_lock = asyncio.Lock()
        self.cache = cache if cache is not None else Cache.default()
        self.last_timing: Timing | None = None  # of the last finished solve (for benchmarks)

    # -- public ------------------------------------------------------------------------------
    async def solve(
        self, problem: Problem, *, samples: int | None = None, on_event: EventSink | None = None
    ) -> SolveResult:
        config = self.config
        count = samples if samples is not None else config.samples
        async with self._model(on_event) as (llm, backend, fingerprint):
            emit = on_event or (lambda event: None)
            emit(SolveStarted(problem.qualname, count, config.rounds, backend))
            sandbox, read_notice = await self._sandbox_for(problem)
            ctx = SolveContext(
                problem,
                config,
                llm=llm,
                sandbox=sandbox,
                cache=self.cache,
                on_event=on_event,
                fingerprint=fingerprint,
            )
            if self.cache.warning:
                ctx.notice_once(self.cache.warning)
            if read_notice:
                ctx.notice_once(read_notice)
            outcome = await run_stages(ctx, count, config.rounds)
            result = _report(ctx, outcome, backend)
            self.last_timing = ctx.timing()
            emit(SolveFinished(result))
            return result

    async def aclose(self) -> None:
        """Close what the engine created (model client, sandbox pools); idempotent."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.close()
        if self._own_llm and self._llm is not None:
            llm, self._llm = self._llm, None
            await llm.aclose()

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the model ---------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _model(self, on_event: EventSink | None):
        """(client, backend description, cache fingerprint) for one solve."""
        config = self.config
        if self._llm is not None and (not self._own_llm or config.base_url):
            yield (
                self._llm,
                _backend(self._llm.base_url, config),
                await self._fingerprint(self._llm),
            )
            return
        if config.base_url:
            self._llm = self._new_client(config.base_url, config.resolved_api_key(), config.model)
            yield self._llm, _backend(config.base_url, config), await self._fingerprint(self._llm)
            return
        from .localmodel import LocalModelServer  # only the embedded backend needs it

        # shared() checks the weights and the runtime on disk (a missing model fails here, at
        # once): keep that off the event loop. The process itself starts on the first request
        # the cache cannot answer, so a fully cached solve never waits for it.
        server = await asyncio.to_thread(
            LocalModelServer.shared, config.local_model, config.model_path or None
        )
        async with contextlib.AsyncExitStack() as stack:
            client = _LocalClient(self, server, stack, on_event)
            yield client, f"embedded {server.model_name}", config.fingerprint()

    async def _local_client(self, running) -> LLMClient | ThreadedLLM:
        """The client for the running embedded server (kept while its address stays the same)."""
        if self._llm is None or self._llm.base_url != running.base_url:
            if self._llm is not None:  # the server came back on another address
                await self._llm.aclose()
            self._llm = self._new_client(running.base_url, running.api_key, running.model_name)
        return self._llm

    def _new_client(self, base_url: str, api_key: str | None, model: str) -> LLMClient | ThreadedLLM:
        """The engine's own model client: on a thread of its own (`sstar.llm_thread`), so that
        streaming 32 answers does not stall the caller's event loop (a language server's)."""
        kind = ThreadedLLM if self._model_thread else LLMClient
        return kind(base_url=base_url, api_key=api_key, model=model, **self.config.client_options())

    async def _fingerprint(self, llm: LLMClient | ThreadedLLM) -> dict[str, object]:
        fingerprint = self.config.fingerprint()
        fingerprint["base_url"] = llm.base_url
        fingerprint["model"] = await llm.model()
        return fingerprint

    # -- the sandbox -------------------------------------------------------------------------
    async def _sandbox_for(self, problem: Problem):
        """The pool for this problem's readable root, and a notice when that is not the workspace.

        Never the home folder or above it (a stub in `~`, a dotfile repository): the file's own
        folder, or nothing. What generated code can read it can print, and repair prompts show
        the model what it printed.
        """
        from sandbox import Limits, SandboxPool, policy
        from sandbox import SandboxError as PoolError

        if self._sandbox is not None:
            return self._sandbox, None
        workspace = Path(problem.workspace) if problem.workspace else None
        root, notice = policy.readable_root(workspace, Path(problem.path) if problem.path else None)
        config = self.config
        key = (str(root) if root else None, config.sandbox_hidden)
        async with self._pool_lock:
            pool = self._pools.get(key)
            if pool is None:
                limits = Limits(
                    wall_seconds=config.sandbox_timeout_seconds,
                    memory_bytes=config.sandbox_memory_mb * 1024 * 1024,
                    output_bytes=config.sandbox_output_kb * 1024,
                )
                pool = SandboxPool(
                    workspace=root,
                    limits=limits,
                    require=config.require_isolation,
                    hidden=config.sandbox_hidden,
                )
                try:
                    await pool.start()
                except PoolError as exc:
                    raise SandboxError(f"{exc}") from exc
                self._pools[key] = pool
            else:
                await pool.refresh()  # hide secret files created since the pool started
            return pool, notice


class _LocalClient:
    """The embedded model for one solve, started on the first request that needs it."""

    def __init__(self, engine: Engine, server, stack: contextlib.AsyncExitStack, on_event) -> None:
        self._engine, self._server, self._stack, self._on_event = engine, server, stack, on_event
        self._lock = asyncio.Lock()
        self._llm: LLMClient | ThreadedLLM | None = None

    async def complete(self, messages, **kwargs):
        if self._llm is None:
            async with self._lock:
                if self._llm is None:
                    if self._on_event is not None:
                        self._on_event(StageStarted(Stage.STARTING))
                    running = await self._stack.enter_async_context(self._server)
                    self._llm = await self._engine._local_client(running)
        return await self._llm.complete(messages, **kwargs)


def _backend(base_url: str, config: Config) -> str:
    host = urlsplit(base_url).netloc or base_url
    return f"{config.model or 'model'} at {host}" if config.model else host


def _report(ctx: SolveContext, outcome: Outcome, backend: str) -> SolveResult:
    problem = ctx.problem
    generation, selection = outcome.generation, outcome.selection
    chosen = selection.chosen
    reports = []
    for candidate in generation.candidates:
        run = generation.runs.get(candidate.id)
        if run is None:
            continue
        reports.append(
            CandidateReport(
                id=candidate.id,
                body=candidate.body,
                code=candidate.code,
                passed=run.passed,
                total=run.total,
                group=selection.group_of(candidate.id),
                chosen=chosen is not None and candidate.id == chosen.id,
                samples=tuple(sorted(generation.samples_of.get(candidate.id, [candidate.sample]))),
                debug_rounds=candidate.round,
            )
        )
    examples = _examples(ctx, generation, chosen)
    if chosen is None:
        status = SolveStatus.NO_CANDIDATE
    elif generation.runs[chosen.id].passes:
        status = SolveStatus.SOLVED
    else:
        status = SolveStatus.NO_CANDIDATE_PASSED
    warnings = [*problem.warnings, *sorted(ctx.counters.noticed)]
    confidence, evidence, suggestion = judge_confidence(
        problem, generation, selection, outcome.evidence
    )
    return SolveResult(
        qualname=problem.qualname,
        status=status,
        body=chosen.body if chosen else None,
        code=chosen.code if chosen else None,
        examples=examples,
        candidates=tuple(reports),
        usage=ctx.usage(),
        warnings=tuple(warnings),
        backend=backend,
        confidence=confidence,
        evidence=evidence,
        suggestion=suggestion,
        reason=selection.reason,
    )


def _examples(
    ctx: SolveContext, generation: Generation, chosen: Candidate | None
) -> tuple[ExampleResult, ...]:
    if chosen is None:
        return ()
    run = generation.runs[chosen.id]
    results = []
    for index, example in enumerate(ctx.problem.examples):
        outcome = run.example_outcomes[index] if index < len(run.example_outcomes) else None
        actual = describe_outcome(outcome) if outcome is not None else run.failures[0].actual
        passed = index < len(run.example_passed) and run.example_passed[index]
        expected = example.want.rstrip("\n") if not example.exc_msg else example.exc_msg.strip()
        results.append(ExampleResult(example.line, example.source, expected, actual, passed))
    return tuple(results)
