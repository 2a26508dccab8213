"""Durations for people to read."""


def format_duration(seconds: int) -> str:
    """Format a number of seconds as "1d 2h 3m 4s".

    Use days, hours, minutes and seconds, largest first, separated by single spaces, and leave out
    every part that is zero; zero seconds is "0s". Floats are rounded down to whole seconds first.
    Raise ValueError for a negative duration.

    >>> format_duration(3725)
    '1h 2m 5s'
    """
    ...
