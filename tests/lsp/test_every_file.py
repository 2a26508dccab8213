"""Every file S* can be asked about, however its URI is spelled (issue 12, item 1): paths with
spaces and accents (percent-encoded by editors), notebook cells and untitled buffers. Code
actions, commands, edits and diagnostics all find the document by its normalised URI and answer
in the client's own spelling; a syntax error elsewhere is said once (item 2)."""

from __future__ import annotations

from urllib.parse import unquote

from lsprotocol import types

from tests.support.scripted_llm import fenced

from .conftest import ADD_ONE, WRONG, command, field_of, line_of, solve
from .test_jobs import finished
from .test_solve import code_actions


def odd_documents(workspace) -> dict[str, str]:
    """name -> URI as VS Code spells it (Path.as_uri percent-encodes like vscode-uri)."""
    spaced = workspace / "my proj" / "basic file.py"
    spaced.parent.mkdir()
    accented = workspace / "café.py"
    for path in (spaced, accented):
        path.write_text(ADD_ONE)
    notebook = (workspace / "analysis nb.ipynb").as_uri().removeprefix("file://")
    return {
        "space": spaced.as_uri(),
        "accent": accented.as_uri(),
        "cell": f"vscode-notebook-cell:{notebook}#W0sZmlsZQ%3D%3D",
        "untitled": "untitled:Untitled-1",
    }


async def test_documents_are_found_however_their_uri_is_spelled(client, model, workspace):
    documents = odd_documents(workspace)
    assert "%20" in documents["space"] and "%C3%A9" in documents["accent"]
    for uri in documents.values():
        client.open(uri, ADD_ONE)
    stub = line_of(ADD_ONE, "    ...")
    for name, uri in documents.items():
        [action] = await code_actions(client, uri, stub)
        assert action.title == "Solve with S*", name
        assert action.command.arguments[0]["uri"] == uri, name  # the client's own spelling back

    # a command may spell the URI another way (decoded, as a user's script or plugin might)
    for name, uri in documents.items():
        job = await solve(client, unquote(uri), qualname="add_one")
        end = await finished(client, job)
        assert end.endswith("; written"), (name, end)
        assert client.texts[uri].count("return [x + 1 for x in xs]") == 1, name  # edited in place
    assert set(client.texts) == set(documents.values())  # no edit went to another spelling
    assert not client.shown("is not open")

    # diagnostics go to the document as the client spells it
    model.script.sample = model.script.debug = fenced(WRONG)  # passes one example of two
    path = workspace / "naïve façade.py"
    path.write_text(ADD_ONE.replace("Add one", "Add 1"))  # another problem: nothing cached
    uri = path.as_uri()
    client.open(uri, path.read_text())
    await finished(client, await solve(client, unquote(uri), qualname="add_one"))
    await client.wait_for(lambda: client.diagnostics_for(uri), what="diagnostics on the accented file")
    assert unquote(uri) not in client.diagnostics

    # closing with yet another spelling forgets the document (and clears its diagnostics)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=unquote(uri)))
    )
    result = await command(client, "sstar.solve", {"uri": uri, "qualname": "add_one"})
    assert field_of(result, "jobId") is None and client.shown("is not open in the editor")


BROKEN_ELSEWHERE = '''def broken(:
    return 1


def square(n: int) -> int:
    """Square n.

    >>> square(3)
    9
    """
    ...
'''


async def test_a_syntax_error_elsewhere_fails_nothing_and_is_said_once(client, model, workspace):
    model.script.sample = fenced("def square(n):\n    return n * n\n")
    path = workspace / "half_typed.py"
    path.write_text(BROKEN_ELSEWHERE)
    uri = path.as_uri()
    client.open(uri, BROKEN_ELSEWHERE)
    [action] = await code_actions(client, uri, line_of(BROKEN_ELSEWHERE, "    ..."))
    job = await solve(client, uri, qualname=action.command.arguments[0]["qualname"])
    end = await finished(client, job)
    assert end.startswith("passes 1/1 examples") and end.endswith("; written"), end
    assert model.script.kinds == ["sample", "sample"]  # no repair was needed: nothing failed
    assert len(client.logged("syntax errors outside this function")) == 1
    assert "return n * n" in client.texts[uri] and client.texts[uri].startswith("def broken(:")
