"""Durations as people type them in config files."""

import re


def parse_duration(text: str) -> int:
    """Parse a duration such as "1h30m" into whole seconds.

    >>> parse_duration("1h30m")
    5400
    >>> parse_duration("45s")
    45
    """
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    order = "dhms"
    compact = re.sub(r"\s+", "", stripped.lower())
    if not compact:
        raise ValueError("empty duration")
    parts = re.findall(r"(\d+)([a-z])", compact)
    if "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"not a duration: {text!r}")
    total, last = 0, -1
    for number, unit in parts:
        if unit not in units:
            raise ValueError(f"unknown unit {unit!r}")
        position = order.index(unit)
        if position <= last:
            raise ValueError("units repeated or out of order")
        last = position
        total += int(number) * units[unit]
    return total
