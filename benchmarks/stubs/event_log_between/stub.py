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

        Events recorded out of order are still returned by time; events with the same time keep the
        order in which they were recorded. An empty window (`end` <= `start`) gives []. The log
        itself is not reordered.

        >>> log = EventLog()
        >>> log.record(5, "login")
        >>> log.between(0, 10)
        ['login']
        """
        ...
