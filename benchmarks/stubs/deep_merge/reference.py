"""Layered configuration: defaults, then a file, then the command line."""

import copy


def deep_merge(base: dict, override: dict) -> dict:
    """Return a new dict: `base` updated with `override`, recursively.

    >>> deep_merge({"db": {"host": "x", "port": 1}}, {"db": {"port": 2}})
    {'db': {'host': 'x', 'port': 2}}
    """
    result = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
