"""Cleaning up paths that users paste into a web form (always with forward slashes)."""


def normalize_path(path: str) -> str:
    """Normalise a slash-separated path: drop "." segments and empty segments, and let ".." remove
    the segment before it.

    An absolute path (starting with "/") stays absolute, and ".." at its root is dropped ("/.."
    is "/"). A relative path keeps the ".." segments that have nothing left to remove
    ("../a" stays "../a"). The result has no trailing slash, except the root "/" itself; an empty
    result of a relative path is ".".

    >>> normalize_path("a/./b/../c")
    'a/c'
    """
    ...
