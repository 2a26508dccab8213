"""Settings passed as one string on a command line."""


def parse_key_values(text: str) -> dict[str, str]:
    """Parse "key=value" pairs separated by semicolons into a dict.

    >>> parse_key_values("host=db; port=5432")
    {'host': 'db', 'port': '5432'}
    """
    result: dict[str, str] = {}
    for segment in text.split(";"):
        if not segment.strip():
            continue
        if "=" not in segment:
            raise ValueError(f"no '=' in {segment!r}")
        key, _, value = segment.partition("=")
        key = key.strip().lower()
        if not key:
            raise ValueError(f"empty key in {segment!r}")
        result[key] = value.strip()
    return result
