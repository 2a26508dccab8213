"""Boolean flags from environment variables."""


def parse_bool(text: str) -> bool:
    """Read a yes/no setting.

    True for "true", "yes", "on", "y" and "1"; False for "false", "no", "off", "n" and "0". Case
    and surrounding whitespace are ignored. Anything else, the empty string included, raises
    ValueError (a typo must not silently mean False).

    >>> parse_bool("Yes")
    True
    """
    ...
