"""The user's secrets never reach the model server, and one hostile candidate never ends a solve.

Whatever a candidate returns or prints goes back to the model in the repair prompt, so these
tests let the scripted "candidate" read canary secrets (~/.ssh/id_rsa, ~/.netrc, a project .env)
and return and print them, with the stub in the home folder and in a project under it whose
workspace is the home folder (a dotfile repository), and then look at every request the model
server received. A readable marker beside the stub shows that the channel itself works.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sstar.cache import Cache
from sstar.config import Config
from sstar.engine import Engine
from sstar.events import Notice
from sstar.problem import extract_problem
from sstar.results import SolveStatus
from tests.support.scripted_llm import fenced

from .conftest import ADD_ONE, KEY, RIGHT, by_seed

CANARIES = {".ssh/id_rsa": "CANARY-SSH-91c2", ".netrc": "CANARY-NETRC-5d7e",
            "proj/.env": "CANARY-ENV-0b3f", ".cache/sstar/leak.json": "CANARY-CACHE-77aa"}
VISIBLE = "VISIBLE-MARKER-3e1d"


def thief(paths: list[str]) -> str:
    """A candidate that reads every path, prints what it found and returns it (a wrong answer,
    so its output is shown in the repair prompt)."""
    return (f"def add_one(xs):\n    found = []\n    for path in {paths!r}:\n"
            "        try:\n            with open(path) as f:\n                found.append(f.read())\n"
            "        except OSError as exc:\n            found.append(type(exc).__name__)\n"
            "    print(found)\n    return found\n")


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "home"
    for rel, secret in CANARIES.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(f"{secret}\n")
    (home / ".git").mkdir()  # a dotfile repository: the home folder looks like a project root
    (home / "proj" / "notes.txt").write_text(VISIBLE)
    monkeypatch.setenv("HOME", str(home))
    return home


def engine(model, tmp_path: Path) -> Engine:
    config = Config(base_url=model.base_url, model="scripted", api_key=KEY, max_retries=0,
                    timeout_seconds=10.0, samples=2, rounds=1, greedy_sample=False)
    return Engine(config, cache=Cache(tmp_path / "cache-dir"))  # its own pools, by policy


@pytest.mark.parametrize("where", ["home", "project under home"])
async def test_no_canary_reaches_the_model_server(model, home: Path, tmp_path: Path, where):
    folder = home if where == "home" else home / "proj"
    paths = [str(home / rel) for rel in CANARIES] + [str(home / "proj" / "notes.txt")]
    model.script.samples = fenced(thief(paths))
    model.script.debug = fenced(thief(paths))
    stub = folder / "mod.py"
    stub.write_text(ADD_ONE)
    problem = extract_problem(ADD_ONE, path=stub, workspace=home)  # the home folder as root
    events: list = []
    async with engine(model, tmp_path) as solver:
        result = await solver.solve(problem, on_event=events.append)
    assert result.status is not SolveStatus.SOLVED
    sent = [json.dumps(body) for body in model.requests]
    assert any("fails these tests" in text for text in sent)  # a repair prompt went out
    for secret in CANARIES.values():
        assert not [text for text in sent if secret in text], secret
        assert secret not in json.dumps(result.to_json()) and secret not in repr(events)
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert any("home folder" in n for n in notices), notices
    if where == "project under home":  # the file's folder stays readable: the channel works
        assert any(VISIBLE in text for text in sent)


FORGERS = {
    "refusal": '{"records": [], "layers": {}, "refused": ["seccomp"]}',
    "huge duration": ('{"records": [{"st": "ok", "plain": True, "v": 1, "r": "1", '
                      '"dt": 10 ** 400}], "layers": {}}'),
    "garbage": '{"records": "nope", "layers": []}',
}


@pytest.mark.parametrize("attack", FORGERS)
async def test_a_frame_forging_candidate_does_not_end_the_solve(model, make_engine,
                                                                 write_problem, attack):
    forger = ("import gc, json, os, struct\n"
              "def add_one(xs):\n"
              "    run = next(o for o in gc.get_objects() if type(o).__name__ == '_Run')\n"
              f"    data = json.dumps(dict({FORGERS[attack]}, nonce=run.nonce)).encode()\n"
              "    os.write(3, struct.pack('>Q', len(data)) + data)\n    os._exit(0)\n")
    model.script.samples = by_seed({0: fenced(forger)}, fenced(RIGHT))
    model.script.debug = fenced(forger)
    result = await make_engine(samples=3, rounds=1, greedy_sample=False).solve(write_problem())
    assert result.status is SolveStatus.SOLVED
    assert result.chosen.body.strip() == "return [x + 1 for x in xs]"
