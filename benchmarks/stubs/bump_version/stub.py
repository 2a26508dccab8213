"""Release tooling: the next version number."""


def bump_version(version: str, part: str) -> str:
    """The version after `version` when releasing a "major", "minor" or "patch" change.

    Versions are MAJOR.MINOR.PATCH; a missing minor or patch counts as 0 ("2" is "2.0.0"). Bumping
    a part increments it and resets every part after it to 0, and the result always has three
    parts. A pre-release or build suffix (after "-" or "+") is dropped. Raise ValueError for an
    unknown part or a version that is not numbers separated by dots.

    >>> bump_version("1.4.2", "minor")
    '1.5.0'
    """
    ...
