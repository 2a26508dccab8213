"""Catching typos in card numbers before sending them to the payment provider."""


def luhn_valid(number: str) -> bool:
    """True when `number` passes the Luhn checksum.

    >>> luhn_valid("4539 1488 0343 6467")
    True
    """
    compact = number.replace(" ", "").replace("-", "")
    if len(compact) < 2 or not all(ch in "0123456789" for ch in compact):
        return False
    total = 0
    for position, ch in enumerate(reversed(compact)):
        digit = int(ch)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
