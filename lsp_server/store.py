"""What the server remembers between requests: where each solve's bodies go (`Placement`), the
last result of each function (`Kept`), what S* last wrote into each function (so a function S*
wrote can be solved again until the user edits its body by hand), and the engines.

Everything is keyed by the document's normalised URI (`documents.uri_key`) and the function's
qualified name; a placement keeps the client's own spelling of the URI for what is sent back.

Engines: one `Engine` per configuration, shared by the solves that started under it and closed
once the configuration changed and its last solve ended.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sstar.config import Config
from sstar.problem import Problem
from sstar.results import SolveResult
from sstar.writeback import StubTarget

from .documents import uri_key

if TYPE_CHECKING:
    from sstar.engine import Engine

__all__ = ["Placement", "Kept", "ResultStore", "Engines"]


@dataclass(eq=False)
class Placement:
    """Where one solve's bodies go: the stub as its problem saw it, and the function's text that
    a body may replace (what S* last wrote there, or the function as it was when a solve of a
    function with a body started). Anything else there is the user's, and is never overwritten."""

    uri: str  # as the client spells it
    problem: Problem
    written: str | None = None

    @property
    def qualname(self) -> str:
        return self.problem.qualname

    @property
    def key(self) -> tuple[str, str]:
        return uri_key(self.uri), self.qualname

    def target(self) -> StubTarget:
        return replace(self.problem.target, written=self.written)


@dataclass(eq=False)
class Kept:
    placement: Placement
    result: SolveResult
    samples: int  # samples this solve asked for (regenerate doubles it)
    applied: bool = False  # the result itself was written (or already stood there)
    order: int = 0

    @property
    def uri(self) -> str:
        return self.placement.uri

    @property
    def qualname(self) -> str:
        return self.placement.qualname

    @property
    def problem(self) -> Problem:
        return self.placement.problem


@dataclass(frozen=True)
class Written:
    """What S* last wrote into a function: its text then, and its body's (`sstar.reopen`)."""

    function: str
    body: str


@dataclass
class ResultStore:
    _kept: dict[tuple[str, str], Kept] = field(default_factory=dict)
    _written: dict[tuple[str, str], Written] = field(default_factory=dict)
    _order: itertools.count = field(default_factory=lambda: itertools.count(1))

    def keep(self, placement: Placement, result: SolveResult, samples: int) -> Kept:
        kept = Kept(placement, result, samples, order=next(self._order))
        self._kept[placement.key] = kept
        return kept

    def get(self, uri: str, qualname: str) -> Kept | None:
        return self._kept.get((uri_key(uri), qualname))

    def qualnames(self, uri: str) -> set[str]:
        key = uri_key(uri)
        return {q for (u, q) in self._kept if u == key} | {q for (u, q) in self._written if u == key}

    def last_unapplied(self, uri: str | None = None) -> Kept | None:
        key = None if uri is None else uri_key(uri)
        waiting = [
            k for (u, _), k in self._kept.items()
            if not k.applied and k.result.body is not None and (key is None or u == key)
        ]
        return max(waiting, key=lambda k: k.order, default=None)

    # -- what S* wrote -------------------------------------------------------------------------
    def wrote(self, uri: str, qualname: str, written: Written) -> None:
        self._written[(uri_key(uri), qualname)] = written

    def written(self, uri: str, qualname: str) -> Written | None:
        return self._written.get((uri_key(uri), qualname))


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
            from .watched_engine import WatchedEngine

            self._current = WatchedEngine(self.config)
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
