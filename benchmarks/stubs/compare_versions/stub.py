"""Comparing release numbers."""


def compare_versions(a: str, b: str) -> int:
    """Compare two dotted version strings; return -1 if a < b, 0 if equal, 1 if a > b.

    Components are compared as integers, so "1.10" is newer than "1.9", and missing trailing
    components count as zero ("1.0" equals "1"). A leading "v" is ignored. A version may end in a
    pre-release tag after a hyphen ("2.0-rc1"): a pre-release is older than the same version
    without a tag, and two tags are compared as plain strings. Raise ValueError when a component is
    empty or not a number.

    >>> compare_versions("1.2", "1.10")
    -1
    >>> compare_versions("2.0", "2.0")
    0
    """
    ...
