"""Query strings from URLs in access logs."""


def parse_query_string(query: str) -> dict[str, list[str]]:
    """Parse a URL query string such as "a=1&b=2&a=3" into a dict from name to list of values.

    A leading "?" is ignored. Values of a repeated name are kept in order. Percent escapes are
    decoded and "+" means a space, in names and values alike. A name without "=" has the value "",
    and empty pairs (as in "a=1&&b=2") are skipped. Names keep the order in which they first
    appear. An empty query gives {}.

    >>> parse_query_string("a=1&b=2&a=3")
    {'a': ['1', '3'], 'b': ['2']}
    """
    ...
