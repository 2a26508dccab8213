"""Catching typos in card numbers before sending them to the payment provider."""


def luhn_valid(number: str) -> bool:
    """True when `number` passes the Luhn checksum.

    Spaces and hyphens between digits are ignored; any other character makes the number invalid
    (False, not an error). Fewer than two digits is never valid. From the rightmost digit, every
    second digit is doubled (subtracting 9 when that exceeds 9), and the number is valid when the
    sum of all digits is a multiple of 10.

    >>> luhn_valid("4539 1488 0343 6467")
    True
    """
    ...
