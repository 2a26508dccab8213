"""Release tooling: the next version number."""

import re


def bump_version(version: str, part: str) -> str:
    """The version after `version` when releasing a "major", "minor" or "patch" change.

    >>> bump_version("1.4.2", "minor")
    '1.5.0'
    """
    parts = ("major", "minor", "patch")
    if part not in parts:
        raise ValueError(f"unknown part {part!r}")
    core = re.split(r"[-+]", version.strip(), maxsplit=1)[0]
    pieces = core.split(".")
    if not 1 <= len(pieces) <= 3 or not all(p.isdigit() for p in pieces):
        raise ValueError(f"bad version {version!r}")
    numbers = [int(p) for p in pieces] + [0] * (3 - len(pieces))
    index = parts.index(part)
    numbers[index] += 1
    numbers[index + 1:] = [0] * (2 - index)
    return ".".join(str(n) for n in numbers)
