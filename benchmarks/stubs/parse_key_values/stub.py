"""Settings passed as one string on a command line."""


def parse_key_values(text: str) -> dict[str, str]:
    """Parse "key=value" pairs separated by semicolons into a dict.

    Keys and values are stripped of surrounding spaces, and keys are lower-cased. A value may be
    empty and may itself contain "=" (only the first "=" separates). Empty segments, such as a
    trailing ";", are skipped. When a key appears twice, the last value wins. Raise ValueError for a
    segment without "=" or with an empty key.

    >>> parse_key_values("host=db; port=5432")
    {'host': 'db', 'port': '5432'}
    """
    ...
