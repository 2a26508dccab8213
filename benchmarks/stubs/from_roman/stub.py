"""Roman numerals for chapter headings and clock faces."""


def from_roman(numeral: str) -> int:
    """Read a Roman numeral such as "XIV" and return its value.

    Upper and lower case are both accepted and surrounding spaces are ignored. Only numerals in
    standard form are accepted (the form `to_roman` would write for 1 to 3999): raise ValueError for
    non-standard forms such as "IIII", "VX" or "IC", for unknown letters, and for an empty string.

    >>> from_roman("XIV")
    14
    """
    ...
