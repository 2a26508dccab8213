"""Converting JSON field names to Python attribute names."""

import re


def camel_to_snake(name: str) -> str:
    """Convert a camelCase or PascalCase name to snake_case.

    >>> camel_to_snake("userId")
    'user_id'
    """
    step = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    step = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", step)
    return re.sub(r"_+", "_", step).lower()
