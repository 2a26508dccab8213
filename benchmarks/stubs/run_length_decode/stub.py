"""Run-length encoding for compact storage of strings with long runs."""


def run_length_decode(encoded: str) -> str:
    """Decode text written as counts followed by characters, such as "3a1b".

    A count is one or more digits and is followed by exactly one non-digit character, which is
    repeated that many times; a count of 0 is allowed and produces nothing. Raise ValueError when a
    character has no count before it or when the text ends with a count. An empty text decodes to
    "".

    >>> run_length_decode("3a1b")
    'aaab'
    """
    ...
