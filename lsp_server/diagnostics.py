"""The S* diagnostics of each document, per function, and when they stop being true.

A record holds the diagnostics of one solved function with the function's lines and text as S*
wrote them. On `didChange`, records below an edit move with it; a record whose function the edit
touched is dropped when the function's text is no longer what S* wrote (our own edit arriving
late leaves the text as written, so it does not clear the fresh diagnostics). Documents are
keyed by their normalised URI.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import attrs
from lsprotocol import types

from sstar.source import Source, line_count

from .documents import uri_key

__all__ = ["Record", "DiagnosticStore"]


@dataclass(frozen=True)
class Record:
    qualname: str
    first_line: int
    last_line: int
    text: str  # the function's lines joined with "\n", as written
    diagnostics: tuple[types.Diagnostic, ...]


class DiagnosticStore:
    def __init__(self) -> None:
        self._records: dict[str, dict[str, Record]] = {}

    def set(self, uri: str, record: Record) -> None:
        self._records.setdefault(uri_key(uri), {})[record.qualname] = record

    def discard(self, uri: str, qualname: str | None = None) -> bool:
        records = self._records.get(uri_key(uri), {})
        if qualname is None:
            return bool(self._records.pop(uri_key(uri), None))
        return records.pop(qualname, None) is not None

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        return [d for record in self._records.get(uri_key(uri), {}).values() for d in record.diagnostics]

    def changed(self, uri: str, changes, source: str) -> bool:
        """Follow the document's edits; True when the published diagnostics must be sent again."""
        records = self._records.get(uri_key(uri))
        if not records:
            return False
        touched: set[str] = set()
        moved = False
        for change in changes:
            if not isinstance(change, types.TextDocumentContentChangePartial):
                touched |= set(records)
                continue
            start, end = change.range.start.line, change.range.end.line
            delta = line_count(change.text) - 1 - (end - start)
            for name, record in list(records.items()):
                if end < record.first_line:
                    if delta:
                        records[name] = _shift(record, delta)
                        moved = True
                elif start <= record.last_line:
                    touched.add(name)
        lines = Source(source).lines
        dropped = False
        for name in touched:
            record = records[name]
            if "\n".join(lines[record.first_line : record.last_line + 1]) != record.text:
                del records[name]
                dropped = True
        return moved or dropped


def _shift(record: Record, delta: int) -> Record:
    def move(diagnostic: types.Diagnostic) -> types.Diagnostic:
        r = diagnostic.range
        new_range = types.Range(
            types.Position(r.start.line + delta, r.start.character),
            types.Position(r.end.line + delta, r.end.character),
        )
        return attrs.evolve(diagnostic, range=new_range)

    return replace(
        record,
        first_line=record.first_line + delta,
        last_line=record.last_line + delta,
        diagnostics=tuple(move(d) for d in record.diagnostics),
    )

