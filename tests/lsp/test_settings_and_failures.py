"""Settings (initializationOptions, workspace/configuration, didChangeConfiguration), a model
server that is down, regenerate / candidates, and what is left after shutdown."""

from __future__ import annotations

import re
import socket

import pytest
from lsprotocol import types

from tests.support.scripted_llm import fenced

from .conftest import (
    profile_capabilities,
    ADD_ONE,
    PROFILES,
    RIGHT,
    WRONG,
    command,
    descendants,
    field_of,
    line_of,
    open_file,
    server_env,
    settings_for,
    solve,
    start_editor,
    stop_editor,
    token_of,
    wait_gone,
)
from .test_jobs import finished
from .test_solve import code_actions


@pytest.mark.parametrize("profile", PROFILES)
async def test_bad_settings_give_a_message_and_defaults(profile, model, workspace, tmp_path):
    init = settings_for(model, samples="many", temperature=9, colour="blue")
    configuration = {"rounds": -1, "sandboxMemoryMb": "lots"}
    client = await start_editor(
        profile, workspace, init_options=init, configuration=configuration, env=server_env(tmp_path / "c")
    )
    try:
        await client.wait_for(lambda: client.shown("S* settings"), what="settings warning")
        [message] = [m for m in client.messages if "S* settings" in m.message]
        assert message.type == types.MessageType.Warning
        for part in ("sstar.samples = 'many'", "default 8", "sstar.temperature", "unknown setting sstar.colour",
                     "sstar.rounds = -1", "sstar.sandboxMemoryMb"):
            assert part in message.message, part
        # the server works, with the defaults for what was bad: 8 samples
        uri = open_file(client, workspace)
        assert await code_actions(client, uri, line_of(ADD_ONE, "    ..."))
        await finished(client, await solve(client, uri, qualname="add_one"))
        assert model.script.kinds.count("sample") == 8

        # a pushed change is pulled again (workspace/configuration) and used by the next solve
        client.set_configuration({"samples": 3, "rounds": 0}, section="sstar")
        await changed_configuration(client)
        before = len(model.script.kinds)
        uri2 = open_file(client, workspace, "other.py", ADD_ONE.replace("Add one", "Add 1"))
        await finished(client, await solve(client, uri2, qualname="add_one"))
        assert model.script.kinds[before:].count("sample") == 3

        client.set_configuration({"samples": 0}, section="sstar")
        await changed_configuration(client)
        assert client.shown("sstar.samples = 0")
    finally:
        await stop_editor(client)


async def changed_configuration(client) -> None:
    """Send didChangeConfiguration; return once the server pulled and applied the settings (it
    sends `sstar/status` when done)."""
    # the status of the last job's end must be in first, or it would pass for the settings' one
    await client.wait_for(lambda: client.statuses and client.statuses[-1]["running"] == 0)
    seen = len(client.statuses)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await client.wait_for(lambda: len(client.statuses) > seen, what="settings applied")


@pytest.mark.parametrize("profile", PROFILES)
async def test_init_options_that_are_not_an_object(profile, workspace, tmp_path):
    # and an empty `sstar` section as Neovim's Lua sends `{}`: `[]`, which is no error
    client = await start_editor(
        profile, workspace, init_options=["nonsense"], configuration=[], env=server_env(tmp_path / "c")
    )
    try:
        await client.wait_for(lambda: client.shown("initializationOptions"), what="warning")
        assert not client.shown("should be an object of keys")
        uri = open_file(client, workspace)
        assert await code_actions(client, uri, line_of(ADD_ONE, "    ..."))
    finally:
        await stop_editor(client)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("overrides", [{"baseUrl": f"http://127.0.0.1:{closed_port()}/v1"}])
async def test_model_server_down(client, workspace, overrides):
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    end = await finished(client, job)
    assert end.startswith("failed")
    await client.wait_for(lambda: [m for m in client.messages if m.type == types.MessageType.Error])
    [error] = [m.message for m in client.messages if m.type == types.MessageType.Error]
    assert "add_one" in error and "baseUrl" in error, error
    assert client.applied == [] and client.texts[uri] == ADD_ONE
    # still alive and answering
    assert await code_actions(client, uri, line_of(ADD_ONE, "    ..."))
    await client.wait_for(lambda: client.statuses[-1]["running"] == 0)


