"""The async manager of one shared llama-server process per (runtime, weights, settings).

Usage (the engine's only entry point to the local model)::

    async with LocalModelServer.shared(model="qwen2.5-coder-0.5b") as srv:
        client = openai.AsyncOpenAI(base_url=srv.base_url, api_key=srv.api_key)
        await client.chat.completions.create(model=srv.model_name, messages=...)

``shared()`` checks weights and runtime at once (raising errors that name the fix command) and
returns the process-wide instance for that configuration; entering it counts a user and starts
the server on demand (free loopback port, waits for ``/health``), or restarts it if it died.
Concurrent solves therefore share one server and its parallel slots. When the last user leaves,
the server stays warm for ``idle_seconds`` and then stops; ``stop_all()`` (adapters call it on
shutdown), ``atexit`` and PDEATHSIG (see ``process``) make sure it never outlives us.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from .errors import ServerStartError
from .models import DEFAULT_MODEL
from .paths import logs_dir
from .process import free_port, http_get, kill_group, spawn
from .runtime import ensure_runtime
from .weights import ensure_weights

__all__ = [
    "default_threads",
    "server_env",
    "ServerSettings",
    "ResolvedModel",
    "resolve_local_model",
    "LocalModelServer",
]

_HOST = "127.0.0.1"


def default_threads() -> int:
    """All usable cores (llama-server then waits passively at its barriers: see ``server_env``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def server_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment llama-server runs in.

    ``LLAMA_ARG_*`` variables are dropped: llama-server reads its flags from them, and a user's
    shell must not change, e.g., the host it listens on.

    ``OMP_WAIT_POLICY=PASSIVE`` (unless the user set a policy): the runtime is built with OpenMP,
    so its threads meet at an OpenMP barrier after every operation, hundreds per token, and by
    default a thread that arrives first spins. When another process holds a core, which S*
    itself does by running candidates in the sandbox while other samples decode, the spinning
    thread burns the time the straggler needs. Measured on the 2-core machine under load
    (benchmarks/results/local_model.md): 2 spinning threads 1-3 tokens/s, 1 thread 12-28, 2 passive
    threads 29-36 tokens/s at 8 streams. (llama.cpp's own ``--poll`` does nothing in OpenMP builds.)
    """
    env = os.environ if environ is None else environ
    out = {k: v for k, v in env.items() if not k.startswith("LLAMA_ARG_")}
    out.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return out


@dataclass(frozen=True)
class ServerSettings:
    """How llama-server is sized. Defaults fit S*'s 8 samples of a typical stub on few cores.

    ``parallel`` matches the engine's default ``samples``/``maxConcurrency`` of 8: every sample
    decodes in the same batch; more requests queue in the server. ``ctx_per_slot`` is sized from
    the engine's own prompts (measured with the model's tokenizer on ``examples/``): a sampling
    prompt is 190-250 tokens; the longest debugging prompt (sampling prompt + a 1024-token
    candidate + five failures clipped by ``sstar.prompts``) is about 3,450, plus a completion of
    up to 1024 (``maxCompletionTokens``): 5120 leaves room for that and a larger module outline.
    The KV cache is allocated up front: 8 x 5120 tokens is ~480 MiB for the 0.5B, ~1.1 GiB for
    the 1.5B. A longer prompt is refused with HTTP 400 (never truncated: ``--no-context-shift``).
    """

    parallel: int = 8  # slots = concurrent requests decoded together
    ctx_per_slot: int = 5120  # prompt + completion tokens one request may use
    threads: int | None = None  # None: all cores (see default_threads)
    cache_ram_mib: int = 1024  # bound llama-server's prompt cache (its default is 8 GiB)
    health_timeout: float = 180.0  # seconds to load the model and answer /health
    idle_seconds: float | None = 300.0  # stop after this long unused; None: only at exit
    extra_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # the OpenAI `model` name the server answers to
    path: Path  # the GGUF file
    binary: Path  # llama-server


def resolve_local_model(
    model: str = DEFAULT_MODEL,
    model_path: str | Path | None = None,
    cache_dir: Path | None = None,
) -> ResolvedModel:
    """Find weights and runtime without starting anything; raises errors naming the fix."""
    path = ensure_weights(model, model_path, cache_dir)
    binary = ensure_runtime(cache_dir)
    name = path.stem if model_path else model
    return ResolvedModel(name=name, path=path, binary=binary)


@dataclass(eq=False)
class LocalModelServer:
    """One llama-server process; share it through ``shared()`` and ``async with``."""

    resolved: ResolvedModel
    settings: ServerSettings = ServerSettings()
    log_dir: Path | None = None
    _proc: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _port: int | None = field(default=None, init=False)
    _users: int = field(default=0, init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False, repr=False)
    _lock_loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    _idle: asyncio.TimerHandle | None = field(default=None, init=False, repr=False)
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(24), init=False, repr=False)

    _registry: ClassVar[dict[tuple, LocalModelServer]] = {}
    # Binaries whose weight repacking crashed at start-up on this machine (see `_start`).
    _repack_crashes: ClassVar[set[Path]] = set()

    @classmethod
    def shared(
        cls,
        model: str = DEFAULT_MODEL,
        model_path: str | Path | None = None,
        *,
        cache_dir: Path | None = None,
        settings: ServerSettings | None = None,
    ) -> LocalModelServer:
        resolved = resolve_local_model(model, model_path, cache_dir)
        settings = settings or ServerSettings()
        key = (resolved, settings)
        if key not in cls._registry:
            cls._registry[key] = cls(resolved, settings, logs_dir(cache_dir))
        return cls._registry[key]

    @classmethod
    async def stop_all(cls) -> None:
        """Stop every shared server (adapters call this on shutdown)."""
        for srv in list(cls._registry.values()):
            await srv.stop()

    # -- state -----------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.resolved.name

    @property
    def port(self) -> int | None:
        return self._port

    @property
    def base_url(self) -> str:
        """OpenAI-compatible base URL (``.../v1``); valid while a user holds the server."""
        if self._port is None:
            raise ServerStartError("The local model server is not started; use `async with`.")
        return f"http://{_HOST}:{self._port}/v1"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self.running else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def users(self) -> int:
        return self._users

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> LocalModelServer:
        self._users += 1
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        try:
            await self.ensure_running()
        except BaseException:
            await self._release()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._release()

    async def _release(self) -> None:
        self._users -= 1
        if self._users > 0:
            return
        idle = self.settings.idle_seconds
        if idle is None:
            return
        if idle <= 0:
            await self.stop()
            return
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(idle, lambda: loop.create_task(self._stop_if_idle()))

    async def _stop_if_idle(self) -> None:
        if self._users == 0:
            await self.stop()

    def _get_lock(self) -> asyncio.Lock:
        # An asyncio.Lock belongs to one loop; tests and CLIs may run several loops in turn.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def ensure_running(self) -> None:
        """Start the server if it is not running (also after it died); idempotent."""
        async with self._get_lock():
            if self.running:
                return
            if self._proc is not None:  # it died: reap it and start afresh on the same port
                await asyncio.to_thread(kill_group, self._proc, 0.0)
                self._proc = None
            await self._start()

    async def stop(self) -> None:
        """Stop the process (and its group) now; a later ``async with`` starts it again."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        proc, self._proc = self._proc, None
        if proc is not None:
            await asyncio.to_thread(kill_group, proc)

    def _command(self, port: int, key_file: Path) -> list[str]:
        s = self.settings
        threads = s.threads or default_threads()
        return [
            str(self.resolved.binary),
            "--model",
            str(self.resolved.path),
            "--host",
            _HOST,
            "--port",
            str(port),
            "--alias",
            self.resolved.name,
            "--api-key-file",
            str(key_file),
            "--parallel",
            str(s.parallel),
            "--ctx-size",
            str(s.parallel * s.ctx_per_slot),
            "--cont-batching",
            "--threads",
            str(threads),
            "--threads-batch",
            str(threads),
            "--cache-ram",
            str(s.cache_ram_mib),
            "--no-webui",
            # Never drop the start of a conversation (the stub!) to make room: a prompt longer
            # than a slot is refused with HTTP 400, a long answer ends with finish_reason "length".
            "--no-context-shift",
            *(["--no-repack"] if self.resolved.binary in self._repack_crashes else []),
            *s.extra_args,
        ]

    async def _start(self) -> None:
        env = server_env()
        last_error = ""
        for attempt in range(3):
            port = self._port if (attempt == 0 and self._port) else free_port(_HOST)
            # One log per port: several servers (tests, editors, benchmarks) may run at once and
            # must not truncate each other's log, which error messages quote.
            log = (self.log_dir or logs_dir()) / f"llama-server-{self.resolved.name}-{port}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            _prune_logs(log.parent)
            # The key goes in a 0600 file, not argv: argv is readable by every local user.
            fd, key_name = tempfile.mkstemp(prefix=".key-", dir=log.parent)
            key_file = Path(key_name)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(self.api_key + "\n")
                # Spawned from the event loop's thread: PDEATHSIG is tied to the spawning thread.
                proc = spawn(self._command(port, key_file), log, env)
                try:
                    ok, last_error = await self._wait_healthy(proc, port, log)
                except BaseException:
                    await asyncio.to_thread(kill_group, proc, 0.0)
                    raise
            finally:
                key_file.unlink(missing_ok=True)  # read at start-up; healthy means it was read
            if ok:
                self._proc, self._port = proc, port
                return
            crashed = _died_of_a_signal(proc)  # before our own kill below sets a signal code
            await asyncio.to_thread(kill_group, proc, 0.0)
            if crashed and self.resolved.binary not in self._repack_crashes:
                # Seen on a VM whose CPU reports AMX: ggml's AMX kernels (reached through weight
                # repacking) segfault in the warm-up decode. Without repacking it runs on AVX2;
                # other machines keep repacking, which is faster where it works.
                self._repack_crashes.add(self.resolved.binary)
                continue
            if "bind" not in last_error.lower():  # only a lost port race is worth a retry
                break
        raise ServerStartError(
            f"The local model server did not start: {last_error}. If the weights or runtime are "
            f"damaged, reinstall them with `python -m sstar.localmodel install --force`."
        )

    async def _wait_healthy(self, proc: subprocess.Popen, port: int, log: Path) -> tuple[bool, str]:
        deadline = time.monotonic() + self.settings.health_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False, f"llama-server exited with {proc.returncode}; {_tail(log)}"
            try:
                status, _ = await http_get(_HOST, port, "/health", timeout=2.0)
                if status == 200:
                    return True, ""
            except (TimeoutError, OSError):
                pass  # not listening yet
            # Polling an external process's HTTP endpoint: there is no event to wait on.
            await asyncio.sleep(0.1)
        return False, (
            f"no healthy answer on /health within {self.settings.health_timeout:.0f}s; {_tail(log)}"
        )


def _died_of_a_signal(proc: subprocess.Popen) -> bool:
    """The process ended by a signal (SIGSEGV, SIGILL, ...); call it before killing it."""
    code = proc.poll()
    return code is not None and code < 0


def _prune_logs(directory: Path, keep: int = 20) -> None:
    """Keep the newest server logs only: one log per port would otherwise pile up forever."""
    try:
        logs = sorted(
            directory.glob("llama-server-*.log"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in logs[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a log that vanished meanwhile, or an unreadable directory: not worth failing over


def _tail(log: Path, lines: int = 6) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return f"see {log}"
    return f"last log lines ({log}):\n" + "\n".join(text)
