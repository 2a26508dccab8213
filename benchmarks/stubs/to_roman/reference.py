"""Roman numerals for chapter headings and clock faces."""


def to_roman(number: int) -> str:
    """Write `number` in standard Roman numerals.

    >>> to_roman(1994)
    'MCMXCIV'
    """
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("an int is required")
    if not 1 <= number <= 3999:
        raise ValueError("only 1..3999 can be written")
    symbols = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
               (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, symbol in symbols:
        count, number = divmod(number, value)
        out.append(symbol * count)
    return "".join(out)
