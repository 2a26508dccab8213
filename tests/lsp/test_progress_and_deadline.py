"""What progress says while a solve runs, and how long a solve may take (issue 12, items 4 and 8):
a heartbeat while the model is silent, a total deadline (`solveTimeoutSeconds`) that ends the
solve with its best result so far or a clear message, failed requests never counted as answers,
no repair round reported when no repair was asked for, and end lines that do not repeat the
function's name (the progress title has it)."""

from __future__ import annotations

import re

import pytest
from lsprotocol import types

from lsp_server.differences import first_differences
from tests.support.scripted_llm import Reply, fenced

from .conftest import ADD_ONE, RIGHT, WRONG, command, field_of, open_file, solve, token_of
from .test_jobs import finished
from .test_settings_and_failures import closed_port

HEARTBEAT = re.compile(r"waiting for the model: (\d+) s$")


def reports(client, job: str) -> list[str]:
    return [v.message for v in client.progress(token_of(job)) if isinstance(v, types.WorkDoneProgressReport)]


# timeoutSeconds x (1 + maxRetries) is six minutes: the deadline ends it long before
NEVER = {"solveTimeoutSeconds": 12, "timeoutSeconds": 120, "maxRetries": 2}


@pytest.mark.parametrize("overrides", [NEVER])
async def test_a_model_that_never_answers_is_reported_at_the_deadline(client, model, workspace, overrides):
    model.script.sample = Reply(hang=True)
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    await model.wait_until(lambda: model.open_requests == 2)
    end = await finished(client, job)  # within the wait's 30 s, not after 3 x 120 s
    assert "the model gave no answer within the solve's deadline of 12 s" in end, end
    assert end.endswith("nothing to write")
    beats = [int(m.group(1)) for r in reports(client, job) if (m := HEARTBEAT.search(r))]
    assert len(beats) >= 2 and beats == sorted(beats) and beats[0] >= 5, reports(client, job)
    assert all(r.startswith("sampling") for r in reports(client, job) if HEARTBEAT.search(r))
    await client.wait_for(lambda: client.shown("no answer within the solve's deadline"), what="the warning")
    [warning] = [m for m in client.messages if "deadline" in m.message]
    assert warning.type == types.MessageType.Warning
    await model.wait_until(lambda: model.open_requests == 0)  # the requests were abandoned
    assert model.abandoned == 2 and client.applied == []


@pytest.mark.parametrize("overrides", [{"solveTimeoutSeconds": 8, "timeoutSeconds": 120}])
async def test_the_deadline_ends_a_solve_with_the_best_result_so_far(client, model, workspace, overrides):
    model.script.sample = lambda body: fenced(RIGHT) if body.get("seed") == 0 else Reply(hang=True)
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    end = await finished(client, job)
    assert end.startswith("stopped at the deadline of 8 s with the best so far: passes 2/2 examples"), end
    assert end.endswith("; written")
    assert "return [x + 1 for x in xs]" in client.texts[uri]
    assert client.logged("the solve reached its deadline of 8 s")


@pytest.mark.parametrize("overrides", [{"baseUrl": f"http://127.0.0.1:{closed_port()}/v1"}])
async def test_progress_never_counts_failed_requests_as_answers(client, workspace, overrides):
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    end = await finished(client, job)
    assert end.startswith("failed")
    sampled = [r for r in reports(client, job) if r.startswith("sampling ")]
    assert sampled and not any(r.startswith("sampling 1/2") or r.startswith("sampling 2/2") for r in sampled)
    assert sampled[-1] == "sampling 0/2, 2 requests failed", sampled


@pytest.mark.parametrize("overrides", [{"rounds": 2}])
async def test_no_repair_round_is_reported_when_no_repair_was_asked_for(client, model, workspace, overrides):
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    await finished(client, job)
    lines = reports(client, job)
    assert [k for k in model.script.kinds if k != "checks"] == ["sample", "sample"]  # no repair
    assert not [line for line in lines if line.startswith("debugging")], lines

    # one repair round was needed, the second was not
    model.script.sample = fenced(WRONG)
    model.script.debug = fenced(RIGHT)
    uri = open_file(client, workspace, "other.py", ADD_ONE.replace("Add one", "Add 1"))
    job = await solve(client, uri, qualname="add_one")
    end = await finished(client, job)
    lines = reports(client, job)
    assert "debugging round 1: 1/2 pass" in lines, lines
    assert not [line for line in lines if line.startswith("debugging round 2")], lines
    assert end.startswith("passes 2/2 examples")


async def test_end_lines_and_messages_do_not_repeat_the_name(client, model, workspace):
    uri = open_file(client, workspace)
    job = await solve(client, uri, qualname="add_one")
    end = await finished(client, job)
    [begin] = [v for v in client.progress(token_of(job)) if isinstance(v, types.WorkDoneProgressBegin)]
    assert begin.title == "S*: add_one"
    # shown as "S*: add_one: passes 2/2 ...": the name is in the title only
    assert end.startswith("passes 2/2 examples; ") and end.endswith("; written"), end
    assert "add_one" not in end
    assert not [m for m in client.messages if "add_one: add_one" in m.message]
    assert field_of(client.statuses[-1], "running") in (0, 1)


LOOP_PLUS_ONE = "def add_one(xs):\n    out = []\n    for x in xs:\n        out.append(x + 1)\n    return out\n"
LOOP_PLUS_TWO = "def add_one(xs):\n    out = []\n    for x in xs:\n        out.append(x + 2)  # off by one\n    return out\n"


async def test_candidates_are_told_apart_by_their_first_differing_line(client, model, workspace):
    model.script.sample = lambda body: fenced(LOOP_PLUS_ONE if body.get("seed") == 0 else LOOP_PLUS_TWO)
    model.script.debug = fenced(LOOP_PLUS_TWO)
    uri = open_file(client, workspace)
    await finished(client, await solve(client, uri, qualname="add_one"))
    shown = await command(client, "sstar.showCandidates", {"uri": uri, "qualname": "add_one"})
    rows = {field_of(c, "passed"): c for c in field_of(shown, "candidates")}
    assert field_of(rows[2], "difference") == "out.append(x + 1)"
    assert field_of(rows[1], "difference") == "out.append(x + 2)  # off by one"
    assert field_of(rows[2], "differenceLine") == field_of(rows[1], "differenceLine") == 3
    assert field_of(rows[2], "chosen") and not field_of(rows[1], "chosen")


def test_first_differences_of_bodies():
    same_start = ["out = []\nfor x in xs:\n    out.append(x)\nreturn out", "out = []\n# note\nfor y in xs:\n    out.append(y)\nreturn out"]
    [a, b] = first_differences(same_start)
    assert (a.line, a.text) == (2, "for x in xs:") and (b.line, b.text) == (2, "for y in xs:")
    [only] = first_differences(["\n\n# why\nreturn 1\n"])
    assert (only.line, only.text) == (1, "return 1")
    # three: each shows where it leaves the one most like it
    [x, y, z] = first_differences(["a\nb\nc", "a\nb\nd", "q"])
    assert (x.text, y.text, z.text) == ("c", "d", "q")
    [prefix, longer] = first_differences(["a", "a\nb"])
    assert (prefix.text, longer.text) == ("a", "b")
    assert first_differences(["x = '" + "y" * 200 + "'"], limit=20)[0].text.endswith("…")
