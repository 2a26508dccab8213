"""When a solve's chosen body goes into the user's file without being picked by hand: the one rule
shared by `sstar solve --write` and the language server.

A body that fails every public test it was given (examples, workspace tests) is no answer, only
the least bad of the programs seen (a `while True: pass` passes nothing either): it is kept and
offered (the CLI's JSON, the editor's candidates), never written unless the user asks for it
(`--write-best-effort`, or picking it in Show Candidates). A body that passes some but not all
is written as the best effort, with diagnostics for the examples it fails.
"""

from __future__ import annotations

from .results import SolveResult

__all__ = ["passes_nothing"]


def passes_nothing(result: SolveResult) -> bool:
    """The chosen body fails every public test it was given (there were some)."""
    chosen = result.chosen
    return chosen is not None and chosen.total > 0 and chosen.passed == 0
