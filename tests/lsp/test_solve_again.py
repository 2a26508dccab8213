"""Solving a function again (issue 12, items 3 and 6): a function S* wrote can be solved again,
with more samples, until its body is edited by hand, also after its docstring was fixed; an edited
one only when the user asks (`force`, "Solve with S* anyway"); explicit writes say what happened
without claiming a solve was running; a body that passes none of the examples is not written
unless the user picks it."""

from __future__ import annotations

from lsprotocol import types

from tests.support.scripted_llm import fenced

from .conftest import ADD_ONE, RIGHT, WRONG, command, field_of, line_of, open_file, solve
from .test_jobs import finished
from .test_solve import code_actions

MISTAKEN = ADD_ONE.replace("    [2, 3]\n", "    [2, 4]\n")  # the user's example is wrong
NOTHING = "def add_one(xs):\n    return None\n"


def replace_line(client, uri: str, needle: str, new: str) -> None:
    text = client.texts[uri]
    line = line_of(text, needle)
    old = text.splitlines()[line]
    client.change(uri, types.TextEdit(types.Range(types.Position(line, 0), types.Position(line, len(old))), new))


async def test_fixing_an_example_then_solving_again(client, model, workspace):
    uri = open_file(client, workspace, text=MISTAKEN)
    end = await finished(client, await solve(client, uri, qualname="add_one"))
    assert "passes 1/2 examples" in end and end.endswith("; written"), end  # the best effort
    assert "return [x + 1 for x in xs]" in client.texts[uri]

    # the user fixes the example; the function keeps S*'s body, so it may be solved again
    replace_line(client, uri, "    [2, 4]", "    [2, 3]")
    line = line_of(client.texts[uri], "def add_one")
    [again] = await code_actions(client, uri, line)
    assert again.title == "Solve with S* (4 samples)" and not again.command.arguments[0].get("force")
    result = await command(client, again.command.command, *again.command.arguments)
    end = await finished(client, field_of(result, "jobId"))
    assert end.startswith("passes 2/2 examples") and end.endswith("; written"), end
    text = client.texts[uri]
    assert "    [2, 3]\n" in text and text.count("return [x + 1 for x in xs]") == 1
    assert text == ADD_ONE.replace('    """\n    ...\n', '    """\n    return [x + 1 for x in xs]\n')
    assert not client.shown("not a stub")
    await client.wait_for(lambda: client.diagnostics_for(uri) == [], what="diagnostics cleared")


async def test_an_edited_body_is_solved_again_only_when_asked(client, model, workspace):
    uri = open_file(client, workspace)
    await finished(client, await solve(client, uri, qualname="add_one"))
    replace_line(client, uri, "return [x + 1 for x in xs]", "    return [x + 1 for x in xs if x]  # mine")
    await client.synced(uri)

    # without asking: refused, with a message that says how to ask
    result = await command(client, "sstar.regenerate", {"uri": uri, "qualname": "add_one"})
    assert field_of(result, "jobId") is None
    await client.wait_for(lambda: client.shown("was edited since S* wrote it"))
    # the candidates of the last solve cannot overwrite it either, and no solve is claimed
    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    [candidate] = field_of(shown, "candidates")
    result = await command(client, "sstar.applyCandidate", {"uri": uri, "qualname": "add_one", "candidateId": field_of(candidate, "id")})
    assert field_of(result, "applied") is False
    [refusal] = client.shown("nothing was written")
    assert "edited by hand" in refusal and "while it was being solved" not in refusal
    assert "# mine" in client.texts[uri]

    # the light bulb offers it as replacing the edit; choosing it does
    [action] = await code_actions(client, uri, line_of(client.texts[uri], "def add_one"))
    assert action.title.startswith("Solve with S* anyway") and action.command.arguments[0]["force"] is True
    result = await command(client, action.command.command, *action.command.arguments)
    end = await finished(client, field_of(result, "jobId"))
    assert end.endswith("; written"), end
    assert "# mine" not in client.texts[uri] and client.texts[uri].count("return [x + 1 for x in xs]") == 1


async def test_force_solves_a_function_s_star_never_wrote(client, model, workspace):
    model.script.sample = fenced("def double(x):\n    return x + x\n")
    uri = open_file(client, workspace)
    result = await command(client, "sstar.solve", {"uri": uri, "qualname": "double"})
    assert field_of(result, "jobId") is None and client.shown("not a stub")
    # the cursor in `double`, as :SStarSolve! sends it
    position = {"line": line_of(ADD_ONE, "return 2 * x"), "character": 4}
    result = await command(client, "sstar.solve", {"uri": uri, "position": position, "force": True})
    end = await finished(client, field_of(result, "jobId"))
    assert "no examples to check" in end and end.endswith("; written"), end
    assert "return x + x" in client.texts[uri] and "return 2 * x" not in client.texts[uri]
    assert '"""Twice x."""' in client.texts[uri]


async def test_a_candidate_is_written_after_the_docstring_was_edited(client, model, workspace):
    model.script.sample = lambda body: fenced(RIGHT if body.get("seed") == 0 else WRONG)
    model.script.debug = fenced(WRONG)
    uri = open_file(client, workspace)
    await finished(client, await solve(client, uri, qualname="add_one"))
    assert "return [x + 1 for x in xs]" in client.texts[uri]
    replace_line(client, uri, "Add one to every number.", '    """Add one to every number (a new list).')
    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    [other] = [c for c in field_of(shown, "candidates") if not field_of(c, "chosen")]
    result = await command(client, "sstar.applyCandidate", {"uri": uri, "qualname": "add_one", "candidateId": field_of(other, "id")})
    assert field_of(result, "applied") is True
    text = client.texts[uri]
    assert "return [x + 2 for x in xs]" in text and "x + 1" not in text and "(a new list)" in text


async def test_a_body_that_passes_no_example_is_not_written_unless_picked(client, model, workspace):
    model.script.sample = model.script.debug = fenced(NOTHING)
    uri = open_file(client, workspace)
    end = await finished(client, await solve(client, uri, qualname="add_one"))
    assert "passes 0/2 examples" in end and "nothing written" in end, end
    assert client.applied == [] and client.texts[uri] == ADD_ONE
    await client.wait_for(lambda: client.diagnostics_for(uri), what="the diagnostic")
    [info] = client.diagnostics_for(uri)
    assert info.code == "no-candidate-passed" and "nothing was written" in info.message
    assert "Show Candidates" in info.message and info.range.start.line == line_of(ADD_ONE, "def add_one")
    # the user asks for it: it is written
    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    [candidate] = field_of(shown, "candidates")
    assert field_of(candidate, "passed") == 0
    result = await command(client, "sstar.applyCandidate", {"uri": uri, "qualname": "add_one", "candidateId": field_of(candidate, "id")})
    assert field_of(result, "applied") is True and "return None" in client.texts[uri]


async def test_a_body_the_user_wrote_after_a_solve_is_theirs(client, model, workspace):
    model.script.sample = model.script.debug = fenced(NOTHING)
    uri = open_file(client, workspace)
    await finished(client, await solve(client, uri, qualname="add_one"))  # nothing written
    replace_line(client, uri, "    ...", "    return list(map(lambda x: x + 1, xs))")
    [action] = await code_actions(client, uri, line_of(client.texts[uri], "def add_one"))
    assert action.title.startswith("Solve with S* anyway"), action.title
    result = await command(client, "sstar.regenerate", {"uri": uri, "qualname": "add_one"})
    assert field_of(result, "jobId") is None and client.shown("not a stub")
    assert "lambda x: x + 1" in client.texts[uri]
