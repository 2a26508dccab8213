"""Converting JSON field names to Python attribute names."""


def camel_to_snake(name: str) -> str:
    """Convert a camelCase or PascalCase name to snake_case.

    An underscore goes before each upper-case letter that starts a new word, and the result is
    lower case. A run of capitals is one word (an acronym), and its last capital starts the next
    word when a lower-case letter follows it: "HTTPResponse" is "http_response". Digits stay with the
    word before them. Names that are already snake_case are returned unchanged, and existing
    underscores are never doubled.

    >>> camel_to_snake("userId")
    'user_id'
    """
    ...
