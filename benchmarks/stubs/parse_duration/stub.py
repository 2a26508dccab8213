"""Durations as people type them in config files."""


def parse_duration(text: str) -> int:
    """Parse a duration such as "1h30m" into whole seconds.

    The text is a sequence of parts, each a non-negative integer followed by a unit: `d` (days),
    `h` (hours), `m` (minutes) or `s` (seconds). Units are case-insensitive and spaces between
    parts are allowed. Each unit may appear at most once and units must come from largest to
    smallest. A bare number with no unit is seconds, but only when it is the whole text. Raise
    ValueError for an empty text, an unknown unit, a repeated or out-of-order unit, or anything
    that is not a part.

    >>> parse_duration("1h30m")
    5400
    >>> parse_duration("45s")
    45
    """
    ...
