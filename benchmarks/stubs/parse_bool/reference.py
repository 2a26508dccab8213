"""Boolean flags from environment variables."""


def parse_bool(text: str) -> bool:
    """Read a yes/no setting.

    >>> parse_bool("Yes")
    True
    """
    word = text.strip().lower()
    if word in {"true", "yes", "on", "y", "1"}:
        return True
    if word in {"false", "no", "off", "n", "0"}:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")
