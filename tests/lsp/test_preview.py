"""Anytime results (issue 13, editor side): as soon as a candidate passes every public test the
server offers it (`sstar/preview`) while selection goes on; `sstar.acceptPreview` writes it at
once (the same versioned write-back path); the final result replaces it only if the user left it
as it was, and arrives as before."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.support.scripted_llm import fenced

from .conftest import RIGHT, WRONG, command, field_of, line_of, open_file, solve, token_of
from .test_jobs import finished

RIGHT_TOO = "def add_one(xs):\n    return [1 + x for x in xs]\n"


def one_passes_first(model) -> None:
    """Sample 0 passes at once; sample 1 needs a repair, and every request but a sample waits
    at the gate: the solve goes on (repair, then selection) after the preview was offered."""
    model.script.sample = lambda body: fenced(RIGHT if body.get("seed") == 0 else WRONG)
    model.script.debug = fenced(RIGHT_TOO)
    model.passing = {"sample"}
    model.gate = asyncio.Event()


async def test_a_passing_candidate_is_offered_and_accepted_while_selection_goes_on(client, model, workspace):
    one_passes_first(model)
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    await client.wait_for(lambda: client.previews, what="the preview")
    [preview] = client.previews
    assert preview["jobId"] == job and preview["uri"] == uri and preview["qualname"] == "add_one"
    assert (preview["passed"], preview["total"]) == (2, 2)
    assert "return [x + 1 for x in xs]" in preview["code"]
    assert token_of(job) not in client.ended_tokens() and model.held >= 1  # still solving

    result = await command(client, "sstar.acceptPreview", {"jobId": job})
    assert field_of(result, "applied") is True
    assert client.texts[uri].count("return [x + 1 for x in xs]") == 1  # written before the end
    assert token_of(job) not in client.ended_tokens()

    model.gate.set()
    end = await finished(client, job)
    assert end.endswith("; written") or end.endswith("(the body you accepted as a preview)"), end
    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    [chosen] = [c for c in field_of(shown, "candidates") if field_of(c, "chosen")]
    body = field_of(chosen, "code").split('"""')[-1].strip()
    text = client.texts[uri]
    assert text.count("def add_one") == 1 and text.count(body) == 1 and "    ...\n" not in text
    assert len(client.previews) == 1  # one offer per solve

    result = await command(client, "sstar.acceptPreview", {"jobId": job})
    assert field_of(result, "applied") is False and client.shown("no preview waiting")


async def test_the_final_result_does_not_replace_an_edited_preview(client, model, workspace):
    one_passes_first(model)
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    await client.wait_for(lambda: client.previews, what="the preview")
    # the latest preview of the document, as :SStarAcceptPreview sends it without a job id
    result = await command(client, "sstar.acceptPreview", {"uri": uri})
    assert field_of(result, "applied") is True
    line = line_of(client.texts[uri], "return [x + 1 for x in xs]")
    mine = types.TextEdit(types.Range(types.Position(line, 4), types.Position(line, 4)), "# checked\n    ")
    client.change(uri, mine)
    edited = client.texts[uri]
    await client.synced(uri)
    model.gate.set()
    end = await finished(client, job)
    assert "kept, not written (the function changed)" in end, end
    assert client.texts[uri] == edited
    await client.wait_for(lambda: client.shown("edited after the preview was written"))


async def test_no_preview_without_a_passing_candidate_nor_after_the_end(client, model, workspace):
    model.script.sample = model.script.debug = fenced(WRONG)
    uri = open_file(client, workspace)
    end = await finished(client, await solve(client, uri, qualname="add_one"))
    assert "passes 1/2" in end
    assert client.previews == []
    result = await command(client, "sstar.acceptPreview", {})
    assert field_of(result, "applied") is False
