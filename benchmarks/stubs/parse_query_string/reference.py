"""Query strings from URLs in access logs."""

from urllib.parse import unquote_plus


def parse_query_string(query: str) -> dict[str, list[str]]:
    """Parse a URL query string such as "a=1&b=2&a=3" into a dict from name to list of values.

    >>> parse_query_string("a=1&b=2&a=3")
    {'a': ['1', '3'], 'b': ['2']}
    """
    if query.startswith("?"):
        query = query[1:]
    result: dict[str, list[str]] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        result.setdefault(unquote_plus(name), []).append(unquote_plus(value))
    return result
