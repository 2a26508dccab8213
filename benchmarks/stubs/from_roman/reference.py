"""Roman numerals for chapter headings and clock faces."""

import re

_STANDARD = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def from_roman(numeral: str) -> int:
    """Read a Roman numeral such as "XIV" and return its value.

    >>> from_roman("XIV")
    14
    """
    text = numeral.strip().upper()
    if not text or not _STANDARD.fullmatch(text):
        raise ValueError(f"not a standard Roman numeral: {numeral!r}")
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        if i + 1 < len(text) and values[text[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
