"""Results the server keeps: the last solve of each function, whether it was written, and what S*
wrote there (so a later `applyLast`, `applyCandidate` or regenerate can recognise the function).

Also the engines: one `Engine` per configuration, shared by the solves that started under it and
closed once the configuration changed and its last solve ended.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sstar.config import Config
from sstar.problem import Problem
from sstar.results import SolveResult

if TYPE_CHECKING:
    from sstar.engine import Engine

__all__ = ["Kept", "ResultStore", "Engines"]


@dataclass(eq=False)
class Kept:
    uri: str
    problem: Problem
    result: SolveResult
    samples: int  # samples this solve asked for (regenerate doubles it)
    applied: bool = False
    applied_text: str | None = None  # the function's text right after S* wrote it
    order: int = 0

    @property
    def qualname(self) -> str:
        return self.problem.qualname


@dataclass
class ResultStore:
    _kept: dict[tuple[str, str], Kept] = field(default_factory=dict)
    _order: itertools.count = field(default_factory=lambda: itertools.count(1))

    def keep(self, uri: str, problem: Problem, result: SolveResult, samples: int) -> Kept:
        previous = self._kept.get((uri, problem.qualname))
        kept = Kept(uri, problem, result, samples, order=next(self._order))
        if previous is not None and previous.applied:
            kept.applied_text = previous.applied_text  # the file still holds that one
        self._kept[(uri, problem.qualname)] = kept
        return kept

    def get(self, uri: str, qualname: str) -> Kept | None:
        return self._kept.get((uri, qualname))

    def qualnames(self, uri: str) -> set[str]:
        return {q for (u, q) in self._kept if u == uri}

    def last_unapplied(self, uri: str | None = None) -> Kept | None:
        waiting = [
            k for k in self._kept.values()
            if not k.applied and k.result.body is not None and (uri is None or k.uri == uri)
        ]
        return max(waiting, key=lambda k: k.order, default=None)


class Engines:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._current: Engine | None = None
        self._users: dict[Engine, int] = {}
        self._stale: set[Engine] = set()

    def reconfigure(self, config: Config) -> None:
        if config == self.config and config.api_key == self.config.api_key:
            return
        self.config = config
        if self._current is not None:
            self._stale.add(self._current)
            self._current = None
            self._close_unused()

    def acquire(self) -> Engine:
        if self._current is None:
            # imported on the first solve: the engine pulls in `openai` (~1 s), which would
            # otherwise delay `initialize` and every editor's first code action
            from sstar.engine import Engine

            self._current = Engine(self.config)
            self._users[self._current] = 0
        self._users[self._current] += 1
        return self._current

    def release(self, engine: Engine) -> None:
        self._users[engine] -= 1
        self._close_unused()

    async def aclose(self) -> None:
        engines = list(self._users)
        self._users.clear()
        self._stale.clear()
        self._current = None
        for engine in engines:
            await engine.aclose()

    def _close_unused(self) -> None:
        for engine in [e for e in self._stale if self._users.get(e, 0) == 0]:
            self._stale.discard(engine)
            self._users.pop(engine, None)
            asyncio.get_running_loop().create_task(engine.aclose())
