"""One solve end to end through the real server: progress, the edit, diagnostics, status."""

from __future__ import annotations

from lsprotocol import types

from tests.support.scripted_llm import fenced

from .conftest import ADD_ONE, WRONG, command, field_of, line_of, open_file, solve, token_of


async def test_solve_writes_only_the_body_with_progress(client, model, workspace):
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one", version=1)
    token = token_of(job)
    await client.wait_for(lambda: token in client.ended_tokens(), what="progress end")

    # the body, and only the body, was replaced
    expected = ADD_ONE.replace(
        '    []\n    """\n    ...\n', '    []\n    """\n    return [x + 1 for x in xs]\n'
    )
    assert client.texts[uri] == expected
    [params] = client.applied
    edit = params.edit
    if client.profile == "visual-studio-code":  # versioned edit
        [change] = edit.document_changes
        assert change.text_document.version == 1
        edits = change.edits
    else:  # Neovim 0.11 has no documentChanges: plain `changes`
        assert edit.document_changes is None
        edits = edit.changes[uri]
    [text_edit] = edits
    stub_line = line_of(ADD_ONE, "    ...")
    assert text_edit.range.start.line == stub_line and text_edit.range.end.line == stub_line
    assert text_edit.new_text.strip() == "return [x + 1 for x in xs]"

    # progress: begin, reports with stages and counts, end with a summary
    values = client.progress(token)
    assert isinstance(values[0], types.WorkDoneProgressBegin) and values[0].cancellable
    assert isinstance(values[-1], types.WorkDoneProgressEnd)
    reports = [v.message for v in values[1:-1]]
    assert all(isinstance(v, types.WorkDoneProgressReport) for v in values[1:-1])
    assert "sampling 2/2" in reports
    assert any(r.startswith("tested samples:") for r in reports)
    percentages = [v.percentage for v in values[1:-1] if v.percentage is not None]
    assert percentages == sorted(percentages)
    assert "passes 2/2 examples" in values[-1].message and "written" in values[-1].message

    # a log line per stage, and the status notification saw the job come and go
    assert client.logged("sampling 2/2") and client.logged("started")
    await client.wait_for(lambda: client.statuses and client.statuses[-1]["running"] == 0)
    assert any(s["running"] == 1 and s["jobs"][0]["jobId"] == job for s in client.statuses)
    assert client.statuses[-1]["backend"].startswith("scripted")
    # two samples, and the engine's request for checks of the docstring
    assert sorted(model.script.kinds) == ["checks", "sample", "sample"]
    assert client.diagnostics_for(uri) == []  # everything passes


async def test_failing_examples_become_diagnostics_until_the_function_changes(client, model, workspace):
    model.script.sample = fenced(WRONG)
    model.script.debug = fenced(WRONG)
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    await client.wait_for(lambda: token_of(job) in client.ended_tokens(), what="progress end")
    await client.wait_for(lambda: client.diagnostics_for(uri), what="diagnostics")
    diagnostics = client.diagnostics_for(uri)
    text = client.texts[uri]
    assert "return [x + 2 for x in xs]" in text  # best effort written
    failing = [d for d in diagnostics if d.code == "example-failed"]
    assert [d.range.start.line for d in failing] == [line_of(text, ">>> add_one([1, 2])")]
    assert "expected: [2, 3]" in failing[0].message and "actual:   [3, 4]" in failing[0].message
    assert all(d.source == "S*" for d in diagnostics)
    [info] = [d for d in diagnostics if d.code == "no-candidate-passed"]
    assert info.severity == types.DiagnosticSeverity.Information
    assert info.range.start.line == line_of(text, "def add_one")

    # an edit above the function moves the diagnostics with it
    client.change(uri, types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 0)), "# note\n"))
    await client.wait_for(
        lambda: [d.range.start.line for d in client.diagnostics_for(uri) if d.code == "example-failed"]
        == [line_of(client.texts[uri], ">>> add_one([1, 2])")],
        what="diagnostics moved",
    )
    # typing inside the function clears them
    body = line_of(client.texts[uri], "return [x + 2")
    client.change(uri, types.TextEdit(types.Range(types.Position(body, 4), types.Position(body, 4)), "y = 1; "))
    await client.wait_for(lambda: client.diagnostics_for(uri) == [], what="diagnostics cleared")

    # the body was edited by hand: solving it again is offered only as replacing that edit
    line = line_of(client.texts[uri], "def add_one")
    actions = await code_actions(client, uri, line)
    assert [a.title for a in actions] == ["Solve with S* anyway (4 samples, replaces the edited body)"]
    assert actions[0].command.arguments[0]["force"] is True
    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    candidates = field_of(shown, "candidates")
    assert len(candidates) == 1 and field_of(candidates[0], "passed") == 1
    assert field_of(candidates[0], "chosen") is True


async def code_actions(client, uri: str, line: int, end_line: int | None = None) -> list[types.CodeAction]:
    end = types.Position(line if end_line is None else end_line, 0)
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(line, 0), end),
        context=types.CodeActionContext(diagnostics=[]),
    )
    return list(await client.text_document_code_action_async(params) or [])




WIDE = '''def shout(word: str) -> str:
    """Upper case and an emoji, café 😀 included.

    >>> shout("hi")
    'HI!'
    >>> shout("café😀")
    'CAFÉ😀!'
    """
    ...
'''
SHOUT = "def shout(word):\n    return word.upper() + '!' if word.isascii() else word.upper()\n"


async def test_positions_in_the_negotiated_encoding(client, model, workspace):
    """Neovim negotiates UTF-8, VS Code keeps UTF-16: ranges count in the client's units."""
    model.script.sample = fenced(SHOUT)  # no "!" for the wide example: it fails (the other passes)
    model.script.debug = model.script.sample
    uri = open_file(client, workspace, "wide.py", WIDE)
    job = await solve(client, uri, qualname="shout")
    await client.wait_for(lambda: token_of(job) in client.ended_tokens(), what="progress end")
    await client.wait_for(lambda: client.diagnostics_for(uri), what="diagnostics")
    [failing] = [d for d in client.diagnostics_for(uri) if d.code == "example-failed"]
    line = client.texts[uri].splitlines()[failing.range.start.line]
    assert line.strip().startswith(">>> shout(")
    units = {"utf-8": len(line.encode()), "utf-16": len(line.encode("utf-16-le")) // 2}
    expected = units["utf-8" if client.encoding == types.PositionEncodingKind.Utf8 else "utf-16"]
    assert failing.range.end.character == expected
    assert client.encoding == ("utf-8" if client.profile == "neovim" else "utf-16")
    assert client.texts[uri] == WIDE.replace("    ...\n", "    return word.upper() + '!' if word.isascii() else word.upper()\n")


async def test_crlf_document(client, model, workspace):
    text = ADD_ONE.replace("\n", "\r\n")
    uri = open_file(client, workspace, "crlf.py", text)
    [action] = await code_actions(client, uri, line_of(ADD_ONE, "    ..."))
    job = await solve(client, uri, qualname=action.command.arguments[0]["qualname"])
    await client.wait_for(lambda: token_of(job) in client.ended_tokens(), what="progress end")
    new = client.texts[uri]
    assert new.replace("\r\n", "\n") == ADD_ONE.replace('    """\n    ...\n', '    """\n    return [x + 1 for x in xs]\n')
    assert new.startswith(text.split("    ...")[0])  # nothing before the body was touched
