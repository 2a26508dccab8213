"""Run-length encoding for compact storage of strings with long runs."""

import itertools


def run_length_encode(text: str) -> str:
    """Encode each run of a repeated character as its count followed by the character.

    >>> run_length_encode("aaabcc")
    '3a1b2c'
    """
    if any(ch.isdigit() for ch in text):
        raise ValueError("digits cannot be encoded")
    return "".join(f"{len(list(run))}{ch}" for ch, run in itertools.groupby(text))
