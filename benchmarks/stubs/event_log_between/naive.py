from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    at: float
    name: str


class EventLog:
    def __init__(self) -> None:
        self.events = []

    def record(self, at, name) -> None:
        self.events.append(Event(at, name))

    def between(self, start, end):
        return [e.name for e in self.events if start <= e.at <= end]
