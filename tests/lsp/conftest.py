"""Fixtures for the language server's end-to-end tests.

`client` starts `python -m lsp_server` as a real subprocess (pytest-lsp, stdio), once with VS Code's
and once with Neovim's client capabilities, points it at `model` (the scripted OpenAI-compatible
server on a real socket, through `initializationOptions.baseUrl`) and gives each test its own cache
directory. `model.gate` holds model requests until a test opens it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from tests.support.processes import descendants
from tests.support.prompt_kinds import kind_of
from tests.support.scripted_llm import Reply, ScriptedLLM, fenced

from .editor import Editor, make_editor, profile_capabilities

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ["visual-studio-code", "neovim"]

ADD_ONE = '''"""A module with one stub and one finished function."""

import math


def double(x: int) -> int:
    """Twice x."""
    return 2 * x


def add_one(xs: list[int]) -> list[int]:
    """Add one to every number.

    >>> add_one([1, 2])
    [2, 3]
    >>> add_one([])
    []
    """
    ...


def tail() -> float:
    return math.pi
'''
RIGHT = "def add_one(xs):\n    return [x + 1 for x in xs]\n"
WRONG = "def add_one(xs):\n    return [x + 2 for x in xs]\n"


@dataclass
class Script:
    """What the scripted model answers per request kind; a callable gets the request body."""

    sample: object = fenced(RIGHT)
    debug: object = fenced(RIGHT)
    inputs: object = fenced("add_one([-1, 5])\nadd_one([0])")
    distinguish: object = fenced("add_one([-3])")
    judge: object = "Answer: A"
    checks: object = "No checks."  # the engine's request for checks of the docstring: none
    value: object = "I cannot tell."  # the engine's value judge: undecided
    kinds: list[str] = field(default_factory=list)

    def __call__(self, body: dict) -> object:
        kind = kind_of(body)
        self.kinds.append(kind)
        reply = getattr(self, kind, None) if kind != "unknown" else None
        if reply is None:
            return Reply(status=400, error=f"unexpected request kind {kind}")
        return reply(body) if callable(reply) else reply


class GatedLLM(ScriptedLLM):
    """The scripted model, plus a gate: while `gate` is set and closed, chat requests wait (only
    those whose kind is not in `passing`, when it is set: e.g. samples pass, selection waits)."""

    def __init__(self, script: Script) -> None:
        super().__init__(script)
        self.script = script
        self.gate: asyncio.Event | None = None
        self.passing: set[str] = set()
        self.held = 0

    async def _dispatch(self, method, path, headers, raw, reader, writer) -> bool:
        if self.gate is not None and method == "POST" and not self._passes(raw):
            self.held += 1
            self._notify()
            await self.gate.wait()
        return await super()._dispatch(method, path, headers, raw, reader, writer)

    def _passes(self, raw: bytes) -> bool:
        if not self.passing:
            return False
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return False
        return kind_of(body) in self.passing


@pytest_asyncio.fixture
async def model():
    async with GatedLLM(Script()) as server:
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def settings_for(model: ScriptedLLM, **overrides) -> dict[str, object]:
    settings: dict[str, object] = {
        "baseUrl": model.base_url,
        "model": "scripted",
        "samples": 2,
        "rounds": 1,
        "timeoutSeconds": 20,
        "maxRetries": 0,
        "sandboxTimeoutSeconds": 2,
        # The engine's own sample counts (more samples in waves) are tested in tests/engine;
        # here a solve draws exactly `samples`, so the adapter's counts stay what tests expect.
        "adaptiveSampling": False,
    }
    settings.update(overrides)
    return settings


def server_env(cache: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTAR_")}
    if cache is not None:
        env["SSTAR_CACHE_DIR"] = str(cache)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def start_editor(
    profile: str | types.ClientCapabilities,
    workspace: Path,
    *,
    init_options: object,
    configuration: object = None,
    env: dict[str, str],
    args: tuple[str, ...] = (),
) -> Editor:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "lsp_server", *args], client_factory=make_editor, server_env=env
    )
    editor = await config.start()
    assert isinstance(editor, Editor)
    if configuration is not None:
        editor.set_configuration(configuration, section="sstar")
    result = await editor.initialize_session(
        types.InitializeParams(
            capabilities=profile if isinstance(profile, types.ClientCapabilities) else profile_capabilities(profile),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
            initialization_options=init_options,
        )
    )
    editor.server_info = result
    editor.encoding = result.capabilities.position_encoding or types.PositionEncodingKind.Utf16
    return editor


@pytest.fixture
def overrides() -> dict[str, object]:
    """Settings a test changes (`@pytest.mark.parametrize("overrides", [{...}])`)."""
    return {}


@pytest_asyncio.fixture(params=PROFILES)
async def client(request, model: GatedLLM, workspace: Path, tmp_path: Path, overrides: dict):
    editor = await start_editor(
        request.param,
        workspace,
        init_options=settings_for(model, **overrides),
        env=server_env(tmp_path / "cache"),
    )
    editor.profile = request.param
    try:
        yield editor
    finally:
        if model.gate is not None:
            model.gate.set()  # never leave the server's requests waiting on a closed gate
        await stop_editor(editor)


async def stop_editor(editor: Editor, timeout: float = 30.0) -> None:
    """shutdown + exit; the server must then end by itself (killed and reported if it does not)."""
    process = editor._server
    try:
        await asyncio.wait_for(editor.shutdown_session(), timeout)
        await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the language server did not exit after shutdown/exit") from None
    finally:
        if process.returncode is None:
            process.kill()
        await editor.stop()


def open_file(client: Editor, workspace: Path, name: str = "mod.py", text: str = ADD_ONE) -> str:
    path = workspace / name
    path.write_text(text)
    uri = path.as_uri()
    client.open(uri, text)
    return uri


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


async def solve(client: Editor, uri: str, **arguments) -> str:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sstar.solve", arguments=[{"uri": uri, **arguments}])
    )
    job = _field(result, "jobId")
    assert job, f"sstar.solve refused: {result}; shown: {client.shown()}"
    return job


async def command(client: Editor, name: str, *arguments: object) -> object:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


def _field(result: object, name: str) -> object:
    return result.get(name) if isinstance(result, dict) else getattr(result, name, None)


def field_of(result: object, name: str) -> object:
    return _field(result, name)


def token_of(job: str) -> str:
    return f"sstar/{job}"


def server_pid(client: Editor) -> int:
    return client._server.pid


Predicate = Callable[[], bool]


SANDBOX_MARKER = "sstar-sandbox"  # in every sandbox process's command line (sandbox.workers.MARKER)


def sandbox_processes(client: Editor) -> set[int]:
    return {pid for pid, line in descendants(server_pid(client)).items() if SANDBOX_MARKER in line}


async def wait_for_new_processes(client: Editor, known: set[int], timeout: float = 30.0) -> set[int]:
    """Wait until sandbox processes beyond `known` exist. Processes of another process tree give no
    event to wait on, so this looks at /proc every 20 ms until the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (new := sandbox_processes(client) - known):
        if loop.time() > deadline:
            raise AssertionError("no sandbox child started")
        await asyncio.sleep(0.02)
    return new


async def wait_gone(pids: set[int], timeout: float = 15.0) -> None:
    """Wait (pidfd: an event, not a sleep) until every process in `pids` has exited."""
    loop = asyncio.get_running_loop()
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        gone = loop.create_future()
        loop.add_reader(fd, lambda f=gone: f.done() or f.set_result(None))
        try:
            await asyncio.wait_for(gone, timeout)
        except TimeoutError:
            raise AssertionError(f"process {pid} still runs: {descendants(1).get(pid)}") from None
        finally:
            loop.remove_reader(fd)
            os.close(fd)
