"""Layered configuration: defaults, then a file, then the command line."""


def deep_merge(base: dict, override: dict) -> dict:
    """Return a new dict: `base` updated with `override`, recursively.

    Where both have a dict under the same key, the two dicts are merged the same way; any other
    value in `override` (lists included) replaces the one in `base`. A key whose value in `override`
    is None is removed from the result. Neither argument is modified, and the result shares no
    nested dict with them, so changing it later cannot change the inputs.

    >>> deep_merge({"db": {"host": "x", "port": 1}}, {"db": {"port": 2}})
    {'db': {'host': 'x', 'port': 2}}
    """
    ...
