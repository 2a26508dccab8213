"""Fixtures for benchmark tests: a scripted model that answers HumanEval/0 by prompt kind, a real
sandbox pool, and a `Bench` wired to both through the real OpenAI client."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from sandbox import SandboxPool
from sstar.bench import humaneval
from sstar.bench.metering import MeteredCache, MeteredLLM
from sstar.bench.runner import Bench
from sstar.config import Config
from tests.support.prompt_kinds import kind_of
from tests.support.scripted_llm import ScriptedLLM, fenced, prompt_text

# HumanEval/0 (has_close_elements) answers. CHEAT passes both docstring examples (thresholds 0.5
# and 0.3) but not the hidden check (threshold 0.05 expects False): the public tests cannot tell
# it from RIGHT, only check() can.
RIGHT = """def has_close_elements(numbers, threshold):
    for i, a in enumerate(numbers):
        for b in numbers[i + 1:]:
            if abs(a - b) < threshold:
                return True
    return False
"""
CHEAT = """def has_close_elements(numbers, threshold):
    return threshold < 0.4
"""
WRONG = """def has_close_elements(numbers, threshold):
    return False
"""


@dataclass
class HasCloseElements:
    """The scripted model. Samples are chosen by seed (= sample index), so concurrency does not
    change who gets what: seed 0 cheats, seed 1 is wrong (its repair is right), the rest are right;
    the greedy sample (temperature 0, no seed) cheats."""

    kinds: list[str] = field(default_factory=list)

    def __call__(self, body: dict) -> str:
        kind = kind_of(body)
        self.kinds.append(kind)
        text = prompt_text(body)
        if "has_close_elements" not in text:  # another task: a function that is always wrong
            name = re.search(r"def (\w+)\(", text).group(1)
            return fenced(f"def {name}(*args):\n    return None\n")
        if kind == "sample":
            seed = body.get("seed")
            return fenced({None: CHEAT, 0: CHEAT, 1: WRONG}.get(seed, RIGHT))
        if kind == "debug":
            return fenced(RIGHT)
        if kind in ("inputs", "distinguish"):
            return fenced("has_close_elements([1.0, 5.0], 0.1)\nhas_close_elements([], 1.0)")
        if kind == "codet":
            return fenced(
                "assert has_close_elements([1.0, 5.0], 0.1) == False\n"
                "assert has_close_elements([1.0, 1.05], 0.1) == True"
            )
        if kind == "judge":
            a = text.split("Program A:", 1)[1].split("Program B:", 1)[0]
            return "Answer: A" if "abs(" in a else "Answer: B"
        return "I do not know."


@pytest.fixture
def model() -> HasCloseElements:
    return HasCloseElements()


@pytest.fixture
async def scripted(model):
    async with ScriptedLLM(model) as server:
        yield server


@pytest.fixture
async def pool():
    async with SandboxPool() as running:
        yield running


@pytest.fixture
def config(scripted) -> Config:
    return replace(Config(), base_url=scripted.base_url, samples=4, rounds=1)


@pytest.fixture
async def bench(config, scripted, pool, tmp_path: Path):
    llm = MeteredLLM(identity="scripted", base_url=scripted.base_url, api_key="k", model="")
    try:
        yield Bench(
            config, llm=llm, cache=MeteredCache(tmp_path / "cache"), pool=pool, commit="test"
        )
    finally:
        await llm.aclose()


@pytest.fixture(scope="session")
def tasks() -> list[humaneval.Task]:
    return humaneval.load_tasks()
