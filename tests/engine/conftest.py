"""Fixtures for engine tests: a scripted model that routes by prompt kind, a real sandbox pool."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sstar.cache import Cache
from sstar.config import Config
from sstar.engine import Engine
from sstar.problem import extract_problem
from tests.support.prompt_kinds import kind_of
from tests.support.scripted_llm import Reply, ScriptedLLM, fenced, prompt_text

KEY = "sk-test-SECRET-4242424242"
OLD_PIPELINE = dict(
    greedy_sample=False, typed_inputs=False, prose_checks=False, adaptive_sampling=False
)
PRODUCT = dict(greedy_sample=True, typed_inputs=True, prose_checks=True, adaptive_sampling=True)

ADD_ONE = '''def add_one(xs: list[int]) -> list[int]:
    """Add one to every number.

    >>> add_one([1, 2])
    [2, 3]
    >>> add_one([])
    []
    """
    ...
'''

RIGHT = "def add_one(xs):\n    return [x + 1 for x in xs]\n"
RIGHT_TOO = "def add_one(xs):\n    return list(map(lambda x: x + 1, xs))\n"
SKIPS_NEGATIVES = "def add_one(xs):\n    return [x + 1 for x in xs if x >= 0]\n"
WRONG = "def add_one(xs):\n    return [x + 2 for x in xs]\n"


def judge_prefers(marker: str) -> Callable[[str], str]:
    """A judge that picks the program whose code contains `marker`."""

    def judge(text: str) -> str:
        a = text.split("Program A:", 1)[1].split("Program B:", 1)[0]
        return "Thinking...\nAnswer: A" if marker in a else "Thinking...\nAnswer: B"

    return judge


@dataclass
class ModelScript:
    """What the scripted model answers, per request kind. Samples are chosen by their seed (= the
    sample index), so concurrency does not change who gets what."""

    samples: Callable[[int], str | Reply] | str = fenced(RIGHT)
    debug: Callable[[str, int], str | Reply] | str = fenced(RIGHT)
    inputs: str = fenced("add_one([-1, 5])\nadd_one([0])\nadd_one([100, -100])")
    distinguish: str = fenced("add_one([-3])")
    judge: Callable[[str], str] | str = "Answer: A"
    checks: Callable[[str], str | Reply] | str = "I cannot think of checks."  # none by default
    value: Callable[[str], str | Reply] | str = "I cannot tell."  # the value judge: undecided
    kinds: list[str] = field(default_factory=list)

    def __call__(self, body: dict) -> str | Reply:
        kind = kind_of(body)
        self.kinds.append(kind)
        seed = body.get("seed")
        text = prompt_text(body)
        if kind == "sample":
            return self.samples(seed) if callable(self.samples) else self.samples
        if kind == "debug":
            return self.debug(text, seed) if callable(self.debug) else self.debug
        if kind == "inputs":
            return self.inputs
        if kind == "distinguish":
            return self.distinguish
        if kind == "value":
            return self.value(text) if callable(self.value) else self.value
        if kind == "checks":
            return self.checks(text) if callable(self.checks) else self.checks
        if kind == "judge":
            return self.judge(text) if callable(self.judge) else self.judge
        return Reply(status=400, error="unexpected request")

    def count(self, kind: str) -> int:
        return self.kinds.count(kind)


def by_seed(mapping: dict[int, str], default: str) -> Callable[[int], str]:
    return lambda seed: mapping.get(seed, default)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def write_problem(workspace: Path):
    def make(source: str = ADD_ONE, qualname: str | None = None, name: str = "mod.py"):
        path = workspace / name
        path.write_text(source)
        return extract_problem(source, path=path, qualname=qualname, workspace=workspace)

    return make


@pytest.fixture
async def pool():
    from sandbox import SandboxPool

    async with SandboxPool(workers=2) as running:
        yield running


@pytest.fixture
async def model():
    script = ModelScript()
    async with ScriptedLLM(script) as server:
        server.script = script
        yield server


@pytest.fixture
async def make_engine(model: ScriptedLLM, pool, tmp_path: Path):
    engines: list[Engine] = []
    cache_root = tmp_path / "cache"

    def make(cache: Cache | None = None, sandbox=None, **overrides) -> Engine:
        settings = dict(
            base_url=model.base_url,
            model="scripted",
            api_key=KEY,
            max_retries=0,
            timeout_seconds=10.0,
            sandbox_timeout_seconds=2.0,
            samples=4,
            rounds=1,
            # The classic S* pipeline (today's behaviour before issue 14): tests written for it
            # keep checking that these switches, off, restore it. New capabilities are tested
            # with them on (OLD_PIPELINE overrides, or the product defaults).
            **OLD_PIPELINE,
        )
        settings.update(overrides)
        engine = Engine(
            Config(**settings), sandbox=sandbox or pool, cache=cache or Cache(cache_root)
        )
        engines.append(engine)
        return engine

    yield make
    for engine in engines:  # closes their model clients; the pool fixture closes the sandbox
        await engine.aclose()


def kinds(server: ScriptedLLM) -> list[str]:
    return [kind_of(body) for body in server.requests]
