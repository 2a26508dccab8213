"""Roman numerals for chapter headings and clock faces."""


def to_roman(number: int) -> str:
    """Write `number` in standard Roman numerals, upper case, using subtractive pairs (IV, IX,
    XL, XC, CD, CM).

    Only 1 to 3999 can be written: raise ValueError for anything outside that range, and TypeError
    for a value that is not an int (a bool counts as not an int).

    >>> to_roman(1994)
    'MCMXCIV'
    """
    ...
