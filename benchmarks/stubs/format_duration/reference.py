"""Durations for people to read."""


def format_duration(seconds: int) -> str:
    """Format a number of seconds as "1d 2h 3m 4s".

    >>> format_duration(3725)
    '1h 2m 5s'
    """
    if seconds < 0:
        raise ValueError("negative duration")
    left = int(seconds // 1)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"