async def test_regenerate_reuses_samples_and_replaces_what_it_wrote(client, model, workspace):
    model.script.sample = lambda body: fenced(RIGHT if body.get("seed") == 3 else WRONG)
    model.script.debug = fenced(WRONG)
    uri = open_file(client, workspace)
    await finished(client, await solve(client, uri, qualname="add_one"))
    assert "return [x + 2 for x in xs]" in client.texts[uri]
    await client.wait_for(lambda: client.diagnostics_for(uri), what="diagnostics")

    [action] = [
        a for a in await code_actions(client, uri, line_of(client.texts[uri], "def add_one"))
        if a.title == "Solve with S* (4 samples)"
    ]
    assert action.command.command == "sstar.regenerate"
    sampled = model.script.kinds.count("sample")
    result = await command(client, action.command.command, *action.command.arguments)
    await finished(client, field_of(result, "jobId"))
    assert model.script.kinds.count("sample") == sampled + 2  # samples 0 and 1 came from the cache
    text = client.texts[uri]
    assert "return [x + 1 for x in xs]" in text and "x + 2" not in text and "    ...\n" not in text
    await client.wait_for(lambda: client.diagnostics_for(uri) == [], what="diagnostics cleared")

    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    candidates = {field_of(c, "passed"): c for c in field_of(shown, "candidates")}
    assert set(candidates) == {1, 2} and field_of(candidates[2], "chosen")
    # write the other candidate instead
    wrong_id = field_of(candidates[1], "id")
    result = await command(client, "sstar.applyCandidate", {"uri": uri, "qualname": "add_one", "candidateId": wrong_id})
    assert field_of(result, "applied") is True
    assert "return [x + 2 for x in xs]" in client.texts[uri] and "x + 1" not in client.texts[uri]
    assert client.texts[uri].count("def add_one") == 1


async def test_refusals_are_messages_not_errors(client, workspace):
    uri = open_file(client, workspace)
    result = await command(client, "sstar.solve", {"uri": uri, "qualname": "double"})
    assert field_of(result, "jobId") is None and client.shown("not a stub")
    result = await command(client, "sstar.solve", {"uri": uri, "position": {"line": 0, "character": 0}})
    assert field_of(result, "jobId") is None and client.shown("no stub here")
    assert field_of(await command(client, "sstar.cancel"), "cancelled") == []
    result = await command(client, "sstar.applyLast", {})
    assert field_of(result, "applied") is False
    with pytest.raises(Exception, match="bad arguments"):
        await command(client, "sstar.solve", {"version": 1})
    assert await code_actions(client, uri, line_of(ADD_ONE, "    ..."))


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("how", ["shutdown", "exit only"])
async def test_nothing_left_after_the_editor_goes(profile, how, model, workspace, tmp_path):
    client = await start_editor(profile, workspace, init_options=settings_for(model), env=server_env(tmp_path / "c"))
    uri = open_file(client, workspace)
    model.script.sample = lambda body: fenced(RIGHT) if body.get("seed") == 0 else {"hang": True}
    job = await solve(client, uri, qualname="add_one")
    await model.wait_until(lambda: model.open_requests >= 1 and model.answered >= 1)
    left = set(descendants(client._server.pid))
    assert left, "the sandbox pool should be running"
    if how == "shutdown":
        await stop_editor(client)
        assert "shutting down" in client.progress(token_of(job))[-1].message
    else:  # no shutdown request: `exit` alone must still end everything
        client.exit(None)
        await client._server.wait()
        await client.stop()
    assert client._server.returncode is not None
    await wait_gone(left)
    await model.wait_until(lambda: model.open_requests == 0)


async def test_api_key_reaches_the_model_and_no_log(model, workspace, tmp_path):
    key = "sk-test-SECRET-4242424242"
    log_file = tmp_path / "server.log"
    client = await start_editor(
        "visual-studio-code", workspace, init_options={**settings_for(model), "apiKey": key},
        env=server_env(tmp_path / "c"), args=("--log-level", "DEBUG", "--log-file", str(log_file)),
    )
    try:
        uri = open_file(client, workspace)
        await finished(client, await solve(client, uri, qualname="add_one"))
    finally:
        await stop_editor(client)
    assert model.headers and all(h.get("authorization") == f"Bearer {key}" for h in model.headers)
    log = log_file.read_text()
    assert "Sending data" in log and "add_one" in log  # the DEBUG log has the traffic
    assert key not in log
    assert not [m for m in client.log_messages + client.messages if key in m.message]


async def test_a_minimal_client_without_progress_or_configuration(model, workspace, tmp_path):
    """No window.workDoneProgress, no workspace.configuration: log lines instead of progress,
    settings pushed in didChangeConfiguration."""
    capabilities = profile_capabilities("neovim")
    capabilities.window.work_done_progress = False
    capabilities.workspace.configuration = False
    client = await start_editor(capabilities, workspace, init_options=settings_for(model), env=server_env(tmp_path / "c"))
    try:
        await client.wait_for(lambda: client.statuses, what="initialized")
        seen = len(client.statuses)
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"sstar": {"samples": 3}})
        )
        await client.wait_for(lambda: len(client.statuses) > seen, what="settings applied")
        uri = open_file(client, workspace)
        await solve(client, uri, qualname="add_one")
        await client.wait_for(lambda: client.logged("; written"), what="the solve's last log line")
        assert client.progress_reports == {}
        # no progress to show it in: the outcome comes as a message, success included
        outcome = re.compile(r"^S\*: add_one: passes 2/2 examples; .*; written$")
        await client.wait_for(lambda: any(outcome.match(m.message) for m in client.messages), what="the outcome")
        [told] = [m for m in client.messages if "passes 2/2" in m.message]
        assert told.type == types.MessageType.Info
        assert client.logged("sampling 3/3") and model.script.kinds.count("sample") == 3
        assert "return [x + 1 for x in xs]" in client.texts[uri]
    finally:
        await stop_editor(client)
