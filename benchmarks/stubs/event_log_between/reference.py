"""An append-only log of timestamped events, for an audit screen."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    at: float  # seconds since the epoch
    name: str


class EventLog:
    def __init__(self) -> None:
        self.events: list[Event] = []  # in the order they were recorded, not by time

    def record(self, at: float, name: str) -> None:
        self.events.append(Event(at, name))

    def between(self, start: float, end: float) -> list[str]:
        """Names of the events from `start` (included) to `end` (excluded), oldest first.

        >>> log = EventLog()
        >>> log.record(5, "login")
        >>> log.between(0, 10)
        ['login']
        """
        chosen = [e for e in self.events if start <= e.at < end]
        return [e.name for e in sorted(chosen, key=lambda e: e.at)]
