"""Money amounts on invoices."""

from decimal import Decimal


def round_money(amount: Decimal | str | int, places: int = 2) -> Decimal:
    """Round an amount to `places` decimal places the way invoices do: halves round away from
    zero (2.675 becomes 2.68 and -2.675 becomes -2.68), never to even.

    The amount may be a Decimal, an int, or a string holding a decimal number (surrounding spaces
    allowed). Floats are refused with TypeError, because they cannot hold most cents exactly, and a
    string that is not a number raises ValueError. The result is a Decimal with exactly `places`
    digits after the point.

    >>> round_money("2.675")
    Decimal('2.68')
    """
    ...
